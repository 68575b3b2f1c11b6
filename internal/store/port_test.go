package store

import (
	"testing"

	"github.com/numberdesk/numberdesk/internal/inventory"
)

func (f *fixture) portSpec(reserve bool, numbers ...string) PortSpec {
	spec := PortSpec{Country: "US", LosingCarrier: "Old Telco", AccountNumber: "12345", PIN: "9876", Reserve: reserve}
	if f.acct.MultipleSites {
		spec.SiteID = f.sites[0].ID
	} else {
		spec.EmergencyAddressID = f.ea.ID
	}
	for _, n := range numbers {
		spec.Numbers = append(spec.Numbers, NewNumber{Number: n, Type: inventory.Toll, Country: "US", AreaCode: n[2:5], Region: "CA", City: "Palo Alto"})
	}
	return spec
}

func (f *fixture) status(tb testing.TB, n string) inventory.Status {
	tb.Helper()
	num, err := f.s.Number(ctx, f.acct.ID, n)
	if inventory.ErrorCode(err) == inventory.CodeNumberNotFound {
		return ""
	}
	if err != nil {
		tb.Fatal(err)
	}
	return num.Status
}

func TestPortLifecycle(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		f := mustAccount(t, s, false, 2, 0)
		p, err := s.CreatePort(ctx, f.acct.ID, f.portSpec(false, num(1), num(2), num(3)), testActor)
		if err != nil {
			t.Fatal(err)
		}
		if p.Status != PortSubmitted || !p.StatusVisible || !p.PINSet || p.PIN() != "9876" || len(p.Numbers) != 3 || p.Submission != 1 {
			t.Fatalf("created %+v", p)
		}
		if st := f.status(t, num(1)); st != inventory.StatusPorting {
			t.Fatalf("number is %s, want porting", st)
		}
		if lic := f.licences(t); lic.PhoneNumber.Used != 0 {
			t.Errorf("porting numbers use licences: %+v", lic)
		}
		if open, _ := s.OpenPorts(ctx, f.acct.ID); len(open) != 1 {
			t.Errorf("open %v", open)
		}
		// A number of an open port order cannot be ported again or bought.
		if _, err := s.CreatePort(ctx, f.acct.ID, f.portSpec(false, num(3), num(4)), testActor); inventory.ErrorCode(err) != inventory.CodeNumberExists {
			t.Errorf("second port of a number: %v", err)
		}
		if st := f.status(t, num(4)); st != "" {
			t.Errorf("refused order left %s %s", num(4), st)
		}
		steps := []struct {
			u    PortUpdate
			want string
		}{
			{PortUpdate{Submission: 1, Status: PortPending}, PortPending},
			{PortUpdate{Submission: 1, Status: PortSubmitted}, PortPending}, // never backwards
			{PortUpdate{Submission: 7, Status: PortCompleted}, PortPending}, // another submission's news
			{PortUpdate{Submission: 1, Status: PortFOCConfirmed}, PortFOCConfirmed},
			{PortUpdate{Submission: 1, Status: PortCompleted}, PortCompleted}, // two of three licences
			{PortUpdate{Submission: 1, Status: PortCancelled}, PortCompleted}, // final
		}
		for _, st := range steps {
			p, err = s.UpdatePort(ctx, f.acct.ID, p.ID, st.u, testActor)
			if err != nil || p.Status != st.want {
				t.Fatalf("update %+v: %v, status %s want %s", st.u, err, p.Status, st.want)
			}
		}
		results := map[string]int{}
		for _, n := range p.Numbers {
			results[n.Status+"/"+n.Result]++
		}
		if results["completed/unassigned"] != 2 || results["completed/reserved"] != 1 || p.Note == "" {
			t.Errorf("results %v, note %q", results, p.Note)
		}
		if lic := f.licences(t); lic.PhoneNumber.Used != 2 {
			t.Errorf("licences %+v", lic)
		}
		if n := f.number(t, num(1)); n.Source != inventory.SourcePorted || n.EmergencyAddressID != f.ea.ID {
			t.Errorf("ported number %+v", n)
		}
		if len(p.History) != 4 {
			t.Errorf("history %+v", p.History)
		}
		if open, _ := s.OpenPorts(ctx, f.acct.ID); len(open) != 0 {
			t.Errorf("open after completion %v", open)
		}
	})
}

