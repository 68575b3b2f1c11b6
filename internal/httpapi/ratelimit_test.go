package httpapi

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/numberdesk/numberdesk/internal/inventory"
)

func TestRateLimit(t *testing.T) {
	e := newEnv(t, Config{RateLimit: 0.5, RateBurst: 3})
	a := e.newTenant(t, "Acme", false, 0, 0)
	b := e.newTenant(t, "Bravo", false, 0, 0) // its owner token has a's owner token's id
	for i := 0; i < 3; i++ {
		e.do(t, "GET", "/v1/account", a.owner, nil).want(t, http.StatusOK, "")
	}
	r := e.do(t, "GET", "/v1/account", a.owner, nil)
	r.want(t, http.StatusTooManyRequests, CodeRateLimited)
	if s, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || s < 1 || s > 2 {
		t.Errorf("Retry-After %q, want 1 or 2 seconds", r.header.Get("Retry-After"))
	}
	// Other tokens have their own buckets, in this account and others.
	e.do(t, "GET", "/v1/account", a.viewer, nil).want(t, http.StatusOK, "")
	e.do(t, "GET", "/v1/account", b.owner, nil).want(t, http.StatusOK, "")
	// Unauthenticated routes are not limited.
	for i := 0; i < 5; i++ {
		e.do(t, "GET", "/healthz", "", nil).want(t, http.StatusOK, "")
	}
	// A forged token is not counted against the real one.
	e.do(t, "GET", "/v1/account", "nd_"+a.acct.ID+"_forged", nil).want(t, http.StatusUnauthorized, inventory.CodeUnauthorized)
}

func TestRetryAfter(t *testing.T) {
	for _, c := range []struct {
		ms   int64
		want int
	}{{1, 1}, {999, 1}, {1000, 1}, {1001, 2}, {7_200_000, 3600}} {
		if got := retryAfter(msDuration(c.ms)); got != c.want {
			t.Errorf("retryAfter(%dms) = %d, want %d", c.ms, got, c.want)
		}
	}
}

func msDuration(ms int64) time.Duration { return time.Duration(ms) * time.Millisecond }
