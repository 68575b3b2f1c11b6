package store

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/numberdesk/numberdesk/internal/inventory"
)

func outcomeList(r BatchResult) []inventory.Outcome {
	var out []inventory.Outcome
	for _, o := range r.Outcomes {
		out = append(out, o.Outcome)
	}
	return out
}

func TestBatchReplayChangesNothing(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		f := mustAccount(t, s, false, 10, 0)
		f.mustExt(t, "1001", 0)
		f.mustExt(t, "1002", 0)
		f.mustAcquire(t, 0, inventory.Toll, num(1), num(2), num(3))
		rows := []Row{
			{Number: num(1), Action: inventory.ActionAssign, Extension: ExtensionRef{Number: "1001"}},
			{Number: num(2), Action: inventory.ActionAssign, Extension: ExtensionRef{Number: "1002"}},
			{Number: num(2), Action: inventory.ActionReassign, Extension: ExtensionRef{Number: "1001"}},
			{Number: num(3), Action: inventory.ActionDelete},
			{Number: num(9), Action: inventory.ActionAssign, Extension: ExtensionRef{Number: "1001"}},
			{Number: num(1), Action: inventory.ActionAssign, Extension: ExtensionRef{Number: "1001"}},
		}
		opt := BatchOptions{MarkerID: "imp1:0", ImportID: "imp1"}
		first, err := s.Apply(ctx, f.acct.ID, rows, testActor, opt)
		if err != nil {
			t.Fatal(err)
		}
		want := []inventory.Outcome{"ok", "ok", "ok", "ok", "number_not_found", "unchanged"}
		if diff := cmp.Diff(want, outcomeList(first)); diff != "" {
			t.Fatalf("outcomes (-want +got):\n%s", diff)
		}
		before, _ := s.Account(ctx, f.acct.ID)
		audit1, _, _ := s.AuditLog(ctx, f.acct.ID, 1000, "")
		// A worker that crashed after the step runs the batch again.
		again, err := s.Apply(ctx, f.acct.ID, rows, testActor, opt)
		if err != nil {
			t.Fatal(err)
		}
		if !again.Replayed || first.Replayed {
			t.Errorf("replayed flags: first %v, again %v", first.Replayed, again.Replayed)
		}
		if diff := cmp.Diff(first.Outcomes, again.Outcomes); diff != "" {
			t.Errorf("replayed outcomes differ (-first +again):\n%s", diff)
		}
		after, _ := s.Account(ctx, f.acct.ID)
		if diff := cmp.Diff(before, after); diff != "" {
			t.Errorf("replay changed the account:\n%s", diff)
		}
		audit2, _, _ := s.AuditLog(ctx, f.acct.ID, 1000, "")
		if len(audit1) != len(audit2) {
			t.Errorf("replay wrote audit entries: %d then %d", len(audit1), len(audit2))
		}
		prog, _ := s.Redis().HGetAll(ctx, ImportKey(f.acct.ID, "imp1")).Result()
		wantProg := map[string]string{"rows_done": "6", "rows_ok": "4", "rows_unchanged": "1", "rows_failed": "1"}
		if diff := cmp.Diff(wantProg, prog); diff != "" {
			t.Errorf("progress counted twice or wrong (-want +got):\n%s", diff)
		}
		// Number 2 went 1002 -> 1001 within the batch; its chain has both.
		entries, _ := s.Audit(ctx, f.acct.ID, num(2), 10)
		var acts []string
		for _, e := range entries {
			acts = append(acts, e.Action)
		}
		if diff := cmp.Diff([]string{"reassign", "assign", "acquire"}, acts); diff != "" {
			t.Errorf("chain within one entry (-want +got):\n%s", diff)
		}
	})
}

func TestDryRunChangesNothing(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		f := mustAccount(t, s, false, 10, 0)
		f.mustExt(t, "1001", 0)
		f.mustAcquire(t, 0, inventory.Toll, num(1), num(2))
		before, _ := s.Account(ctx, f.acct.ID)
		rows := []Row{
			{Number: num(1), Action: inventory.ActionAssign, Extension: ExtensionRef{Number: "1001"}},
			{Number: num(1), Action: inventory.ActionUnassign},
			{Number: num(2), Action: inventory.ActionDelete},
			{Number: num(2), Action: inventory.ActionDelete},
		}
		res, err := s.Apply(ctx, f.acct.ID, rows, testActor, BatchOptions{DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		want := []inventory.Outcome{"ok", "ok", "ok", "number_not_found"}
		if diff := cmp.Diff(want, outcomeList(res)); diff != "" {
			t.Errorf("dry-run outcomes (-want +got):\n%s", diff)
		}
		after, _ := s.Account(ctx, f.acct.ID)
		if diff := cmp.Diff(before, after); diff != "" {
			t.Errorf("dry run changed the account:\n%s", diff)
		}
		if owner, _ := s.Owner(ctx, num(2)); owner != f.acct.ID {
			t.Errorf("dry-run delete released the claim: owner %q", owner)
		}
	})
}

