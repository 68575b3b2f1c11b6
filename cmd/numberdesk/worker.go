package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/hibiken/asynq"
	"github.com/numberdesk/numberdesk/internal/store"
	"github.com/numberdesk/numberdesk/jobs"
	"github.com/numberdesk/numberdesk/worker"
	"github.com/redis/go-redis/v9"
)

// WorkerConfig is the configuration of `numberdesk worker`.
type WorkerConfig struct {
	RedisURL      string
	QueueRedisURL string // "" = RedisURL
	// CarrierURL is the carrier API's base URL: orders, number requests
	// and port orders go to it (their tasks are retried while it is "").
	CarrierURL  string
	Concurrency int
	// MetricsAddr serves /metrics when set (host:port).
	MetricsAddr     string
	ShutdownTimeout time.Duration
	// Retention is how long imports, their reports and applied-markers are kept.
	Retention time.Duration
	// FeesFile is a JSON fee schedule overriding the default rates of
	// reserved numbers (the fees:monthly run); "" keeps the defaults.
	FeesFile string
	// ephemeralRedis skips the append-only-file warning (numberdesk dev's
	// throwaway Redis).
	ephemeralRedis bool
}

// Validate checks the configuration, naming the bad flag.
func (c WorkerConfig) Validate() error {
	switch {
	case c.RedisURL == "":
		return usagef("--redis-url is required (or NUMBERDESK_REDIS_URL), e.g. redis://127.0.0.1:6379/0")
	case c.Concurrency < 1 || c.Concurrency > 1000:
		return usagef("--concurrency %d: must be 1 to 1000", c.Concurrency)
	case c.ShutdownTimeout <= 0:
		return usagef("--shutdown-timeout %v: must be positive", c.ShutdownTimeout)
	case c.Retention < time.Hour:
		return usagef("--retention %v: must be at least 1h", c.Retention)
	}
	if err := checkCarrierURL(c.CarrierURL); err != nil {
		return err
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			return usagef("--metrics-addr %q: want host:port", c.MetricsAddr)
		}
	}
	return nil
}

// WorkerMain is the `numberdesk worker` program: an Asynq server running
// every task type against the store. Close stops taking tasks and waits
// for the ones in progress (each is one atomic step, so a task cut off by
// the deadline is retried, never half-applied).
type WorkerMain struct {
	Config WorkerConfig
	Logger *slog.Logger

	rdb     redis.UniversalClient
	queue   *asynq.Client // the handlers' (port:sync's polls)
	srv     *asynq.Server
	metrics *metricsServer
}

// NewWorkerMain returns a WorkerMain with the default configuration.
func NewWorkerMain() *WorkerMain {
	return &WorkerMain{
		Config: WorkerConfig{Concurrency: 8, ShutdownTimeout: 30 * time.Second, Retention: 30 * 24 * time.Hour},
		Logger: slog.Default(),
	}
}

// Run starts the worker and returns once it processes tasks.
func (w *WorkerMain) Run(ctx context.Context) error {
	if err := w.Config.Validate(); err != nil {
		return err
	}
	schedule, err := loadFees(w.Config.FeesFile)
	if err != nil {
		return err
	}
	rdb, conn, err := openRedises(w.Config.RedisURL, w.Config.QueueRedisURL)
	if err != nil {
		return err
	}
	w.rdb = rdb
	if !w.Config.ephemeralRedis {
		w.warnNoAOF(ctx)
	}
	reg := newRegistry()
	w.queue = asynq.NewClient(conn)
	h := &worker.Handlers{
		Store: store.New(rdb, store.WithRetention(w.Config.Retention)), Logger: w.Logger, Metrics: worker.NewMetrics(reg),
		Carrier: newCarrierClient(w.Config.CarrierURL, reg), Queue: w.queue,
	}
	h.Fees = schedule
	if h.Carrier == nil {
		w.Logger.Warn("no --carrier-url: orders, number requests and port orders wait (retried) until a worker with a carrier takes them")
	}
	w.srv = asynq.NewServer(conn, asynq.Config{
		Concurrency:     w.Config.Concurrency,
		Queues:          jobs.QueueWeights,
		ShutdownTimeout: w.Config.ShutdownTimeout,
		// Chunks of an import arrive while its upload streams in: look
		// for new tasks often rather than idling a second on an empty queue.
		TaskCheckInterval: 100 * time.Millisecond,
		RetryDelayFunc:    retryDelay,
		Logger:            asynqLogger{w.Logger},
		LogLevel:          asynq.WarnLevel,
	})
	if err := w.srv.Start(h.Mux()); err != nil {
		rdb.Close()
		return fmt.Errorf("start the worker: %w", err)
	}
	metrics, err := startMetrics(w.Config.MetricsAddr, reg)
	if err != nil {
		w.srv.Shutdown()
		rdb.Close()
		return err
	}
	w.metrics = metrics
	w.Logger.Info("worker running", "concurrency", w.Config.Concurrency, "metrics", w.MetricsAddr())
	return nil
}

