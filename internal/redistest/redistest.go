// Package redistest starts private redis-server processes for tests.
//
// Each test binary gets its own server on a free port in a temporary
// directory, so tests never touch a Redis that runs on the machine. Set
// NUMBERDESK_TEST_REDIS_URL to run against an existing server instead (it is
// flushed between tests: point it only at a throwaway database).
package redistest

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Server is a redis-server child process.
type Server struct {
	Addr string
	cmd  *exec.Cmd
	dir  string
}

var (
	shared     *Server
	sharedErr  error
	sharedOnce sync.Once
)

// Start starts a new redis-server on a free port with its data in a new
// temporary directory. extraArgs are passed on the command line
// (e.g. "--appendonly", "yes"). Call Stop when done.
func Start(extraArgs ...string) (*Server, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, fmt.Errorf("redis-server not found on PATH (run `make test`, which installs it, or apt-get install redis-server): %w", err)
	}
	dir, err := os.MkdirTemp("", "numberdesk-redis-")
	if err != nil {
		return nil, err
	}
	for attempt := 0; attempt < 5; attempt++ {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		args := append([]string{
			"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--dir", dir, "--save", "", "--appendonly", "no",
			"--logfile", filepath.Join(dir, "redis.log"),
		}, extraArgs...)
		cmd := exec.Command(bin, args...)
		// The server dies with the test binary even when a package forgets
		// Main (or the binary is killed).
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			return nil, fmt.Errorf("start redis-server: %w", err)
		}
		s := &Server{Addr: fmt.Sprintf("127.0.0.1:%d", port), cmd: cmd, dir: dir}
		if s.waitReady(5 * time.Second) {
			return s, nil
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
	log, _ := os.ReadFile(filepath.Join(dir, "redis.log"))
	return nil, fmt.Errorf("redis-server did not start; log:\n%s", log)
}

func (s *Server) waitReady(limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", s.Addr, 200*time.Millisecond)
		if err == nil {
			fmt.Fprint(c, "PING\r\n")
			_ = c.SetReadDeadline(time.Now().Add(time.Second))
			line, _ := bufio.NewReader(c).ReadString('\n')
			c.Close()
			if line == "+PONG\r\n" {
				return true
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

// URL returns the redis:// URL of the server.
func (s *Server) URL() string { return "redis://" + s.Addr }

// Stop kills the server and removes its directory.
func (s *Server) Stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
		_ = s.cmd.Wait()
	}
	os.RemoveAll(s.dir)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

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
