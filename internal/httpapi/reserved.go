package httpapi

import (
	"strconv"
	"time"

	"github.com/numberdesk/numberdesk/internal/fees"
	"github.com/numberdesk/numberdesk/internal/inventory"
)

// ReservedOverview is the body of GET /v1/reserved: the account's
// reserved numbers and their fees for one month, per country and per
// currency. A past month is its stored statement; the current month is an
// estimate to date (estimate true, as_of now).
type ReservedOverview struct {
	// Month is "YYYY-MM".
	Month     string       `json:"month"`
	Countries []fees.Line  `json:"countries"`
	Totals    []fees.Total `json:"totals"`
	Estimate  bool         `json:"estimate"`
	// AsOf is when the days were counted up to: now for an estimate, the
	// end of the month for a statement.
	AsOf time.Time `json:"as_of"`
}

// qMonth is the month query parameter of GET /v1/reserved.
var qMonth = param{Name: "month", Description: "The month, YYYY-MM (UTC); default: the current month. A past month shows its statement, the current month an estimate to date; a month that has not begun is refused."}

func (a *api) getReserved(c *call) (ReservedOverview, error) {
	now := a.now()
	m := fees.MonthOf(now)
	if v := c.query("month"); v != "" {
		var err error
		if m, err = fees.ParseMonth(v); err != nil {
			return ReservedOverview{}, apiError(inventory.CodeInvalidField, "month must be YYYY-MM, e.g. "+fees.MonthOf(now).String()+", got "+strconv.Quote(v))
		}
	}
	st, err := a.store.Statement(c.ctx(), c.account(), m, a.fees, now)
	if err != nil {
		return ReservedOverview{}, err
	}
	return ReservedOverview{Month: st.Month.String(), Countries: st.Countries, Totals: st.Totals, Estimate: st.Estimate, AsOf: st.AsOf}, nil
}
