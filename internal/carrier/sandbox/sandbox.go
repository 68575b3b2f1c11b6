package sandbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/numberdesk/numberdesk/internal/carrier"
)

// Config configures a sandbox carrier.
type Config struct {
	// Redis holds what the sandbox sold and the orders, ports and
	// requests it accepted, under keys starting "carrier:". Required.
	Redis redis.UniversalClient
	// PortStep is how long a port order stays in each status (default 1 min).
	PortStep time.Duration
	// Latency is added to every HTTP request.
	Latency time.Duration
	// ErrorRate is the share of HTTP requests answered 503 (0 to 1).
	ErrorRate float64
	// TimeoutRate is the share of HTTP requests that hang until the client
	// gives up (at most HangLimit) (0 to 1).
	TimeoutRate float64
	// HangLimit bounds a hanging request (default 1 min).
	HangLimit time.Duration
	// Seed decides which numbers exist; the same seed offers the same numbers.
	Seed int64
	// Now is the clock of port orders (default time.Now).
	Now func() time.Time
}

// Carrier is a sandbox carrier. It implements carrier.Carrier in process
// and, as an http.Handler, the carrier HTTP API that carrier.Client speaks.
type Carrier struct {
	cfg Config
	num *numbering

	mu  sync.Mutex // guards rng
	rng *rand.Rand

	portMu sync.Mutex // serialises port submissions and cancellations of this process

	httpState
}

var _ carrier.Carrier = (*Carrier)(nil)

// New returns a sandbox carrier, or an error naming the bad field of cfg.
func New(cfg Config) (*Carrier, error) {
	switch {
	case cfg.Redis == nil:
		return nil, errors.New("sandbox: Config.Redis is required")
	case cfg.PortStep < 0:
		return nil, fmt.Errorf("sandbox: Config.PortStep %v: must not be negative", cfg.PortStep)
	case cfg.Latency < 0:
		return nil, fmt.Errorf("sandbox: Config.Latency %v: must not be negative", cfg.Latency)
	case cfg.ErrorRate < 0 || cfg.ErrorRate > 1:
		return nil, fmt.Errorf("sandbox: Config.ErrorRate %v: want 0 to 1", cfg.ErrorRate)
	case cfg.TimeoutRate < 0 || cfg.TimeoutRate > 1:
		return nil, fmt.Errorf("sandbox: Config.TimeoutRate %v: want 0 to 1", cfg.TimeoutRate)
	}
	if cfg.PortStep == 0 {
		cfg.PortStep = time.Minute
	}
	if cfg.HangLimit <= 0 {
		cfg.HangLimit = time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Carrier{
		cfg: cfg,
		num: newNumbering(cfg.Seed),
		rng: rand.New(rand.NewPCG(uint64(cfg.Seed), 0x5eed)),
	}, nil
}

// Redis keys. They share the hash tag {sandbox}, so the order script stays
// in one slot of a Redis Cluster.
const keyPrefix = "carrier:{sandbox}:"

func keyOwner() string             { return keyPrefix + "owner" }          // hash: number → "order:<key>" | "port:<id>"
func keySold(prefix string) string { return keyPrefix + "sold:" + prefix } // set of the numbers of an area code no longer offered
func keyOrder(key string) string   { return keyPrefix + "order:" + key }   // JSON {numbers, lines}
func keyPort(id string) string     { return keyPrefix + "port:" + id }     // JSON portRecord
func keyPortKey(key string) string { return keyPrefix + "portkey:" + key } // port id
func keyRequest(key string) string { return keyPrefix + "request:" + key } // JSON RequestStatus

// soldIn returns the numbers of area a that are no longer offered.
func (s *Carrier) soldIn(ctx context.Context, a *area) (map[string]bool, error) {
	members, err := s.cfg.Redis.SMembers(ctx, keySold(a.prefix())).Result()
	if err != nil {
		return nil, storeError("search", err)
	}
	m := make(map[string]bool, len(members))
	for _, n := range members {
		m[n] = true
	}
	return m, nil
}

// storeError reports a Redis failure as a retryable carrier error.
func storeError(op string, err error) *carrier.Error {
	return &carrier.Error{Op: op, Code: carrier.CodeUnavailable, Retryable: true, Err: err}
}

// idFor derives a stable id from an idempotency key.
func idFor(kind, key string) string {
	sum := sha256.Sum256([]byte(kind + "\x00" + key))
	return kind + "_" + hex.EncodeToString(sum[:8])
}

// roll returns a number in [0, 1) from the sandbox's seeded generator.
func (s *Carrier) roll() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rng.Float64()
}
