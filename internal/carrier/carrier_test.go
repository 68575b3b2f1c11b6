package carrier_test

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/numberdesk/numberdesk/internal/carrier"
	"github.com/numberdesk/numberdesk/internal/carrier/sandbox"
	"github.com/numberdesk/numberdesk/internal/phone"
	"github.com/numberdesk/numberdesk/internal/redistest"
)

func TestMain(m *testing.M) { redistest.Main(m) }

// Both implementations satisfy the interface.
var (
	_ carrier.Carrier = (*carrier.Client)(nil)
	_ carrier.Carrier = (*sandbox.Carrier)(nil)
)

// clock is a settable clock for port orders.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// mustSandbox returns a sandbox on cfg.Redis (a fresh Redis when nil).
func mustSandbox(tb testing.TB, cfg sandbox.Config) *sandbox.Carrier {
	tb.Helper()
	if cfg.Redis == nil {
		cfg.Redis = redistest.Client(tb)
	}
	if cfg.Seed == 0 {
		cfg.Seed = 42
	}
	sb, err := sandbox.New(cfg)
	if err != nil {
		tb.Fatalf("sandbox.New: %v", err)
	}
	return sb
}

// mustServe serves h over real HTTP and returns a client of it with quick
// backoff.
func mustServe(tb testing.TB, h http.Handler, opts ...carrier.Option) *carrier.Client {
	tb.Helper()
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	opts = append([]carrier.Option{carrier.WithBackoff(time.Millisecond, 20*time.Millisecond), carrier.WithTimeout(5 * time.Second)}, opts...)
	return carrier.NewClient(srv.URL, opts...)
}

// mustSearch searches and fails the test on error.
func mustSearch(tb testing.TB, c carrier.Carrier, q carrier.Query) []carrier.Available {
	tb.Helper()
	got, err := c.Search(context.Background(), q)
	if err != nil {
		tb.Fatalf("Search(%+v): %v", q, err)
	}
	return got
}

// checkMatches fails the test for every result that breaks a filter of q.
func checkMatches(tb testing.TB, q carrier.Query, got []carrier.Available) {
	tb.Helper()
	typ := cmp.Or(q.Type, carrier.TypeToll)
	limit := cmp.Or(q.Limit, 100)
	if len(got) > limit {
		tb.Errorf("%+v: %d results, limit %d", q, len(got), limit)
	}
	seen := map[string]bool{}
	for _, a := range got {
		if seen[a.Number] {
			tb.Errorf("%+v: %s twice", q, a.Number)
		}
		seen[a.Number] = true
		cc := map[string]string{"US": "1", "CA": "1", "GB": "44", "DE": "49", "PL": "48", "AU": "61"}[q.Country]
		national, ok := strings.CutPrefix(a.Number, "+"+cc+a.AreaCode)
		switch {
		case !ok:
			tb.Errorf("%+v: %s does not start with +%s%s", q, a.Number, cc, a.AreaCode)
		case a.Country != q.Country || a.Type != typ:
			tb.Errorf("%+v: %+v: wrong country or type", q, a)
		case q.AreaCode != "" && a.AreaCode != q.AreaCode:
			tb.Errorf("%+v: %+v: wrong area code", q, a)
		case q.Region != "" && !strings.EqualFold(a.Region, q.Region):
			tb.Errorf("%+v: %+v: wrong region", q, a)
		case q.City != "" && !strings.EqualFold(a.City, q.City):
			tb.Errorf("%+v: %+v: wrong city", q, a)
		case !strings.HasPrefix(national, q.Prefix):
			tb.Errorf("%+v: %+v: wrong prefix", q, a)
		}
		if typ == carrier.TypeToll {
			if ac, ok := phone.LookupAreaCode(q.Country, a.AreaCode); !ok || (q.Region == "" && a.Region == "" && ac.Region != "") {
				tb.Errorf("%+v: %+v: area code not in the catalog", q, a)
			}
			if !slices.ContainsFunc(phone.AreaCodes(q.Country, a.Region), func(ac phone.AreaCode) bool {
				return ac.Code == a.AreaCode && (a.City == "" || slices.Contains(ac.Cities, a.City))
			}) {
				tb.Errorf("%+v: %+v: region/city not of the area code", q, a)
			}
		}
		if q.Country == "US" || q.Country == "CA" {
			info, err := phone.Info(a.Number)
			if err != nil || info.AreaCode != a.AreaCode {
				tb.Errorf("%+v: %s: phone.Info = %+v, %v", q, a.Number, info, err)
			}
		}
	}
}

