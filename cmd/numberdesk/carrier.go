package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/numberdesk/numberdesk/internal/carrier/sandbox"
)

// SandboxConfig is the configuration of `numberdesk carrier-sandbox`.
type SandboxConfig struct {
	Addr        string
	RedisURL    string
	PortStep    time.Duration
	Latency     time.Duration
	ErrorRate   float64
	TimeoutRate float64
	Seed        int64
}

// Validate checks the configuration, naming the bad flag.
func (c SandboxConfig) Validate() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return usagef("--addr %q: want host:port, e.g. 127.0.0.1:8090", c.Addr)
	}
	switch {
	case c.RedisURL == "":
		return usagef("--redis-url is required (or NUMBERDESK_REDIS_URL): the sandbox keeps what it sold there")
	case c.PortStep <= 0:
		return usagef("--port-step %v: must be positive", c.PortStep)
	case c.Latency < 0:
		return usagef("--latency %v: must not be negative", c.Latency)
	case c.ErrorRate < 0 || c.ErrorRate > 1:
		return usagef("--error-rate %v: must be 0 to 1", c.ErrorRate)
	case c.TimeoutRate < 0 || c.TimeoutRate > 1:
		return usagef("--timeout-rate %v: must be 0 to 1", c.TimeoutRate)
	}
	return nil
}

// runCarrierSandbox runs `numberdesk carrier-sandbox`: the stand-in
// carrier's HTTP API until SIGINT or SIGTERM.
func runCarrierSandbox(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := SandboxConfig{Addr: "127.0.0.1:8090", PortStep: time.Minute, Seed: 1}
	fs := newFlags("carrier-sandbox", stderr)
	fs.StringVar(&c.Addr, "addr", c.Addr, "host:port to listen on")
	fs.StringVar(&c.RedisURL, "redis-url", "", "Redis URL where the sandbox keeps what it sold (keys carrier:…)")
	fs.DurationVar(&c.PortStep, "port-step", c.PortStep, "how long a port order stays in each status")
	fs.DurationVar(&c.Latency, "latency", 0, "added to every request (fault injection)")
	fs.Float64Var(&c.ErrorRate, "error-rate", 0, "share of requests answered 503 (fault injection)")
	fs.Float64Var(&c.TimeoutRate, "timeout-rate", 0, "share of requests that hang until the client gives up (fault injection)")
	fs.Int64Var(&c.Seed, "seed", c.Seed, "decides which numbers exist; the same seed offers the same numbers")
	logLevel := logLevelFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	logger, err := newLogger(stderr, *logLevel)
	if err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	rdb, err := openRedis(c.RedisURL)
	if err != nil {
		return err
	}
	defer rdb.Close()
	sb, err := sandbox.New(sandbox.Config{Redis: rdb, PortStep: c.PortStep, Latency: c.Latency, ErrorRate: c.ErrorRate, TimeoutRate: c.TimeoutRate, Seed: c.Seed})
	if err != nil {
		return usagef("%v", err)
	}
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", c.Addr, err)
	}
	srv := &http.Server{Handler: sb, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	logger.Info("carrier sandbox listening", "addr", ln.Addr().String(), "port_step", c.PortStep.String(), "seed", c.Seed)
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
