package fees_test

import (
	"testing"
	"time"

	"github.com/numberdesk/numberdesk/internal/fees"
)

// at parses an RFC 3339 time, or a bare date "2026-04-11" as midnight UTC.
// The empty string is the zero time: an open interval's end.
func at(tb testing.TB, s string) time.Time {
	tb.Helper()
	if s == "" {
		return time.Time{}
	}
	layout := time.RFC3339
	if len(s) == len("2006-01-02") {
		layout = time.DateOnly
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

func mustMonth(tb testing.TB, s string) fees.Month {
	tb.Helper()
	m, err := fees.ParseMonth(s)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// interval is one reservation of a number, its times as for at.
type interval struct {
	number, country, start, end string
}

func mustStatement(tb testing.TB, m fees.Month, asOf time.Time, s fees.Schedule, ivs []interval) fees.Statement {
	tb.Helper()
	a := fees.NewAccumulator(m, asOf)
	for _, iv := range ivs {
		a.Add(iv.number, iv.country, at(tb, iv.start), at(tb, iv.end))
	}
	st, err := a.Statement(s)
	if err != nil {
		tb.Fatal(err)
	}
	return st
}