func TestSearchFilters(t *testing.T) {
	c := mustServe(t, mustSandbox(t, sandbox.Config{}))
	// Take the area code, city and exchange of a real result to build
	// filters that find something.
	base := mustSearch(t, c, carrier.Query{Country: "US", Region: "CA", Sequential: true, Limit: 1})
	if len(base) != 1 {
		t.Fatalf("no numbers in California")
	}
	b := base[0]
	exch := b.Number[len("+1"+b.AreaCode):][:3]
	queries := []carrier.Query{
		{Country: "US"},
		{Country: "CA"},
		{Country: "US", Region: "CA"},
		{Country: "US", Region: "tx", Limit: 1000},
		{Country: "US", AreaCode: b.AreaCode},
		{Country: "US", City: b.City},
		{Country: "US", Prefix: exch},
		{Country: "US", Prefix: exch[:1], Sequential: true},
		{Country: "US", Type: carrier.TypeTollFree},
		{Country: "US", Type: carrier.TypeTollFree, AreaCode: "888", Prefix: "3"},
		{Country: "CA", Type: carrier.TypeTollFree, Sequential: true},
		{Country: "US", Region: "CA", City: b.City, AreaCode: b.AreaCode, Prefix: exch, Sequential: true, Limit: 500},
		{Country: "US", Region: "CA", City: b.City, Prefix: exch[:2], Consecutive: 3, Limit: 30},
		{Country: "GB"},
		{Country: "GB", Type: carrier.TypeTollFree},
		{Country: "DE", Region: "BY", Sequential: true},
		{Country: "PL", Limit: 1000},
		{Country: "AU", Region: "ACT"},
		{Country: "AU", Type: carrier.TypeTollFree, Prefix: "2"},
	}
	for _, q := range queries {
		got := mustSearch(t, c, q)
		if len(got) == 0 {
			t.Errorf("%+v: no results", q)
		}
		checkMatches(t, q, got)
	}
	// A filter no number matches gives an empty answer, not an error.
	if got := mustSearch(t, c, carrier.Query{Country: "US", Region: "CA", City: "Springfield"}); len(got) != 0 {
		t.Errorf("California Springfield: %d results, want none", len(got))
	}
	// A city filter selects exchanges: an area code's numbers are in
	// several of its cities.
	ac, _ := phone.LookupAreaCode("US", b.AreaCode)
	found := 0
	for _, city := range ac.Cities {
		q := carrier.Query{Country: "US", AreaCode: b.AreaCode, City: city, Limit: 5}
		got := mustSearch(t, c, q)
		checkMatches(t, q, got)
		if len(got) > 0 {
			found++
		}
	}
	if len(ac.Cities) > 1 && found < 2 {
		t.Errorf("area code %s: numbers in %d of its %d cities, want several", b.AreaCode, found, len(ac.Cities))
	}
}

func TestSearchInvalid(t *testing.T) {
	var hits atomic.Int32
	sb := mustSandbox(t, sandbox.Config{})
	c := mustServe(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		sb.ServeHTTP(w, r)
	}))
	for _, q := range []carrier.Query{
		{Country: "XX"},
		{Country: "US", Type: "mobile"},
		{Country: "US", Limit: 1001},
		{Country: "US", Prefix: "YKI"},
		{Country: "US", Type: carrier.TypeTollFree, Region: "CA"},
		{Country: "US", Consecutive: sandbox.MaxConsecutive + 1},
	} {
		hits.Store(0)
		_, err := c.Search(context.Background(), q)
		var ce *carrier.Error
		if !errors.As(err, &ce) || ce.Status != http.StatusBadRequest || ce.Code != carrier.CodeInvalid || ce.Retryable || ce.Op != "search" {
			t.Errorf("%+v: err = %#v, want a non-retryable 400 invalid", q, err)
		}
		if n := hits.Load(); n != 1 {
			t.Errorf("%+v: %d attempts, want 1 (no retry on 4xx)", q, n)
		}
	}
}

