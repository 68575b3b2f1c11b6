package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/hibiken/asynq"
	"github.com/numberdesk/numberdesk/internal/fees"
	"github.com/numberdesk/numberdesk/jobs"
	"github.com/numberdesk/numberdesk/scheduler"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
)

// SchedulerConfig is the configuration of `numberdesk scheduler`.
type SchedulerConfig struct {
	// RedisURL names the state's Redis, which holds the leader lock and
	// each entry's last window.
	RedisURL string
	// QueueRedisURL names the queue's Redis ("" = RedisURL).
	QueueRedisURL string
	// PortSyncSchedule is when port:sync runs (cron spec in UTC, or
	// "@every 5m").
	PortSyncSchedule string
	// FeesSchedule is when the fees:monthly run of the month before
	// starts (cron spec in UTC). Windows missed while no scheduler ran are
	// caught up.
	FeesSchedule string
	// MetricsAddr serves /metrics when set (host:port).
	MetricsAddr string
}

// Validate checks the configuration, naming the bad flag.
func (c SchedulerConfig) Validate() error {
	if c.RedisURL == "" {
		return usagef("--redis-url is required (or NUMBERDESK_REDIS_URL), e.g. redis://127.0.0.1:6379/0")
	}
	for _, f := range []struct{ flag, spec string }{{"port-sync-schedule", c.PortSyncSchedule}, {"fees-schedule", c.FeesSchedule}} {
		if _, err := scheduler.Parse(f.spec); err != nil {
			return usagef("--%s %q: %v (want five cron fields in UTC, e.g. \"5 0 1 * *\", or a descriptor such as \"@every 5m\" or \"@hourly\")", f.flag, f.spec, err)
		}
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			return usagef("--metrics-addr %q: want host:port", c.MetricsAddr)
		}
	}
	return nil
}

// The scheduler's entries: their names label TaskIDs, the last windows in
// Redis, and numberdesk_scheduler_runs_total.
const (
	entryPortSync = "port-sync"
	entryFees     = "fees-monthly"
)

// schedulerEntries is the cron table of c: port:sync in every window (a
// missed window is not run again: the next one syncs everything), and
// fees:monthly for the month before its window, every missed window caught up.
func schedulerEntries(c SchedulerConfig) []scheduler.Entry {
	return []scheduler.Entry{
		{Name: entryPortSync, Spec: c.PortSyncSchedule, Task: jobs.NewPortSyncTask},
		{Name: entryFees, Spec: c.FeesSchedule, CatchUp: true, Task: func(window time.Time) (*asynq.Task, error) {
			return jobs.NewFeesTask(fees.MonthOf(window).Prev().String())
		}},
	}
}

// runCounter counts scheduler runs in numberdesk_scheduler_runs_total.
type runCounter struct{ c *prometheus.CounterVec }

// Inc implements scheduler.RunCounter.
func (r runCounter) Inc(entry, result string) { r.c.WithLabelValues(entry, result).Inc() }

var _ scheduler.RunCounter = runCounter{}

// schedulerResults are the results scheduler.Scheduler counts a run with.
var schedulerResults = []string{"enqueued", "duplicate", "error"}

// newRunCounter creates numberdesk_scheduler_runs_total with a zero series
// for every entry and result, registered with reg.
func newRunCounter(reg prometheus.Registerer, entries []scheduler.Entry) runCounter {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "numberdesk_scheduler_runs_total",
		Help: "Windows of the scheduler's entries, by entry and result: enqueued, duplicate (another scheduler had enqueued the window), error.",
	}, []string{"entry", "result"})
	reg.MustRegister(c)
	for _, e := range entries {
		for _, r := range schedulerResults {
			c.WithLabelValues(e.Name, r)
		}
	}
	return runCounter{c}
}

// SchedulerMain is the `numberdesk scheduler` program: the cron table that
// enqueues port:sync and fees:monthly. Several may run: a Redis leader
// lock lets one enqueue at a time and TaskIDs per window make each window
// enqueue once. Run starts it; Close stops it.
type SchedulerMain struct {
	Config SchedulerConfig
	Logger *slog.Logger

	now     func() time.Time // the scheduler's clock (tests); nil: time.Now
	lockTTL time.Duration    // 0: the scheduler's default

	rdb     redis.UniversalClient
	queue   *asynq.Client
	cancel  context.CancelFunc
	done    chan struct{} // closed when the scheduler has stopped
	metrics *metricsServer
}

