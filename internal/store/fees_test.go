package store

import (
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/google/go-cmp/cmp"
	"github.com/numberdesk/numberdesk/internal/fees"
	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/redistest"
	"github.com/redis/go-redis/v9"
)

// feeClock is a settable clock for WithClock.
type feeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *feeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *feeClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// feeBackends runs f against a real redis-server and against miniredis,
// each with a fresh store on a settable clock.
func feeBackends(t *testing.T, f func(t *testing.T, s *Store, clk *feeClock)) {
	t.Helper()
	t.Run("redis", func(t *testing.T) {
		clk := &feeClock{}
		f(t, New(redistest.Client(t), WithClock(clk.now)), clk)
	})
	t.Run("miniredis", func(t *testing.T) {
		mr := miniredis.RunT(t)
		c := redis.NewClient(&redis.Options{Addr: mr.Addr()})
		t.Cleanup(func() { c.Close() })
		clk := &feeClock{}
		f(t, New(c, WithClock(clk.now)), clk)
	})
}

// monthEq compares months (their fields are unexported).
var monthEq = cmp.Comparer(func(a, b fees.Month) bool { return a == b })

func feeTime(y int, m time.Month, d, h int) time.Time {
	return time.Date(y, m, d, h, 0, 0, 0, time.UTC)
}