func TestSearchSequential(t *testing.T) {
	c := mustServe(t, mustSandbox(t, sandbox.Config{}))
	q := carrier.Query{Country: "US", Region: "NY", Limit: 300}
	q.Sequential = true
	seq := mustSearch(t, c, q)
	checkMatches(t, q, seq)
	if len(seq) != 300 {
		t.Fatalf("got %d numbers, want 300", len(seq))
	}
	if !slices.IsSortedFunc(seq, func(a, b carrier.Available) int { return strings.Compare(a.Number, b.Number) }) {
		t.Errorf("sequential results not ascending")
	}
	q.Sequential = false
	mixed := mustSearch(t, c, q)
	if slices.IsSortedFunc(mixed, func(a, b carrier.Available) int { return strings.Compare(a.Number, b.Number) }) {
		t.Errorf("non-sequential results are sorted too")
	}
	again := mustSearch(t, c, q)
	if diff := gocmp.Diff(mixed, again); diff != "" {
		t.Errorf("same search, other answer (-first +second):\n%s", diff)
	}
}

func TestSearchConsecutive(t *testing.T) {
	c := mustServe(t, mustSandbox(t, sandbox.Config{}))
	for _, q := range []carrier.Query{
		{Country: "US", Region: "CA", Consecutive: 5, Limit: 52},
		{Country: "US", Region: "WA", Consecutive: 10, Limit: 100, Sequential: true},
		{Country: "GB", Consecutive: 4, Limit: 40},
		{Country: "US", Type: carrier.TypeTollFree, Consecutive: 3, Limit: 30},
	} {
		got := mustSearch(t, c, q)
		checkMatches(t, q, got)
		n := q.Consecutive
		if len(got) == 0 || len(got)%n != 0 || len(got) > q.Limit {
			t.Fatalf("%+v: %d results, want a positive multiple of %d up to the limit", q, len(got), n)
		}
		for i := 0; i < len(got); i += n {
			first, _ := strconv.ParseInt(got[i].Number[1:], 10, 64)
			for j := 1; j < n; j++ {
				v, _ := strconv.ParseInt(got[i+j].Number[1:], 10, 64)
				if v != first+int64(j) {
					t.Errorf("%+v: block %d: %s then %s, not consecutive", q, i/n, got[i].Number, got[i+j].Number)
				}
			}
		}
	}
}

func TestEmptyAreaCodesAndRequests(t *testing.T) {
	sb := mustSandbox(t, sandbox.Config{})
	c := mustServe(t, sb)
	ctx := context.Background()
	codes := phone.AreaCodes("US", "")
	var empty []string
	for _, ac := range codes {
		if len(mustSearch(t, sb, carrier.Query{Country: "US", AreaCode: ac.Code, Limit: 1})) == 0 {
			empty = append(empty, ac.Code)
		}
	}
	if share := float64(len(empty)) / float64(len(codes)); len(empty) == 0 || share > 0.2 {
		t.Fatalf("%d of %d US area codes empty, want about 10%%", len(empty), len(codes))
	}
	q := carrier.Query{Country: "US", AreaCode: empty[0], Sequential: true}
	if got := mustSearch(t, c, q); len(got) != 0 {
		t.Errorf("empty area code %s over HTTP: %d results", empty[0], len(got))
	}
	// No numbers: file a request.
	req := carrier.NumberRequest{Country: "US", Type: carrier.TypeToll, AreaCode: empty[0], Quantity: 5}
	st, err := c.ForwardRequest(ctx, "r1", req)
	if err != nil || st.Status != carrier.RequestFulfilled || st.ID == "" {
		t.Fatalf("ForwardRequest: %+v, %v; want fulfilled", st, err)
	}
	big := req
	big.Quantity = 11
	st2, err := c.ForwardRequest(ctx, "r2", big)
	if err != nil || st2.Status != carrier.RequestRejected || st2.Reason != sandbox.ReasonQuantityTooLarge {
		t.Errorf("ForwardRequest(11): %+v, %v; want rejected quantity_too_large", st2, err)
	}
	vanity := carrier.NumberRequest{Country: "US", Type: carrier.TypeTollFree, Quantity: 1, Vanity: "FLOWERSNOW"}
	if st3, err := c.ForwardRequest(ctx, "r3", vanity); err != nil || st3.Reason != sandbox.ReasonVanityTooLong {
		t.Errorf("ForwardRequest(vanity): %+v, %v; want vanity_too_long", st3, err)
	}
	again, err := c.ForwardRequest(ctx, "r1", big)
	if err != nil || again != st {
		t.Errorf("ForwardRequest(r1 again) = %+v, %v; want the first answer %+v", again, err, st)
	}
}