// NewSchedulerMain returns a SchedulerMain with the default configuration.
func NewSchedulerMain() *SchedulerMain {
	return &SchedulerMain{
		Config: SchedulerConfig{PortSyncSchedule: "@every 5m", FeesSchedule: "5 0 1 * *"},
		Logger: slog.Default(),
	}
}

// Run validates the configuration, connects to Redis and starts the
// scheduler and its /metrics in the background.
func (m *SchedulerMain) Run(ctx context.Context) error {
	if err := m.Config.Validate(); err != nil {
		return err
	}
	rdb, conn, err := openRedises(m.Config.RedisURL, m.Config.QueueRedisURL)
	if err != nil {
		return err
	}
	queue := asynq.NewClient(conn)
	reg := newRegistry()
	entries := schedulerEntries(m.Config)
	sched, err := scheduler.New(scheduler.Config{
		Redis: rdb, Queue: queue, Entries: entries, Logger: m.Logger,
		Runs: newRunCounter(reg, entries), Now: m.now, LockTTL: m.lockTTL,
	})
	if err != nil {
		queue.Close()
		rdb.Close()
		return usagef("%v", err)
	}
	metrics, err := startMetrics(m.Config.MetricsAddr, reg)
	if err != nil {
		queue.Close()
		rdb.Close()
		return err
	}
	m.metrics = metrics
	m.rdb, m.queue = rdb, queue
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	m.cancel, m.done = cancel, make(chan struct{})
	go func() {
		defer close(m.done)
		if err := sched.Run(runCtx); err != nil {
			m.Logger.Error("scheduler stopped", "err", err.Error())
		}
	}()
	m.Logger.Info("scheduler running", "port_sync_schedule", m.Config.PortSyncSchedule,
		"fees_schedule", m.Config.FeesSchedule, "metrics", m.MetricsAddr())
	return nil
}

// MetricsAddr returns the address /metrics is served on ("" when off).
func (m *SchedulerMain) MetricsAddr() string { return m.metrics.Addr() }

// Close stops the cron table (an enqueue in progress finishes), gives up
// the leader lock so another scheduler takes over at once, and closes the
// connections.
func (m *SchedulerMain) Close() error {
	var errs []error
	if m.cancel != nil {
		m.cancel()
		<-m.done
		m.cancel = nil
	}
	if err := m.metrics.Close(); err != nil {
		errs = append(errs, err)
	}
	m.metrics = nil
	if m.queue != nil {
		errs = append(errs, m.queue.Close())
		m.queue = nil
	}
	if m.rdb != nil {
		errs = append(errs, m.rdb.Close())
		m.rdb = nil
	}
	return errors.Join(errs...)
}

// runScheduler runs `numberdesk scheduler` until SIGINT or SIGTERM.
func runScheduler(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	m := NewSchedulerMain()
	c := &m.Config
	fs := newFlags("scheduler", stderr)
	fs.StringVar(&c.RedisURL, "redis-url", "", "Redis URL of the state (leader lock, last windows)")
	fs.StringVar(&c.QueueRedisURL, "queue-redis-url", "", "Redis URL of the queue (default: the state's)")
	fs.StringVar(&c.PortSyncSchedule, "port-sync-schedule", c.PortSyncSchedule, "when port:sync runs: cron spec in UTC or @every <duration>")
	fs.StringVar(&c.FeesSchedule, "fees-schedule", c.FeesSchedule, "when the fee run of the month before runs: cron spec in UTC (missed runs are caught up)")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", "", "serve /metrics on this host:port")
	logLevel := logLevelFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("numberdesk scheduler: unexpected argument %q", fs.Arg(0))
	}
	logger, err := newLogger(stderr, *logLevel)
	if err != nil {
		return err
	}
	m.Logger = logger
	if err := m.Run(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	m.Logger.Info("shutting down the scheduler")
	return m.Close()
}
