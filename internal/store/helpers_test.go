package store

import (
	"context"
	"fmt"
	"testing"

	"github.com/alicebob/miniredis/v2"
	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/redistest"
	"github.com/redis/go-redis/v9"
)

func TestMain(m *testing.M) { redistest.Main(m) }

var ctx = context.Background()

var testActor = Actor{Name: "test", Source: "test"}

// backends runs f against a real redis-server and against miniredis (which
// `numberdesk dev` embeds), each with a fresh store.
func backends(t *testing.T, f func(t *testing.T, s *Store)) {
	t.Helper()
	t.Run("redis", func(t *testing.T) { f(t, newStore(t)) })
	t.Run("miniredis", func(t *testing.T) {
		mr := miniredis.RunT(t)
		c := redis.NewClient(&redis.Options{Addr: mr.Addr()})
		t.Cleanup(func() { c.Close() })
		f(t, New(c))
	})
}

// newStore returns a store on the test binary's private redis-server,
// flushed.
func newStore(tb testing.TB) *Store {
	tb.Helper()
	return New(redistest.Client(tb))
}

// fixture is an account ready for number tests.
type fixture struct {
	s     *Store
	acct  inventory.Account
	ea    inventory.EmergencyAddress
	sites []inventory.Site
	exts  map[string]inventory.Extension // by extension number
}

// mustAccount creates an account (with two sites when multi) and registers
// an invariant check of it at the end of the test.
func mustAccount(tb testing.TB, s *Store, multi bool, phone, tollFree int64) *fixture {
	tb.Helper()
	a, err := s.CreateAccount(ctx, AccountSpec{Name: "Acme", Country: "US", MultipleSites: multi, PhoneLicenses: phone, TollFreeLicenses: tollFree})
	if err != nil {
		tb.Fatalf("create account: %v", err)
	}
	f := &fixture{s: s, acct: a, exts: map[string]inventory.Extension{}}
	f.ea, err = s.CreateEmergencyAddress(ctx, a.ID, inventory.EmergencyAddress{Street: "1 Main St", City: "Mountain View", State: "CA", PostalCode: "94043", Country: "US"})
	if err != nil {
		tb.Fatalf("create emergency address: %v", err)
	}
	if multi {
		for _, name := range []string{"HQ", "Branch"} {
			site, err := s.CreateSite(ctx, a.ID, inventory.Site{Name: name, Country: "US", EmergencyAddressID: f.ea.ID})
			if err != nil {
				tb.Fatalf("create site: %v", err)
			}
			f.sites = append(f.sites, site)
		}
	}
	tb.Cleanup(func() {
		if err := s.Check(ctx, a.ID); err != nil {
			tb.Errorf("invariants: %v", err)
		}
	})
	return f
}

// mustExt creates an extension (on site i with multiple sites).
func (f *fixture) mustExt(tb testing.TB, number string, site int) inventory.Extension {
	tb.Helper()
	e := inventory.Extension{ExtensionNumber: number, Type: inventory.ExtUser, Name: "User " + number, Email: "u" + number + "@example.com"}
	if f.acct.MultipleSites {
		e.SiteID = f.sites[site].ID
	}
	e, err := f.s.CreateExtension(ctx, f.acct.ID, e)
	if err != nil {
		tb.Fatalf("create extension %s: %v", number, err)
	}
	f.exts[number] = e
	return e
}

// mustAcquire brings numbers in as unassigned (on site i with sites).
func (f *fixture) mustAcquire(tb testing.TB, site int, typ inventory.NumberType, numbers ...string) {
	tb.Helper()
	res, err := f.acquire(site, inventory.StatusUnassigned, typ, numbers...)
	if err != nil {
		tb.Fatalf("acquire %v: %v", numbers, err)
	}
	for i, o := range res.Outcomes {
		if o.Outcome != inventory.OutcomeOK {
			tb.Fatalf("acquire %s: %s %s", numbers[i], o.Outcome, o.Message)
		}
	}
}

func (f *fixture) acquire(site int, status inventory.Status, typ inventory.NumberType, numbers ...string) (BatchResult, error) {
	spec := AcquireSpec{Status: status}
	if f.acct.MultipleSites {
		spec.SiteID = f.sites[site].ID
	} else {
		spec.EmergencyAddressID = f.ea.ID
	}
	for _, n := range numbers {
		spec.Numbers = append(spec.Numbers, NewNumber{Number: n, Type: typ, Country: "US", AreaCode: n[2:5], Region: "CA", City: "Mountain View"})
	}
	return f.s.Acquire(ctx, f.acct.ID, spec, testActor, BatchOptions{})
}

func (f *fixture) number(tb testing.TB, n string) inventory.Number {
	tb.Helper()
	num, err := f.s.Number(ctx, f.acct.ID, n)
	if err != nil {
		tb.Fatalf("number %s: %v", n, err)
	}
	return num
}

func num(i int) string { return fmt.Sprintf("+1650555%04d", i) }
