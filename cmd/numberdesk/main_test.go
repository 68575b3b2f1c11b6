package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/numberdesk/numberdesk/internal/httpapi"
	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/redistest"
	"github.com/numberdesk/numberdesk/internal/store"
)

// mustMain starts `numberdesk serve`'s wiring on 127.0.0.1:0 against the
// test Redis (flushed) and returns it with a store on the same Redis.
func mustMain(tb testing.TB) (*Main, *store.Store) {
	tb.Helper()
	st := store.New(redistest.Client(tb))
	m := NewMain()
	m.Config.Addr = "127.0.0.1:0"
	m.Config.RedisURL = redistest.URL(tb)
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := m.Run(context.Background()); err != nil {
		tb.Fatalf("run: %v", err)
	}
	tb.Cleanup(func() {
		if err := m.Close(); err != nil {
			tb.Errorf("close: %v", err)
		}
	})
	return m, st
}

// client calls the API of m with a token.
type client struct {
	tb    testing.TB
	base  string
	token string
}

// call sends a request with an optional JSON body, checks the status and
// decodes the answer into out (when not nil).
func (c client) call(method, path string, body any, wantStatus int, out any) {
	c.tb.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != wantStatus {
		c.tb.Fatalf("%s %s: status %d, want %d; %s", method, path, res.StatusCode, wantStatus, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			c.tb.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
}

// problem sends a request that must fail with status and code.
func (c client) problem(method, path string, body any, status int, code inventory.Code) {
	c.tb.Helper()
	var p httpapi.Problem
	c.call(method, path, body, status, &p)
	if p.Code != code || p.Status != status {
		c.tb.Fatalf("%s %s: problem %+v, want %d %s", method, path, p, status, code)
	}
}

// TestWalkThrough runs the seed's single-number walk-through through the
// real serve wiring: assign, assign again (409), reassign, unassign,
// unassign again (409), delete while assigned (409), delete, the licence
// freed, and the audit trail.
func TestWalkThrough(t *testing.T) {
	m, st := mustMain(t)
	ctx := context.Background()
	acct, err := st.CreateAccount(ctx, store.AccountSpec{Name: "Acme", Country: "US", PhoneLicenses: 5, TollFreeLicenses: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Check(ctx, acct.ID); err != nil {
			t.Errorf("invariants: %v", err)
		}
	})
	_, secret, err := st.CreateToken(ctx, acct.ID, "ops", inventory.RoleOwner)
	if err != nil {
		t.Fatal(err)
	}
	api := client{tb: t, base: "http://" + m.Addr(), token: secret}

	var ea inventory.EmergencyAddress
	api.call("POST", "/v1/emergency-addresses", map[string]string{"street": "1 Main St", "city": "Mountain View", "state": "CA", "postal_code": "94043", "country": "US"}, 201, &ea)
	var alice, bob inventory.Extension
	api.call("POST", "/v1/extensions", map[string]string{"type": "user", "name": "Alice", "email": "alice@example.com", "extension_number": "1001"}, 201, &alice)
	api.call("POST", "/v1/extensions", map[string]string{"type": "user", "name": "Bob", "email": "bob@example.com"}, 201, &bob)
	if bob.ExtensionNumber == "" || bob.ID == "" {
		t.Fatalf("bob: %+v", bob)
	}
	// No order endpoint yet: the number comes in through the store.
	const num = "+16505550100"
	res, err := st.Acquire(ctx, acct.ID, store.AcquireSpec{
		Numbers:            []store.NewNumber{{Number: num, Type: inventory.Toll, Country: "US", AreaCode: "650", Region: "CA", City: "Mountain View"}},
		EmergencyAddressID: ea.ID,
	}, store.Actor{Name: "carrier order", Source: "order:o1"}, store.BatchOptions{})
	if err != nil || res.Outcomes[0].Outcome != inventory.OutcomeOK {
		t.Fatalf("acquire: %+v %v", res, err)
	}
	var a inventory.Account
	api.call("GET", "/v1/account", nil, 200, &a)
	if a.Licenses.PhoneNumber != (inventory.License{Total: 5, Used: 1}) || a.Numbers != (inventory.Counts{Unassigned: 1}) {
		t.Fatalf("account after acquire: %+v", a)
	}

	const path = "/v1/numbers/%2B16505550100"
	var n inventory.Number
	api.call("POST", path+"/assign", map[string]string{"extension_number": "1001"}, 200, &n)
	want := inventory.Assignee{ExtensionID: alice.ID, ExtensionNumber: "1001", Type: inventory.ExtUser, Name: "Alice"}
	if n.Status != inventory.StatusAssigned || n.Assignee == nil || *n.Assignee != want {
		t.Fatalf("after assign: %+v", n)
	}
	api.problem("POST", path+"/assign", map[string]string{"extension_number": bob.ExtensionNumber}, 409, inventory.CodeAlreadyAssigned)
	api.call("POST", path+"/reassign", map[string]string{"extension_id": bob.ID}, 200, &n)
	if n.Assignee == nil || n.Assignee.ExtensionID != bob.ID {
		t.Fatalf("after reassign: %+v", n)
	}
	api.call("POST", path+"/unassign", nil, 200, &n)
	if n.Status != inventory.StatusUnassigned || n.Assignee != nil {
		t.Fatalf("after unassign: %+v", n)
	}
	api.problem("POST", path+"/unassign", nil, 409, inventory.CodeNotAssigned)
	api.call("POST", path+"/assign", map[string]string{"extension_id": alice.ID}, 200, &n)
	api.problem("DELETE", path, nil, 409, inventory.CodeAlreadyAssigned)
	api.call("POST", path+"/unassign", nil, 200, &n)
	api.call("DELETE", path, nil, 204, nil)
	api.problem("GET", path, nil, 404, inventory.CodeNumberNotFound)

	api.call("GET", "/v1/account", nil, 200, &a)
	if a.Licenses.PhoneNumber != (inventory.License{Total: 5, Used: 0}) || a.Numbers != (inventory.Counts{}) {
		t.Fatalf("account after delete: %+v", a)
	}

	var page httpapi.AuditPage
	api.call("GET", "/v1/audit?number=%2B16505550100", nil, 200, &page)
	type step struct{ Actor, Source, Action, Before, After string }
	state := func(s *store.AuditState) string {
		if s == nil {
			return "-"
		}
		if s.ExtensionNumber != "" {
			return string(s.Status) + " " + s.ExtensionNumber
		}
		return string(s.Status)
	}
	var got []step
	for i, e := range page.Entries {
		got = append(got, step{e.Actor, e.Source, e.Action, state(e.Before), state(e.After)})
		if e.Number != num {
			t.Errorf("entry %d is of %s", i, e.Number)
		}
		if i > 0 && e.Time.After(page.Entries[i-1].Time) {
			t.Errorf("entry %d is newer than entry %d", i, i-1)
		}
	}
	b := bob.ExtensionNumber
	wantSteps := []step{ // newest first
		{"ops", "api", "delete", "unassigned", "-"},
		{"ops", "api", "unassign", "assigned 1001", "unassigned"},
		{"ops", "api", "assign", "unassigned", "assigned 1001"},
		{"ops", "api", "unassign", "assigned " + b, "unassigned"},
		{"ops", "api", "reassign", "assigned 1001", "assigned " + b},
		{"ops", "api", "assign", "unassigned", "assigned 1001"},
		{"carrier order", "order:o1", "acquire", "-", "unassigned"},
	}
	if diff := cmp.Diff(wantSteps, got); diff != "" {
		t.Errorf("audit trail (-want +got):\n%s", diff)
	}
	var log httpapi.AuditPage
	api.call("GET", "/v1/audit", nil, 200, &log)
	if len(log.Entries) != len(wantSteps) {
		t.Errorf("account audit log has %d entries, want %d", len(log.Entries), len(wantSteps))
	}
}

// TestServeProbes checks the operational endpoints through the real wiring.
func TestServeProbes(t *testing.T) {
	m, _ := mustMain(t)
	for _, p := range []string{"/healthz", "/readyz", "/metrics", "/openapi.json"} {
		res, err := http.Get("http://" + m.Addr() + p)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Errorf("%s: %d", p, res.StatusCode)
		}
	}
}

// TestGracefulClose checks Close waits for a request in flight and then
// refuses new connections.
func TestGracefulClose(t *testing.T) {
	st := store.New(redistest.Client(t))
	acct, err := st.CreateAccount(context.Background(), store.AccountSpec{Name: "Acme", Country: "US"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Check(context.Background(), acct.ID); err != nil {
			t.Errorf("invariants: %v", err)
		}
	})
	_, secret, _ := st.CreateToken(context.Background(), acct.ID, "ops", inventory.RoleOwner)
	m := NewMain()
	m.Config.Addr, m.Config.RedisURL = "127.0.0.1:0", redistest.URL(t)
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	addr := m.Addr()
	// A request whose body arrives slowly is in flight when Close starts.
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest("POST", "http://"+addr+"/v1/emergency-addresses", pr)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+secret)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- -1
			return
		}
		res.Body.Close()
		done <- res.StatusCode
	}()
	_, _ = pw.Write([]byte(`{"street":"1 Main St","city":"X",`))
	time.Sleep(100 * time.Millisecond)
	closed := make(chan error, 1)
	go func() { closed <- m.Close() }()
	time.Sleep(100 * time.Millisecond)
	_, _ = pw.Write([]byte(`"postal_code":"1","country":"US"}`))
	pw.Close()
	if status := <-done; status != http.StatusCreated {
		t.Errorf("request in flight: status %d, want 201", status)
	}
	if err := <-closed; err != nil {
		t.Errorf("close: %v", err)
	}
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Errorf("the server still answers after Close")
	}
}

