package store

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/numberdesk/numberdesk/internal/inventory"
)

// setUp puts number n into the given state: "", "unassigned", "reserved",
// "porting" or "assigned" (to extension 1001).
func (f *fixture) setUp(t *testing.T, n string, typ inventory.NumberType, state string) {
	t.Helper()
	switch state {
	case "":
		return
	case "unassigned", "assigned":
		f.mustAcquire(t, 0, typ, n)
		if state == "assigned" {
			if err := f.s.Assign(ctx, f.acct.ID, n, ExtensionRef{Number: "1001"}, testActor); err != nil {
				t.Fatalf("assign: %v", err)
			}
		}
	case "reserved", "porting":
		res, err := f.acquire(0, inventory.Status(state), typ, n)
		if err != nil || res.Outcomes[0].Outcome != inventory.OutcomeOK {
			t.Fatalf("acquire %s: %v %+v", state, err, res)
		}
	default:
		t.Fatalf("unknown state %q", state)
	}
}

func TestLifecycleRules(t *testing.T) {
	type tc struct {
		name   string
		multi  bool
		typ    inventory.NumberType
		state  string
		action inventory.Action
		ext    ExtensionRef
		want   inventory.Outcome
		after  inventory.Status // "" = gone
		extNo  string           // the assignee after, if any
	}
	e1001, e1002, e1003 := ExtensionRef{Number: "1001"}, ExtensionRef{Number: "1002"}, ExtensionRef{Number: "1003"}
	cases := []tc{
		{"assign unassigned", false, inventory.Toll, "unassigned", inventory.ActionAssign, e1002, "ok", "assigned", "1002"},
		{"assign by email", false, inventory.Toll, "unassigned", inventory.ActionAssign, ExtensionRef{Email: "U1002@Example.com"}, "ok", "assigned", "1002"},
		{"assign to missing extension", false, inventory.Toll, "unassigned", inventory.ActionAssign, ExtensionRef{Number: "9999"}, "extension_not_found", "unassigned", ""},
		{"assign to missing email", false, inventory.Toll, "unassigned", inventory.ActionAssign, ExtensionRef{Email: "nobody@example.com"}, "extension_not_found", "unassigned", ""},
		{"assign without extension", false, inventory.Toll, "unassigned", inventory.ActionAssign, ExtensionRef{}, "extension_not_found", "unassigned", ""},
		{"assign to same extension", false, inventory.Toll, "assigned", inventory.ActionAssign, e1001, "unchanged", "assigned", "1001"},
		{"assign assigned to other", false, inventory.Toll, "assigned", inventory.ActionAssign, e1002, "already_assigned", "assigned", "1001"},
		{"assign missing number", false, inventory.Toll, "", inventory.ActionAssign, e1001, "number_not_found", "", ""},
		{"assign reserved", false, inventory.Toll, "reserved", inventory.ActionAssign, e1001, "number_not_active", "reserved", ""},
		{"assign porting", false, inventory.Toll, "porting", inventory.ActionAssign, e1001, "number_not_active", "porting", ""},
		{"reassign", false, inventory.Toll, "assigned", inventory.ActionReassign, e1002, "ok", "assigned", "1002"},
		{"reassign to same", false, inventory.Toll, "assigned", inventory.ActionReassign, e1001, "unchanged", "assigned", "1001"},
		{"reassign unassigned", false, inventory.Toll, "unassigned", inventory.ActionReassign, e1002, "not_assigned", "unassigned", ""},
		{"reassign to missing extension", false, inventory.Toll, "assigned", inventory.ActionReassign, ExtensionRef{Number: "9999"}, "extension_not_found", "assigned", "1001"},
		{"unassign", false, inventory.Toll, "assigned", inventory.ActionUnassign, ExtensionRef{}, "ok", "unassigned", ""},
		{"unassign unassigned", false, inventory.Toll, "unassigned", inventory.ActionUnassign, ExtensionRef{}, "not_assigned", "unassigned", ""},
		{"unassign reserved", false, inventory.Toll, "reserved", inventory.ActionUnassign, ExtensionRef{}, "not_assigned", "reserved", ""},
		{"unassign missing", false, inventory.Toll, "", inventory.ActionUnassign, ExtensionRef{}, "number_not_found", "", ""},
		{"delete unassigned", false, inventory.Toll, "unassigned", inventory.ActionDelete, ExtensionRef{}, "ok", "", ""},
		{"delete reserved", false, inventory.Toll, "reserved", inventory.ActionDelete, ExtensionRef{}, "ok", "", ""},
		{"delete assigned", false, inventory.Toll, "assigned", inventory.ActionDelete, ExtensionRef{}, "already_assigned", "assigned", "1001"},
		{"delete porting", false, inventory.Toll, "porting", inventory.ActionDelete, ExtensionRef{}, "number_not_active", "porting", ""},
		{"delete missing", false, inventory.Toll, "", inventory.ActionDelete, ExtensionRef{}, "number_not_found", "", ""},
		{"activate reserved", false, inventory.Toll, "reserved", inventory.ActionActivate, ExtensionRef{}, "ok", "unassigned", ""},
		{"activate unassigned", false, inventory.Toll, "unassigned", inventory.ActionActivate, ExtensionRef{}, "unchanged", "unassigned", ""},
		{"activate porting", false, inventory.Toll, "porting", inventory.ActionActivate, ExtensionRef{}, "number_not_active", "porting", ""},
		{"port complete", false, inventory.Toll, "porting", inventory.ActionPortComplete, ExtensionRef{}, "ok", "unassigned", ""},
		{"port complete twice", false, inventory.Toll, "unassigned", inventory.ActionPortComplete, ExtensionRef{}, "unchanged", "unassigned", ""},
		{"port reserve", false, inventory.Toll, "porting", inventory.ActionPortReserve, ExtensionRef{}, "ok", "reserved", ""},
		{"port cancel", false, inventory.Toll, "porting", inventory.ActionPortCancel, ExtensionRef{}, "ok", "", ""},
		{"port cancel active", false, inventory.Toll, "unassigned", inventory.ActionPortCancel, ExtensionRef{}, "wrong_status", "unassigned", ""},
		{"unknown action", false, inventory.Toll, "unassigned", inventory.Action("paint"), ExtensionRef{}, "invalid_action", "unassigned", ""},
		// Multiple sites: numbers are on site 0; 1001 and 1002 on site 0, 1003 on site 1.
		{"sites: assign same site", true, inventory.Toll, "unassigned", inventory.ActionAssign, e1002, "ok", "assigned", "1002"},
		{"sites: assign other site", true, inventory.Toll, "unassigned", inventory.ActionAssign, e1003, "site_mismatch", "unassigned", ""},
		{"sites: reassign other site", true, inventory.Toll, "assigned", inventory.ActionReassign, e1003, "site_mismatch", "assigned", "1001"},
		{"sites: toll-free crosses sites", true, inventory.TollFree, "unassigned", inventory.ActionAssign, e1003, "ok", "assigned", "1003"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newStore(t)
			f := mustAccount(t, s, c.multi, 10, 10)
			f.mustExt(t, "1001", 0)
			f.mustExt(t, "1002", 0)
			f.mustExt(t, "1003", 1%max(1, len(f.sites)))
			n := "+16505550100"
			f.setUp(t, n, c.typ, c.state)
			before, _ := s.Account(ctx, f.acct.ID)
			res, err := s.Apply(ctx, f.acct.ID, []Row{{Number: n, Action: c.action, Extension: c.ext}}, testActor, BatchOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Outcomes[0].Outcome; got != c.want {
				t.Fatalf("outcome %q (%s), want %q", got, res.Outcomes[0].Message, c.want)
			}
			if c.want.Failed() && res.Outcomes[0].Message == "" {
				t.Errorf("failed outcome %s has no message", c.want)
			}
			got, err := s.Number(ctx, f.acct.ID, n)
			if c.after == "" {
				if inventory.ErrorCode(err) != inventory.CodeNumberNotFound {
					t.Fatalf("number should be gone, got %+v, %v", got, err)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				if got.Status != c.after {
					t.Errorf("status %s, want %s", got.Status, c.after)
				}
				gotExt := ""
				if got.Assignee != nil {
					gotExt = got.Assignee.ExtensionNumber
				}
				if gotExt != c.extNo {
					t.Errorf("assignee %q, want %q", gotExt, c.extNo)
				}
			}
			after, _ := s.Account(ctx, f.acct.ID)
			if c.want.Failed() || c.want == inventory.OutcomeUnchanged {
				if diff := cmp.Diff(before, after); diff != "" {
					t.Errorf("a refused row changed the account (-before +after):\n%s", diff)
				}
			}
		})
	}
}

func TestErrorsOfSingleCalls(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		f := mustAccount(t, s, false, 10, 10)
		f.mustExt(t, "1001", 0)
		f.mustExt(t, "1002", 0)
		n := num(7)
		f.mustAcquire(t, 0, inventory.Toll, n)
		steps := []struct {
			name string
			do   func() error
			want inventory.Code
		}{
			{"assign", func() error { return s.Assign(ctx, f.acct.ID, n, ExtensionRef{Number: "1001"}, testActor) }, ""},
			{"assign again elsewhere", func() error { return s.Assign(ctx, f.acct.ID, n, ExtensionRef{Number: "1002"}, testActor) }, inventory.CodeAlreadyAssigned},
			{"reassign", func() error { return s.Reassign(ctx, f.acct.ID, n, ExtensionRef{Number: "1002"}, testActor) }, ""},
			{"delete assigned", func() error { return s.Delete(ctx, f.acct.ID, n, testActor) }, inventory.CodeAlreadyAssigned},
			{"unassign", func() error { return s.Unassign(ctx, f.acct.ID, n, testActor) }, ""},
			{"unassign again", func() error { return s.Unassign(ctx, f.acct.ID, n, testActor) }, inventory.CodeNotAssigned},
			{"delete", func() error { return s.Delete(ctx, f.acct.ID, n, testActor) }, ""},
			{"delete again", func() error { return s.Delete(ctx, f.acct.ID, n, testActor) }, inventory.CodeNumberNotFound},
		}
		for _, st := range steps {
			if got := inventory.ErrorCode(st.do()); got != st.want {
				t.Fatalf("%s: code %q, want %q", st.name, got, st.want)
			}
		}
		a, err := s.Account(ctx, f.acct.ID)
		if err != nil {
			t.Fatal(err)
		}
		if a.Licenses.PhoneNumber.Used != 0 {
			t.Errorf("licence not freed: %+v", a.Licenses)
		}
		entries, err := s.Audit(ctx, f.acct.ID, n, 100)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range entries {
			actions = append(actions, e.Action)
		}
		want := []string{"delete", "unassign", "reassign", "assign", "acquire"}
		if diff := cmp.Diff(want, actions); diff != "" {
			t.Errorf("audit trail (-want +got):\n%s", diff)
		}
		if entries[2].Before.ExtensionNumber != "1001" || entries[2].After.ExtensionNumber != "1002" {
			t.Errorf("reassign entry: before %+v after %+v", entries[2].Before, entries[2].After)
		}
		if entries[0].After != nil || entries[4].Before != nil {
			t.Errorf("released/acquired ends should be nil: %+v %+v", entries[0].After, entries[4].Before)
		}
	})
}

