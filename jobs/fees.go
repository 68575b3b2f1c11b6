package jobs

import (
	"encoding/json"
	"fmt"
	"regexp"
	"time"

	"github.com/hibiken/asynq"
)

// TypeFeesMonthly writes the reserved-number fee statement of one month
// for every account (each statement is stored once).
const TypeFeesMonthly = "fees:monthly"

// FeesPayload names the month ("2026-10") of a fee run.
type FeesPayload struct {
	Month string `json:"month"`
}

var monthRE = regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])$`)

// NewFeesTask returns the fee run of a month: one per month (TaskID
// "fees:monthly:<month>").
func NewFeesTask(month string) (*asynq.Task, error) {
	if !monthRE.MatchString(month) {
		return nil, fmt.Errorf("fee run: month %q is not YYYY-MM", month)
	}
	body, err := json.Marshal(FeesPayload{Month: month})
	if err != nil {
		return nil, err
	}
	return asynq.NewTask(TypeFeesMonthly, body,
		asynq.Queue(QueuePeriodic),
		asynq.TaskID("fees:monthly:"+month),
		asynq.MaxRetry(10),
		asynq.Timeout(30*time.Minute),
		asynq.Retention(7*24*time.Hour),
	), nil
}

// ParseFees decodes a fees:monthly payload.
func ParseFees(t *asynq.Task) (FeesPayload, error) {
	var p FeesPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return p, fmt.Errorf("decode %s payload: %w", t.Type(), err)
	}
	if !monthRE.MatchString(p.Month) {
		return p, fmt.Errorf("%s payload %s: month must be YYYY-MM", t.Type(), t.Payload())
	}
	return p, nil
}