// MetricsAddr returns the address /metrics is served on ("" when off).
func (w *WorkerMain) MetricsAddr() string { return w.metrics.Addr() }

// warnNoAOF logs a warning when the state's Redis does not persist with an
// append-only file: a restart would lose acknowledged changes.
func (w *WorkerMain) warnNoAOF(ctx context.Context) {
	v, err := w.rdb.ConfigGet(ctx, "appendonly").Result()
	if err != nil {
		return // CONFIG may be disabled on managed Redis
	}
	if strings.ToLower(v["appendonly"]) != "yes" {
		w.Logger.Warn("the state's Redis runs with appendonly no: a Redis restart loses recent changes; run production Redis with appendonly yes")
	}
}

// Close stops taking tasks, waits for those in progress, and closes Redis.
func (w *WorkerMain) Close() error {
	var errs []error
	if w.srv != nil {
		w.srv.Shutdown()
		w.srv = nil
	}
	if err := w.metrics.Close(); err != nil {
		errs = append(errs, err)
	}
	w.metrics = nil
	if w.queue != nil {
		errs = append(errs, w.queue.Close())
		w.queue = nil
	}
	if w.rdb != nil {
		errs = append(errs, w.rdb.Close())
		w.rdb = nil
	}
	return errors.Join(errs...)
}

// runWorker runs `numberdesk worker` until SIGINT or SIGTERM.
func runWorker(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	w := NewWorkerMain()
	c := &w.Config
	fs := newFlags("worker", stderr)
	fs.StringVar(&c.RedisURL, "redis-url", "", "Redis URL of the state")
	fs.StringVar(&c.QueueRedisURL, "queue-redis-url", "", "Redis URL of the queue (default: the state's)")
	fs.StringVar(&c.CarrierURL, "carrier-url", "", "base URL of the carrier API (orders, number requests, port orders)")
	fs.IntVar(&c.Concurrency, "concurrency", c.Concurrency, "tasks run at once")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", "", "serve /metrics on this host:port")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", c.ShutdownTimeout, "how long shutdown waits for tasks in progress")
	fs.DurationVar(&c.Retention, "retention", c.Retention, "how long imports, their reports and applied-markers are kept")
	fs.StringVar(&c.FeesFile, "fees-file", "", feesFileUsage)
	logLevel := logLevelFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	tuneGC()
	logger, err := newLogger(stderr, *logLevel)
	if err != nil {
		return err
	}
	w.Logger = logger
	if err := w.Run(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	w.Logger.Info("shutting down the worker", "timeout", c.ShutdownTimeout.String())
	return w.Close()
}

// retryDelay retries the tasks of a worker that died (lease expired) at
// once: their chunks are idempotent and an import waits on them. Other
// failures back off as Asynq does by default.
func retryDelay(n int, err error, t *asynq.Task) time.Duration {
	if errors.Is(err, asynq.ErrLeaseExpired) {
		return time.Second
	}
	return asynq.DefaultRetryDelayFunc(n, err, t)
}

// asynqLogger adapts slog to Asynq's logger.
type asynqLogger struct{ l *slog.Logger }

func (a asynqLogger) Debug(args ...any) { a.l.Debug(fmt.Sprint(args...)) }
func (a asynqLogger) Info(args ...any)  { a.l.Info(fmt.Sprint(args...)) }
func (a asynqLogger) Warn(args ...any)  { a.l.Warn(fmt.Sprint(args...)) }
func (a asynqLogger) Error(args ...any) { a.l.Error(fmt.Sprint(args...)) }
func (a asynqLogger) Fatal(args ...any) { a.l.Error(fmt.Sprint(args...)) }
