package store

import (
	"fmt"
	"sync"
	"testing"

	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/redistest"
	"github.com/redis/go-redis/v9"
)

// A batch step plans from a snapshot and commits only if nothing it read
// has changed. These tests change the state between the plan and the
// commit, and race stores that do not share the in-process turns (as
// worker processes do not).

// watchFirst hides that a client is a *redis.Client, so that the store
// sends WATCH on its own, as it does with a Cluster client.
type watchFirst struct{ *redis.Client }

func TestApplyPlansAgainWhenTheNumberChanges(t *testing.T) {
	t.Run("watch-first", func(t *testing.T) {
		testPlansAgain(t, New(watchFirst{redistest.Client(t)}))
	})
	backends(t, testPlansAgain)
}

func testPlansAgain(t *testing.T, s *Store) {
	f := mustAccount(t, s, false, 10, 0)
	a, b := f.mustExt(t, "201", 0), f.mustExt(t, "202", 0)
	n := num(1)
	f.mustAcquire(t, 0, inventory.Toll, n)

	other := New(s.rdb) // another process
	plans := 0
	s.beforeCommit = func() {
		plans++
		if plans == 1 {
			if err := other.Assign(ctx, f.acct.ID, n, ExtensionRef{ID: b.ID}, Actor{Name: "other", Source: "test"}); err != nil {
				t.Fatalf("other assign: %v", err)
			}
		}
	}
	res, err := s.Apply(ctx, f.acct.ID, []Row{{Number: n, Action: inventory.ActionAssign, Extension: ExtensionRef{ID: a.ID}}}, testActor, BatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if plans != 2 || res.Attempts != 2 {
		t.Errorf("planned %d times, Attempts %d; want 2 (the first commit must be refused)", plans, res.Attempts)
	}
	if o := res.Outcomes[0]; o.Outcome != inventory.Outcome(inventory.CodeAlreadyAssigned) || o.Message != "the number is assigned to extension 202" {
		t.Errorf("outcome %+v, want already_assigned to 202 (the state at commit)", o)
	}
	if got := assignee(f.number(t, n)); got != b.ID {
		t.Errorf("assignee %q, want %q", got, b.ID)
	}
	hist, err := s.Audit(ctx, f.acct.ID, n, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hist {
		if h.After != nil && h.After.ExtensionID == a.ID {
			t.Errorf("history records the refused assignment: %+v", h)
		}
	}
	if len(hist) == 0 || hist[0].Actor != "other" {
		t.Errorf("newest history entry %+v, want other's assignment", hist)
	}
}

func TestApplyGivesUpWithConflictAndWritesNothing(t *testing.T) {
	s := newStore(t)
	f := mustAccount(t, s, false, 10, 0)
	e := f.mustExt(t, "201", 0)
	f.mustAcquire(t, 0, inventory.Toll, num(1), num(2))
	other := New(s.rdb)
	flip := false
	s.beforeCommit = func() {
		// Another process keeps changing a different number of the
		// account: the commit watches the whole inventory.
		var err error
		if flip = !flip; flip {
			err = other.Assign(ctx, f.acct.ID, num(2), ExtensionRef{ID: e.ID}, testActor)
		} else {
			err = other.Unassign(ctx, f.acct.ID, num(2), testActor)
		}
		if err != nil {
			t.Fatalf("other: %v", err)
		}
	}
	_, err := s.Apply(ctx, f.acct.ID, []Row{{Number: num(1), Action: inventory.ActionAssign, Extension: ExtensionRef{ID: e.ID}}},
		testActor, BatchOptions{MarkerID: "m1", ImportID: "imp1"})
	if inventory.ErrorCode(err) != inventory.CodeConflict {
		t.Fatalf("err %v, want conflict", err)
	}
	if got := f.number(t, num(1)); got.Status != inventory.StatusUnassigned {
		t.Errorf("%s is %s after a refused batch", num(1), got.Status)
	}
	k := accountKeys(f.acct.ID)
	if n, _ := s.rdb.Exists(ctx, k.batch("m1"), ImportKey(f.acct.ID, "imp1")).Result(); n != 0 {
		t.Errorf("a refused batch wrote its marker or progress (%d keys)", n)
	}
}

func TestStoresRaceOverTheSameNumbers(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		const nstores, nnums = 4, 300
		f := mustAccount(t, s, false, nnums, 0)
		var nums []string
		for i := 0; i < nnums; i++ {
			nums = append(nums, num(i))
		}
		f.mustAcquire(t, 0, inventory.Toll, nums...)
		exts := make([]inventory.Extension, nstores)
		for i := range exts {
			exts[i] = f.mustExt(t, fmt.Sprint(300+i), 0)
		}
		results := make([]BatchResult, nstores)
		var wg sync.WaitGroup
		for i := 0; i < nstores; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				st := New(s.rdb) // its own process: no shared turns
				if c, ok := s.rdb.(*redis.Client); ok && i%2 == 1 {
					st = New(watchFirst{c}) // as with a Cluster client
				}
				rows := make([]Row, nnums)
				for j, n := range nums {
					rows[j] = Row{Number: n, Action: inventory.ActionAssign, Extension: ExtensionRef{Number: exts[i].ExtensionNumber}}
				}
				// Two halves, so that the batches interleave.
				for h := 0; h < 2; h++ {
					res, err := st.Apply(ctx, f.acct.ID, rows[h*nnums/2:(h+1)*nnums/2], Actor{Name: fmt.Sprint("store", i), Source: "test"}, BatchOptions{})
					if err != nil {
						t.Errorf("store %d: %v", i, err)
						return
					}
					results[i].Outcomes = append(results[i].Outcomes, res.Outcomes...)
				}
			}(i)
		}
		wg.Wait()
		if t.Failed() {
			return
		}
		for j, n := range nums {
			winner := -1
			for i := range results {
				switch o := results[i].Outcomes[j].Outcome; o {
				case inventory.OutcomeOK:
					if winner >= 0 {
						t.Fatalf("%s: stores %d and %d both assigned it", n, winner, i)
					}
					winner = i
				case inventory.Outcome(inventory.CodeAlreadyAssigned):
				default:
					t.Fatalf("%s: store %d outcome %s", n, i, o)
				}
			}
			if winner < 0 {
				t.Fatalf("%s: no store assigned it", n)
			}
			if got := assignee(f.number(t, n)); got != exts[winner].ID {
				t.Fatalf("%s is assigned to %s, but store %d's assign was ok", n, got, winner)
			}
		}
	})
}