// offered reports whether a search for exactly number finds it.
func offered(tb testing.TB, c carrier.Carrier, a carrier.Available) bool {
	tb.Helper()
	q := carrier.Query{Country: a.Country, Type: a.Type, AreaCode: a.AreaCode, Prefix: a.Number[len("+1"+a.AreaCode):]}
	return len(mustSearch(tb, c, q)) == 1
}

func TestOrderIdempotent(t *testing.T) {
	sb := mustSandbox(t, sandbox.Config{})
	c := mustServe(t, sb)
	ctx := context.Background()
	avail := mustSearch(t, c, carrier.Query{Country: "US", Region: "CO", Sequential: true, Limit: 4})
	if len(avail) != 4 {
		t.Fatalf("got %d numbers, want 4", len(avail))
	}
	nums := []string{avail[0].Number, avail[1].Number, avail[2].Number}
	want := []carrier.OrderLine{
		{Number: nums[0], Status: carrier.LineAcquired},
		{Number: nums[1], Status: carrier.LineAcquired},
		{Number: nums[2], Status: carrier.LineAcquired},
	}
	for i := range 2 {
		got, err := c.PlaceOrder(ctx, "order-1", nums)
		if err != nil {
			t.Fatalf("PlaceOrder #%d: %v", i+1, err)
		}
		if diff := gocmp.Diff(want, got); diff != "" {
			t.Errorf("PlaceOrder #%d (-want +got):\n%s", i+1, diff)
		}
	}
	for _, a := range avail[:3] {
		if offered(t, c, a) {
			t.Errorf("sold %s still offered", a.Number)
		}
	}
	if !offered(t, c, avail[3]) {
		t.Errorf("unsold %s not offered", avail[3].Number)
	}
	after := mustSearch(t, c, carrier.Query{Country: "US", Region: "CO", Sequential: true, Limit: 1})
	if len(after) != 1 || after[0].Number != avail[3].Number {
		t.Errorf("first number after the sale = %+v, want %s", after, avail[3].Number)
	}
	// A sold number fails in another order, with a reason; nothing is sold twice.
	got, err := c.PlaceOrder(ctx, "order-2", []string{nums[1], avail[3].Number, "+15550100000", avail[3].Number})
	if err != nil {
		t.Fatalf("PlaceOrder(order-2): %v", err)
	}
	want2 := []carrier.OrderLine{
		{Number: nums[1], Status: carrier.LineFailed, Reason: sandbox.ReasonNotAvailable},
		{Number: avail[3].Number, Status: carrier.LineAcquired},
		{Number: "+15550100000", Status: carrier.LineFailed, Reason: sandbox.ReasonNotAvailable},
		{Number: avail[3].Number, Status: carrier.LineFailed, Reason: sandbox.ReasonDuplicate},
	}
	if diff := gocmp.Diff(want2, got); diff != "" {
		t.Errorf("PlaceOrder(order-2) (-want +got):\n%s", diff)
	}
	// The same key with other numbers is a conflict, not retried.
	_, err = c.PlaceOrder(ctx, "order-1", nums[:1])
	var ce *carrier.Error
	if !errors.As(err, &ce) || ce.Status != http.StatusConflict || ce.Retryable || !strings.Contains(ce.Error(), "place order order-1") {
		t.Errorf("PlaceOrder(order-1, other numbers): %v; want a 409 naming the order", err)
	}
}

func TestOrderRace(t *testing.T) {
	sb := mustSandbox(t, sandbox.Config{})
	c := mustServe(t, sb)
	a := mustSearch(t, c, carrier.Query{Country: "CA", Limit: 1})[0]
	var acquired atomic.Int32
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			lines, err := c.PlaceOrder(context.Background(), "race-"+strconv.Itoa(i), []string{a.Number})
			if err != nil {
				t.Errorf("PlaceOrder: %v", err)
				return
			}
			if lines[0].Status == carrier.LineAcquired {
				acquired.Add(1)
			}
		})
	}
	wg.Wait()
	if n := acquired.Load(); n != 1 {
		t.Errorf("%s sold %d times, want once", a.Number, n)
	}
}

