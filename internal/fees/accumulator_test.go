package fees_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/numberdesk/numberdesk/internal/fees"
)

// monthEq lets cmp compare Months, whose fields are unexported.
var monthEq = cmp.Comparer(func(a, b fees.Month) bool { return a == b })

func TestStatementProration(t *testing.T) {
	// Reserved from 11 April (30 days): 11..30 = 20 days. 100 × 20 / 30 =
	// 66.67, rounded half up 67: (2×2000 + 30) / 60 = 4030 / 60 = 67.
	m := mustMonth(t, "2026-04")
	asOf := at(t, "2026-05-01T00:05:00Z")
	st := mustStatement(t, m, asOf, fees.DefaultSchedule(), []interval{
		{"+16505550100", "US", "2026-04-11T14:00:00Z", ""},
	})
	want := fees.Statement{
		Month: m,
		Countries: []fees.Line{
			{Country: "US", ReservedNumbers: 1, NumberDays: 20, RateMinor: 100, Currency: "USD", AmountMinor: 67},
		},
		Totals:   []fees.Total{{Currency: "USD", ReservedNumbers: 1, NumberDays: 20, AmountMinor: 67}},
		Estimate: false,
		AsOf:     asOf,
	}
	if diff := cmp.Diff(want, st, monthEq); diff != "" {
		t.Errorf("Statement (-want +got):\n%s", diff)
	}
}

