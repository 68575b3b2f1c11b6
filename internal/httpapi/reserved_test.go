package httpapi

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/numberdesk/numberdesk/internal/fees"
	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/store"
)

// TestReserved reads the Reserved view as a viewer: the current month as
// an estimate to date, a past month's statement (at the API's schedule),
// and the refusals of bad and future months.
func TestReserved(t *testing.T) {
	now := time.Date(2026, 6, 20, 12, 0, 0, 0, time.UTC)
	schedule := fees.DefaultSchedule()
	schedule["US"] = fees.Rate{Minor: 310, Currency: "USD"}
	e := newEnv(t, Config{Now: func() time.Time { return now }, Fees: schedule})
	ten := e.newTenant(t, "Resv", false, 1, 0)
	empty := e.newTenant(t, "Empty", false, 0, 0)

	// Reserved on 11 May: 21 of May's 31 days, and every day of June so far.
	reservedAt := time.Date(2026, 5, 11, 9, 0, 0, 0, time.UTC)
	clocked := store.New(e.st.Redis(), store.WithClock(func() time.Time { return reservedAt }))
	for country, numbers := range map[string][]string{"US": {"+16505550701", "+16505550702"}, "GB": {"+442071234701"}} {
		spec := store.AcquireSpec{Status: inventory.StatusReserved, EmergencyAddressID: ten.eas[0].ID}
		for _, n := range numbers {
			spec.Numbers = append(spec.Numbers, store.NewNumber{Number: n, Type: inventory.Toll, Country: country})
		}
		if res, err := clocked.Acquire(ctx, ten.acct.ID, spec, store.Actor{Name: "test"}, store.BatchOptions{}); err != nil || res.Outcomes[0].Outcome != inventory.OutcomeOK {
			t.Fatalf("reserve %v: %+v %v", numbers, res, err)
		}
	}

	get := func(token, query string) map[string]any {
		t.Helper()
		r := e.do(t, "GET", "/v1/reserved"+query, token, nil)
		r.want(t, http.StatusOK, "")
		var v map[string]any
		r.decode(t, &v)
		return v
	}
	line := func(country string, numbers, days, rate int, currency string, amount int) map[string]any {
		return map[string]any{"country": country, "reserved_numbers": float64(numbers), "number_days": float64(days),
			"rate_minor": float64(rate), "currency": currency, "amount_minor": float64(amount)}
	}
	total := func(currency string, numbers, days, amount int) map[string]any {
		return map[string]any{"currency": currency, "reserved_numbers": float64(numbers), "number_days": float64(days), "amount_minor": float64(amount)}
	}
	for _, tc := range []struct {
		query string
		want  map[string]any
	}{
		{"", map[string]any{
			"month": "2026-06", "estimate": true, "as_of": "2026-06-20T12:00:00Z",
			// 1 to 20 June: US 310 × 40 / 30 = 413.3, GB 80 × 20 / 30 = 53.3
			"countries": []any{line("GB", 1, 20, 80, "GBP", 53), line("US", 2, 40, 310, "USD", 413)},
			"totals":    []any{total("GBP", 1, 20, 53), total("USD", 2, 40, 413)},
		}},
		{"?month=2026-05", map[string]any{
			"month": "2026-05", "estimate": false, "as_of": "2026-06-01T00:00:00Z",
			// 11 to 31 May: US 310 × 42 / 31 = 420, GB 80 × 21 / 31 = 54.2
			"countries": []any{line("GB", 1, 21, 80, "GBP", 54), line("US", 2, 42, 310, "USD", 420)},
			"totals":    []any{total("GBP", 1, 21, 54), total("USD", 2, 42, 420)},
		}},
		{"?month=2026-04", map[string]any{
			"month": "2026-04", "estimate": false, "as_of": "2026-05-01T00:00:00Z",
			"countries": []any{}, "totals": []any{},
		}},
	} {
		if diff := cmp.Diff(tc.want, get(ten.viewer, tc.query)); diff != "" {
			t.Errorf("GET /v1/reserved%s (-want +got):\n%s", tc.query, diff)
		}
	}
	if got := get(empty.viewer, ""); len(got["countries"].([]any)) != 0 || len(got["totals"].([]any)) != 0 {
		t.Errorf("account without reserved numbers: %v", got)
	}

	for _, q := range []string{"?month=2026-13", "?month=May", "?month=2026-5", "?month=1999-12", "?month=2026-07", "?month=2027-01"} {
		e.do(t, "GET", "/v1/reserved"+q, ten.viewer, nil).want(t, http.StatusBadRequest, inventory.CodeInvalidField)
	}
}
