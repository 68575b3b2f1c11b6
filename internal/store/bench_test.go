package store

import (
	"fmt"
	"testing"
	"time"

	"github.com/numberdesk/numberdesk/internal/inventory"
)

// benchAccount loads n unassigned numbers and m extensions into a fresh
// account of the private redis-server.
func benchAccount(b *testing.B, n, m int) (*fixture, []string, []string) {
	b.Helper()
	s := newStore(b)
	f := mustAccount(b, s, false, int64(n), 0)
	nums := make([]string, n)
	for i := range nums {
		nums[i] = fmt.Sprintf("+1650%07d", 2000000+i)
	}
	for i := 0; i < n; i += MaxBatch {
		f.mustAcquire(b, 0, inventory.Toll, nums[i:min(i+MaxBatch, n)]...)
	}
	var extNos []string
	for i := 0; i < m; i += MaxBatch {
		exts := make([]inventory.Extension, min(MaxBatch, m-i))
		for j := range exts {
			exts[j] = inventory.Extension{Type: inventory.ExtCommonArea, Name: fmt.Sprintf("Phone %d", i+j)}
		}
		res, _, err := s.CreateExtensions(ctx, f.acct.ID, exts, BatchOptions{})
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range res {
			extNos = append(extNos, r.Extension.ExtensionNumber)
		}
	}
	return f, nums, extNos
}

// BenchmarkApplyBatch measures the batch step the importer uses: 1,000
// assign rows in one atomic step, on an account of 200,000 numbers, with
// each row to a different one of 20,000 extensions, and with every row to
// one of ten extensions (which then hold tens of thousands of numbers).
func BenchmarkApplyBatch(b *testing.B) {
	b.Run("20000-extensions", func(b *testing.B) { benchApplyBatch(b, 20_000) })
	b.Run("10-extensions", func(b *testing.B) { benchApplyBatch(b, 10) })
}

func benchApplyBatch(b *testing.B, nexts int) {
	f, nums, exts := benchAccount(b, 200_000, nexts)
	rows := make([]Row, MaxBatch)
	next := 0
	var busy time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if next+MaxBatch > len(nums) {
			b.StopTimer()
			for j := 0; j < len(nums); j += MaxBatch {
				for k := range rows {
					rows[k] = Row{Number: nums[j+k], Action: inventory.ActionUnassign}
				}
				if _, err := f.s.Apply(ctx, f.acct.ID, rows, testActor, BatchOptions{}); err != nil {
					b.Fatal(err)
				}
			}
			next = 0
			b.StartTimer()
		}
		for k := range rows {
			rows[k] = Row{Number: nums[next+k], Action: inventory.ActionAssign, Extension: ExtensionRef{Number: exts[(next+k)%len(exts)]}}
		}
		start := time.Now()
		res, err := f.s.Apply(ctx, f.acct.ID, rows, testActor, BatchOptions{MarkerID: fmt.Sprint("bench:", i), ImportID: "bench"})
		busy += time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		if ok, _, _ := res.Counts(); ok != MaxBatch {
			b.Fatalf("ok %d of %d: %+v", ok, MaxBatch, res.Outcomes[0])
		}
		next += MaxBatch
	}
	b.ReportMetric(float64(b.N*MaxBatch)/busy.Seconds(), "rows/s")
}

// BenchmarkAssignSingle measures one assign through the store, as the API
// does it.
func BenchmarkAssignSingle(b *testing.B) {
	f, nums, exts := benchAccount(b, 20_000, 100)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		n := nums[i%len(nums)]
		action := inventory.ActionAssign
		if (i/len(nums))%2 == 1 {
			action = inventory.ActionUnassign
		}
		res, err := f.s.Apply(ctx, f.acct.ID, []Row{{Number: n, Action: action, Extension: ExtensionRef{Number: exts[i%len(exts)]}}}, testActor, BatchOptions{})
		if err != nil || res.Outcomes[0].Outcome != inventory.OutcomeOK {
			b.Fatalf("%v %+v", err, res)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "ops/s")
}
