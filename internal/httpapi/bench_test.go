package httpapi

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/store"
)

// benchNumbers is how many numbers BenchmarkAPI's account holds.
const benchNumbers = 1_000_000

// benchNumber is the i-th number of the benchmark account: +1 650 2xx xxxx.
func benchNumber(i int) string { return fmt.Sprintf("+1650%07d", 2_000_000+i) }

// benchAccount builds an account with benchNumbers unassigned numbers and
// 100 extensions, acquiring batches of store.MaxBatch from several
// goroutines at once. It runs only under -bench.
func benchAccount(b *testing.B) (*env, *tenant) {
	e := newEnv(b, Config{})
	start := time.Now()
	t := e.newTenant(b, "Bench", false, 1, 100)
	if err := e.st.SetLicenses(ctx, t.acct.ID, benchNumbers, 0); err != nil {
		b.Fatal(err)
	}
	batches := make(chan int)
	errs := make(chan error, 8)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for first := range batches {
				spec := store.AcquireSpec{EmergencyAddressID: t.eas[0].ID}
				for i := first; i < min(first+store.MaxBatch, benchNumbers); i++ {
					spec.Numbers = append(spec.Numbers, store.NewNumber{Number: benchNumber(i), Type: inventory.Toll, Country: "US", AreaCode: "650", Region: "CA", City: "Palo Alto"})
				}
				res, err := e.st.Acquire(ctx, t.acct.ID, spec, store.Actor{Name: "bench", Source: "bench"}, store.BatchOptions{})
				if err == nil {
					if ok, _, failed := res.Counts(); failed > 0 {
						err = fmt.Errorf("acquire: %d ok, %d failed: %+v", ok, failed, res.Outcomes[0])
					}
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for i := 0; i < benchNumbers; i += store.MaxBatch {
		select {
		case batches <- i:
		case err := <-errs:
			b.Fatal(err)
		}
	}
	close(batches)
	wg.Wait()
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
	b.Logf("built an account of %d numbers in %.1fs", benchNumbers, time.Since(start).Seconds())
	return e, t
}

// BenchmarkAPI measures, through real HTTP against an account of 1,000,000
// numbers, the latency of listing a page of 100 unassigned numbers (the
// first page, and pages at random cursors) and of one assign. It reports
// p50 and p99 in milliseconds.
func BenchmarkAPI(b *testing.B) {
	e, t := benchAccount(b)
	client := e.srv.Client()
	get := func(b *testing.B, path, body string) {
		method := "GET"
		var rd io.Reader
		if body != "" {
			method, rd = "POST", strings.NewReader(body)
		}
		req, _ := http.NewRequest(method, e.srv.URL+path, rd)
		req.Header.Set("Authorization", "Bearer "+t.admin)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.Fatalf("%s %s: %d", method, path, res.StatusCode)
		}
	}
	measure := func(b *testing.B, op func(i int) (path, body string)) {
		lat := make([]time.Duration, 0, b.N)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			path, body := op(i)
			start := time.Now()
			get(b, path, body)
			lat = append(lat, time.Since(start))
		}
		b.StopTimer()
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		ms := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) / 1000 }
		b.ReportMetric(ms(0.50), "p50-ms")
		b.ReportMetric(ms(0.99), "p99-ms")
	}
	const unassignedRank = 3_000_000_000_000_000 // the store's status index score of unassigned
	b.Run("list-first-page", func(b *testing.B) {
		measure(b, func(int) (string, string) { return "/v1/numbers?status=unassigned&limit=100", "" })
	})
	b.Run("list-random-page", func(b *testing.B) {
		measure(b, func(int) (string, string) {
			digits, _ := strconv.ParseInt(benchNumber(rand.IntN(benchNumbers - 100))[1:], 10, 64)
			return "/v1/numbers?status=unassigned&limit=100&cursor=" + encodeCursor(strconv.FormatInt(unassignedRank+digits, 10)), ""
		})
	})
	next := benchNumbers - 1 // assign from the top, one number per op
	b.Run("assign", func(b *testing.B) {
		measure(b, func(int) (string, string) {
			n := benchNumber(next)
			next--
			ext := t.exts[next%len(t.exts)].ExtensionNumber
			return "/v1/numbers/%2B" + n[1:] + "/assign", `{"extension_number":"` + ext + `"}`
		})
	})
}
