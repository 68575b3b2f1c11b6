package store

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/numberdesk/numberdesk/internal/inventory"
)

// orderSpec is an order of the given numbers for the fixture's target.
func (f *fixture) orderSpec(typ inventory.NumberType, numbers ...string) OrderSpec {
	spec := OrderSpec{}
	if f.acct.MultipleSites {
		spec.SiteID = f.sites[0].ID
	} else {
		spec.EmergencyAddressID = f.ea.ID
	}
	for _, n := range numbers {
		spec.Numbers = append(spec.Numbers, NewNumber{Number: n, Type: typ, Country: "US", AreaCode: n[2:5], Region: "CA", City: "Palo Alto"})
	}
	return spec
}

func (f *fixture) licences(tb testing.TB) inventory.Licenses {
	tb.Helper()
	a, err := f.s.Account(ctx, f.acct.ID)
	if err != nil {
		tb.Fatal(err)
	}
	return a.Licenses
}

func lineStatuses(o Order) map[string]string {
	m := map[string]string{}
	for _, l := range o.Numbers {
		m[l.Number] = l.Status + "/" + l.ErrorCode
	}
	return m
}

func TestOrderLifecycle(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		f := mustAccount(t, s, false, 5, 1)
		f.setUp(t, num(9), inventory.Toll, "reserved")
		spec := f.orderSpec(inventory.Toll, num(1), num(2), num(3), num(9))
		spec.Numbers = append(spec.Numbers, NewNumber{Number: "+18005550100", Type: inventory.TollFree, Country: "US", AreaCode: "800"})
		o, err := s.CreateOrder(ctx, f.acct.ID, spec, testActor)
		if err != nil {
			t.Fatal(err)
		}
		if o.Status != OrderPending || len(o.Numbers) != 5 {
			t.Fatalf("created %+v", o)
		}
		if o.Numbers[3].Kind != LineActivate || o.Numbers[0].Kind != LineBuy {
			t.Errorf("kinds %+v", o.Numbers)
		}
		lic := f.licences(t)
		if lic.PhoneNumber.Held != 4 || lic.TollFree.Held != 1 || lic.PhoneNumber.Used != 0 {
			t.Errorf("licences after create %+v", lic)
		}
		if o, err = s.StartOrder(ctx, f.acct.ID, o.ID); err != nil || o.Status != OrderProcessing {
			t.Fatalf("start: %v %+v", err, o)
		}
		// The carrier sold all but num(2).
		fails := map[string]string{num(2): "not_available"}
		o, err = s.FinishOrder(ctx, f.acct.ID, o.ID, fails, testActor)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{num(1): "acquired/", num(2): "failed/not_available", num(3): "acquired/", num(9): "activated/", "+18005550100": "acquired/"}
		if got := lineStatuses(o); !equalMaps(got, want) {
			t.Errorf("lines %v, want %v", got, want)
		}
		if o.Status != OrderPartial || o.Acquired != 3 || o.Activated != 1 || o.Failed != 1 || o.FinishedAt == nil {
			t.Errorf("order %+v", o)
		}
		lic = f.licences(t)
		if lic.PhoneNumber.Held != 0 || lic.PhoneNumber.Used != 3 || lic.TollFree.Used != 1 || lic.TollFree.Held != 0 {
			t.Errorf("licences after finish %+v", lic)
		}
		n1 := f.number(t, num(1))
		if n1.Status != inventory.StatusUnassigned || n1.EmergencyAddressID != f.ea.ID || n1.Source != inventory.SourceOrdered || n1.City != "Palo Alto" {
			t.Errorf("bought number %+v", n1)
		}
		if n9 := f.number(t, num(9)); n9.Status != inventory.StatusUnassigned {
			t.Errorf("activated number %+v", n9)
		}
		if _, err := s.Number(ctx, f.acct.ID, num(2)); inventory.ErrorCode(err) != inventory.CodeNumberNotFound {
			t.Errorf("failed line's number: %v", err)
		}
		// Finishing again (a retried task) changes nothing.
		again, err := s.FinishOrder(ctx, f.acct.ID, o.ID, map[string]string{}, testActor)
		if err != nil || again.Status != OrderPartial || !equalMaps(lineStatuses(again), want) {
			t.Errorf("finish again: %v %+v", err, again)
		}
		if lic2 := f.licences(t); lic2 != lic {
			t.Errorf("licences changed by a second finish: %+v -> %+v", lic, lic2)
		}
		list, err := s.Orders(ctx, f.acct.ID, 10)
		if err != nil || len(list) != 1 || list[0].ID != o.ID {
			t.Errorf("orders %v %+v", err, list)
		}
	})
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestOrderRefusals(t *testing.T) {
	s := newStore(t)
	f := mustAccount(t, s, false, 2, 0)
	f.setUp(t, num(5), inventory.Toll, "unassigned")
	cases := []struct {
		name string
		spec OrderSpec
		want inventory.Code
	}{
		{"no numbers", OrderSpec{EmergencyAddressID: f.ea.ID}, inventory.CodeMissingField},
		{"licences short", f.orderSpec(inventory.Toll, num(1), num(2)), inventory.CodeLicenseExhausted},
		{"no toll-free licences", f.orderSpec(inventory.TollFree, "+18005550100"), inventory.CodeTollFreeLicenseRequired},
		{"number active", f.orderSpec(inventory.Toll, num(5)), inventory.CodeNumberExists},
		{"twice", f.orderSpec(inventory.Toll, num(1), num(1)), inventory.CodeDuplicateRow},
		{"no emergency address", OrderSpec{Numbers: f.orderSpec(inventory.Toll, num(1)).Numbers}, inventory.CodeEmergencyAddressRequired},
		{"unknown emergency address", OrderSpec{Numbers: f.orderSpec(inventory.Toll, num(1)).Numbers, EmergencyAddressID: "ea_nope"}, inventory.CodeEmergencyAddressNotFound},
		{"site without sites", OrderSpec{Numbers: f.orderSpec(inventory.Toll, num(1)).Numbers, SiteID: "site_x", EmergencyAddressID: f.ea.ID}, inventory.CodeInvalidField},
	}
	for _, c := range cases {
		_, err := s.CreateOrder(ctx, f.acct.ID, c.spec, testActor)
		if got := inventory.ErrorCode(err); got != c.want {
			t.Errorf("%s: code %q (%v), want %q", c.name, got, err, c.want)
		}
	}
	if lic := f.licences(t); lic.PhoneNumber.Held != 0 || lic.PhoneNumber.Used != 1 {
		t.Errorf("refused orders held licences: %+v", lic)
	}
	// With multiple sites a site is required.
	g := mustAccount(t, s, true, 2, 0)
	spec := g.orderSpec(inventory.Toll, num(7))
	spec.SiteID = ""
	if _, err := s.CreateOrder(ctx, g.acct.ID, spec, testActor); inventory.ErrorCode(err) != inventory.CodeSiteRequired {
		t.Errorf("multi-site order without site: %v", err)
	}
}

