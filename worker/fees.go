package worker

import (
	"context"
	"fmt"

	"github.com/hibiken/asynq"
	"github.com/numberdesk/numberdesk/internal/fees"
	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/jobs"
)

// FeesMonthly runs a fees:monthly task: the month's reserved-number
// statement of every account (store.RunFees), priced with h.Fees (nil: the
// default schedule).
//
// It is idempotent: a statement is stored once (SET NX), so a retried,
// duplicated or concurrent run writes nothing twice and every run sees the
// identical statements. A bad payload or a month that is not over fails
// for good; any other failure (Redis, a country missing from the schedule)
// is retried, and the accounts done already are not computed again.
func (h *Handlers) FeesMonthly(ctx context.Context, t *asynq.Task) error {
	p, err := jobs.ParseFees(t)
	if err != nil {
		return permanent(err)
	}
	m, err := fees.ParseMonth(p.Month)
	if err != nil {
		return permanent(err)
	}
	schedule := h.Fees
	if schedule == nil {
		schedule = fees.DefaultSchedule()
	}
	run, err := h.Store.RunFees(ctx, m, schedule)
	if err != nil {
		if inventory.ErrorCode(err) == inventory.CodeInvalidField {
			return permanent(err)
		}
		return fmt.Errorf("fee run %s (%d written, %d existing, %d failed): %w", m, run.Written, run.Existing, run.Failed, err)
	}
	h.Logger.Info("fee run", "month", m.String(), "written", run.Written, "existing", run.Existing)
	return nil
}
