package store

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/redistest"
	"github.com/redis/go-redis/v9"
)

// BenchmarkFeeRun measures the monthly fee run (RunFees) of one account
// holding NUMBERDESK_BENCH_RESERVED reserved numbers (default 1,000,000),
// 1% of which were released during the month (closed intervals): the
// statement is computed from scratch each iteration (the stored one is
// deleted first, untimed). It reports the seconds of one run and the
// reserved numbers per second.
//
//	go test -run '^$' -bench FeeRun -benchtime 3x ./internal/store/
func BenchmarkFeeRun(b *testing.B) {
	n := 1_000_000
	if v := os.Getenv("NUMBERDESK_BENCH_RESERVED"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 || n > 9_000_000 {
			b.Fatalf("NUMBERDESK_BENCH_RESERVED=%q: want 1 to 9000000", v)
		}
	}
	clk := &feeClock{}
	s, acctID := feeBenchAccount(b, n, clk)
	clk.set(feeTime(2026, 4, 1, 0).Add(5 * time.Minute))
	m := mustMonth(b, "2026-03")
	key := accountKeys(acctID).fees(m)
	var busy time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		if err := s.rdb.Del(ctx, key).Err(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		t0 := time.Now()
		run, err := s.RunFees(ctx, m, nil)
		busy += time.Since(t0)
		if err != nil {
			b.Fatal(err)
		}
		if run.Written != 1 || run.Accounts[0].Statement.Totals[0].ReservedNumbers != int64(n) {
			b.Fatalf("run: %+v", run)
		}
	}
	sec := busy.Seconds() / float64(b.N)
	b.ReportMetric(sec, "s/run")
	b.ReportMetric(float64(n)/sec, "numbers/s")
}

// feeBenchCache keeps BenchmarkFeeRun's account between the benchmark's
// runs (testing calls it once with b.N = 1, then again), so the numbers
// are reserved once.
var feeBenchCache struct {
	n    int
	acct string
}

// feeBenchAccount returns a store on the test Redis (clock clk) and an
// account holding n reserved numbers, 1% of them released on 20 March
// 2026: the cached one when it is still there, else a new one.
func feeBenchAccount(b *testing.B, n int, clk *feeClock) (*Store, string) {
	b.Helper()
	if c := feeBenchCache; c.n == n {
		opt, err := redis.ParseURL(redistest.URL(b))
		if err != nil {
			b.Fatal(err)
		}
		rdb := redis.NewClient(opt)
		b.Cleanup(func() { rdb.Close() })
		s := New(rdb, WithClock(clk.now))
		if got, err := rdb.ZCount(ctx, accountKeys(c.acct).idx, "-inf", "+inf").Result(); err == nil && got == int64(n-(n+99)/100) {
			return s, c.acct
		}
	}
	clk.set(feeTime(2026, 3, 10, 9))
	s := New(redistest.Client(b), WithClock(clk.now))
	acct, err := s.CreateAccount(ctx, AccountSpec{Name: "Bench", Country: "US"})
	if err != nil {
		b.Fatal(err)
	}
	ea, err := s.CreateEmergencyAddress(ctx, acct.ID, inventory.EmergencyAddress{Street: "1 Main St", City: "Austin", State: "TX", PostalCode: "78701", Country: "US"})
	if err != nil {
		b.Fatal(err)
	}
	num := func(i int) string { return fmt.Sprintf("+1%03d%07d", 200+i/10_000_000, i%10_000_000) }

	// Reserve the numbers through the store, a few batches at once.
	start := time.Now()
	batches := make(chan int)
	var wg sync.WaitGroup
	var failed sync.Once
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for from := range batches {
				spec := AcquireSpec{Status: inventory.StatusReserved, EmergencyAddressID: ea.ID}
				for i := from; i < min(from+MaxBatch, n); i++ {
					spec.Numbers = append(spec.Numbers, NewNumber{Number: num(i), Type: inventory.Toll, Country: "US", AreaCode: num(i)[2:5]})
				}
				res, err := s.Acquire(ctx, acct.ID, spec, testActor, BatchOptions{})
				if err == nil {
					if ok, _, _ := res.Counts(); ok != len(spec.Numbers) {
						err = fmt.Errorf("%d of %d reserved: %+v", ok, len(spec.Numbers), res.Outcomes[0])
					}
				}
				if err != nil {
					failed.Do(func() { b.Error(err) })
				}
			}
		}()
	}
	for from := 0; from < n; from += MaxBatch {
		batches <- from
	}
	close(batches)
	wg.Wait()
	if b.Failed() {
		b.FailNow()
	}
	// Release 1% of them on the 20th.
	clk.set(feeTime(2026, 3, 20, 9))
	rows := make([]Row, 0, MaxBatch)
	for i := 0; i < n; i += 100 {
		rows = append(rows, Row{Number: num(i), Action: inventory.ActionDelete})
		if len(rows) == MaxBatch || i+100 >= n {
			if _, err := s.Apply(ctx, acct.ID, rows, testActor, BatchOptions{}); err != nil {
				b.Fatal(err)
			}
			rows = rows[:0]
		}
	}
	b.Logf("reserved %d numbers in %.1f s", n, time.Since(start).Seconds())
	feeBenchCache.n, feeBenchCache.acct = n, acct.ID
	return s, acct.ID

}