// Held licences are not free: an acquire or an activation outside the
// order cannot take them, and a deleted reserved number fails its line.
func TestHeldLicencesAreNotFree(t *testing.T) {
	s := newStore(t)
	f := mustAccount(t, s, false, 2, 0)
	f.setUp(t, num(8), inventory.Toll, "reserved")
	o, err := s.CreateOrder(ctx, f.acct.ID, f.orderSpec(inventory.Toll, num(1), num(8)), testActor)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.acquire(0, inventory.StatusUnassigned, inventory.Toll, num(2)); inventory.ErrorCode(err) != inventory.CodeLicenseExhausted {
		t.Errorf("acquire with all licences held: %v", err)
	}
	if err := s.Delete(ctx, f.acct.ID, num(8), testActor); err != nil {
		t.Fatal(err)
	}
	o, err = s.FinishOrder(ctx, f.acct.ID, o.ID, nil, testActor)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{num(1): "acquired/", num(8): "failed/number_not_found"}
	if got := lineStatuses(o); !equalMaps(got, want) || o.Status != OrderPartial {
		t.Errorf("lines %v (%s), want %v", got, o.Status, want)
	}
	if lic := f.licences(t); lic.PhoneNumber.Used != 1 || lic.PhoneNumber.Held != 0 {
		t.Errorf("licences %+v", lic)
	}
}

// Concurrent orders never hold more licences than the account has.
func TestConcurrentOrdersRespectLicences(t *testing.T) {
	s := newStore(t)
	f := mustAccount(t, s, false, 10, 0)
	var ok, exhausted atomic.Int32
	var wg sync.WaitGroup
	ids := make(chan string, 50)
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			o, err := s.CreateOrder(ctx, f.acct.ID, f.orderSpec(inventory.Toll, num(2*i), num(2*i+1)), testActor)
			switch {
			case inventory.ErrorCode(err) == inventory.CodeLicenseExhausted:
				exhausted.Add(1)
			case err != nil:
				t.Errorf("order: %v", err)
			default:
				ok.Add(1)
				ids <- o.ID
			}
		}(i)
	}
	wg.Wait()
	close(ids)
	if ok.Load() != 5 || exhausted.Load() != 45 {
		t.Errorf("ok %d, license_exhausted %d; want 5, 45", ok.Load(), exhausted.Load())
	}
	if lic := f.licences(t); lic.PhoneNumber.Held != 10 {
		t.Errorf("held %+v", lic)
	}
	// Finishing them all, twice each and concurrently, uses exactly 10.
	for id := range ids {
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := s.FinishOrder(ctx, f.acct.ID, id, nil, testActor); err != nil {
					t.Errorf("finish: %v", err)
				}
			}()
		}
	}
	wg.Wait()
	if lic := f.licences(t); lic.PhoneNumber.Held != 0 || lic.PhoneNumber.Used != 10 {
		t.Errorf("after finish %+v", lic)
	}
}

// A number another account holds fails its line number_exists, even when
// the carrier says it sold it.
func TestOrderNumberOfAnotherAccount(t *testing.T) {
	s := newStore(t)
	a := mustAccount(t, s, false, 2, 0)
	b := mustAccount(t, s, false, 2, 0)
	a.setUp(t, num(1), inventory.Toll, "unassigned")
	o, err := s.CreateOrder(ctx, b.acct.ID, b.orderSpec(inventory.Toll, num(1), num(2)), testActor)
	if err != nil {
		t.Fatal(err)
	}
	o, err = s.FinishOrder(ctx, b.acct.ID, o.ID, nil, testActor)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{num(1): "failed/number_exists", num(2): "acquired/"}
	if got := lineStatuses(o); !equalMaps(got, want) {
		t.Errorf("lines %v, want %v", got, want)
	}
}
