package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/numberdesk/numberdesk/internal/carrier"
	"github.com/numberdesk/numberdesk/internal/carrier/sandbox"
	"github.com/numberdesk/numberdesk/internal/importer"
	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/redistest"
	"github.com/numberdesk/numberdesk/internal/store"
	"golang.org/x/time/rate"
)

func TestMain(m *testing.M) { redistest.Main(m) }

var ctx = context.Background()

// env is an API on a real Redis behind a real HTTP server.
type env struct {
	st    *store.Store
	api   *api
	srv   *httptest.Server
	queue *taskRecorder // the intake's queue, unless cfg.Intake was given
	// sandbox is the carrier behind the API's carrier client, unless
	// cfg.Carrier was given.
	sandbox *sandbox.Carrier
	// clock is the sandbox's clock (port orders advance with it).
	clock *testClock
}

// testClock is a clock tests move by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock on by d.
func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// taskRecorder is a queue that records the tasks enqueued on it.
type taskRecorder struct {
	mu    sync.Mutex
	tasks []*asynq.Task
}

// EnqueueContext records the task.
func (q *taskRecorder) EnqueueContext(ctx context.Context, task *asynq.Task, opts ...asynq.Option) (*asynq.TaskInfo, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.tasks = append(q.tasks, task)
	return &asynq.TaskInfo{Type: task.Type()}, nil
}

// len returns how many tasks were enqueued.
func (q *taskRecorder) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.tasks)
}

// newEnv starts the API on the test binary's Redis, flushed. cfg.Store is
// filled in; the rate limit is off unless cfg sets one; without
// cfg.Intake, uploads go to an intake whose queue records the tasks.
func newEnv(tb testing.TB, cfg Config) *env {
	tb.Helper()
	st := store.New(redistest.Client(tb))
	cfg.Store = st
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.RateLimit == 0 {
		cfg.RateLimit = rate.Inf
	}
	queue := &taskRecorder{}
	if cfg.Intake == nil {
		cfg.Intake = &importer.Intake{Store: st, Queue: queue}
	}
	if cfg.Queue == nil {
		cfg.Queue = queue
	}
	var sb *sandbox.Carrier
	clock := &testClock{t: time.Now()}
	if cfg.Carrier == nil {
		var err error
		sb, err = sandbox.New(sandbox.Config{Redis: st.Redis(), Seed: 7, PortStep: time.Minute, Now: clock.Now})
		if err != nil {
			tb.Fatal(err)
		}
		csrv := httptest.NewServer(sb)
		tb.Cleanup(csrv.Close)
		cfg.Carrier = carrier.NewClient(csrv.URL)
	}
	h, err := New(cfg)
	if err != nil {
		tb.Fatalf("new api: %v", err)
	}
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	return &env{st: st, api: h.(*api), srv: srv, queue: queue, sandbox: sb, clock: clock}
}

// response is what a request got back.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request. body is nil (none), a string (sent as is) or a value
// (sent as JSON); a non-nil body is sent as application/json unless hdr
// sets Content-Type. hdr holds header name/value pairs.
func (e *env) do(tb testing.TB, method, path, token string, body any, hdr ...string) response {
	tb.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			tb.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(ctx, method, e.srv.URL+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// decode decodes the body into v.
func (r response) decode(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		tb.Fatalf("decode %s: %v", r.body, err)
	}
}

// problem decodes a problem document, checking its content type.
func (r response) problem(tb testing.TB) Problem {
	tb.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		tb.Fatalf("content type %q, want application/problem+json; body %s", ct, r.body)
	}
	var p Problem
	r.decode(tb, &p)
	return p
}

