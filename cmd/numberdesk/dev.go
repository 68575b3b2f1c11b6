package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os/exec"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/numberdesk/numberdesk/internal/carrier/sandbox"
	"github.com/numberdesk/numberdesk/internal/redisproc"
	"github.com/numberdesk/numberdesk/scheduler"
	"github.com/redis/go-redis/v9"
)

// DevConfig is the configuration of `numberdesk dev`.
type DevConfig struct {
	// Addr is where the API (and portal) listens.
	Addr string
	// RedisURL names a Redis to use; "" starts one: a redis-server child
	// when one is on PATH, else an embedded miniredis.
	RedisURL string
	// PortStep is how long the sandbox carrier keeps a port order in each
	// status; PortSyncSchedule is how often the scheduler syncs them.
	PortStep         time.Duration
	PortSyncSchedule string
	FeesSchedule     string
}

// Validate checks the configuration, naming the bad flag.
func (c DevConfig) Validate() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return usagef("--addr %q: want host:port, e.g. 127.0.0.1:8080", c.Addr)
	}
	if c.PortStep <= 0 {
		return usagef("--port-step %v: must be positive", c.PortStep)
	}
	for _, f := range []struct{ flag, spec string }{{"port-sync-schedule", c.PortSyncSchedule}, {"fees-schedule", c.FeesSchedule}} {
		if _, err := scheduler.Parse(f.spec); err != nil {
			return usagef("--%s %q: %v", f.flag, f.spec, err)
		}
	}
	return nil
}

// DevMain is `numberdesk dev`: the API, a worker, the scheduler and the
// sandbox carrier in one process, on a Redis of its own unless given one,
// with a demo account. Run starts everything; Close stops it.
type DevMain struct {
	Config DevConfig
	Logger *slog.Logger

	// lookPath finds redis-server (tests replace it).
	lookPath func(string) (string, error)

	// RedisKind says which Redis runs: "redis-server", "miniredis" or "url".
	RedisKind string
	// Demo is the demo account and its tokens.
	Demo DemoAccount
	// OperatorToken opens /ops/queues.
	OperatorToken string

	proc       *redisproc.Server
	mini       *miniredis.Miniredis
	rdb        *redis.Client
	carrierSrv *http.Server
	carrierLn  net.Listener
	api        *Main
	worker     *WorkerMain
	sched      *SchedulerMain
}

// NewDevMain returns a DevMain with the default configuration.
func NewDevMain() *DevMain {
	return &DevMain{
		Config: DevConfig{Addr: "127.0.0.1:8080", PortStep: time.Minute, PortSyncSchedule: "@every 15s", FeesSchedule: "5 0 1 * *"},
		Logger: slog.Default(), lookPath: exec.LookPath,
	}
}

// Run starts Redis (unless given), the sandbox carrier, the worker, the
// scheduler and the API, and seeds the demo account once.
func (d *DevMain) Run(ctx context.Context) (err error) {
	if err := d.Config.Validate(); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			d.Close()
		}
	}()
	url, err := d.startRedis()
	if err != nil {
		return err
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		return err
	}
	d.rdb = redis.NewClient(opt)
	sb, err := sandbox.New(sandbox.Config{Redis: d.rdb, PortStep: d.Config.PortStep, Seed: 1})
	if err != nil {
		return err
	}
	if d.carrierLn, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		return fmt.Errorf("listen for the sandbox carrier: %w", err)
	}
	d.carrierSrv = &http.Server{Handler: sb, ReadHeaderTimeout: 10 * time.Second}
	go d.carrierSrv.Serve(d.carrierLn)
	carrierURL := "http://" + d.carrierLn.Addr().String()

	d.worker = NewWorkerMain()
	d.worker.Logger = d.Logger.With("process", "worker")
	d.worker.Config.RedisURL, d.worker.Config.CarrierURL = url, carrierURL
	d.worker.Config.MetricsAddr = "127.0.0.1:0"
	d.worker.Config.ephemeralRedis = d.RedisKind != "url"
	if err := d.worker.Run(ctx); err != nil {
		return err
	}
	d.sched = NewSchedulerMain()
	d.sched.Logger = d.Logger.With("process", "scheduler")
	d.sched.Config.RedisURL, d.sched.Config.MetricsAddr = url, "127.0.0.1:0"
	d.sched.Config.PortSyncSchedule, d.sched.Config.FeesSchedule = d.Config.PortSyncSchedule, d.Config.FeesSchedule
	if err := d.sched.Run(ctx); err != nil {
		return err
	}
	if d.OperatorToken == "" {
		d.OperatorToken = randomHex(16)
	}
	d.api = NewMain()
	d.api.Logger = d.Logger.With("process", "api")
	d.api.Config.Addr, d.api.Config.RedisURL, d.api.Config.CarrierURL = d.Config.Addr, url, carrierURL
	d.api.Config.OperatorToken = d.OperatorToken
	if err := d.api.Run(ctx); err != nil {
		return err
	}
	if d.Demo, err = seedDemo(ctx, d.rdb, sb, d.api.queue); err != nil {
		return fmt.Errorf("seed the demo account: %w", err)
	}
	return nil
}