func TestStateSurvivesRestart(t *testing.T) {
	rdb := redistest.Client(t)
	first := mustSandbox(t, sandbox.Config{Redis: rdb})
	ctx := context.Background()
	avail := mustSearch(t, first, carrier.Query{Country: "GB", Sequential: true, Limit: 2})
	lines, err := first.PlaceOrder(ctx, "o", []string{avail[0].Number})
	if err != nil || lines[0].Status != carrier.LineAcquired {
		t.Fatalf("PlaceOrder: %+v, %v", lines, err)
	}
	// A new sandbox on the same Redis, reached over HTTP.
	c := mustServe(t, mustSandbox(t, sandbox.Config{Redis: rdb}))
	got := mustSearch(t, c, carrier.Query{Country: "GB", Sequential: true, Limit: 1})
	if len(got) != 1 || got[0].Number != avail[1].Number {
		t.Errorf("after restart first number = %+v, want %s", got, avail[1].Number)
	}
	again, err := c.PlaceOrder(ctx, "o", []string{avail[0].Number})
	if err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff(lines, again); diff != "" {
		t.Errorf("order after restart (-before +after):\n%s", diff)
	}
	n, err := rdb.Keys(ctx, "carrier:*").Result()
	if err != nil || len(n) == 0 {
		t.Errorf("no carrier: keys: %v %v", n, err)
	}
}

func TestPortProgression(t *testing.T) {
	clk := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	step := time.Minute
	sb := mustSandbox(t, sandbox.Config{PortStep: step, Now: clk.Now})
	c := mustServe(t, sb)
	ctx := context.Background()
	// One of the numbers is one the sandbox offers: porting it takes it off the shelf.
	mine := mustSearch(t, c, carrier.Query{Country: "US", Region: "OR", Limit: 1})[0]
	req := carrier.PortRequest{Numbers: []string{"+16502530000", mine.Number}, LosingCarrier: "Acme", AccountNumber: "123", PIN: "4321"}
	p, err := c.SubmitPort(ctx, "port-1", req)
	if err != nil {
		t.Fatalf("SubmitPort: %v", err)
	}
	if p.Status != carrier.PortSubmitted || p.ID == "" || !p.SubmittedAt.Equal(clk.Now()) {
		t.Fatalf("SubmitPort = %+v", p)
	}
	if offered(t, c, mine) {
		t.Errorf("%s offered while being ported", mine.Number)
	}
	if dup, err := c.SubmitPort(ctx, "port-1", req); err != nil || dup.ID != p.ID {
		t.Errorf("SubmitPort again = %+v, %v; want %s", dup, err, p.ID)
	}
	if _, err := c.SubmitPort(ctx, "port-2", req); carrier.ErrorCode(err) != carrier.CodeConflict {
		t.Errorf("second port of the same numbers: %v, want conflict", err)
	}
	for _, want := range []string{carrier.PortSubmitted, carrier.PortPending, carrier.PortFOCConfirmed, carrier.PortCompleted, carrier.PortCompleted} {
		got, err := c.Port(ctx, p.ID)
		if err != nil {
			t.Fatalf("Port: %v", err)
		}
		if got.Status != want {
			t.Errorf("at %v: status %s, want %s", clk.Now().Sub(p.SubmittedAt), got.Status, want)
		}
		if want == carrier.PortFOCConfirmed && !got.FOCDate.Equal(p.SubmittedAt.Add(3*step)) {
			t.Errorf("FOC date %v, want %v", got.FOCDate, p.SubmittedAt.Add(3*step))
		}
		clk.Advance(step)
	}
	if _, err := c.CancelPort(ctx, p.ID); carrier.ErrorCode(err) != carrier.CodeConflict {
		t.Errorf("cancel completed port: %v, want conflict", err)
	}
	if _, err := c.Port(ctx, "nope"); carrier.ErrorCode(err) != carrier.CodeNotFound {
		t.Errorf("Port(nope): %v, want not_found", err)
	}
}

