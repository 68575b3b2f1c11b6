package main

import (
	"context"
	"fmt"
	"io"
)

// runServe runs `numberdesk serve`: the intake API until ctx is done (on
// SIGINT or SIGTERM), then a graceful shutdown.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	m := NewMain()
	c := &m.Config
	fs := newFlags("serve", stderr)
	fs.StringVar(&c.Addr, "addr", c.Addr, "host:port to listen on")
	fs.StringVar(&c.RedisURL, "redis-url", "", "Redis URL of the state (redis://, redis-cluster://, redis-sentinel://)")
	fs.StringVar(&c.QueueRedisURL, "queue-redis-url", "", "Redis URL of the queue (default: the state's)")
	fs.StringVar(&c.CarrierURL, "carrier-url", "", "base URL of the carrier API")
	fs.Float64Var(&c.RateLimit, "rate-limit", c.RateLimit, "requests per second per token in this process (0: no limit)")
	fs.IntVar(&c.RateBurst, "rate-burst", c.RateBurst, "requests a token may make at once")
	fs.Int64Var(&c.MaxBodyBytes, "max-body-bytes", c.MaxBodyBytes, "largest JSON request body")
	fs.DurationVar(&c.Retention, "retention", c.Retention, "how long imports and their error reports are kept")
	fs.Int64Var(&c.MaxUploadBytes, "max-upload-bytes", c.MaxUploadBytes, "largest import upload (413 above it)")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", c.ShutdownTimeout, "how long shutdown waits for requests in flight")
	fs.StringVar(&c.FeesFile, "fees-file", "", feesFileUsage)
	fs.StringVar(&c.OperatorToken, "operator-token", "", "token that opens the operators' pages (/ops/queues: Asynqmon), as basic-auth password or bearer token; empty: off")
	logLevel := logLevelFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	tuneGC()
	logger, err := newLogger(stderr, *logLevel)
	if err != nil {
		return err
	}
	m.Logger = logger
	if err := m.Run(ctx); err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		m.Logger.Info("shutting down", "timeout", c.ShutdownTimeout.String())
	case <-m.Done():
		err := m.Close()
		m.Logger.Error("the API server stopped on its own", "err", fmt.Sprint(err))
		return err
	}
	return m.Close()
}