// want fails unless the response has the status and, for errors, the code.
func (r response) want(tb testing.TB, status int, code inventory.Code) {
	tb.Helper()
	if r.status != status {
		tb.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	if code != "" {
		if p := r.problem(tb); p.Code != code || p.Status != status {
			tb.Fatalf("problem %+v, want code %s status %d", p, code, status)
		}
	}
}

// tenant is an account with tokens of every role and some objects.
type tenant struct {
	acct                 inventory.Account
	owner, admin, viewer string
	eas                  []inventory.EmergencyAddress
	sites                []inventory.Site
	exts                 []inventory.Extension
	numbers              []string
	tokenIDs             []string
}

// newTenant creates an account whose names start with name, with nEA
// emergency addresses, as many sites (multi) and nExt extensions, and the
// given numbers (the first assigned to the first extension). Its
// invariants are checked when the test ends.
func (e *env) newTenant(tb testing.TB, name string, multi bool, nObj, nExt int, numbers ...string) *tenant {
	tb.Helper()
	a, err := e.st.CreateAccount(ctx, store.AccountSpec{Name: name + " Corp", Country: "US", MultipleSites: multi, PhoneLicenses: 100, TollFreeLicenses: 10})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := e.st.Check(ctx, a.ID); err != nil {
			tb.Errorf("invariants: %v", err)
		}
	})
	t := &tenant{acct: a}
	for _, r := range []inventory.Role{inventory.RoleOwner, inventory.RoleAdmin, inventory.RoleViewer} {
		tok, secret, err := e.st.CreateToken(ctx, a.ID, name+" "+string(r), r)
		if err != nil {
			tb.Fatal(err)
		}
		t.tokenIDs = append(t.tokenIDs, tok.ID)
		switch r {
		case inventory.RoleOwner:
			t.owner = secret
		case inventory.RoleAdmin:
			t.admin = secret
		default:
			t.viewer = secret
		}
	}
	for i := 0; i < nObj; i++ {
		ea, err := e.st.CreateEmergencyAddress(ctx, a.ID, inventory.EmergencyAddress{Street: fmt.Sprintf("%d %s Way", i+1, name), City: name + "ville", State: "CA", PostalCode: "94043", Country: "US"})
		if err != nil {
			tb.Fatal(err)
		}
		t.eas = append(t.eas, ea)
		if multi {
			site, err := e.st.CreateSite(ctx, a.ID, inventory.Site{Name: fmt.Sprintf("%s site %d", name, i+1), Country: "US", EmergencyAddressID: ea.ID})
			if err != nil {
				tb.Fatal(err)
			}
			t.sites = append(t.sites, site)
		}
	}
	for i := 0; i < nExt; i++ {
		x := inventory.Extension{Type: inventory.ExtUser, Name: fmt.Sprintf("%s user %d", name, i+1), Email: fmt.Sprintf("%s%d@example.com", strings.ToLower(name), i+1)}
		if multi {
			x.SiteID = t.sites[0].ID
		}
		x, err := e.st.CreateExtension(ctx, a.ID, x)
		if err != nil {
			tb.Fatal(err)
		}
		t.exts = append(t.exts, x)
	}
	if len(numbers) > 0 {
		spec := store.AcquireSpec{}
		if multi {
			spec.SiteID = t.sites[0].ID
		} else {
			spec.EmergencyAddressID = t.eas[0].ID
		}
		for _, n := range numbers {
			spec.Numbers = append(spec.Numbers, store.NewNumber{Number: n, Type: inventory.Toll, Country: "US", AreaCode: n[2:5], Region: "CA", City: "Mountain View"})
		}
		res, err := e.st.Acquire(ctx, a.ID, spec, store.Actor{Name: "test", Source: "test"}, store.BatchOptions{})
		if err != nil {
			tb.Fatal(err)
		}
		for i, o := range res.Outcomes {
			if o.Outcome != inventory.OutcomeOK {
				tb.Fatalf("acquire %s: %s", numbers[i], o.Outcome)
			}
		}
		t.numbers = numbers
		if nExt > 0 {
			if err := e.st.Assign(ctx, a.ID, numbers[0], store.ExtensionRef{ID: t.exts[0].ID}, store.Actor{Name: "test", Source: "test"}); err != nil {
				tb.Fatal(err)
			}
		}
	}
	return t
}

// doChunked sends a JSON body of unknown length (chunked encoding).
func (e *env) doChunked(tb testing.TB, method, path, token string, body io.Reader) response {
	tb.Helper()
	req, err := http.NewRequestWithContext(ctx, method, e.srv.URL+path, io.MultiReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.ContentLength = -1
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := e.srv.Client().Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: b}
}