func TestSameBatchInTwoProcessesAppliesOnce(t *testing.T) {
	s := newStore(t)
	f := mustAccount(t, s, false, 100, 0)
	e := f.mustExt(t, "201", 0)
	var rows []Row
	for i := 0; i < 100; i++ {
		f.mustAcquire(t, 0, inventory.Toll, num(i))
		rows = append(rows, Row{Number: num(i), Action: inventory.ActionAssign, Extension: ExtensionRef{ID: e.ID}})
	}
	// The same chunk run twice at once (a task whose lease expired while
	// its worker was still at it).
	var wg sync.WaitGroup
	res := make([]BatchResult, 2)
	for i := range res {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			var err error
			res[i], err = New(s.rdb).Apply(ctx, f.acct.ID, rows, testActor, BatchOptions{MarkerID: "imp1:0", ImportID: "imp1"})
			if err != nil {
				t.Errorf("run %d: %v", i, err)
			}
		}(i)
	}
	wg.Wait()
	if res[0].Replayed == res[1].Replayed {
		t.Fatalf("replayed %v and %v: want exactly one run applied", res[0].Replayed, res[1].Replayed)
	}
	for i := range rows {
		if res[0].Outcomes[i] != res[1].Outcomes[i] || res[0].Outcomes[i].Outcome != inventory.OutcomeOK {
			t.Fatalf("row %d: %+v and %+v", i, res[0].Outcomes[i], res[1].Outcomes[i])
		}
	}
	got, err := s.rdb.HMGet(ctx, ImportKey(f.acct.ID, "imp1"), "rows_done", "rows_ok").Result()
	if err != nil || got[0] != "100" || got[1] != "100" {
		t.Errorf("progress %v %v, want 100 rows done and ok, counted once", got, err)
	}
}

// assignee returns the id of a number's extension, "" when unassigned.
func assignee(n inventory.Number) string {
	if n.Assignee == nil {
		return ""
	}
	return n.Assignee.ExtensionID
}

func TestApplyResolvesRefsAgainWhenExtensionsChange(t *testing.T) {
	// A small batch reads its refs inside the transaction, a big one before
	// taking its turn; both must see the extension created meanwhile.
	for _, n := range []int{1, preResolveRows} {
		t.Run(fmt.Sprint(n, "-rows"), func(t *testing.T) {
			backends(t, func(t *testing.T, s *Store) { testRefsChange(t, s, n) })
		})
	}
}

func testRefsChange(t *testing.T, s *Store, n int) {
	f := mustAccount(t, s, false, int64(n), 0)
	var rows []Row
	for i := 0; i < n; i++ {
		f.mustAcquire(t, 0, inventory.Toll, num(i))
		rows = append(rows, Row{Number: num(i), Action: inventory.ActionAssign, Extension: ExtensionRef{Number: "300"}})
	}
	other := New(s.rdb)
	var created inventory.Extension
	plans := 0
	s.beforeCommit = func() {
		// The batch planned with extension 300 missing; another process
		// creates it before the commit.
		plans++
		if plans == 1 {
			var err error
			created, err = other.CreateExtension(ctx, f.acct.ID, inventory.Extension{ExtensionNumber: "300", Type: inventory.ExtCommonArea, Name: "Late"})
			if err != nil {
				t.Fatalf("create: %v", err)
			}
		}
	}
	res, err := s.Apply(ctx, f.acct.ID, rows, testActor, BatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ok, _, _ := res.Counts(); plans != 2 || ok != n {
		t.Fatalf("planned %d times, %d of %d rows ok (first %+v); want 2 plans and every row ok (the extension exists at commit)", plans, ok, n, res.Outcomes[0])
	}
	if got := assignee(f.number(t, num(0))); got != created.ID {
		t.Errorf("assignee %q, want %q", got, created.ID)
	}
}