func TestPortException(t *testing.T) {
	clk := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	step := time.Second
	c := mustServe(t, mustSandbox(t, sandbox.Config{PortStep: step, Now: clk.Now}))
	ctx := context.Background()
	req := carrier.PortRequest{Numbers: []string{"+442079460000"}, LosingCarrier: "BT", AccountNumber: "A1", PIN: "0000"}
	p, err := c.SubmitPort(ctx, "bad-pin", req)
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(10 * step)
	got, err := c.Port(ctx, p.ID)
	if err != nil || got.Status != carrier.PortException || got.Reason != sandbox.ReasonPINMismatch {
		t.Fatalf("Port = %+v, %v; want exception pin_mismatch", got, err)
	}
	// Corrected and resubmitted, it goes through.
	req.PIN = "1234"
	p2, err := c.SubmitPort(ctx, "fixed-pin", req)
	if err != nil || p2.ID == p.ID {
		t.Fatalf("resubmit: %+v, %v", p2, err)
	}
	clk.Advance(3 * step)
	if got, err := c.Port(ctx, p2.ID); err != nil || got.Status != carrier.PortCompleted {
		t.Errorf("resubmitted port = %+v, %v; want completed", got, err)
	}
	// Account "0": account_not_found; cancelling is allowed before completion.
	acct := carrier.PortRequest{Numbers: []string{"+61299990000"}, LosingCarrier: "Telstra", AccountNumber: "0", PIN: "1"}
	p3, err := c.SubmitPort(ctx, "bad-account", acct)
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(2 * step)
	if got, _ := c.Port(ctx, p3.ID); got.Status != carrier.PortException || got.Reason != sandbox.ReasonAccountNotFound {
		t.Errorf("Port = %+v; want exception account_not_found", got)
	}
	if got, err := c.CancelPort(ctx, p3.ID); err != nil || got.Status != carrier.PortCancelled {
		t.Errorf("CancelPort = %+v, %v; want cancelled", got, err)
	}
	if _, err := c.SubmitPort(ctx, "no-pin", carrier.PortRequest{Numbers: []string{"+61299990001"}, LosingCarrier: "x", AccountNumber: "1"}); carrier.ErrorCode(err) != carrier.CodeInvalid {
		t.Errorf("SubmitPort without PIN: %v, want invalid", err)
	}
}

func TestRetriesOnErrors(t *testing.T) {
	rdb := redistest.Client(t)
	flaky := mustServe(t, mustSandbox(t, sandbox.Config{Redis: rdb, ErrorRate: 0.5, Seed: 7}), carrier.WithMaxAttempts(10))
	ctx := context.Background()
	for i := range 20 {
		if _, err := flaky.Search(ctx, carrier.Query{Country: "US", Limit: 5}); err != nil {
			t.Fatalf("search %d with ErrorRate 0.5: %v", i, err)
		}
	}
	lines, err := flaky.PlaceOrder(ctx, "flaky", []string{mustSearch(t, flaky, carrier.Query{Country: "PL", Limit: 1})[0].Number})
	if err != nil || lines[0].Status != carrier.LineAcquired {
		t.Fatalf("PlaceOrder with ErrorRate 0.5: %+v, %v", lines, err)
	}

	var hits atomic.Int32
	down := mustSandbox(t, sandbox.Config{Redis: rdb, ErrorRate: 1})
	c := mustServe(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		down.ServeHTTP(w, r)
	}), carrier.WithMaxAttempts(3))
	_, err = c.PlaceOrder(ctx, "down", []string{"+15550100000"})
	var ce *carrier.Error
	if !errors.As(err, &ce) || !carrier.IsRetryable(err) || ce.Status != http.StatusServiceUnavailable || ce.Attempts != 3 {
		t.Fatalf("PlaceOrder on a failing carrier: %#v, want a retryable 503 after 3 attempts", err)
	}
	if n := hits.Load(); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
	for _, part := range []string{"place order down", "503", "injected failure"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q does not say %q", err, part)
		}
	}
}