// startRedis returns the URL of the Redis to use, starting one if needed.
func (d *DevMain) startRedis() (string, error) {
	if d.Config.RedisURL != "" {
		d.RedisKind = "url"
		return d.Config.RedisURL, nil
	}
	if _, err := d.lookPath("redis-server"); err == nil {
		s, err := redisproc.Start()
		if err == nil {
			d.proc, d.RedisKind = s, "redis-server"
			return s.URL(), nil
		}
		d.Logger.Warn("redis-server did not start; using the embedded miniredis", "err", err)
	}
	m, err := miniredis.Run()
	if err != nil {
		return "", fmt.Errorf("start the embedded Redis: %w", err)
	}
	d.mini, d.RedisKind = m, "miniredis"
	return "redis://" + m.Addr(), nil
}

// URL returns the API's base URL.
func (d *DevMain) URL() string { return "http://" + d.api.Addr() }

// CarrierURL returns the sandbox carrier's base URL.
func (d *DevMain) CarrierURL() string { return "http://" + d.carrierLn.Addr().String() }

// Close stops the API (draining requests), the scheduler, the worker (a
// task in progress finishes or is retried), the carrier and Redis.
func (d *DevMain) Close() error {
	var errs []error
	if d.api != nil {
		errs = append(errs, d.api.Close())
		d.api = nil
	}
	if d.sched != nil {
		errs = append(errs, d.sched.Close())
		d.sched = nil
	}
	if d.worker != nil {
		errs = append(errs, d.worker.Close())
		d.worker = nil
	}
	if d.carrierSrv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		errs = append(errs, d.carrierSrv.Shutdown(ctx))
		cancel()
		d.carrierSrv = nil
	}
	if d.rdb != nil {
		errs = append(errs, d.rdb.Close())
		d.rdb = nil
	}
	if d.proc != nil {
		d.proc.Stop()
		d.proc = nil
	}
	if d.mini != nil {
		d.mini.Close()
		d.mini = nil
	}
	return errors.Join(errs...)
}

// printWelcome tells the newcomer where everything is.
func (d *DevMain) printWelcome(w io.Writer) {
	redisLine := map[string]string{
		"redis-server": "a private redis-server (data in a temp dir, gone on exit)",
		"miniredis":    "embedded miniredis (in memory, gone on exit)",
		"url":          d.Config.RedisURL,
	}[d.RedisKind]
	fmt.Fprintf(w, `Numberdesk dev is running (Ctrl-C stops it).

  API          %[1]s   (OpenAPI: %[1]s/openapi.json, metrics: %[1]s/metrics)
  owner token  %[2]s
  account      %[3]s (Demo Corp: two sites, extensions of every type, numbers,
               a toll-free number, reserved numbers, port orders in flight)
  queues       %[1]s/ops/queues   (user operator, password %[4]s)
  carrier      %[5]s   (sandbox; port orders advance every %[6]s)
  metrics      worker http://%[8]s/metrics, scheduler http://%[9]s/metrics
  redis        %[7]s

Try:
  curl -H "Authorization: Bearer %[2]s" %[1]s/v1/account
  curl -H "Authorization: Bearer %[2]s" -d '{"area_code":"512","prefix":"YKI","limit":5}' %[1]s/v1/numbers/search
`, d.URL(), d.Demo.Token, d.Demo.AccountID, d.OperatorToken, d.CarrierURL(), d.Config.PortStep, redisLine, d.worker.MetricsAddr(), d.sched.MetricsAddr())
}

// runDev runs `numberdesk dev` until SIGINT or SIGTERM.
func runDev(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	d := NewDevMain()
	c := &d.Config
	fs := newFlags("dev", stderr)
	fs.StringVar(&c.Addr, "addr", c.Addr, "host:port of the API")
	fs.StringVar(&c.RedisURL, "redis-url", "", "use this Redis instead of starting one (redis-server when on PATH, else embedded miniredis)")
	fs.DurationVar(&c.PortStep, "port-step", c.PortStep, "how long the sandbox carrier keeps a port order in each status")
	fs.StringVar(&c.PortSyncSchedule, "port-sync-schedule", c.PortSyncSchedule, "how often the scheduler syncs port orders")
	fs.StringVar(&c.FeesSchedule, "fees-schedule", c.FeesSchedule, "when the monthly fee run starts (cron, UTC)")
	fs.StringVar(&d.OperatorToken, "operator-token", "", "token of the operators' pages (default: a new random one, printed)")
	level := fs.String("log-level", "warn", "debug, info, warn or error (text logs on stderr)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	tuneGC()
	var l slog.Level
	if err := l.UnmarshalText([]byte(*level)); err != nil {
		return usagef("--log-level %q: want debug, info, warn or error", *level)
	}
	d.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: l}))
	if err := d.Run(ctx); err != nil {
		return err
	}
	d.printWelcome(stdout)
	<-ctx.Done()
	fmt.Fprintln(stderr, "stopping…")
	return d.Close()
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
