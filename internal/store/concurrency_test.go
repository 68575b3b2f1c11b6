package store

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/numberdesk/numberdesk/internal/inventory"
)

func TestConcurrentAssignOneWins(t *testing.T) {
	s := newStore(t)
	f := mustAccount(t, s, false, 10, 0)
	for i := 0; i < 50; i++ {
		f.mustExt(t, fmt.Sprint(2000+i), 0)
	}
	n := num(1)
	f.mustAcquire(t, 0, inventory.Toll, n)
	var ok, already, other atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			err := s.Assign(ctx, f.acct.ID, n, ExtensionRef{Number: fmt.Sprint(2000 + i)}, testActor)
			switch inventory.ErrorCode(err) {
			case "":
				ok.Add(1)
			case inventory.CodeAlreadyAssigned:
				already.Add(1)
			default:
				other.Add(1)
				t.Errorf("unexpected: %v", err)
			}
		}(i)
	}
	wg.Wait()
	if ok.Load() != 1 || already.Load() != 49 {
		t.Errorf("ok %d, already_assigned %d, other %d; want 1, 49, 0", ok.Load(), already.Load(), other.Load())
	}
}

func TestConcurrentAcquireRespectsLicences(t *testing.T) {
	s := newStore(t)
	f := mustAccount(t, s, false, 10, 0)
	var ok, exhausted atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			res, err := f.acquire(0, inventory.StatusUnassigned, inventory.Toll, num(i))
			switch {
			case inventory.ErrorCode(err) == inventory.CodeLicenseExhausted:
				exhausted.Add(1)
			case err != nil:
				t.Errorf("acquire: %v", err)
			case res.Outcomes[0].Outcome == inventory.OutcomeOK:
				ok.Add(1)
			default:
				t.Errorf("outcome %+v", res.Outcomes[0])
			}
		}(i)
	}
	wg.Wait()
	if ok.Load() != 10 || exhausted.Load() != 90 {
		t.Errorf("ok %d, license_exhausted %d; want 10, 90", ok.Load(), exhausted.Load())
	}
	a, _ := s.Account(ctx, f.acct.ID)
	if a.Licenses.PhoneNumber.Used != 10 || a.Numbers.Unassigned != 10 {
		t.Errorf("account %+v", a)
	}
}

func TestConcurrentAccountsRaceForNumbers(t *testing.T) {
	s := newStore(t)
	fs := []*fixture{mustAccount(t, s, false, 100, 0), mustAccount(t, s, false, 100, 0), mustAccount(t, s, false, 100, 0)}
	var wg sync.WaitGroup
	for _, f := range fs {
		for i := 0; i < 50; i++ {
			wg.Add(1)
			go func(f *fixture, i int) {
				defer wg.Done()
				if _, err := f.acquire(0, inventory.StatusUnassigned, inventory.Toll, num(i)); err != nil {
					t.Errorf("acquire: %v", err)
				}
			}(f, i)
		}
	}
	wg.Wait()
	var total int64
	for _, f := range fs {
		a, _ := s.Account(ctx, f.acct.ID)
		total += a.Numbers.Unassigned
	}
	if total != 50 {
		t.Errorf("50 numbers ended in %d inventory slots; each must be in exactly one", total)
	}
}
