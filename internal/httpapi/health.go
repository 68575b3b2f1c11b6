package httpapi

import (
	"context"
	"time"
)

// Health is the body of GET /healthz and GET /readyz.
type Health struct {
	// Status is "ok".
	Status string `json:"status"`
}

func (a *api) healthz(c *call) (Health, error) { return Health{Status: "ok"}, nil }

// readyz reports whether Redis answers within a second.
func (a *api) readyz(c *call) (Health, error) {
	ctx, cancel := context.WithTimeout(c.ctx(), time.Second)
	defer cancel()
	if err := a.store.Ping(ctx); err != nil {
		a.log.Warn("readiness check failed", "request_id", requestID(c.ctx()), "err", err.Error())
		return Health{}, apiError(CodeUnavailable, "Redis does not answer")
	}
	return Health{Status: "ok"}, nil
}
