// Package redistest starts private redis-server processes for tests.
//
// Each test binary gets its own server on a free port in a temporary
// directory, so tests never touch a Redis that runs on the machine. Set
// NUMBERDESK_TEST_REDIS_URL to run against an existing server instead (it is
// flushed between tests: point it only at a throwaway database).
package redistest

import (
	"context"
	"os"
	"sync"
	"testing"

	"github.com/numberdesk/numberdesk/internal/redisproc"
	"github.com/redis/go-redis/v9"
)

// Server is a redis-server child process.
type Server = redisproc.Server

var (
	shared     *Server
	sharedErr  error
	sharedOnce sync.Once
)

// Start starts a new redis-server (see redisproc.Start).
func Start(extraArgs ...string) (*Server, error) { return redisproc.Start(extraArgs...) }

// URL returns the URL of this test binary's shared server, starting it on
// first use. Use Main in TestMain to stop it when the tests end.
func URL(tb testing.TB) string {
	tb.Helper()
	if u := os.Getenv("NUMBERDESK_TEST_REDIS_URL"); u != "" {
		return u
	}
	sharedOnce.Do(func() { shared, sharedErr = Start() })
	if sharedErr != nil {
		tb.Fatalf("redistest: %v", sharedErr)
	}
	return shared.URL()
}

// Client returns a client of the shared server with every database flushed,
// closed when the test ends.
func Client(tb testing.TB) *redis.Client {
	tb.Helper()
	opt, err := redis.ParseURL(URL(tb))
	if err != nil {
		tb.Fatalf("redistest: %v", err)
	}
	opt.PoolSize = 64
	c := redis.NewClient(opt)
	if err := c.FlushAll(context.Background()).Err(); err != nil {
		tb.Fatalf("redistest: flush: %v", err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

// Main runs the tests and stops the shared server afterwards. Use it as
//
//	func TestMain(m *testing.M) { redistest.Main(m) }
func Main(m *testing.M) {
	code := m.Run()
	if shared != nil {
		shared.Stop()
	}
	os.Exit(code)
}
