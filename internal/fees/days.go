package fees

import "time"

const secondsPerDay = 24 * 60 * 60

// Days returns the days of month m on which a number reserved over
// [start, end) is billed: UTC calendar days, the day of start included and
// the day of end excluded. An open interval (end is the zero time) counts
// through the day of asOf inclusive. See the package documentation.
func Days(m Month, start, end, asOf time.Time) int {
	first, last := monthDays(m)
	return int(countDays(first, last, start, end, dayOf(asOf)+1))
}

// dayOf returns the number of t's UTC calendar day, counted from
// 1970-01-01 (day 0); earlier days are negative.
func dayOf(t time.Time) int64 {
	s := t.Unix()
	d := s / secondsPerDay
	if s%secondsPerDay < 0 {
		d-- // round toward minus infinity before 1970
	}
	return d
}

// monthDays returns m as the half-open range [first, last) of day numbers.
func monthDays(m Month) (first, last int64) {
	return dayOf(m.Start()), dayOf(m.End())
}

// countDays returns how many of the days [first, last) the interval
// [start, end) covers; openEnd is the day an open interval ends before.
func countDays(first, last int64, start, end time.Time, openEnd int64) int64 {
	stop := openEnd
	if !end.IsZero() {
		stop = dayOf(end)
	}
	lo, hi := max(first, dayOf(start)), min(last, stop)
	if hi <= lo {
		return 0
	}
	return hi - lo
}
