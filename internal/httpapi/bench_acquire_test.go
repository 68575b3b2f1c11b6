package httpapi

import (
	"net/http"
	"sort"
	"testing"
	"time"

	"github.com/numberdesk/numberdesk/internal/store"
)

// BenchmarkSearch measures number searches through the API against the
// sandbox carrier over HTTP (each a different query, so nothing is
// cached), and prints p50 and p99.
func BenchmarkSearch(b *testing.B) {
	e := newEnv(b, Config{})
	a := e.newTenant(b, "Bench", false, 1, 0)
	queries := []SearchRequest{
		{State: "CA", Limit: 100},
		{AreaCode: "512", Limit: 100},
		{AreaCode: "650", Prefix: "YKI", Limit: 100},
		{State: "TX", City: "Austin", Sequential: true, Limit: 100},
		{AreaCode: "415", Consecutive: 5, Limit: 100},
		{Type: "toll_free", Prefix: "FLOWER", Limit: 20},
		{Country: "GB", AreaCode: "20", Limit: 100},
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		q := queries[i%len(queries)]
		q.Limit -= (i / len(queries)) % 10 // another query each round
		start := time.Now()
		r := e.do(b, "POST", "/v1/numbers/search", a.viewer, q)
		lat = append(lat, time.Since(start))
		if r.status != http.StatusOK {
			b.Fatalf("search %+v: %d %s", q, r.status, r.body)
		}
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	ms := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(ms(0.50), "p50-ms")
	b.ReportMetric(ms(0.99), "p99-ms")
}

// BenchmarkOrder1000 orders 1,000 numbers end to end: the search that finds
// them, POST /v1/orders (licences held), the order:place job buying them
// from the sandbox over HTTP and bringing them into the inventory.
func BenchmarkOrder1000(b *testing.B) {
	e := newEnv(b, Config{})
	a := e.newTenant(b, "Bench", false, 1, 0)
	if err := e.st.SetLicenses(ctx, a.acct.ID, int64(1000*b.N), 0); err != nil {
		b.Fatal(err)
	}
	var total time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		found := numbersOf(e.search(b, a.admin, SearchRequest{AreaCode: "512", Limit: 1000}))
		r := e.do(b, "POST", "/v1/orders", a.admin, CreateOrderRequest{Numbers: found, EmergencyAddressID: a.eas[0].ID})
		r.want(b, http.StatusAccepted, "")
		var o store.Order
		r.decode(b, &o)
		e.runOrders(b)
		total += time.Since(start)
		o, err := e.st.Order(ctx, a.acct.ID, o.ID)
		if err != nil || o.Status != store.OrderCompleted || o.Acquired != 1000 {
			b.Fatalf("order %v %s acquired %d", err, o.Status, o.Acquired)
		}
		e.queue.mu.Lock()
		e.queue.tasks = nil
		e.queue.mu.Unlock()
	}
	b.ReportMetric(total.Seconds()/float64(b.N), "s/order")
	b.ReportMetric(1000*float64(b.N)/total.Seconds(), "numbers/s")
}
