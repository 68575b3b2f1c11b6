package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/numberdesk/numberdesk/internal/store"
)

// devClient calls the dev API with the demo token.
type devClient struct {
	base, token string
}

func (c devClient) call(tb testing.TB, method, path string, body any, out any) int {
	tb.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, rd)
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if out != nil && res.StatusCode < 300 {
		if err := json.Unmarshal(raw, out); err != nil {
			tb.Fatalf("%s %s: %v: %s", method, path, err, raw)
		}
	}
	if res.StatusCode >= 300 {
		tb.Logf("%s %s: %d %s", method, path, res.StatusCode, raw)
	}
	return res.StatusCode
}

// TestDevWithoutRedis boots `numberdesk dev` on a machine without
// redis-server (the embedded miniredis) and walks the demo flow: the demo
// account, a search, an order done by the in-process worker, an assign,
// a port order advanced by the scheduler and the sandbox, the operator
// pages, the metrics.
func TestDevWithoutRedis(t *testing.T) {
	d := NewDevMain()
	d.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	d.lookPath = func(string) (string, error) { return "", exec.ErrNotFound }
	d.Config.Addr = "127.0.0.1:0"
	d.Config.PortStep = time.Second
	d.Config.PortSyncSchedule = "@every 1s"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := d.Run(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := d.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	}()
	if d.RedisKind != "miniredis" {
		t.Fatalf("redis %q, want the embedded miniredis", d.RedisKind)
	}
	var welcome strings.Builder
	d.printWelcome(&welcome)
	if !strings.Contains(welcome.String(), d.Demo.Token) || !strings.Contains(welcome.String(), d.URL()) {
		t.Errorf("welcome without token or URL:\n%s", welcome.String())
	}
	c := devClient{base: d.URL(), token: d.Demo.Token}

	var acct struct {
		MultipleSites bool           `json:"multiple_sites"`
		Numbers       map[string]int `json:"numbers"`
	}
	if c.call(t, "GET", "/v1/account", nil, &acct) != 200 || !acct.MultipleSites {
		t.Fatalf("account %+v", acct)
	}
	if acct.Numbers["assigned"] != 6 || acct.Numbers["unassigned"] != 5 || acct.Numbers["reserved"] != 3 || acct.Numbers["porting"] != 3 {
		t.Errorf("demo numbers %v", acct.Numbers)
	}
	var exts struct {
		Extensions []struct {
			ID   string `json:"id"`
			Type string `json:"type"`
		} `json:"extensions"`
	}
	c.call(t, "GET", "/v1/extensions", nil, &exts)
	types := map[string]bool{}
	for _, e := range exts.Extensions {
		types[e.Type] = true
	}
	if len(types) != 5 {
		t.Errorf("extension types %v, want all five", types)
	}
	var sites struct {
		Sites []struct {
			ID string `json:"id"`
		} `json:"sites"`
	}
	c.call(t, "GET", "/v1/sites", nil, &sites)
	if len(sites.Sites) != 2 {
		t.Fatalf("sites %+v", sites)
	}

	// Search, order, wait for the worker.
	var found struct {
		Numbers []struct {
			Number string `json:"number"`
		} `json:"numbers"`
	}
	if c.call(t, "POST", "/v1/numbers/search", map[string]any{"area_code": "512", "prefix": "YKI", "limit": 2}, &found) != 200 || len(found.Numbers) != 2 {
		t.Fatalf("search %+v", found)
	}
	var o store.Order
	if c.call(t, "POST", "/v1/orders", map[string]any{"numbers": []string{found.Numbers[0].Number, found.Numbers[1].Number}, "site_id": sites.Sites[1].ID}, &o) != 202 {
		t.Fatal("order refused")
	}
	waitFor(t, 20*time.Second, "the order", func() bool {
		c.call(t, "GET", "/v1/orders/"+o.ID, nil, &o)
		return !o.Status.Open()
	})
	if o.Status != store.OrderCompleted || o.Acquired != 2 {
		t.Fatalf("order %+v", o)
	}
	var n struct {
		Status string `json:"status"`
	}
	var austin string
	for _, e := range exts.Extensions {
		if e.Type == "common_area" {
			austin = e.ID
		}
	}
	if c.call(t, "POST", "/v1/numbers/"+strings.ReplaceAll(found.Numbers[0].Number, "+", "%2B")+"/assign", map[string]string{"extension_id": austin}, &n) != 200 || n.Status != "assigned" {
		t.Errorf("assign: %+v", n)
	}

	// The US port order completes: the scheduler syncs, the sandbox advances.
	waitFor(t, 30*time.Second, "the US port order to complete", func() bool {
		var ports struct {
			PortOrders []store.PortOrder `json:"port_orders"`
		}
		c.call(t, "GET", "/v1/port-orders?status=completed", nil, &ports)
		return len(ports.PortOrders) == 2
	})

	// Operator pages need the operator token.
	get := func(user, pass string) int {
		req, _ := http.NewRequest("GET", d.URL()+"/ops/queues", nil)
		if pass != "" {
			req.SetBasicAuth(user, pass)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if got := get("", ""); got != 401 {
		t.Errorf("ops without a token: %d", got)
	}
	if got := get("operator", d.Demo.Token); got != 401 {
		t.Errorf("ops with an account token: %d", got)
	}
	if got := get("operator", d.OperatorToken); got != 200 {
		t.Errorf("ops with the operator token: %d", got)
	}

	// Metrics: the API's state gauges and queue metrics, the worker's jobs.
	body := func(url string) string {
		res, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	api := body(d.URL() + "/metrics")
	for _, want := range []string{`numberdesk_numbers{status="assigned"} 7`, `numberdesk_port_orders{status="completed"} 2`, `asynq_queue_size{queue="orders"}`, `numberdesk_http_request_duration_seconds_bucket{code="202",route="POST /v1/orders"`, `numberdesk_carrier_request_duration_seconds_count{op="search",outcome="ok"}`} {
		if !strings.Contains(api, want) {
			t.Errorf("API metrics lack %s", want)
		}
	}
	wm := body("http://" + d.worker.MetricsAddr() + "/metrics")
	for _, want := range []string{`numberdesk_jobs_total{result="ok",type="order:place"} 1`, `numberdesk_job_duration_seconds_count{type="port:poll"}`, `numberdesk_carrier_request_duration_seconds_count{op="place_order",outcome="ok"} 1`} {
		if !strings.Contains(wm, want) {
			t.Errorf("worker metrics lack %s", want)
		}
	}
	if sm := body("http://" + d.sched.MetricsAddr() + "/metrics"); !strings.Contains(sm, `numberdesk_scheduler_runs_total{entry="port-sync",result="enqueued"}`) {
		t.Errorf("scheduler metrics:\n%s", sm)
	}
}