// TestServeFlags checks bad configuration stops serve at start with one
// clear line and the usage exit code.
func TestServeFlags(t *testing.T) {
	url := redistest.URL(t)
	for _, c := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--addr", "nowhere", "--redis-url", url}, nil, `--addr "nowhere": want host:port`},
		{[]string{"--addr", "127.0.0.1:70000", "--redis-url", url}, nil, "port must be a number from 0 to 65535"},
		{[]string{"--addr", "127.0.0.1:0"}, nil, "--redis-url is required"},
		{[]string{"--redis-url", "bogus://x"}, nil, `--redis-url "bogus://x"`},
		{[]string{"--redis-url", url, "--carrier-url", "not a url"}, nil, `--carrier-url "not a url": want an http(s) URL`},
		{[]string{"--redis-url", url, "--rate-limit", "-1"}, nil, "--rate-limit -1: must be 0 (no limit) or more"},
		{[]string{"--redis-url", url}, map[string]string{"NUMBERDESK_RATE_BURST": "many"}, `NUMBERDESK_RATE_BURST="many"`},
		{[]string{"--redis-url", url, "--log-level", "loud"}, nil, `--log-level "loud"`},
		{[]string{"--redis-url", url, "--max-upload-bytes", "0"}, nil, "--max-upload-bytes 0: must be at least 1"},
		{[]string{"--redis-url", url, "--retention", "1m"}, nil, "--retention 1m0s: must be at least 1h"},
		{[]string{"--redis-url", url, "--queue-redis-url", "bogus://q"}, nil, `--queue-redis-url "bogus://q"`},
	} {
		t.Run(c.want, func(t *testing.T) {
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append([]string{"serve"}, c.args...), &stdout, &stderr)
			lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
			if code != exitUsage || len(lines) != 1 || !strings.Contains(lines[0], c.want) {
				t.Errorf("serve %v: exit %d, stderr %q; want exit %d and one line with %q", c.args, code, stderr.String(), exitUsage, c.want)
			}
		})
	}
}

// TestServeUntilCanceled runs the serve command from the environment and
// stops it the way SIGTERM does: by canceling its context.
func TestServeUntilCanceled(t *testing.T) {
	t.Setenv("NUMBERDESK_REDIS_URL", redistest.URL(t))
	t.Setenv("NUMBERDESK_ADDR", "127.0.0.1:0")
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr bytes.Buffer
	code := make(chan int, 1)
	go func() { code <- run(ctx, []string{"serve"}, &stdout, &stderr) }()
	time.Sleep(200 * time.Millisecond)
	cancel()
	select {
	case c := <-code:
		if c != exitOK {
			t.Errorf("exit %d; stderr %s", c, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
	if !strings.Contains(stderr.String(), `"msg":"serving the API"`) || !strings.Contains(stderr.String(), "shutting down") {
		t.Errorf("log: %s", stderr.String())
	}
}
