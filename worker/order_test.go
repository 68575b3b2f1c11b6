package worker_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/numberdesk/numberdesk/internal/carrier"
	"github.com/numberdesk/numberdesk/internal/carrier/sandbox"
	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/phone"
	"github.com/numberdesk/numberdesk/internal/redistest"
	"github.com/numberdesk/numberdesk/internal/store"
	"github.com/numberdesk/numberdesk/jobs"
	"github.com/numberdesk/numberdesk/worker"
	"github.com/redis/go-redis/v9"
)

// orderFixture is an account without numbers, a sandbox carrier over
// HTTP and the handlers using it.
type orderFixture struct {
	st   *store.Store
	rdb  redis.UniversalClient
	acct inventory.Account
	ea   inventory.EmergencyAddress
	sb   *sandbox.Carrier
	url  string
	h    *worker.Handlers
}

func newOrderFixture(tb testing.TB, licences, tollFree int64, faults sandbox.Config) *orderFixture {
	tb.Helper()
	rdb := redistest.Client(tb)
	st := store.New(rdb)
	acct, ea := newAccount(tb, st, licences, tollFree)
	f := &orderFixture{st: st, rdb: rdb, acct: acct, ea: ea}
	f.sb, f.url = startSandbox(tb, rdb, faults)
	f.h = &worker.Handlers{Store: st, Carrier: fastClient(f.url), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: worker.NewMetrics(nil)}
	return f
}

// startSandbox serves a sandbox carrier (state in rdb) over HTTP.
func startSandbox(tb testing.TB, rdb redis.UniversalClient, cfg sandbox.Config) (*sandbox.Carrier, string) {
	tb.Helper()
	cfg.Redis = rdb
	cfg.Seed = 7
	cfg.HangLimit = time.Second
	sb, err := sandbox.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(sb)
	tb.Cleanup(srv.Close)
	return sb, srv.URL
}

func fastClient(url string) *carrier.Client {
	return carrier.NewClient(url, carrier.WithTimeout(300*time.Millisecond), carrier.WithMaxAttempts(2), carrier.WithBackoff(time.Millisecond, 5*time.Millisecond))
}

// available finds n numbers the sandbox offers.
func (f *orderFixture) available(tb testing.TB, q carrier.Query) []string {
	tb.Helper()
	found, err := f.sb.Search(ctx, q)
	if err != nil || len(found) < q.Limit {
		tb.Fatalf("search %+v: %v (%d found)", q, err, len(found))
	}
	var out []string
	for _, a := range found {
		out = append(out, a.Number)
	}
	return out
}

// order records an order of numbers as the API does.
func (f *orderFixture) order(tb testing.TB, numbers ...string) store.Order {
	tb.Helper()
	spec := store.OrderSpec{EmergencyAddressID: f.ea.ID}
	for _, n := range numbers {
		info, err := phone.Info(n)
		if err != nil {
			tb.Fatal(err)
		}
		spec.Numbers = append(spec.Numbers, store.NewNumber{Number: n, Type: inventory.NumberType(info.Type), Country: info.Country, AreaCode: info.AreaCode, Region: info.Region, City: info.City})
	}
	o, err := f.st.CreateOrder(ctx, f.acct.ID, spec, store.Actor{Name: "ann", Source: "api"})
	if err != nil {
		tb.Fatal(err)
	}
	return o
}

