// Package fees is the arithmetic of the monthly fee for reserved phone
// numbers: the fee schedule, calendar months, the days a number was reserved
// in a month, and per-country statements built from a stream of reservation
// intervals. It imports only the standard library; the store feeds it
// intervals, and the fees:monthly job and the Reserved view render its
// Statement.
//
// # Counting days
//
// A number is reserved over the half-open interval [start, end). Days are
// calendar days in UTC:
//
//   - the day of start counts, the day of end does not: the fee stops on
//     the day the number is released or activated;
//   - a number reserved and released on the same day has 0 days;
//   - an open interval (end is the zero time) counts through the day of
//     asOf inclusive, as if it ended at the start of the day after asOf;
//   - only the days inside the month count.
//
// A number reserved on 11 April and still reserved on 30 April has 20 of
// April's 30 days. Days implements the rule for one interval.
//
// # Amounts
//
// The fee of one number for month M is rate × days / days_in_M. Per
// account, month and country the products rate × days are summed as
// integers (one rate per country makes that rate × number_days) and the sum
// is divided by days_in_M and rounded half up once:
//
//	amount = (2×sum + d) / (2×d)    integer division, d = days in M
//
// So two numbers at rate 101 for 15 days of a 30-day month come to
// 3030/30 = 101, not 51 + 51. An Accumulator holds one account's month.
//
// # Bounds
//
// All arithmetic is int64 and checked: Statement returns an error instead
// of a wrapped amount when 2 × rate × number_days + days_in_M, or a
// currency total, exceeds math.MaxInt64 (about 9.2e18). Real inputs are
// far below: 100 million numbers for a whole 31-day month at a rate of
// 1,000,000 minor units give 2 × 3.1e15.
//
// # Estimates and repeat runs
//
// A statement whose asOf is before the end of its month is an estimate: its
// open intervals count only through the day of asOf. A statement is a
// function of its intervals, month, asOf and schedule alone, whatever the
// order of the intervals or how they were split between accumulators, so
// running the month again gives the identical statement, byte for byte
// once marshalled.
package fees
