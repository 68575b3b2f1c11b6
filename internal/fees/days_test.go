package fees_test

import (
	"testing"

	"github.com/numberdesk/numberdesk/internal/fees"
)

func TestDays(t *testing.T) {
	const closed = "2030-01-01" // an asOf long after every month below
	tests := []struct {
		name             string
		month            string
		start, end, asOf string
		want             int
	}{
		// April has 30 days; 11..30 inclusive is 30-11+1 = 20.
		{"from the 11th of a 30-day month", "2026-04", "2026-04-11", "", closed, 20},
		{"from the 11th, released on the 1st of next month", "2026-04", "2026-04-11T09:15:00Z", "2026-05-01T08:00:00Z", closed, 20},
		// January: 11..31 = 21.
		{"from the 11th of a 31-day month", "2026-01", "2026-01-11", "", closed, 21},
		{"whole 31-day month", "2026-01", "2025-06-01", "", closed, 31},
		{"whole 30-day month", "2026-06", "2026-06-01T00:00:00Z", "2026-07-01T00:00:00Z", closed, 30},
		// 2028 is a leap year: February has 29 days; 15..29 = 15.
		{"leap February, whole", "2028-02", "2028-01-20", "", closed, 29},
		{"leap February, from the 15th", "2028-02", "2028-02-15", "", closed, 15},
		{"leap February, the 29th only", "2028-02", "2028-02-29T10:00:00Z", "2028-03-01T10:00:00Z", closed, 1},
		// 2026 is not: 28 days; 15..28 = 14.
		{"common February, whole", "2026-02", "2026-01-20", "", closed, 28},
		{"common February, from the 15th", "2026-02", "2026-02-15", "", closed, 14},

		// One interval 20 Jan – 5 Mar 2026: Jan 20..31 = 12, Feb = 28, Mar 1..4 = 4.
		{"spanning, first month", "2026-01", "2026-01-20T12:00:00Z", "2026-03-05T12:00:00Z", closed, 12},
		{"spanning, middle month", "2026-02", "2026-01-20T12:00:00Z", "2026-03-05T12:00:00Z", closed, 28},
		{"spanning, last month", "2026-03", "2026-01-20T12:00:00Z", "2026-03-05T12:00:00Z", closed, 4},
		// Across the year end: Dec 30..31 = 2, Jan 1..2 = 2.
		{"across the year end, December", "2025-12", "2025-12-30", "2026-01-03", closed, 2},
		{"across the year end, January", "2026-01", "2025-12-30", "2026-01-03", closed, 2},

		{"same day", "2026-03", "2026-03-10T08:00:00Z", "2026-03-10T17:00:00Z", closed, 0},
		{"same instant", "2026-03", "2026-03-10T08:00:00Z", "2026-03-10T08:00:00Z", closed, 0},
		{"overnight: the start day only", "2026-03", "2026-03-10T23:00:00Z", "2026-03-11T01:00:00Z", closed, 1},
		{"end before start", "2026-03", "2026-03-20", "2026-03-10", closed, 0},

		{"before the month", "2026-03", "2026-02-01", "2026-02-20", closed, 0},
		{"released on the month's first day", "2026-03", "2026-02-01", "2026-03-01T23:00:00Z", closed, 0},
		{"after the month", "2026-03", "2026-04-01T00:00:00Z", "", closed, 0},
		{"reserved on the month's last day", "2026-03", "2026-03-31T23:59:59Z", "", closed, 1},

		// Open intervals: through the day of asOf inclusive, capped to the month.
		// 5..20 = 16.
		{"open, asOf in the month", "2026-03", "2026-03-05", "", "2026-03-20T12:00:00Z", 16},
		{"open, asOf at the start of its day", "2026-03", "2026-03-05", "", "2026-03-20T00:00:00Z", 16},
		{"open, asOf on the start day", "2026-03", "2026-03-05T10:00:00Z", "", "2026-03-05T11:00:00Z", 1},
		// 5..31 = 27.
		{"open, asOf after the month", "2026-03", "2026-03-05", "", "2026-04-02", 27},
		{"open, asOf the month's end", "2026-03", "2026-03-05", "", "2026-04-01T00:00:00Z", 27},
		{"open, asOf before the start", "2026-03", "2026-03-05", "", "2026-03-04T23:59:59Z", 0},
		{"open, asOf before the month", "2026-03", "2026-02-05", "", "2026-02-27", 0},
		// A closed interval ignores asOf: 5..14 = 10.
		{"closed, asOf earlier", "2026-03", "2026-03-05", "2026-03-15", "2026-03-07", 10},

		// Days are UTC days. 23:30 on 10 March at -05:00 is 04:30 on the 11th UTC:
		// 11..14 = 4. 00:30 on the 15th at +02:00 is 22:30 on the 14th UTC: 11..13 = 3.
		{"offset start", "2026-03", "2026-03-10T23:30:00-05:00", "2026-03-15", closed, 4},
		{"offset end", "2026-03", "2026-03-10T23:30:00-05:00", "2026-03-15T00:30:00+02:00", closed, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustMonth(t, tt.month)
			got := fees.Days(m, at(t, tt.start), at(t, tt.end), at(t, tt.asOf))
			if got != tt.want {
				t.Errorf("Days(%s, %s, %q, %s) = %d, want %d", tt.month, tt.start, tt.end, tt.asOf, got, tt.want)
			}
		})
	}
}