func TestRetriesOnTimeouts(t *testing.T) {
	rdb := redistest.Client(t)
	slow := mustServe(t, mustSandbox(t, sandbox.Config{Redis: rdb, TimeoutRate: 0.5, Latency: time.Millisecond, Seed: 3, HangLimit: 3 * time.Second}),
		carrier.WithTimeout(100*time.Millisecond), carrier.WithMaxAttempts(10))
	ctx := context.Background()
	for i := range 5 {
		if _, err := slow.Search(ctx, carrier.Query{Country: "DE", Limit: 5}); err != nil {
			t.Fatalf("search %d with TimeoutRate 0.5: %v", i, err)
		}
	}
	hung := mustServe(t, mustSandbox(t, sandbox.Config{Redis: rdb, TimeoutRate: 1, HangLimit: 3 * time.Second}),
		carrier.WithTimeout(50*time.Millisecond), carrier.WithMaxAttempts(3))
	start := time.Now()
	_, err := hung.Search(ctx, carrier.Query{Country: "DE"})
	var ce *carrier.Error
	if !errors.As(err, &ce) || !ce.Retryable || ce.Attempts != 3 || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("search on a hanging carrier: %#v, want a retryable timeout after 3 attempts", err)
	}
	if d := time.Since(start); d < 150*time.Millisecond || d > 5*time.Second {
		t.Errorf("took %v, want about 3 × 50 ms", d)
	}
	// The caller's deadline stops the retries.
	cctx, cancel := context.WithTimeout(ctx, 80*time.Millisecond)
	defer cancel()
	long := mustServe(t, mustSandbox(t, sandbox.Config{Redis: rdb, TimeoutRate: 1, HangLimit: 3 * time.Second}), carrier.WithTimeout(time.Second), carrier.WithMaxAttempts(10))
	start = time.Now()
	if _, err := long.Search(cctx, carrier.Query{Country: "DE"}); err == nil || carrier.IsRetryable(err) {
		t.Errorf("search past the caller's deadline: %v, want a non-retryable error", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v after the caller's 80 ms deadline", d)
	}
}

func TestInProcessMatchesHTTP(t *testing.T) {
	sb := mustSandbox(t, sandbox.Config{})
	c := mustServe(t, sb)
	q := carrier.Query{Country: "AU", Region: "NSW", Prefix: "9", Limit: 50}
	direct := mustSearch(t, sb, q)
	over := mustSearch(t, c, q)
	if diff := gocmp.Diff(direct, over); diff != "" {
		t.Errorf("in process vs HTTP (-direct +http):\n%s", diff)
	}
	checkMatches(t, q, over)
}

func TestNewValidates(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer rdb.Close()
	for _, cfg := range []sandbox.Config{
		{},
		{Redis: rdb, ErrorRate: 2},
		{Redis: rdb, TimeoutRate: -1},
		{Redis: rdb, PortStep: -time.Second},
	} {
		if _, err := sandbox.New(cfg); err == nil {
			t.Errorf("New(%+v) succeeded", cfg)
		}
	}
}

// TestNumbersAgreeWithPhone checks that the sandbox's numbers of every area
// code and toll-free code are valid for libphonenumber (package phone),
// with the same country, type, area code and region. It samples every
// seventh area code of GB and DE (hundreds each) to stay quick under -race.
func TestNumbersAgreeWithPhone(t *testing.T) {
	sb := mustSandbox(t, sandbox.Config{})
	ctx := context.Background()
	for _, country := range []string{"US", "CA", "GB", "DE", "PL", "AU"} {
		start := time.Now()
		var queries []carrier.Query
		for i, ac := range phone.AreaCodes(country, "") {
			if (country == "GB" || country == "DE") && i%7 != 0 {
				continue
			}
			queries = append(queries, carrier.Query{Country: country, AreaCode: ac.Code, Limit: 5}, carrier.Query{Country: country, AreaCode: ac.Code, Prefix: "9", Limit: 5})
		}
		for _, code := range phone.TollFreeCodes(country) {
			queries = append(queries, carrier.Query{Country: country, Type: carrier.TypeTollFree, AreaCode: code, Limit: 5})
		}
		total := 0
		for _, q := range queries {
			got, err := sb.Search(ctx, q)
			if err != nil {
				t.Fatalf("Search(%+v): %v", q, err)
			}
			total += len(got)
			for _, a := range got {
				info, err := phone.Info(a.Number)
				if err != nil || info.Type != a.Type || info.AreaCode != a.AreaCode ||
					a.Type == carrier.TypeToll && (info.Country != a.Country || info.Region != a.Region) {
					t.Errorf("%+v: phone.Info = %+v, %v", a, info, err)
				}
			}
		}
		t.Logf("%s: %d numbers, %v", country, total, time.Since(start))
		if total == 0 {
			t.Errorf("%s: no numbers", country)
		}
	}
}

func TestRetryOn429(t *testing.T) {
	var hits atomic.Int32
	c := mustServe(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) <= 2 {
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		w.Write([]byte(`{"numbers": [{"number": "+16505550100"}]}`))
	}))
	got, err := c.Search(context.Background(), carrier.Query{Country: "US"})
	if err != nil || len(got) != 1 || hits.Load() != 3 {
		t.Errorf("Search = %v, %v after %d requests; want 1 number after 3", got, err, hits.Load())
	}
}
