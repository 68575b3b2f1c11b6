package fees

import (
	"fmt"
	"time"
)

// Month is a calendar month in UTC. The zero value is not a valid month;
// make one with ParseMonth or MonthOf. Months are comparable with ==.
//
// A Month marshals to and from JSON (and text) as "YYYY-MM".
type Month struct {
	year  int
	month time.Month
}

// ParseMonth parses "YYYY-MM": exactly four digits, a hyphen and two
// digits, with the year in 2000-9999 and the month in 01-12.
func ParseMonth(s string) (Month, error) {
	bad := func(why string) (Month, error) {
		return Month{}, fmt.Errorf("fees: invalid month %q: %s", s, why)
	}
	if len(s) != 7 || s[4] != '-' {
		return bad("want YYYY-MM")
	}
	year, month := 0, 0
	for i, c := range []byte(s) {
		if i == 4 {
			continue
		}
		if c < '0' || c > '9' {
			return bad("want YYYY-MM")
		}
		if i < 4 {
			year = year*10 + int(c-'0')
		} else {
			month = month*10 + int(c-'0')
		}
	}
	if year < 2000 {
		return bad("year before 2000")
	}
	if month < 1 || month > 12 {
		return bad("month not in 01-12")
	}
	return Month{year: year, month: time.Month(month)}, nil
}

// MonthOf returns the month of t in UTC. Unlike ParseMonth it accepts any
// year; a month before 2000 does not parse back from its String.
func MonthOf(t time.Time) Month {
	y, m, _ := t.UTC().Date()
	return Month{year: y, month: m}
}

// String returns the month as "YYYY-MM".
func (m Month) String() string {
	return fmt.Sprintf("%04d-%02d", m.year, int(m.month))
}

// Start returns the first instant of the month, midnight UTC of its first day.
func (m Month) Start() time.Time {
	return time.Date(m.year, m.month, 1, 0, 0, 0, 0, time.UTC)
}

// End returns the first instant after the month: the start of the next month.
func (m Month) End() time.Time {
	return m.Next().Start()
}

// Days returns the number of days in the month: 28, 29, 30 or 31.
func (m Month) Days() int {
	return int(m.End().Sub(m.Start()) / (24 * time.Hour))
}

// Prev returns the month before m.
func (m Month) Prev() Month {
	if m.month == time.January {
		return Month{year: m.year - 1, month: time.December}
	}
	return Month{year: m.year, month: m.month - 1}
}

// Next returns the month after m.
func (m Month) Next() Month {
	if m.month == time.December {
		return Month{year: m.year + 1, month: time.January}
	}
	return Month{year: m.year, month: m.month + 1}
}

// MarshalText returns the month as "YYYY-MM"; encoding/json uses it.
func (m Month) MarshalText() ([]byte, error) {
	return []byte(m.String()), nil
}

// UnmarshalText parses "YYYY-MM" as ParseMonth does; encoding/json uses it.
func (m *Month) UnmarshalText(b []byte) error {
	v, err := ParseMonth(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}
