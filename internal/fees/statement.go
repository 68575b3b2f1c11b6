package fees

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Statement is one account's reserved-number fees for a month: the
// reserved overview of the public contract.
type Statement struct {
	Month     Month     `json:"month"`
	Countries []Line    `json:"countries"` // sorted by country
	Totals    []Total   `json:"totals"`    // one per currency, sorted by currency
	Estimate  bool      `json:"estimate"`  // asOf is before the end of Month
	AsOf      time.Time `json:"as_of"`     // in UTC
}

// Line is one country of a Statement.
type Line struct {
	Country         string `json:"country"`
	ReservedNumbers int64  `json:"reserved_numbers"` // distinct numbers with at least one day
	NumberDays      int64  `json:"number_days"`
	RateMinor       int64  `json:"rate_minor"`
	Currency        string `json:"currency"`
	AmountMinor     int64  `json:"amount_minor"`
}

// Total sums the Lines of one currency.
type Total struct {
	Currency        string `json:"currency"`
	ReservedNumbers int64  `json:"reserved_numbers"`
	NumberDays      int64  `json:"number_days"`
	AmountMinor     int64  `json:"amount_minor"`
}

// Statement prices the accumulated month with schedule s. It fails when a
// country has no rate (the error wraps ErrNoRate), a rate is negative, or
// an amount would overflow int64.
func (a *Accumulator) Statement(s Schedule) (Statement, error) {
	st := Statement{
		Month:     a.month,
		Countries: make([]Line, 0, len(a.countries)),
		Totals:    []Total{},
		Estimate:  a.asOf.Before(a.month.End()),
		AsOf:      a.asOf,
	}
	days := int64(a.month.Days())
	for country, t := range a.countries {
		rate, err := s.Rate(country)
		if err != nil {
			return Statement{}, fmt.Errorf("fees: statement %s: %w", a.month, err)
		}
		if rate.Minor < 0 {
			return Statement{}, fmt.Errorf("fees: statement %s: country %q: rate_minor %d is negative", a.month, country, rate.Minor)
		}
		amount, ok := amount(rate.Minor, t.numberDays, days)
		if !ok {
			return Statement{}, fmt.Errorf("fees: statement %s: country %q: amount of rate %d × %d number-days overflows int64",
				a.month, country, rate.Minor, t.numberDays)
		}
		st.Countries = append(st.Countries, Line{
			Country:         country,
			ReservedNumbers: int64(len(t.numbers) + len(t.others)),
			NumberDays:      t.numberDays,
			RateMinor:       rate.Minor,
			Currency:        rate.Currency,
			AmountMinor:     amount,
		})
	}
	slices.SortFunc(st.Countries, func(x, y Line) int { return strings.Compare(x.Country, y.Country) })

	for _, l := range st.Countries {
		i := slices.IndexFunc(st.Totals, func(t Total) bool { return t.Currency == l.Currency })
		if i < 0 {
			st.Totals = append(st.Totals, Total{Currency: l.Currency})
			i = len(st.Totals) - 1
		}
		t := &st.Totals[i]
		t.ReservedNumbers += l.ReservedNumbers
		t.NumberDays += l.NumberDays
		if l.AmountMinor > math.MaxInt64-t.AmountMinor {
			return Statement{}, fmt.Errorf("fees: statement %s: %s total overflows int64", a.month, l.Currency)
		}
		t.AmountMinor += l.AmountMinor
	}
	slices.SortFunc(st.Totals, func(x, y Total) int { return strings.Compare(x.Currency, y.Currency) })
	return st, nil
}

// amount returns rate × numberDays / days rounded half up, computed as
// (2×sum + days) / (2×days), or false when that would overflow int64.
// rate and numberDays are >= 0 and days > 0.
func amount(rate, numberDays, days int64) (int64, bool) {
	if numberDays > 0 && rate > (math.MaxInt64-days)/2/numberDays {
		return 0, false
	}
	sum := rate * numberDays
	return (2*sum + days) / (2 * days), true
}
