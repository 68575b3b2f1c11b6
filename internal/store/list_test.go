package store

import (
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/numberdesk/numberdesk/internal/inventory"
)

func TestListNumbersPages(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		f := mustAccount(t, s, true, 100, 10)
		f.mustExt(t, "1001", 0)
		var want []string
		for i := 0; i < 25; i++ {
			f.mustAcquire(t, i%2, inventory.Toll, num(i))
			want = append(want, num(i))
		}
		f.mustAcquire(t, 0, inventory.TollFree, "+18005550100")
		if err := s.Assign(ctx, f.acct.ID, num(4), ExtensionRef{Number: "1001"}, testActor); err != nil {
			t.Fatal(err)
		}
		list := func(fl NumberFilter) []string { return listAll(t, s, f.acct.ID, fl) }
		unassigned := append(append([]string{}, want[:4]...), want[5:]...)
		unassigned = append(unassigned, "+18005550100")
		if diff := cmp.Diff(unassigned, list(NumberFilter{Status: inventory.StatusUnassigned, Limit: 7})); diff != "" {
			t.Errorf("unassigned pages (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{num(4)}, list(NumberFilter{Status: inventory.StatusAssigned})); diff != "" {
			t.Errorf("assigned (-want +got):\n%s", diff)
		}
		var site1 []string
		for i := 1; i < 25; i += 2 {
			site1 = append(site1, num(i))
		}
		if diff := cmp.Diff(site1, list(NumberFilter{SiteID: f.sites[1].ID, Limit: 5})); diff != "" {
			t.Errorf("site filter (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"+18005550100"}, list(NumberFilter{Type: inventory.TollFree})); diff != "" {
			t.Errorf("type filter (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{num(12)}, list(NumberFilter{Q: "5550012"})); diff != "" {
			t.Errorf("q filter (-want +got):\n%s", diff)
		}
		for _, bad := range []NumberFilter{{Status: "lost"}, {Type: "mobile"}, {Q: "abc"}, {Limit: 5000}, {Cursor: "xyz"}, {Status: inventory.StatusAssigned, Cursor: "1000"}} {
			if _, _, err := s.ListNumbers(ctx, f.acct.ID, bad); inventory.ErrorCode(err) != inventory.CodeInvalidField {
				t.Errorf("filter %+v: %v, want invalid_field", bad, err)
			}
		}
	})
}

func TestExtensions(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		f := mustAccount(t, s, false, 1, 0)
		rows := []inventory.Extension{
			{Type: inventory.ExtUser, Name: "Anna Nowak", Email: "Anna@Example.com"},
			{ExtensionNumber: "1001", Type: inventory.ExtCallQueue, Name: "Sales"},
			{Type: "Auto Receptionist", Name: "Main Menu"},
			{ExtensionNumber: "1001", Type: inventory.ExtRoom, Name: "Room"},
			{Type: inventory.ExtUser, Name: "Anna Again", Email: "anna@example.com"},
			{Type: "robot", Name: "R2"},
			{Type: inventory.ExtUser, Name: "No Mail"},
			{ExtensionNumber: "12a", Type: inventory.ExtRoom, Name: "Bad"},
			{Type: inventory.ExtCommonArea, Name: "Lobby", SiteID: "site_1"},
		}
		res, _, err := s.CreateExtensions(ctx, f.acct.ID, rows, BatchOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range res {
			if r.Err != nil {
				got = append(got, string(inventory.ErrorCode(r.Err)))
			} else {
				got = append(got, r.Extension.ExtensionNumber)
			}
		}
		// 1001 is taken by row 2 before row 1's allocation runs? No: rows
		// apply in order, so row 1 gets 1001 and row 2's explicit 1001 fails.
		want := []string{"1001", "extension_exists", "1002", "extension_exists", "extension_exists", "invalid_field", "missing_field", "invalid_field", "invalid_field"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("outcomes (-want +got):\n%s", diff)
		}
		search := func(q string) []string {
			exts, _, err := s.SearchExtensions(ctx, f.acct.ID, q, 10, "")
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, e := range exts {
				names = append(names, e.Name)
			}
			return names
		}
		for q, want := range map[string][]string{
			"ann": {"Anna Nowak"}, "NOWAK": {"Anna Nowak"}, "anna@": {"Anna Nowak"}, "100": {"Anna Nowak", "Main Menu"},
			"main": {"Main Menu"}, "menu": {"Main Menu"}, "zzz": nil, "": {"Anna Nowak", "Main Menu"},
		} {
			if diff := cmp.Diff(want, search(q)); diff != "" {
				t.Errorf("search %q (-want +got):\n%s", q, diff)
			}
		}
		e, err := s.ExtensionByNumber(ctx, f.acct.ID, "1002")
		if err != nil || e.Type != inventory.ExtAutoReceptionist {
			t.Errorf("by number: %+v %v", e, err)
		}
		if _, err := s.Extension(ctx, f.acct.ID, "ext_99"); inventory.ErrorCode(err) != inventory.CodeExtensionNotFound {
			t.Errorf("missing extension: %v", err)
		}
		// Paging through all extensions.
		page, next, _ := s.SearchExtensions(ctx, f.acct.ID, "", 1, "")
		page2, next2, _ := s.SearchExtensions(ctx, f.acct.ID, "", 1, next)
		if len(page) != 1 || len(page2) != 1 || page[0].ID == page2[0].ID || next == "" {
			t.Errorf("pages %v %v next %q %q", page, page2, next, next2)
		}
	})
}

