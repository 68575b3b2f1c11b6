package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
	"github.com/hibiken/asynq/x/metrics"
	"github.com/hibiken/asynqmon"
	"github.com/numberdesk/numberdesk/internal/httpapi"
	"github.com/numberdesk/numberdesk/internal/importer"
	"github.com/numberdesk/numberdesk/internal/store"
	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"
)

// ServeConfig is the configuration of `numberdesk serve`.
type ServeConfig struct {
	// Addr is the host:port to listen on; port 0 picks a free one.
	Addr string
	// RedisURL names the state's Redis (see openRedis).
	RedisURL string
	// QueueRedisURL names the queue's Redis ("" = RedisURL).
	QueueRedisURL string
	// CarrierURL is the carrier API's base URL: number searches go to it
	// ("" : searches of the carrier answer 503).
	CarrierURL string
	// RateLimit is each token's requests per second in this process (0:
	// no limit) and RateBurst how many it may make at once.
	RateLimit float64
	RateBurst int
	// MaxBodyBytes caps JSON request bodies.
	MaxBodyBytes int64
	// MaxUploadBytes caps an import upload.
	MaxUploadBytes int64
	// Retention is how long imports and their reports are kept.
	Retention time.Duration
	// ShutdownTimeout bounds how long Close waits for requests in flight.
	ShutdownTimeout time.Duration
	// OperatorToken opens the operators' pages (Asynqmon at /ops/queues)
	// to whoever sends it; "" turns them off.
	OperatorToken string
	// FeesFile is a JSON fee schedule overriding the default rates of
	// reserved numbers (GET /v1/reserved); "" keeps the defaults.
	FeesFile string
}

// Validate checks the configuration and names the first bad field as its
// flag, in one line.
func (c ServeConfig) Validate() error {
	host, port, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return usagef("--addr %q: want host:port, e.g. 127.0.0.1:8080", c.Addr)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return usagef("--addr %q: port must be a number from 0 to 65535", c.Addr)
	}
	if host != "" && net.ParseIP(host) == nil && !validHostname(host) {
		return usagef("--addr %q: %q is not an IP address or host name", c.Addr, host)
	}
	if c.RedisURL == "" {
		return usagef("--redis-url is required (or NUMBERDESK_REDIS_URL), e.g. redis://127.0.0.1:6379/0")
	}
	if err := checkCarrierURL(c.CarrierURL); err != nil {
		return err
	}
	if c.OperatorToken != "" && len(c.OperatorToken) < 16 {
		return usagef("--operator-token: %d characters is too guessable; use at least 16 (e.g. openssl rand -hex 16)", len(c.OperatorToken))
	}
	switch {
	case c.RateLimit < 0:
		return usagef("--rate-limit %v: must be 0 (no limit) or more", c.RateLimit)
	case c.RateLimit > 0 && c.RateBurst < 1:
		return usagef("--rate-burst %d: must be at least 1", c.RateBurst)
	case c.MaxBodyBytes < 1:
		return usagef("--max-body-bytes %d: must be at least 1", c.MaxBodyBytes)
	case c.Retention < time.Hour:
		return usagef("--retention %v: must be at least 1h", c.Retention)
	case c.MaxUploadBytes < 1:
		return usagef("--max-upload-bytes %d: must be at least 1", c.MaxUploadBytes)
	case c.ShutdownTimeout <= 0:
		return usagef("--shutdown-timeout %v: must be positive", c.ShutdownTimeout)
	}
	return nil
}

// checkCarrierURL checks --carrier-url ("" is allowed).
func checkCarrierURL(v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usagef("--carrier-url %q: want an http(s) URL, e.g. http://127.0.0.1:8090", v)
	}
	return nil
}

