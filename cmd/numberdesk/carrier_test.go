package main

import (
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/numberdesk/numberdesk/internal/carrier"
	"github.com/numberdesk/numberdesk/internal/redistest"
)

// TestCarrierSandboxCommand runs `numberdesk carrier-sandbox` and searches
// and orders through the real HTTP client.
func TestCarrierSandboxCommand(t *testing.T) {
	redistest.Client(t) // flushed
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var stderr strings.Builder
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"carrier-sandbox", "--addr", addr, "--redis-url", redistest.URL(t), "--port-step", "1s", "--log-level", "warn"}, io.Discard, &stderr)
	}()
	defer func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("carrier-sandbox exit %d: %s", code, stderr.String())
		}
	}()
	c := carrier.NewClient("http://"+addr, carrier.WithTimeout(2*time.Second))
	var found []carrier.Available
	for i := 0; i < 50; i++ {
		found, err = c.Search(context.Background(), carrier.Query{Country: "US", Type: "toll", Region: "CA", Limit: 5})
		if err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil || len(found) == 0 {
		t.Fatalf("search: %v %v", found, err)
	}
	lines, err := c.PlaceOrder(context.Background(), "order-1", []string{found[0].Number})
	if err != nil || len(lines) != 1 || lines[0].Status != carrier.LineAcquired {
		t.Fatalf("order: %+v %v", lines, err)
	}
	again, _ := c.Search(context.Background(), carrier.Query{Country: "US", Type: "toll", Region: "CA", Limit: 5})
	for _, a := range again {
		if a.Number == found[0].Number {
			t.Errorf("sold number %s offered again", a.Number)
		}
	}
}

func TestCarrierSandboxFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--addr", "nowhere", "--redis-url", "redis://127.0.0.1:1"}, `--addr "nowhere"`},
		{[]string{"--redis-url", ""}, "--redis-url is required"},
		{[]string{"--redis-url", "redis://127.0.0.1:1", "--error-rate", "2"}, "--error-rate 2: must be 0 to 1"},
		{[]string{"--redis-url", "redis://127.0.0.1:1", "--port-step", "0s"}, "--port-step 0s: must be positive"},
	} {
		t.Setenv("NUMBERDESK_REDIS_URL", "")
		code, _, errs := cli(t, append([]string{"carrier-sandbox"}, c.args...)...)
		if code != exitUsage || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, %q; want %q", c.args, code, errs, c.want)
		}
	}
}