func TestPortReserveExceptionResubmitCancel(t *testing.T) {
	s := newStore(t)
	f := mustAccount(t, s, false, 5, 0)
	// reserve: numbers become reserved whatever the licences.
	p, err := s.CreatePort(ctx, f.acct.ID, f.portSpec(true, num(1)), testActor)
	if err != nil {
		t.Fatal(err)
	}
	if p, err = s.UpdatePort(ctx, f.acct.ID, p.ID, PortUpdate{Submission: 1, Status: PortCompleted}, testActor); err != nil || f.status(t, num(1)) != inventory.StatusReserved {
		t.Fatalf("reserve: %v %s", err, f.status(t, num(1)))
	}
	if n := f.number(t, num(1)); n.ReservedSince == nil {
		t.Errorf("reserved number without reserved_since: %+v", n)
	}

	// exception, correct, resubmit, complete.
	q, err := s.CreatePort(ctx, f.acct.ID, f.portSpec(false, num(2)), testActor)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ResubmitPort(ctx, f.acct.ID, q.ID); inventory.ErrorCode(err) != inventory.CodeWrongStatus {
		t.Errorf("resubmit while submitted: %v", err)
	}
	q, _ = s.UpdatePort(ctx, f.acct.ID, q.ID, PortUpdate{Submission: 1, Status: PortException, Reason: "pin_mismatch"}, testActor)
	if q.Status != PortException || q.Exception != "pin_mismatch" || q.Numbers[0].Exception != "pin_mismatch" {
		t.Fatalf("exception %+v", q)
	}
	pin := "1111"
	if q, err = s.PatchPort(ctx, f.acct.ID, q.ID, PortPatch{PIN: &pin}); err != nil || q.PIN() != "1111" || q.AccountNumber != "12345" {
		t.Fatalf("patch: %v %+v", err, q)
	}
	if q, err = s.ResubmitPort(ctx, f.acct.ID, q.ID); err != nil || q.Status != PortSubmitted || q.Submission != 2 || q.Exception != "" {
		t.Fatalf("resubmit: %v %+v", err, q)
	}
	if err := s.SetPortCarrierID(ctx, f.acct.ID, q.ID, 2, "port_c2"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPortCarrierID(ctx, f.acct.ID, q.ID, 2, "port_other"); err != nil {
		t.Fatal(err)
	}
	q, _ = s.UpdatePort(ctx, f.acct.ID, q.ID, PortUpdate{Submission: 2, Status: PortCompleted}, testActor)
	if q.CarrierID != "port_c2" || q.Status != PortCompleted || f.status(t, num(2)) != inventory.StatusUnassigned {
		t.Errorf("after resubmit %+v", q)
	}

	// cancel before foc_confirmed: numbers leave; after: refused.
	c, err := s.CreatePort(ctx, f.acct.ID, f.portSpec(false, num(3), num(4)), testActor)
	if err != nil {
		t.Fatal(err)
	}
	if c, err = s.CancelPort(ctx, f.acct.ID, c.ID, testActor); err != nil || c.Status != PortCancelled {
		t.Fatalf("cancel: %v %+v", err, c)
	}
	if f.status(t, num(3)) != "" {
		t.Errorf("cancelled number still in the inventory")
	}
	// The numbers can be ported again, also by another account.
	g := mustAccount(t, s, false, 5, 0)
	if _, err := s.CreatePort(ctx, g.acct.ID, g.portSpec(false, num(3)), testActor); err != nil {
		t.Errorf("port a cancelled number elsewhere: %v", err)
	}
	d, _ := s.CreatePort(ctx, f.acct.ID, f.portSpec(false, num(5)), testActor)
	s.UpdatePort(ctx, f.acct.ID, d.ID, PortUpdate{Submission: 1, Status: PortFOCConfirmed}, testActor)
	if _, err := s.CancelPort(ctx, f.acct.ID, d.ID, testActor); inventory.ErrorCode(err) != inventory.CodeWrongStatus {
		t.Errorf("cancel after foc: %v", err)
	}
	// A carrier-side cancellation releases the numbers too.
	s.UpdatePort(ctx, f.acct.ID, d.ID, PortUpdate{Submission: 1, Status: PortCancelled}, testActor)
	if f.status(t, num(5)) != "" {
		t.Errorf("carrier-cancelled number still in the inventory")
	}
	list, err := s.Ports(ctx, f.acct.ID, PortCancelled, 10)
	if err != nil || len(list) != 2 {
		t.Errorf("cancelled list %v %d", err, len(list))
	}
}