func TestAuditLogPages(t *testing.T) {
	s := newStore(t)
	f := mustAccount(t, s, false, 10, 0)
	for i := 0; i < 5; i++ {
		f.mustAcquire(t, 0, inventory.Toll, num(2*i), num(2*i+1))
	}
	var all []string
	cursor := ""
	for {
		page, next, err := s.AuditLog(ctx, f.acct.ID, 3, cursor)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page {
			all = append(all, e.Number)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	var want []string
	for i := 9; i >= 0; i-- {
		want = append(want, num(i))
	}
	if diff := cmp.Diff(want, all); diff != "" {
		t.Errorf("audit log newest first (-want +got):\n%s", diff)
	}
}

func TestSearchExtensionsPagesWithoutRepeats(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		f := mustAccount(t, s, false, 1, 0)
		for _, e := range []inventory.Extension{
			{Type: inventory.ExtUser, Name: "Ann Lee", Email: "ann@example.com"},
			{Type: inventory.ExtUser, Name: "Anna Bell", Email: "anna.bell@example.com"},
			{Type: inventory.ExtUser, Name: "Łukasz Annański", Email: "lukasz@example.com"},
			{Type: inventory.ExtRoom, Name: "Board room"},
		} {
			if _, err := s.CreateExtension(ctx, f.acct.ID, e); err != nil {
				t.Fatal(err)
			}
		}
		for q, want := range map[string][]string{"ann": {"Ann Lee", "Anna Bell", "Łukasz Annański"}, "ŁUK": {"Łukasz Annański"}, "board": {"Board room"}} {
			var got []string
			cursor := ""
			for page := 0; page < 20; page++ {
				exts, next, err := s.SearchExtensions(ctx, f.acct.ID, q, 1, cursor)
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range exts {
					got = append(got, e.Name)
				}
				if next == "" {
					break
				}
				cursor = next
			}
			sort.Strings(got)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("q %q one per page (-want +got):\n%s", q, diff)
			}
		}
		if _, _, err := s.AuditLog(ctx, f.acct.ID, 10, "garbage.1"); inventory.ErrorCode(err) != inventory.CodeInvalidField {
			t.Errorf("bad audit cursor: %v", err)
		}
	})
}

// Assigned and unassigned numbers share one range of the status index, in
// number order; pages of either status and the account's counts must
// still be exact.
func TestActiveNumbersPagesAndCounts(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		f := mustAccount(t, s, false, 30, 0)
		f.mustExt(t, "1001", 0)
		var all, assigned, unassigned []string
		for i := 0; i < 30; i++ {
			f.mustAcquire(t, 0, inventory.Toll, num(i))
			all = append(all, num(i))
		}
		for i := 0; i < 30; i++ {
			if i%3 == 1 {
				if err := s.Assign(ctx, f.acct.ID, num(i), ExtensionRef{Number: "1001"}, testActor); err != nil {
					t.Fatal(err)
				}
				assigned = append(assigned, num(i))
			} else {
				unassigned = append(unassigned, num(i))
			}
		}
		list := func(fl NumberFilter) []string { return listAll(t, s, f.acct.ID, fl) }
		for _, limit := range []int{1, 3, 4, 100} {
			if diff := cmp.Diff(assigned, list(NumberFilter{Status: inventory.StatusAssigned, Limit: limit})); diff != "" {
				t.Errorf("assigned, limit %d (-want +got):\n%s", limit, diff)
			}
			if diff := cmp.Diff(unassigned, list(NumberFilter{Status: inventory.StatusUnassigned, Limit: limit})); diff != "" {
				t.Errorf("unassigned, limit %d (-want +got):\n%s", limit, diff)
			}
		}
		if diff := cmp.Diff(all, list(NumberFilter{Limit: 7})); diff != "" {
			t.Errorf("all numbers (-want +got):\n%s", diff)
		}
		counts := func() inventory.Counts {
			a, err := s.Account(ctx, f.acct.ID)
			if err != nil {
				t.Fatal(err)
			}
			return a.Numbers
		}
		if got := counts(); got != (inventory.Counts{Assigned: 10, Unassigned: 20}) {
			t.Errorf("counts %+v, want 10 assigned, 20 unassigned", got)
		}
		if err := s.Unassign(ctx, f.acct.ID, num(1), testActor); err != nil {
			t.Fatal(err)
		}
		if err := s.Delete(ctx, f.acct.ID, num(0), testActor); err != nil {
			t.Fatal(err)
		}
		if got := counts(); got != (inventory.Counts{Assigned: 9, Unassigned: 20}) {
			t.Errorf("counts after an unassign and a delete %+v, want 9 assigned, 20 unassigned", got)
		}
	})
}

// listAll follows a listing's pages to the end and returns its numbers,
// checking that each has the status filtered for.
func listAll(t *testing.T, s *Store, accountID string, fl NumberFilter) []string {
	t.Helper()
	var got []string
	for pages := 0; pages < 100; pages++ {
		page, next, err := s.ListNumbers(ctx, accountID, fl)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range page {
			if fl.Status != "" && n.Status != fl.Status {
				t.Errorf("%s listed as %s has status %s", n.Number, fl.Status, n.Status)
			}
			got = append(got, n.Number)
		}
		if next == "" {
			return got
		}
		fl.Cursor = next
	}
	t.Fatal("listing does not end")
	return nil
}