func TestLicences(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		f := mustAccount(t, s, false, 2, 0)
		f.mustAcquire(t, 0, inventory.Toll, num(1), num(2))
		_, err := f.acquire(0, inventory.StatusUnassigned, inventory.Toll, num(3))
		if got := inventory.ErrorCode(err); got != inventory.CodeLicenseExhausted {
			t.Errorf("third toll number: %q, want license_exhausted", got)
		}
		_, err = f.acquire(0, inventory.StatusUnassigned, inventory.TollFree, "+18005550100")
		if got := inventory.ErrorCode(err); got != inventory.CodeTollFreeLicenseRequired {
			t.Errorf("toll-free without licence: %q, want toll_free_license_required", got)
		}
		// A reserved number needs no licence until it is activated.
		res, err := f.acquire(0, inventory.StatusReserved, inventory.Toll, num(4))
		if err != nil || res.Outcomes[0].Outcome != inventory.OutcomeOK {
			t.Fatalf("reserve: %v %+v", err, res)
		}
		if got := inventory.ErrorCode(s.Activate(ctx, f.acct.ID, num(4), testActor)); got != inventory.CodeLicenseExhausted {
			t.Errorf("activate without licence: %q", got)
		}
		// A port-in completing without a free licence stays reserved.
		if _, err := f.acquire(0, inventory.StatusPorting, inventory.Toll, num(5)); err != nil {
			t.Fatal(err)
		}
		res, err = s.Apply(ctx, f.acct.ID, []Row{{Number: num(5), Action: inventory.ActionPortComplete}}, testActor, BatchOptions{})
		if err != nil || res.Outcomes[0].Outcome != inventory.OutcomeReserved {
			t.Errorf("port complete without licence: %v %+v", err, res)
		}
		// Deleting frees a licence for the next one.
		if err := s.Delete(ctx, f.acct.ID, num(1), testActor); err != nil {
			t.Fatal(err)
		}
		if err := s.Activate(ctx, f.acct.ID, num(4), testActor); err != nil {
			t.Errorf("activate after delete: %v", err)
		}
		a, _ := s.Account(ctx, f.acct.ID)
		want := inventory.Licenses{PhoneNumber: inventory.License{Total: 2, Used: 2}}
		if diff := cmp.Diff(want, a.Licenses); diff != "" {
			t.Errorf("licences (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(inventory.Counts{Unassigned: 2, Reserved: 1}, a.Numbers); diff != "" {
			t.Errorf("counts (-want +got):\n%s", diff)
		}
	})
}

