package fees_test

import (
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/numberdesk/numberdesk/internal/fees"
)

// benchInterval is an interval ready to Add, so the benchmark measures the
// accumulator and not the parsing of times.
type benchInterval struct {
	number, country string
	start, end      time.Time
}

// benchIntervals returns n intervals around March 2026: n/2 numbers with two
// intervals each, a third of them open, spread over six countries.
func benchIntervals(n int) []benchInterval {
	countries := []string{"US", "CA", "GB", "DE", "PL", "AU"}
	base := time.Date(2026, 2, 10, 0, 0, 0, 0, time.UTC)
	ivs := make([]benchInterval, n)
	for i := range ivs {
		k := i / 2
		start := base.Add(time.Duration(i%(70*24)) * time.Hour)
		var end time.Time
		if i%3 != 0 {
			end = start.Add(time.Duration(i%(40*24)) * time.Hour)
		}
		ivs[i] = benchInterval{"+1650" + strconv.Itoa(2000000+k), countries[k%len(countries)], start, end}
	}
	return ivs
}

// BenchmarkAccumulator adds 1,000,000 intervals per operation, in one
// accumulator and split between four goroutines then merged.
func BenchmarkAccumulator(b *testing.B) {
	const n = 1_000_000
	ivs := benchIntervals(n)
	m, _ := fees.ParseMonth("2026-03")
	asOf := time.Date(2026, 3, 20, 6, 0, 0, 0, time.UTC)

	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		var st fees.Statement
		runs := 0
		for b.Loop() {
			a := fees.NewAccumulator(m, asOf)
			for _, iv := range ivs {
				a.Add(iv.number, iv.country, iv.start, iv.end)
			}
			var err error
			if st, err = a.Statement(fees.DefaultSchedule()); err != nil {
				b.Fatal(err)
			}
			runs++
		}
		b.ReportMetric(float64(runs*n)/b.Elapsed().Seconds(), "intervals/s")

		// Heap held by a full accumulator, per distinct reserved number.
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		a := fees.NewAccumulator(m, asOf)
		for _, iv := range ivs {
			a.Add(iv.number, iv.country, iv.start, iv.end)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(a)
		var numbers int64
		for _, l := range st.Countries {
			numbers += l.ReservedNumbers
		}
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(numbers), "heap-B/number")
	})

	b.Run("4 goroutines+merge", func(b *testing.B) {
		b.ReportAllocs()
		const workers = 4
		runs := 0
		for b.Loop() {
			parts := make([]*fees.Accumulator, workers)
			var wg sync.WaitGroup
			for p := range parts {
				parts[p] = fees.NewAccumulator(m, asOf)
				wg.Go(func() {
					for _, iv := range ivs[p*n/workers : (p+1)*n/workers] {
						parts[p].Add(iv.number, iv.country, iv.start, iv.end)
					}
				})
			}
			wg.Wait()
			for _, p := range parts[1:] {
				if err := parts[0].Merge(p); err != nil {
					b.Fatal(err)
				}
			}
			if _, err := parts[0].Statement(fees.DefaultSchedule()); err != nil {
				b.Fatal(err)
			}
			runs++
		}
		b.ReportMetric(float64(runs*n)/b.Elapsed().Seconds(), "intervals/s")
	})
}