func mustMonth(tb testing.TB, s string) fees.Month {
	tb.Helper()
	m, err := fees.ParseMonth(s)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// reserve brings numbers of one country into the inventory as reserved.
func (f *fixture) reserve(tb testing.TB, country string, numbers ...string) {
	tb.Helper()
	spec := AcquireSpec{Status: inventory.StatusReserved, EmergencyAddressID: f.ea.ID}
	for _, n := range numbers {
		spec.Numbers = append(spec.Numbers, NewNumber{Number: n, Type: inventory.Toll, Country: country})
	}
	res, err := f.s.Acquire(ctx, f.acct.ID, spec, testActor, BatchOptions{})
	if err != nil {
		tb.Fatalf("reserve %v: %v", numbers, err)
	}
	for i, o := range res.Outcomes {
		if o.Outcome != inventory.OutcomeOK {
			tb.Fatalf("reserve %s: %s %s", numbers[i], o.Outcome, o.Message)
		}
	}
}

const (
	usA, usB, usC, usJan, usMar = "+16505550001", "+16505550002", "+16505550003", "+16505550004", "+16505550005"
	gb1, gb2                    = "+442071234001", "+442071234002"
)

// leapFebruary reserves numbers around February 2028 (29 days):
//
//	usA   reserved 20 Jan, deleted 15 Feb     14 days of February
//	usB   reserved 20 Jan, still reserved     29
//	usC   reserved 10 Feb, activated 20 Feb   10
//	usJan reserved 5 Jan, deleted 25 Jan       0 (not in the statement)
//	gb1   reserved 20 Jan, still reserved     29
//	gb2   reserved 10 Feb, still reserved     20
//	usMar reserved 3 Mar                       0
func leapFebruary(t *testing.T, s *Store, clk *feeClock) *fixture {
	t.Helper()
	clk.set(feeTime(2028, 1, 5, 9))
	f := mustAccount(t, s, false, 10, 0)
	f.reserve(t, "US", usJan)
	clk.set(feeTime(2028, 1, 20, 10))
	f.reserve(t, "US", usA, usB)
	f.reserve(t, "GB", gb1)
	clk.set(feeTime(2028, 1, 25, 23))
	if err := s.Delete(ctx, f.acct.ID, usJan, testActor); err != nil {
		t.Fatal(err)
	}
	clk.set(feeTime(2028, 2, 10, 15))
	f.reserve(t, "US", usC)
	f.reserve(t, "GB", gb2)
	clk.set(feeTime(2028, 2, 15, 8))
	if err := s.Delete(ctx, f.acct.ID, usA, testActor); err != nil {
		t.Fatal(err)
	}
	clk.set(feeTime(2028, 2, 20, 12))
	if err := s.Activate(ctx, f.acct.ID, usC, testActor); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestStatementLeapFebruary(t *testing.T) {
	// Pages of two: every read of the fee run takes several pages.
	defer func(n int) { feePage = n }(feePage)
	feePage = 2
	feeBackends(t, func(t *testing.T, s *Store, clk *feeClock) {
		f := leapFebruary(t, s, clk)
		feb := mustMonth(t, "2028-02")

		// The estimate on 20 February counts open intervals through the 20th.
		asOf := feeTime(2028, 2, 20, 18)
		est, err := s.Statement(ctx, f.acct.ID, feb, nil, asOf)
		if err != nil {
			t.Fatal(err)
		}
		want := fees.Statement{
			Month: feb,
			Countries: []fees.Line{
				// gb1 20 days, gb2 11 (10th to 20th): 80 × 31 / 29 = 85.5 → 86
				{Country: "GB", ReservedNumbers: 2, NumberDays: 31, RateMinor: 80, Currency: "GBP", AmountMinor: 86},
				// usA 14, usB 20, usC 10: 100 × 44 / 29 = 151.7 → 152
				{Country: "US", ReservedNumbers: 3, NumberDays: 44, RateMinor: 100, Currency: "USD", AmountMinor: 152},
			},
			Totals: []fees.Total{
				{Currency: "GBP", ReservedNumbers: 2, NumberDays: 31, AmountMinor: 86},
				{Currency: "USD", ReservedNumbers: 3, NumberDays: 44, AmountMinor: 152},
			},
			Estimate: true,
			AsOf:     asOf,
		}
		if diff := cmp.Diff(want, est, monthEq); diff != "" {
			t.Errorf("estimate (-want +got):\n%s", diff)
		}
		if n, _ := s.rdb.Exists(ctx, accountKeys(f.acct.ID).fees(feb)).Result(); n != 0 {
			t.Error("an estimate was stored")
		}

		// March: one more number comes and usB goes; February's statement
		// does not see either.
		clk.set(feeTime(2028, 3, 3, 9))
		f.reserve(t, "US", usMar)
		clk.set(feeTime(2028, 3, 5, 9))
		if _, _, err := s.CloseMonth(ctx, f.acct.ID, mustMonth(t, "2028-03"), nil); inventory.ErrorCode(err) != inventory.CodeInvalidField {
			t.Errorf("close March in March: %v, want invalid_field", err)
		}
		if err := s.Delete(ctx, f.acct.ID, usB, testActor); err != nil {
			t.Fatal(err)
		}
		want = fees.Statement{
			Month: feb,
			Countries: []fees.Line{
				// gb1 29, gb2 20: 80 × 49 / 29 = 135.2 → 135
				{Country: "GB", ReservedNumbers: 2, NumberDays: 49, RateMinor: 80, Currency: "GBP", AmountMinor: 135},
				// usA 14, usB 29, usC 10: 100 × 53 / 29 = 182.8 → 183
				{Country: "US", ReservedNumbers: 3, NumberDays: 53, RateMinor: 100, Currency: "USD", AmountMinor: 183},
			},
			Totals: []fees.Total{
				{Currency: "GBP", ReservedNumbers: 2, NumberDays: 49, AmountMinor: 135},
				{Currency: "USD", ReservedNumbers: 3, NumberDays: 53, AmountMinor: 183},
			},
			AsOf: feeTime(2028, 3, 1, 0),
		}
		st, written, err := s.CloseMonth(ctx, f.acct.ID, feb, nil)
		if err != nil || !written {
			t.Fatalf("first close: written %v, %v", written, err)
		}
		if diff := cmp.Diff(want, st, monthEq); diff != "" {
			t.Errorf("statement (-want +got):\n%s", diff)
		}
		stored, _ := s.rdb.Get(ctx, accountKeys(f.acct.ID).fees(feb)).Bytes()
		wantJSON, _ := json.Marshal(want)
		if string(stored) != string(wantJSON) {
			t.Errorf("stored %s\nwant   %s", stored, wantJSON)
		}

		// Again, later, with another schedule: the stored statement, byte
		// for byte.
		clk.set(feeTime(2028, 4, 2, 0))
		other := fees.Schedule{"US": {Minor: 1, Currency: "USD"}, "GB": {Minor: 1, Currency: "GBP"}}
		for _, get := range []func() (fees.Statement, error){
			func() (fees.Statement, error) {
				st, written, err := s.CloseMonth(ctx, f.acct.ID, feb, other)
				if written {
					t.Error("second close wrote again")
				}
				return st, err
			},
			func() (fees.Statement, error) { return s.Statement(ctx, f.acct.ID, feb, other, clk.now()) },
		} {
			again, err := get()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(st, again, monthEq); diff != "" {
				t.Errorf("again (-first +again):\n%s", diff)
			}
		}

		// A month that has not begun.
		if _, err := s.Statement(ctx, f.acct.ID, mustMonth(t, "2028-05"), nil, clk.now()); inventory.ErrorCode(err) != inventory.CodeInvalidField {
			t.Errorf("future month: %v, want invalid_field", err)
		}
	})
}

// TestCloseMonthConcurrently closes one month twice at once, twice over:
// one run writes, every run returns the identical statement.
func TestCloseMonthConcurrently(t *testing.T) {
	clk := &feeClock{}
	s := New(redistest.Client(t), WithClock(clk.now))
	f := leapFebruary(t, s, clk)
	clk.set(feeTime(2028, 3, 1, 0).Add(5 * time.Minute))
	feb := mustMonth(t, "2028-02")
	for round := 0; round < 2; round++ {
		var wg sync.WaitGroup
		sts := make([]fees.Statement, 2)
		wrote := make([]bool, 2)
		errs := make([]error, 2)
		for i := range sts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sts[i], wrote[i], errs[i] = s.CloseMonth(ctx, f.acct.ID, feb, nil)
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if diff := cmp.Diff(sts[0], sts[1], monthEq); diff != "" {
			t.Errorf("round %d: the two runs differ (-first +second):\n%s", round, diff)
		}
		n := 0
		for _, w := range wrote {
			if w {
				n++
			}
		}
		if want := map[int]int{0: 1, 1: 0}[round]; n != want {
			t.Errorf("round %d: %d runs wrote, want %d", round, n, want)
		}
		if sts[0].Totals[1].AmountMinor != 183 {
			t.Errorf("round %d: %+v", round, sts[0].Totals)
		}
	}
}

// TestAccumulateRace releases and activates numbers between the index scan
// and the read of closed intervals, as a transition racing a fee run
// would: each interval still counts once.
func TestAccumulateRace(t *testing.T) {
	feeBackends(t, func(t *testing.T, s *Store, clk *feeClock) {
		clk.set(feeTime(2028, 2, 10, 0))
		f := mustAccount(t, s, false, 10, 0)
		f.reserve(t, "US", usA, usB, usC)
		clk.set(feeTime(2028, 3, 1, 12))
		acc, err := s.accumulate(ctx, accountKeys(f.acct.ID), mustMonth(t, "2028-02"), feeTime(2028, 3, 1, 0), func() {
			if err := s.Delete(ctx, f.acct.ID, usA, testActor); err != nil {
				t.Fatal(err)
			}
			if err := s.Activate(ctx, f.acct.ID, usB, testActor); err != nil {
				t.Fatal(err)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		st, err := acc.Statement(fees.DefaultSchedule())
		if err != nil {
			t.Fatal(err)
		}
		// Three numbers, 10 to 29 February: 20 days each.
		if len(st.Countries) != 1 || st.Countries[0].ReservedNumbers != 3 || st.Countries[0].NumberDays != 60 {
			t.Errorf("statement %+v", st.Countries)
		}
	})
}

func TestRunFees(t *testing.T) {
	clk := &feeClock{}
	s := New(redistest.Client(t), WithClock(clk.now))
	f := leapFebruary(t, s, clk)
	clk.set(feeTime(2028, 2, 10, 0))
	empty := mustAccount(t, s, false, 0, 0)
	other := mustAccount(t, s, false, 0, 0)
	other.reserve(t, "DE", "+4930123456")

	feb := mustMonth(t, "2028-02")
	if _, err := s.RunFees(ctx, feb, nil); inventory.ErrorCode(err) != inventory.CodeInvalidField {
		t.Errorf("run in February: %v, want invalid_field", err)
	}
	clk.set(feeTime(2028, 3, 1, 0).Add(5 * time.Minute))
	run, err := s.RunFees(ctx, feb, nil)
	if err != nil {
		t.Fatal(err)
	}
	if run.Written != 3 || run.Existing != 0 || run.Failed != 0 || len(run.Accounts) != 3 {
		t.Fatalf("first run: %+v", run)
	}
	byID := map[string]fees.Statement{}
	for _, a := range run.Accounts {
		byID[a.AccountID] = a.Statement
	}
	if st := byID[empty.acct.ID]; len(st.Countries) != 0 || len(st.Totals) != 0 || st.Estimate {
		t.Errorf("account without reserved numbers: %+v", st)
	}
	if st := byID[other.acct.ID]; len(st.Countries) != 1 || st.Countries[0].AmountMinor != 62 {
		t.Errorf("DE account: %+v", st.Countries) // 90 × 20 / 29 = 62.07 → 62
	}
	if st := byID[f.acct.ID]; st.Totals[1].AmountMinor != 183 {
		t.Errorf("leap February account: %+v", st.Totals)
	}
	again, err := s.RunFees(ctx, feb, nil)
	if err != nil {
		t.Fatal(err)
	}
	if again.Written != 0 || again.Existing != 3 {
		t.Errorf("second run: written %d, existing %d", again.Written, again.Existing)
	}
	for i := range run.Accounts {
		run.Accounts[i].Written = false
	}
	if diff := cmp.Diff(run.Accounts, again.Accounts, monthEq); diff != "" {
		t.Errorf("second run (-first +second):\n%s", diff)
	}

	// A country without a rate fails that account only, and stores nothing for it.
	mar := mustMonth(t, "2028-03")
	clk.set(feeTime(2028, 4, 1, 1))
	run, err = s.RunFees(ctx, mar, fees.Schedule{"US": {Minor: 100, Currency: "USD"}, "GB": {Minor: 80, Currency: "GBP"}})
	if err == nil || run.Failed != 1 || run.Written != 2 {
		t.Errorf("run without DE rate: %+v, %v", run, err)
	}
	if n, _ := s.rdb.Exists(ctx, accountKeys(other.acct.ID).fees(mar)).Result(); n != 0 {
		t.Error("a failed statement was stored")
	}
	if _, _, err := s.CloseMonth(ctx, "nosuchaccount", feb, nil); inventory.ErrorCode(err) != inventory.CodeAccountNotFound {
		t.Errorf("unknown account: %v", err)
	}
}