func TestStatementRounding(t *testing.T) {
	tests := []struct {
		name  string
		month string
		rate  int64
		days  []int // days reserved of each number, the month's last days
		want  int64
	}{
		// 30-day April: 101 × 15 = 1515; 1515 / 30 = 50.5 exactly, half up: 51.
		{"exactly .5 rounds up", "2026-04", 101, []int{15}, 51},
		// 103 × 8 = 824 = 27 × 30 + 14; 27.467: 27.
		{"just below .5 rounds down", "2026-04", 103, []int{8}, 27},
		// 1 × 16 / 30 = 0.533: 1. 1 × 14 / 30 = 0.467: 0.
		{"just above .5", "2026-04", 1, []int{16}, 1},
		{"just below .5, to zero", "2026-04", 1, []int{14}, 0},
		// 100 × 15 / 30 = 50 exactly.
		{"whole", "2026-04", 100, []int{15}, 50},
		// 28-day February 2026: 1 × 14 / 28 = 0.5: 1; 1 × 13 / 28 = 0.464: 0.
		{"exactly .5 in February", "2026-02", 1, []int{14}, 1},
		{"below .5 in February", "2026-02", 1, []int{13}, 0},
		// 100 × 14 / 28 = 50; leap 2028: 100 × 15 / 29 = 51.72: 52.
		{"common February", "2026-02", 100, []int{14}, 50},
		{"leap February", "2028-02", 100, []int{15}, 52},
		{"leap February, whole", "2028-02", 100, []int{29}, 100},
		// 31-day January: 100 × 21 / 31 = 67.74: 68. Odd months have no exact .5:
		// 1 × 15 / 31 = 0.484: 0; 1 × 16 / 31 = 0.516: 1.
		{"31-day month", "2026-01", 100, []int{21}, 68},
		{"31 days, below .5", "2026-01", 1, []int{15}, 0},
		{"31 days, above .5", "2026-01", 1, []int{16}, 1},
		// Rounded once per country, not per number: 2 × 1515 / 30 = 101,
		// where 51 + 51 would be 102; 3 × 1 × 5 / 30 = 0.5: 1, where 0 + 0 + 0.
		{"sum then round, up case", "2026-04", 101, []int{15, 15}, 101},
		{"sum then round, zero case", "2026-04", 1, []int{5, 5, 5}, 1},
		{"free", "2026-04", 0, []int{30}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustMonth(t, tt.month)
			a := fees.NewAccumulator(m, m.End())
			var numberDays int64
			for i, d := range tt.days {
				start := m.End().AddDate(0, 0, -d)
				a.Add(fmt.Sprintf("+1650555%04d", i), "US", start, time.Time{})
				numberDays += int64(d)
			}
			st, err := a.Statement(fees.Schedule{"US": {Minor: tt.rate, Currency: "USD"}})
			if err != nil {
				t.Fatal(err)
			}
			want := []fees.Line{{
				Country: "US", ReservedNumbers: int64(len(tt.days)), NumberDays: numberDays,
				RateMinor: tt.rate, Currency: "USD", AmountMinor: tt.want,
			}}
			if diff := cmp.Diff(want, st.Countries); diff != "" {
				t.Errorf("Countries (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStatementCountriesAndCurrencies(t *testing.T) {
	s := fees.DefaultSchedule()
	s["FR"] = fees.Rate{Minor: 70, Currency: "EUR"}
	m := mustMonth(t, "2026-03") // 31 days
	asOf := at(t, "2026-04-02T03:00:00Z")
	st := mustStatement(t, m, asOf, s, []interval{
		// US: 31 + 21 (11..31) = 52 number-days; 100 × 52 / 31 = 167.74: 168.
		{"+16505550100", "US", "2026-02-01", ""},
		{"+16505550101", "US", "2026-03-11", ""},
		// CA: 1..15 = 15; 125 × 15 / 31 = 60.48: 60.
		{"+14165550100", "CA", "2026-03-01", "2026-03-16"},
		// DE: whole month, 90.
		{"+4930555010", "DE", "2026-03-01", "2026-04-01"},
		// FR: 17..31 = 15; 70 × 15 / 31 = 33.87: 34.
		{"+33155501000", "FR", "2026-03-17T09:00:00Z", ""},
		// GB: one day; 80 / 31 = 2.58: 3.
		{"+442071234567", "GB", "2026-03-01", "2026-03-02"},
		// PL: released in February; no line.
		{"+48225550100", "PL", "2026-01-01", "2026-02-10"},
	})
	want := fees.Statement{
		Month: m,
		Countries: []fees.Line{
			{Country: "CA", ReservedNumbers: 1, NumberDays: 15, RateMinor: 125, Currency: "CAD", AmountMinor: 60},
			{Country: "DE", ReservedNumbers: 1, NumberDays: 31, RateMinor: 90, Currency: "EUR", AmountMinor: 90},
			{Country: "FR", ReservedNumbers: 1, NumberDays: 15, RateMinor: 70, Currency: "EUR", AmountMinor: 34},
			{Country: "GB", ReservedNumbers: 1, NumberDays: 1, RateMinor: 80, Currency: "GBP", AmountMinor: 3},
			{Country: "US", ReservedNumbers: 2, NumberDays: 52, RateMinor: 100, Currency: "USD", AmountMinor: 168},
		},
		Totals: []fees.Total{
			{Currency: "CAD", ReservedNumbers: 1, NumberDays: 15, AmountMinor: 60},
			{Currency: "EUR", ReservedNumbers: 2, NumberDays: 46, AmountMinor: 124}, // 90 + 34
			{Currency: "GBP", ReservedNumbers: 1, NumberDays: 1, AmountMinor: 3},
			{Currency: "USD", ReservedNumbers: 2, NumberDays: 52, AmountMinor: 168},
		},
		Estimate: false,
		AsOf:     asOf,
	}
	if diff := cmp.Diff(want, st, monthEq); diff != "" {
		t.Errorf("Statement (-want +got):\n%s", diff)
	}
}

func TestStatementDistinctNumbers(t *testing.T) {
	m := mustMonth(t, "2026-03")
	st := mustStatement(t, m, at(t, "2026-04-02"), fees.DefaultSchedule(), []interval{
		// One number, two intervals: 1..4 = 4 and 20..31 = 12: one number, 16 days.
		{"+16505550100", "US", "2026-03-01", "2026-03-05"},
		{"+16505550100", "US", "2026-03-20", ""},
		// No day in March: not a reserved number of March.
		{"+16505550101", "US", "2026-03-10T08:00:00Z", "2026-03-10T18:00:00Z"},
		{"+16505550102", "US", "2026-02-01", "2026-03-01"},
		// Not E.164, kept as strings, each distinct from the E.164 number:
		// 1..2 = 2 and 10 = 1 for the first, 1 for each of the others.
		{"ext-7", "US", "2026-03-01", "2026-03-03"},
		{"ext-7", "US", "2026-03-10", "2026-03-11"},
		{"16505550100", "US", "2026-03-31", ""},
		{"+016505550100", "US", "2026-03-31", ""},
	})
	// 4 numbers (+16505550100, ext-7, 16505550100, +016505550100), 16+3+1+1 = 21 days;
	// 100 × 21 / 31 = 67.74: 68.
	want := []fees.Line{{Country: "US", ReservedNumbers: 4, NumberDays: 21, RateMinor: 100, Currency: "USD", AmountMinor: 68}}
	if diff := cmp.Diff(want, st.Countries); diff != "" {
		t.Errorf("Countries (-want +got):\n%s", diff)
	}
}

func TestStatementEstimate(t *testing.T) {
	m := mustMonth(t, "2026-03") // 31 days
	ivs := []interval{{"+16505550100", "US", "2026-03-05T10:00:00Z", ""}}
	tests := []struct {
		name       string
		asOf       string
		numberDays int64
		amount     int64
		estimate   bool
	}{
		// 5..20 = 16; 100 × 16 / 31 = 51.61: 52.
		{"asOf in the month", "2026-03-20T12:00:00Z", 16, 52, true},
		{"asOf on the month's last day", "2026-03-31T23:59:59Z", 27, 87, true},
		// 5..31 = 27; 100 × 27 / 31 = 87.10: 87.
		{"asOf the month's end", "2026-04-01T00:00:00Z", 27, 87, false},
		{"asOf after the month", "2026-06-15T00:00:00Z", 27, 87, false},
		// A future month: nothing yet.
		{"asOf before the month", "2026-02-20T00:00:00Z", 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := mustStatement(t, m, at(t, tt.asOf), fees.DefaultSchedule(), ivs)
			if st.Estimate != tt.estimate {
				t.Errorf("Estimate = %v, want %v", st.Estimate, tt.estimate)
			}
			var gotDays, gotAmount int64
			for _, l := range st.Countries {
				gotDays, gotAmount = l.NumberDays, l.AmountMinor
			}
			if gotDays != tt.numberDays || gotAmount != tt.amount {
				t.Errorf("number-days, amount = %d, %d, want %d, %d", gotDays, gotAmount, tt.numberDays, tt.amount)
			}
		})
	}
}

func TestStatementJSON(t *testing.T) {
	m := mustMonth(t, "2026-03")
	// asOf in Warsaw (+01:00) is 12:00 UTC; the statement says so.
	st := mustStatement(t, m, at(t, "2026-03-20T13:00:00+01:00"), fees.DefaultSchedule(), []interval{
		{"+16505550100", "US", "2026-03-05", ""}, // 5..20 = 16; 1600 / 31 = 51.6: 52
	})
	got, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"month":"2026-03",` +
		`"countries":[{"country":"US","reserved_numbers":1,"number_days":16,"rate_minor":100,"currency":"USD","amount_minor":52}],` +
		`"totals":[{"currency":"USD","reserved_numbers":1,"number_days":16,"amount_minor":52}],` +
		`"estimate":true,"as_of":"2026-03-20T12:00:00Z"}`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("JSON (-want +got):\n%s", diff)
	}

	var back fees.Statement
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(st, back, monthEq); diff != "" {
		t.Errorf("JSON round trip (-want +got):\n%s", diff)
	}

	empty := mustStatement(t, m, at(t, "2026-04-02"), fees.DefaultSchedule(), nil)
	got, err = json.Marshal(empty)
	if err != nil {
		t.Fatal(err)
	}
	want = `{"month":"2026-03","countries":[],"totals":[],"estimate":false,"as_of":"2026-04-02T00:00:00Z"}`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("empty statement JSON (-want +got):\n%s", diff)
	}
}

func TestStatementErrors(t *testing.T) {
	m := mustMonth(t, "2026-03") // 31 days
	asOf := at(t, "2026-04-02")
	statement := func(s fees.Schedule, ivs ...interval) (fees.Statement, error) {
		a := fees.NewAccumulator(m, asOf)
		for _, iv := range ivs {
			a.Add(iv.number, iv.country, at(t, iv.start), at(t, iv.end))
		}
		return a.Statement(s)
	}
	oneDay := func(country string) interval { return interval{"+16505550100", country, "2026-03-01", "2026-03-02"} }

	_, err := statement(fees.DefaultSchedule(), oneDay("US"), oneDay("JP"))
	if !errors.Is(err, fees.ErrNoRate) || !strings.Contains(err.Error(), `"JP"`) || !strings.Contains(err.Error(), "2026-03") {
		t.Errorf("unknown country: error = %v, want ErrNoRate naming JP and 2026-03", err)
	}

	_, err = statement(fees.Schedule{"US": {Minor: -1, Currency: "USD"}}, oneDay("US"))
	if err == nil || !strings.Contains(err.Error(), "-1") {
		t.Errorf("negative rate: error = %v, want one naming -1", err)
	}

	// The largest rate with 2 × rate × 1 + 31 <= MaxInt64 works and rounds as
	// big integers do; one more overflows.
	maxRate := int64((math.MaxInt64 - 31) / 2)
	st, err := statement(fees.Schedule{"US": {Minor: maxRate, Currency: "USD"}}, oneDay("US"))
	if err != nil {
		t.Fatalf("largest rate: %v", err)
	}
	want := new(big.Int).Quo(big.NewInt(2*maxRate+31), big.NewInt(62)).Int64()
	if got := st.Countries[0].AmountMinor; got != want {
		t.Errorf("largest rate: amount = %d, want %d", got, want)
	}
	_, err = statement(fees.Schedule{"US": {Minor: maxRate + 1, Currency: "USD"}}, oneDay("US"))
	if err == nil || !strings.Contains(err.Error(), "overflow") {
		t.Errorf("rate %d: error = %v, want an overflow", maxRate+1, err)
	}

	// 70 countries, each with an amount of about MaxInt64 / 62, overflow
	// their currency's total.
	s := fees.Schedule{}
	var ivs []interval
	for i := range 70 {
		c := string([]byte{'A' + byte(i/26), 'A' + byte(i%26)})
		s[c] = fees.Rate{Minor: maxRate, Currency: "XTS"}
		ivs = append(ivs, oneDay(c))
	}
	_, err = statement(s, ivs...)
	if err == nil || !strings.Contains(err.Error(), "XTS total overflows") {
		t.Errorf("total: error = %v, want an overflow of XTS", err)
	}
}

// randomIntervals returns n intervals of numbers from a pool of pool, around
// March 2026, some open, with every time of day and a few non-E.164 numbers.
func randomIntervals(seed uint64, n, pool int) []interval {
	r := rand.New(rand.NewPCG(seed, 1))
	countries := []string{"US", "CA", "GB", "DE", "PL", "AU"}
	base := time.Date(2026, 2, 10, 0, 0, 0, 0, time.UTC)
	ivs := make([]interval, n)
	for i := range ivs {
		k := r.IntN(pool)
		number := fmt.Sprintf("+1650%07d", k)
		if k%97 == 0 {
			number = fmt.Sprintf("ext-%d", k)
		}
		start := base.Add(time.Duration(r.Int64N(int64(70 * 24 * time.Hour))))
		end := ""
		if r.IntN(10) >= 3 {
			end = start.Add(time.Duration(r.Int64N(int64(40 * 24 * time.Hour)))).Format(time.RFC3339)
		}
		ivs[i] = interval{number, countries[k%len(countries)], start.Format(time.RFC3339), end}
	}
	return ivs
}

func TestAccumulatorMatchesDays(t *testing.T) {
	// The accumulator against a plain count with Days and a set of strings.
	m := mustMonth(t, "2026-03")
	asOf := at(t, "2026-03-20T06:00:00Z")
	ivs := randomIntervals(1, 20000, 3000)
	st := mustStatement(t, m, asOf, fees.DefaultSchedule(), ivs)

	numbers := map[string]map[string]bool{}
	days := map[string]int64{}
	for _, iv := range ivs {
		d := fees.Days(m, at(t, iv.start), at(t, iv.end), asOf)
		if d == 0 {
			continue
		}
		if numbers[iv.country] == nil {
			numbers[iv.country] = map[string]bool{}
		}
		numbers[iv.country][iv.number] = true
		days[iv.country] += int64(d)
	}
	if len(st.Countries) != len(days) {
		t.Fatalf("%d countries, want %d", len(st.Countries), len(days))
	}
	for _, l := range st.Countries {
		if l.ReservedNumbers != int64(len(numbers[l.Country])) || l.NumberDays != days[l.Country] {
			t.Errorf("%s: %d numbers, %d days, want %d, %d",
				l.Country, l.ReservedNumbers, l.NumberDays, len(numbers[l.Country]), days[l.Country])
		}
	}
}

func TestMergeEqualsOneAccumulator(t *testing.T) {
	m := mustMonth(t, "2026-03")
	asOf := at(t, "2026-03-20T06:00:00Z")
	ivs := randomIntervals(2, 20000, 3000)
	one := mustStatement(t, m, asOf, fees.DefaultSchedule(), ivs)
	oneJSON, err := json.Marshal(one)
	if err != nil {
		t.Fatal(err)
	}

	// The same intervals shuffled and split between four goroutines.
	rand.New(rand.NewPCG(3, 3)).Shuffle(len(ivs), func(i, j int) { ivs[i], ivs[j] = ivs[j], ivs[i] })
	parts := make([]*fees.Accumulator, 4)
	var wg sync.WaitGroup
	for p := range parts {
		parts[p] = fees.NewAccumulator(m, asOf)
		wg.Go(func() {
			for i := p; i < len(ivs); i += len(parts) {
				iv := ivs[i]
				parts[p].Add(iv.number, iv.country, at(t, iv.start), at(t, iv.end))
			}
		})
	}
	wg.Wait()
	before, err := parts[1].Statement(fees.DefaultSchedule())
	if err != nil {
		t.Fatal(err)
	}
	merged := fees.NewAccumulator(m, asOf)
	for _, p := range parts {
		if err := merged.Merge(p); err != nil {
			t.Fatal(err)
		}
	}
	got, err := merged.Statement(fees.DefaultSchedule())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(one, got, monthEq); diff != "" {
		t.Errorf("merged statement (-one +merged):\n%s", diff)
	}
	gotJSON, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	if string(gotJSON) != string(oneJSON) {
		t.Errorf("merged JSON differs:\n%s\n%s", oneJSON, gotJSON)
	}

	after, err := parts[1].Statement(fees.DefaultSchedule())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, after, monthEq); diff != "" {
		t.Errorf("Merge changed its argument (-before +after):\n%s", diff)
	}
}

func TestMergeRejects(t *testing.T) {
	m := mustMonth(t, "2026-03")
	asOf := at(t, "2026-03-20")
	a := fees.NewAccumulator(m, asOf)
	tests := []struct {
		name  string
		other *fees.Accumulator
	}{
		{"itself", a},
		{"another month", fees.NewAccumulator(m.Next(), asOf)},
		{"another asOf", fees.NewAccumulator(m, asOf.Add(time.Second))},
	}
	for _, tt := range tests {
		if err := a.Merge(tt.other); err == nil {
			t.Errorf("Merge(%s) = nil, want an error", tt.name)
		}
	}
	// The same instant in another zone is the same asOf.
	if err := a.Merge(fees.NewAccumulator(m, asOf.In(time.FixedZone("X", 3600)))); err != nil {
		t.Errorf("Merge(same asOf, other zone) = %v", err)
	}
}