func validHostname(h string) bool {
	if len(h) > 253 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// Main is the `numberdesk serve` program: the intake API on Redis. Run
// starts it and returns once it listens; Close stops it gracefully. Tests
// run the real wiring with Addr "127.0.0.1:0".
type Main struct {
	Config ServeConfig
	Logger *slog.Logger

	rdb   redis.UniversalClient
	queue *asynq.Client
	// inspector feeds the Asynq queue metrics; monitor is Asynqmon.
	inspector *asynq.Inspector
	monitor   *asynqmon.HTTPHandler
	ln        net.Listener
	srv       *http.Server
	stopped   chan struct{} // closed when Serve returns
	serveErr  error         // what Serve returned
}

// NewMain returns a Main with the default configuration.
func NewMain() *Main {
	return &Main{
		Config: ServeConfig{
			Addr: "127.0.0.1:8080", RateLimit: httpapi.DefaultRateLimit, RateBurst: httpapi.DefaultRateBurst,
			MaxBodyBytes: httpapi.DefaultMaxBodyBytes, MaxUploadBytes: httpapi.DefaultMaxUploadBytes,
			ShutdownTimeout: 15 * time.Second, Retention: 30 * 24 * time.Hour,
		},
		Logger: slog.Default(),
	}
}

// Run validates the configuration, connects to Redis, listens and serves
// in the background. A Redis that does not answer yet is not an error:
// GET /readyz reports it.
func (m *Main) Run(ctx context.Context) error {
	if err := m.Config.Validate(); err != nil {
		return err
	}
	schedule, err := loadFees(m.Config.FeesFile)
	if err != nil {
		return err
	}
	rdb, conn, err := openRedises(m.Config.RedisURL, m.Config.QueueRedisURL)
	if err != nil {
		return err
	}
	st := store.New(rdb, store.WithRetention(m.Config.Retention))
	m.queue = asynq.NewClient(conn)
	limit := rate.Limit(m.Config.RateLimit)
	if m.Config.RateLimit == 0 {
		limit = rate.Inf
	}
	reg := newRegistry()
	reg.MustRegister(httpapi.NewStateCollector(st, m.Logger))
	m.inspector = asynq.NewInspector(conn)
	reg.MustRegister(metrics.NewQueueMetricsCollector(m.inspector))
	var ops http.Handler
	if m.Config.OperatorToken != "" {
		m.monitor = asynqmon.New(asynqmon.Options{RootPath: httpapi.OpsPrefix + "/queues", RedisConnOpt: conn})
		ops = m.monitor
	}
	h, err := httpapi.New(httpapi.Config{
		Store: st, Logger: m.Logger, Intake: &importer.Intake{Store: st, Queue: m.queue},
		RateLimit: limit, RateBurst: m.Config.RateBurst, MaxBodyBytes: m.Config.MaxBodyBytes,
		MaxUploadBytes: m.Config.MaxUploadBytes, Registry: reg,
		Carrier: newCarrierClient(m.Config.CarrierURL, reg), Queue: m.queue, Fees: schedule,
		Ops: ops, OperatorToken: m.Config.OperatorToken,
	})
	if err != nil {
		m.queue.Close()
		rdb.Close()
		return err
	}
	ln, err := net.Listen("tcp", m.Config.Addr)
	if err != nil {
		m.queue.Close()
		rdb.Close()
		return fmt.Errorf("listen on %s: %w", m.Config.Addr, err)
	}
	m.rdb, m.ln = rdb, ln
	m.srv = httpapi.NewServer(h, m.Logger)
	m.stopped = make(chan struct{})
	go func() {
		m.serveErr = m.srv.Serve(ln)
		close(m.stopped)
	}()

	pingCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := rdb.Ping(pingCtx).Err(); err != nil {
		m.Logger.Warn("redis does not answer yet; /readyz reports 503 until it does", "err", err.Error())
	}
	m.Logger.Info("serving the API", "addr", m.Addr())
	return nil
}

// Addr returns the address the API listens on ("" before Run).
func (m *Main) Addr() string {
	if m.ln == nil {
		return ""
	}
	return m.ln.Addr().String()
}

// Done is closed when the server stops, by Close or on its own (then
// Close returns why).
func (m *Main) Done() <-chan struct{} { return m.stopped }

// Close stops accepting connections, waits up to ShutdownTimeout for the
// requests in flight, then closes Redis.
func (m *Main) Close() error {
	var errs []error
	if m.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), m.Config.ShutdownTimeout)
		defer cancel()
		if err := m.srv.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("shut down the API: %w", err))
			_ = m.srv.Close()
		}
		<-m.stopped
		if err := m.serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, fmt.Errorf("serve: %w", err))
		}
		m.srv = nil
	}
	if m.queue != nil {
		if err := m.queue.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close the queue client: %w", err))
		}
		m.queue = nil
	}
	if m.monitor != nil {
		errs = append(errs, m.monitor.Close())
		m.monitor = nil
	}
	if m.inspector != nil {
		errs = append(errs, m.inspector.Close())
		m.inspector = nil
	}
	if m.rdb != nil {
		if err := m.rdb.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close redis: %w", err))
		}
		m.rdb = nil
	}
	return errors.Join(errs...)
}