func TestLicenceShortRefusesWholeBatch(t *testing.T) {
	s := newStore(t)
	f := mustAccount(t, s, false, 3, 5)
	_, err := f.acquire(0, inventory.StatusUnassigned, inventory.Toll, num(1), num(2), num(3), num(4))
	if inventory.ErrorCode(err) != inventory.CodeLicenseExhausted {
		t.Fatalf("got %v", err)
	}
	a, _ := s.Account(ctx, f.acct.ID)
	if a.Licenses.PhoneNumber.Used != 0 || a.Numbers != (inventory.Counts{}) {
		t.Errorf("a refused batch took something: %+v", a)
	}
	// The refused batch's claims were given back: another account may take them.
	g := mustAccount(t, s, false, 4, 0)
	g.mustAcquire(t, 0, inventory.Toll, num(1), num(2), num(3), num(4))
}

func TestAcquireRules(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		single := mustAccount(t, s, false, 10, 10)
		multi := mustAccount(t, s, true, 10, 10)
		cases := []struct {
			name string
			acct string
			spec AcquireSpec
			want inventory.Code
		}{
			{"no emergency address", single.acct.ID, AcquireSpec{}, inventory.CodeEmergencyAddressRequired},
			{"unknown emergency address", single.acct.ID, AcquireSpec{EmergencyAddressID: "ea_99"}, inventory.CodeEmergencyAddressNotFound},
			{"site without sites", single.acct.ID, AcquireSpec{EmergencyAddressID: single.ea.ID, SiteID: "site_1"}, inventory.CodeInvalidField},
			{"no site with sites", multi.acct.ID, AcquireSpec{EmergencyAddressID: multi.ea.ID}, inventory.CodeSiteRequired},
			{"unknown site", multi.acct.ID, AcquireSpec{SiteID: "site_99"}, inventory.CodeSiteNotFound},
			{"unknown account", "nope", AcquireSpec{EmergencyAddressID: "ea_1"}, inventory.CodeAccountNotFound},
		}
		for _, c := range cases {
			c.spec.Numbers = []NewNumber{{Number: num(1), Type: inventory.Toll, Country: "US"}}
			_, err := s.Acquire(ctx, c.acct, c.spec, testActor, BatchOptions{})
			if got := inventory.ErrorCode(err); got != c.want {
				t.Errorf("%s: code %q, want %q (%v)", c.name, got, c.want, err)
			}
		}
		// A number with a site takes the site's emergency address.
		multi.mustAcquire(t, 1, inventory.Toll, num(2))
		if n := multi.number(t, num(2)); n.SiteID != multi.sites[1].ID || n.EmergencyAddressID != multi.ea.ID {
			t.Errorf("site number: %+v", n)
		}
		// A number is in at most one inventory.
		res, err := single.acquire(0, inventory.StatusUnassigned, inventory.Toll, num(2), num(3), num(3))
		if err != nil {
			t.Fatal(err)
		}
		var got []inventory.Outcome
		for _, o := range res.Outcomes {
			got = append(got, o.Outcome)
		}
		if diff := cmp.Diff([]inventory.Outcome{"number_exists", "ok", "number_exists"}, got); diff != "" {
			t.Errorf("outcomes (-want +got):\n%s", diff)
		}
		if _, err := s.Number(ctx, single.acct.ID, num(2)); inventory.ErrorCode(err) != inventory.CodeNumberNotFound {
			t.Errorf("another account's number must be number_not_found, got %v", err)
		}
	})
}