func TestFullBatch(t *testing.T) {
	s := newStore(t)
	f := mustAccount(t, s, false, MaxBatch, 0)
	var nums []string
	for i := 0; i < MaxBatch; i++ {
		nums = append(nums, num(i))
	}
	f.mustAcquire(t, 0, inventory.Toll, nums...)
	exts := make([]inventory.Extension, 300)
	for i := range exts {
		exts[i] = inventory.Extension{Type: inventory.ExtCallQueue, Name: fmt.Sprintf("Queue %d", i)}
	}
	created, _, err := s.CreateExtensions(ctx, f.acct.ID, exts, BatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rows := make([]Row, MaxBatch)
	for i := range rows {
		rows[i] = Row{Number: nums[i], Action: inventory.ActionAssign, Extension: ExtensionRef{Number: created[i%300].Extension.ExtensionNumber}}
	}
	res, err := s.Apply(ctx, f.acct.ID, rows, testActor, BatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ok, _, failed := res.Counts(); ok != MaxBatch || failed != 0 {
		t.Fatalf("ok %d failed %d", ok, failed)
	}
	got, err := s.ExtensionNumbers(ctx, f.acct.ID, created[0].Extension.ID)
	if err != nil || len(got) != 4 {
		t.Errorf("extension 0 holds %v (%v), want 4 numbers", got, err)
	}
	if _, err := s.Apply(ctx, f.acct.ID, make([]Row, MaxBatch+1), testActor, BatchOptions{}); err == nil {
		t.Error("a batch over MaxBatch must be refused")
	}
}

func TestManyNumbersOnOneExtension(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		f := mustAccount(t, s, false, 2000, 0)
		q := f.mustExt(t, "1001", 0)
		var nums []string
		for i := 0; i < 1500; i++ {
			nums = append(nums, fmt.Sprintf("+1650777%04d", i))
		}
		for i := 0; i < len(nums); i += MaxBatch {
			f.mustAcquire(t, 0, inventory.Toll, nums[i:min(i+MaxBatch, len(nums))]...)
		}
		var rows []Row
		for _, n := range nums[:1000] {
			rows = append(rows, Row{Number: n, Action: inventory.ActionAssign, Extension: ExtensionRef{Number: "1001"}})
		}
		if _, err := s.Apply(ctx, f.acct.ID, rows, testActor, BatchOptions{}); err != nil {
			t.Fatal(err)
		}
		// One batch: unassign 500, assign 500 more, and assign then unassign one number.
		rows = rows[:0]
		for _, n := range nums[:500] {
			rows = append(rows, Row{Number: n, Action: inventory.ActionUnassign})
		}
		for _, n := range nums[1000:1499] {
			rows = append(rows, Row{Number: n, Action: inventory.ActionAssign, Extension: ExtensionRef{ID: q.ID}})
		}
		rows = append(rows, Row{Number: nums[1499], Action: inventory.ActionAssign, Extension: ExtensionRef{ID: q.ID}})
		if len(rows) != MaxBatch {
			t.Fatalf("%d rows", len(rows))
		}
		res, err := s.Apply(ctx, f.acct.ID, rows, testActor, BatchOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if ok, _, failed := res.Counts(); ok != MaxBatch || failed != 0 {
			t.Fatalf("ok %d failed %d", ok, failed)
		}
		res, err = s.Apply(ctx, f.acct.ID, []Row{{Number: nums[1499], Action: inventory.ActionUnassign}, {Number: nums[1499], Action: inventory.ActionAssign, Extension: ExtensionRef{Number: "1001"}}, {Number: nums[1499], Action: inventory.ActionUnassign}}, testActor, BatchOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]inventory.Outcome{"ok", "ok", "ok"}, outcomeList(res)); diff != "" {
			t.Errorf("unassign, assign, unassign in one batch (-want +got):\n%s", diff)
		}
		got, err := s.ExtensionNumbers(ctx, f.acct.ID, q.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := append([]string{}, nums[500:1499]...)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("links (-want +got):\n%s", diff)
		}
	})
}
