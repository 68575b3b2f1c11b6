package fees

import (
	"errors"
	"fmt"
	"time"
)

// Accumulator sums one account's reserved intervals of one month without
// keeping them: per country, the distinct reserved numbers and the
// number-days. Feed it with Add, or split the intervals between several
// accumulators (one per goroutine) and Merge them; the Statement is the
// same whatever the order or the split. It holds about 32 bytes of heap
// per distinct E.164 number (BenchmarkAccumulator measures it).
//
// An Accumulator is not safe for concurrent use.
type Accumulator struct {
	month       Month
	asOf        time.Time
	first, last int64 // the month's day numbers [first, last)
	openEnd     int64 // the day an open interval ends before: the day after asOf
	countries   map[string]*tally
}

// tally is one country's share of an Accumulator.
type tally struct {
	numberDays int64
	numbers    map[uint64]struct{} // E.164 numbers, as their digits
	others     map[string]struct{} // anything that is not E.164, verbatim
}

// NewAccumulator returns an empty accumulator for month m, with open
// intervals counted through the day of asOf.
func NewAccumulator(m Month, asOf time.Time) *Accumulator {
	first, last := monthDays(m)
	return &Accumulator{
		month:     m,
		asOf:      asOf.UTC(),
		first:     first,
		last:      last,
		openEnd:   dayOf(asOf) + 1,
		countries: make(map[string]*tally),
	}
}

// Add counts number, of country, reserved over [start, end) (end zero: still
// reserved), by the rule of Days. An interval with no day in the month is
// skipped. A number may have several intervals in a month: it counts once
// among the country's reserved numbers and for all its days. Intervals of
// one number should not overlap; their days would be counted twice.
//
// Numbers are told apart by their exact string; an E.164 number ("+" and
// up to 15 digits) is kept as an 8-byte integer.
func (a *Accumulator) Add(number, country string, start, end time.Time) {
	days := countDays(a.first, a.last, start, end, a.openEnd)
	if days == 0 {
		return
	}
	t := a.tally(country)
	t.numberDays += days
	if k, ok := e164Key(number); ok {
		t.numbers[k] = struct{}{}
		return
	}
	if t.others == nil {
		t.others = make(map[string]struct{})
	}
	t.others[number] = struct{}{}
}

// Merge adds other's counts to a, leaving other unchanged. Both must be for
// the same month and asOf, and distinct.
func (a *Accumulator) Merge(other *Accumulator) error {
	switch {
	case other == a:
		return errors.New("fees: merge an accumulator into itself")
	case other.month != a.month || !other.asOf.Equal(a.asOf):
		return fmt.Errorf("fees: merge accumulator of %s as of %s into one of %s as of %s",
			other.month, other.asOf.Format(time.RFC3339), a.month, a.asOf.Format(time.RFC3339))
	}
	for country, o := range other.countries {
		t := a.tally(country)
		t.numberDays += o.numberDays
		for k := range o.numbers {
			t.numbers[k] = struct{}{}
		}
		if len(o.others) > 0 && t.others == nil {
			t.others = make(map[string]struct{}, len(o.others))
		}
		for k := range o.others {
			t.others[k] = struct{}{}
		}
	}
	return nil
}

// tally returns the tally of country, creating it on first use.
func (a *Accumulator) tally(country string) *tally {
	t, ok := a.countries[country]
	if !ok {
		t = &tally{numbers: make(map[uint64]struct{})}
		a.countries[country] = t
	}
	return t
}

// e164Key returns the digits of an E.164 number, "+" and 1 to 15 digits
// the first of which is not 0, as an integer. Without a leading zero the
// digits map back to exactly one string, so the key is as distinct as the
// string.
func e164Key(number string) (uint64, bool) {
	if len(number) < 2 || len(number) > 16 || number[0] != '+' || number[1] == '0' {
		return 0, false
	}
	var k uint64
	for i := 1; i < len(number); i++ {
		c := number[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		k = k*10 + uint64(c-'0')
	}
	return k, true
}