func orderTask(tb testing.TB, f *orderFixture, id string) *asynq.Task {
	tb.Helper()
	t, err := jobs.NewOrderTask(jobs.OrderPayload{AccountID: f.acct.ID, OrderID: id})
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

func (f *orderFixture) get(tb testing.TB, id string) store.Order {
	tb.Helper()
	o, err := f.st.Order(ctx, f.acct.ID, id)
	if err != nil {
		tb.Fatal(err)
	}
	return o
}

func (f *orderFixture) licences(tb testing.TB) inventory.Licenses {
	tb.Helper()
	a, err := f.st.Account(ctx, f.acct.ID)
	if err != nil {
		tb.Fatal(err)
	}
	return a.Licenses
}

// soldElsewhere reports whether the sandbox has sold number (another key
// cannot buy it).
func (f *orderFixture) soldElsewhere(tb testing.TB, number string) bool {
	tb.Helper()
	lines, err := f.sb.PlaceOrder(ctx, "probe-"+number, []string{number})
	if err != nil {
		tb.Fatal(err)
	}
	return lines[0].Status == carrier.LineFailed
}

func TestPlaceOrder(t *testing.T) {
	f := newOrderFixture(t, 10, 2, sandbox.Config{})
	nums := f.available(t, carrier.Query{Country: "US", Region: "TX", AreaCode: "512", Limit: 4})
	tf := f.available(t, carrier.Query{Country: "US", Type: carrier.TypeTollFree, AreaCode: "888", Limit: 1})
	// One number is sold to someone else before the order is placed.
	if _, err := f.sb.PlaceOrder(ctx, "someone-else", nums[3:4]); err != nil {
		t.Fatal(err)
	}
	o := f.order(t, append(nums, tf...)...)
	if lic := f.licences(t); lic.PhoneNumber.Held != 4 || lic.TollFree.Held != 1 {
		t.Fatalf("held %+v", lic)
	}
	if err := f.h.PlaceOrder(ctx, orderTask(t, f, o.ID)); err != nil {
		t.Fatal(err)
	}
	o = f.get(t, o.ID)
	if o.Status != store.OrderPartial || o.Acquired != 4 || o.Failed != 1 {
		t.Fatalf("order %+v", o)
	}
	for _, l := range o.Numbers {
		if l.Number == nums[3] {
			if l.Status != store.LineFailed || l.ErrorCode != "not_available" || l.ErrorMessage == "" {
				t.Errorf("taken number's line %+v", l)
			}
			continue
		}
		n, err := f.st.Number(ctx, f.acct.ID, l.Number)
		if err != nil || n.Status != inventory.StatusUnassigned || n.EmergencyAddressID != f.ea.ID || string(n.Type) != l.Type {
			t.Errorf("number %s: %v %+v", l.Number, err, n)
		}
		if !f.soldElsewhere(t, l.Number) {
			t.Errorf("the sandbox did not sell %s", l.Number)
		}
	}
	if lic := f.licences(t); lic.PhoneNumber != (inventory.License{Total: 10, Used: 3}) || lic.TollFree != (inventory.License{Total: 2, Used: 1}) {
		t.Errorf("licences %+v", lic)
	}
	// The task again (a retry, a duplicate): nothing changes.
	if err := f.h.PlaceOrder(ctx, orderTask(t, f, o.ID)); err != nil {
		t.Fatal(err)
	}
	if again := f.get(t, o.ID); again.Status != o.Status || again.Acquired != 4 || !again.UpdatedAt.Equal(o.UpdatedAt) {
		t.Errorf("second run changed the order: %+v", again)
	}
}

// lostAnswer is a carrier whose order calls reach the carrier and take
// effect, but whose answers are lost (the worker died after the call).
type lostAnswer struct{ carrier.Carrier }

func (l lostAnswer) PlaceOrder(ctx context.Context, key string, numbers []string) ([]carrier.OrderLine, error) {
	if _, err := l.Carrier.PlaceOrder(ctx, key, numbers); err != nil {
		return nil, err
	}
	return nil, &carrier.Error{Op: "place order " + key, Code: carrier.CodeUnavailable, Retryable: true, Err: errors.New("connection reset")}
}

// TestPlaceOrderExactlyOnce breaks the task between the carrier call and
// the inventory step, then runs it again: the carrier's idempotency key
// gives the first answer, and every number is bought and counted once.
func TestPlaceOrderExactlyOnce(t *testing.T) {
	f := newOrderFixture(t, 5, 0, sandbox.Config{})
	nums := f.available(t, carrier.Query{Country: "US", AreaCode: "512", Limit: 5})
	o := f.order(t, nums...)
	broken := *f.h
	broken.Carrier = lostAnswer{f.h.Carrier}
	if err := broken.PlaceOrder(ctx, orderTask(t, f, o.ID)); err == nil {
		t.Fatal("a lost answer is not an error")
	}
	if got := f.get(t, o.ID); got.Status != store.OrderProcessing {
		t.Fatalf("after the lost answer: %s", got.Status)
	}
	if lic := f.licences(t); lic.PhoneNumber.Held != 5 || lic.PhoneNumber.Used != 0 {
		t.Fatalf("licences after the lost answer %+v", lic)
	}
	// The retry, twice (a duplicate delivery as well).
	for range 2 {
		if err := f.h.PlaceOrder(ctx, orderTask(t, f, o.ID)); err != nil {
			t.Fatal(err)
		}
	}
	o = f.get(t, o.ID)
	if o.Status != store.OrderCompleted || o.Acquired != 5 {
		t.Fatalf("order %+v", o)
	}
	if lic := f.licences(t); lic.PhoneNumber != (inventory.License{Total: 5, Used: 5}) {
		t.Errorf("licences %+v", lic)
	}
	acct, _ := f.st.Account(ctx, f.acct.ID)
	if acct.Numbers.Unassigned != 5 {
		t.Errorf("inventory %+v", acct.Numbers)
	}
	hist, err := f.st.Audit(ctx, f.acct.ID, nums[0], 10)
	if err != nil || len(hist) != 1 {
		t.Errorf("history of %s: %v %+v (want one acquire)", nums[0], err, hist)
	}
}

// TestPlaceOrderCarrierOutage: while the carrier answers 503 or hangs the
// task fails (asynq retries it) and nothing changes; once it is back the
// order completes, nothing doubled.
func TestPlaceOrderCarrierOutage(t *testing.T) {
	for name, fault := range map[string]sandbox.Config{"503": {ErrorRate: 1}, "timeouts": {TimeoutRate: 1}} {
		t.Run(name, func(t *testing.T) { orderThroughOutage(t, fault) })
	}
}

func orderThroughOutage(t *testing.T, fault sandbox.Config) {
	f := newOrderFixture(t, 3, 0, sandbox.Config{})
	_, downURL := startSandbox(t, f.rdb, fault)
	nums := f.available(t, carrier.Query{Country: "US", AreaCode: "737", Limit: 3})
	o := f.order(t, nums...)
	down := *f.h
	down.Carrier = fastClient(downURL)
	for range 2 {
		err := down.PlaceOrder(ctx, orderTask(t, f, o.ID))
		if !carrier.IsRetryable(err) {
			t.Fatalf("fault %+v: error %v, want a retryable carrier error", fault, err)
		}
	}
	if lic := f.licences(t); lic.PhoneNumber.Held != 3 || lic.PhoneNumber.Used != 0 {
		t.Fatalf("licences during the outage %+v", lic)
	}
	if err := f.h.PlaceOrder(ctx, orderTask(t, f, o.ID)); err != nil {
		t.Fatal(err)
	}
	if o = f.get(t, o.ID); o.Status != store.OrderCompleted || o.Acquired != 3 {
		t.Errorf("fault %+v: order %+v", fault, o)
	}
	if lic := f.licences(t); lic.PhoneNumber != (inventory.License{Total: 3, Used: 3}) {
		t.Errorf("licences %+v", lic)
	}
}

// TestPlaceOrderGivesUp runs the task through a real Asynq server with no
// retries left against a carrier that is down: the order fails with
// carrier_unavailable and every licence is given back.
func TestPlaceOrderGivesUp(t *testing.T) {
	f := newOrderFixture(t, 3, 0, sandbox.Config{})
	_, downURL := startSandbox(t, f.rdb, sandbox.Config{ErrorRate: 1})
	f.h.Carrier = fastClient(downURL)
	nums := f.available(t, carrier.Query{Country: "US", AreaCode: "737", Limit: 2})
	o := f.order(t, nums...)
	opt, err := asynq.ParseRedisURI(redistest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	srv := asynq.NewServer(opt, asynq.Config{Concurrency: 1, Queues: jobs.QueueWeights, LogLevel: asynq.FatalLevel})
	if err := srv.Start(f.h.Mux()); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	client := asynq.NewClient(opt)
	defer client.Close()
	if _, err := client.Enqueue(orderTask(t, f, o.ID), asynq.MaxRetry(0)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for f.get(t, o.ID).Status.Open() {
		if time.Now().After(deadline) {
			t.Fatal("the order did not finish")
		}
		time.Sleep(20 * time.Millisecond)
	}
	o = f.get(t, o.ID)
	if o.Status != store.OrderFailed || o.Failed != 2 || o.Numbers[0].ErrorCode != "carrier_unavailable" {
		t.Errorf("order %+v", o)
	}
	if lic := f.licences(t); lic.PhoneNumber != (inventory.License{Total: 3}) {
		t.Errorf("licences %+v", lic)
	}
}

func TestForwardRequest(t *testing.T) {
	f := newOrderFixture(t, 1, 0, sandbox.Config{})
	cases := []struct {
		req    store.NumberRequest
		status string
		reason string
	}{
		{store.NumberRequest{Country: "US", Type: "toll_free", Quantity: 1, Vanity: "FLOWERS"}, store.RequestFulfilled, ""},
		{store.NumberRequest{Country: "US", Type: "toll", AreaCode: "512", Quantity: 50}, store.RequestRejected, sandbox.ReasonQuantityTooLarge},
	}
	for _, c := range cases {
		r, err := f.st.CreateRequest(ctx, f.acct.ID, c.req, store.Actor{Name: "ann"})
		if err != nil {
			t.Fatal(err)
		}
		task, err := jobs.NewRequestTask(jobs.RequestPayload{AccountID: f.acct.ID, RequestID: r.ID})
		if err != nil {
			t.Fatal(err)
		}
		for range 2 { // the second run changes nothing
			if err := f.h.ForwardRequest(ctx, task); err != nil {
				t.Fatal(err)
			}
		}
		r, err = f.st.Request(ctx, f.acct.ID, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		var hist []string
		for _, h := range r.History {
			hist = append(hist, h.Status)
		}
		want := []string{store.RequestOpen, store.RequestSubmitted, c.status}
		if r.Status != c.status || r.Reason != c.reason || r.CarrierID == "" || len(hist) != 3 || hist[0] != want[0] || hist[1] != want[1] || hist[2] != want[2] {
			t.Errorf("request %+v (history %v), want %s %q", r, hist, c.status, c.reason)
		}
	}
}

// TestTaskLogNamesIDs: the task log line names the ids of the payload.
func TestTaskLogNamesIDs(t *testing.T) {
	var buf bytes.Buffer
	f := newOrderFixture(t, 1, 0, sandbox.Config{})
	h := *f.h
	h.Logger = slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	err := h.Mux().ProcessTask(ctx, orderTask(t, f, "ord_missing"))
	if err == nil || !errors.Is(err, asynq.SkipRetry) {
		t.Fatalf("a missing order: %v, want a permanent error", err)
	}
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("log %q: %v", buf.String(), err)
	}
	if line["order_id"] != "ord_missing" || line["account_id"] != f.acct.ID || line["result"] != "failed" || line["type"] != jobs.TypeOrderPlace {
		t.Errorf("log line %v", line)
	}
}
