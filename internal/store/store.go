// Package store keeps Numberdesk's state in Redis: accounts, tokens, sites,
// emergency addresses, extensions and the number inventory.
//
// Every change of state is one atomic step that checks the rules of the
// lifecycle and writes the number, its status index, the extension links,
// the licence counters and the audit entry together: a Lua script, or for
// the batch step (Apply: assign, unassign, reassign, delete, activate,
// port-in transitions) an optimistic WATCH/MULTI transaction planned in Go
// (plan.go). All keys of an account share the hash tag {acct:<id>} (see
// schema.go), so the state can live on a Redis Cluster sharded by account. The store takes a
// redis.UniversalClient: one node, Sentinel or Cluster.
//
// Besides go-redis it imports only domain packages, which import nothing
// but the standard library: inventory (types, rules, error codes) and fees
// (the arithmetic of reserved-number fees, fed by fees.go).
package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/redis/go-redis/v9"
)

//go:embed lua/*.lua
var luaFS embed.FS

func loadScript(name string) *redis.Script {
	prelude, err := luaFS.ReadFile("lua/prelude.lua")
	if err != nil {
		panic(err)
	}
	body, err := luaFS.ReadFile("lua/" + name)
	if err != nil {
		panic(err)
	}
	return redis.NewScript(string(prelude) + "\n" + string(body))
}

var (
	scriptAdd    = loadScript("add.lua")
	scriptAddExt = loadScript("addext.lua")
	scriptCreate = loadScript("create.lua")
)

// MaxBatch is the most rows one atomic batch step takes.
const MaxBatch = 1000

// Store is the Redis-backed state of every account.
type Store struct {
	rdb       redis.UniversalClient
	auditCap  int64
	retention time.Duration
	now       func() time.Time
	turns     sync.Map // account id -> *sync.Mutex (lockAccount)
	// beforeCommit, when set (by tests), runs between a batch's plan and
	// its commit.
	beforeCommit func()
}

// Option configures a Store.
type Option func(*Store)

// WithAuditCap sets roughly how many entries each account's audit stream
// keeps (default 100,000; one entry holds one atomic step, up to MaxBatch rows).
func WithAuditCap(n int64) Option { return func(s *Store) { s.auditCap = n } }

// WithRetention sets how long imports, their reports and the
// applied-markers of batches are kept (default 30 days).
func WithRetention(d time.Duration) Option { return func(s *Store) { s.retention = d } }

// WithClock sets the clock used for timestamps (tests).
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// New returns a Store on rdb.
func New(rdb redis.UniversalClient, opts ...Option) *Store {
	s := &Store{rdb: rdb, auditCap: 100_000, retention: 30 * 24 * time.Hour, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Redis returns the store's client.
func (s *Store) Redis() redis.UniversalClient { return s.rdb }

// Ping checks that Redis answers.
func (s *Store) Ping(ctx context.Context) error { return s.rdb.Ping(ctx).Err() }

// Actor is who changes state and through what; both go into audit entries.
type Actor struct {
	// Name identifies the caller, e.g. the token's name.
	Name string
	// Source is the channel: "api", "import:<id>", "order:<id>", "seed" ...
	Source string
}

func (s *Store) nowMS() string { return fmt.Sprint(s.now().UnixMilli()) }

// scriptError turns an error reply of a script ("<code> <message>") into an
// *inventory.Error; other errors are wrapped with what failed.
func scriptError(op string, err error) error {
	if err == nil {
		return nil
	}
	var rerr redis.Error
	if errors.As(err, &rerr) {
		msg := strings.TrimPrefix(rerr.Error(), "ERR ")
		code, detail, _ := strings.Cut(msg, " ")
		if isCode(code) {
			// Redis appends the script location to error replies in some versions.
			if i := strings.Index(detail, " script:"); i >= 0 {
				detail = detail[:i]
			}
			return &inventory.Error{Code: inventory.Code(code), Message: detail}
		}
	}
	return fmt.Errorf("%s: %w", op, err)
}

func isCode(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && c != '_' {
			return false
		}
	}
	// The contract's one-word codes have no underscore (the import
	// script's "conflict" reply).
	switch inventory.Code(s) {
	case inventory.CodeConflict, inventory.CodeUnauthorized, inventory.CodeForbidden:
		return true
	}
	return strings.Contains(s, "_")
}

// outcomes splits a script's {replayed, joined} reply.
func outcomes(v any) (replayed bool, out []string, err error) {
	arr, ok := v.([]any)
	if !ok || len(arr) != 2 {
		return false, nil, fmt.Errorf("unexpected script reply %T", v)
	}
	n, _ := arr[0].(int64)
	s, _ := arr[1].(string)
	if s == "" {
		return n == 1, nil, nil
	}
	return n == 1, strings.Split(s, "\n"), nil
}
