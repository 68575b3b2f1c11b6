package store

import (
	"strings"

	"github.com/numberdesk/numberdesk/internal/inventory"
)

// BatchOptions tie a batch step to its caller's bookkeeping. The zero value
// applies the batch once, with no marker and no progress counters.
type BatchOptions struct {
	// MarkerID names the batch's applied-marker. When set, a batch that has
	// already been applied is not applied again: the stored outcomes of its
	// first run come back instead (Replayed is true).
	MarkerID string
	// DryRun checks every row against the current state and changes nothing.
	DryRun bool
	// ImportID, when set, counts the batch's outcomes into that import's
	// progress hash in the same atomic step.
	ImportID string
	// PreFailed is how many rows of the batch failed before reaching the
	// store (bad phone numbers, duplicates); they are counted as done and
	// failed together with the batch's own outcomes.
	PreFailed int
}

func (o BatchOptions) flags() string {
	var b strings.Builder
	if o.MarkerID != "" {
		b.WriteByte('m')
	}
	if o.DryRun {
		b.WriteByte('d')
	}
	if o.ImportID != "" {
		b.WriteByte('p')
	}
	return b.String()
}

// ImportKey returns the key of an import's record and progress counters.
func ImportKey(accountID, importID string) string {
	return accountKeys(accountID).prefix + "imp:" + importID
}

// BatchResult is what a batch step did to each row.
type BatchResult struct {
	// Outcomes has one entry per row, in order.
	Outcomes []RowOutcome
	// Replayed reports that the batch had been applied before and these are
	// the outcomes of that first run.
	Replayed bool
	// Attempts is how many times the batch was planned: more than one when
	// the state changed between a plan and its commit (see Apply).
	Attempts int
}

// RowOutcome is the outcome of one row: ok, unchanged, reserved (a port-in
// that found no licence), or an error code with a message.
type RowOutcome struct {
	Outcome inventory.Outcome
	Message string
}

// Err returns the row's error, or nil when it did not fail.
func (r RowOutcome) Err() error {
	if !r.Outcome.Failed() {
		return nil
	}
	return &inventory.Error{Code: inventory.Code(r.Outcome), Message: r.Message}
}

// Counts tallies the outcomes: ok (and reserved), unchanged and failed.
func (b BatchResult) Counts() (ok, unchanged, failed int) {
	for _, o := range b.Outcomes {
		switch {
		case o.Outcome == inventory.OutcomeUnchanged:
			unchanged++
		case o.Outcome.Failed():
			failed++
		default:
			ok++
		}
	}
	return
}

// rowMessage writes the message of an outcome from the script's detail.
func rowMessage(code string, detail []string) string {
	switch inventory.Code(code) {
	case inventory.CodeNumberNotFound:
		return "the number is not in the account's inventory"
	case inventory.CodeExtensionNotFound:
		return "no such extension"
	case inventory.CodeAlreadyAssigned:
		if len(detail) > 0 && detail[0] != "" {
			return "the number is assigned to extension " + detail[0]
		}
		return "the number is assigned"
	case inventory.CodeNotAssigned:
		return "the number is not assigned"
	case inventory.CodeNumberNotActive:
		return "the number is porting or reserved, not active"
	case inventory.CodeSiteMismatch:
		if len(detail) == 2 {
			return "the number belongs to site " + detail[0] + ", the extension to site " + detail[1]
		}
		return "the number and the extension belong to different sites"
	case inventory.CodeNumberExists:
		return "the number is already in an inventory"
	case inventory.CodeLicenseExhausted:
		return "no free licence"
	case inventory.CodeTollFreeLicenseRequired:
		return "the account has no toll-free licence"
	case inventory.CodeWrongStatus:
		return "the number's status does not allow this"
	case inventory.CodeInvalidAction:
		return "unknown action"
	}
	return strings.Join(detail, " ")
}

// parseOutcome splits a script outcome "code\x1fdetail..." into a RowOutcome.
func parseOutcome(s string) RowOutcome {
	code, rest, _ := strings.Cut(s, sep)
	var detail []string
	if rest != "" {
		detail = strings.Split(rest, sep)
	}
	o := RowOutcome{Outcome: inventory.Outcome(code)}
	if o.Outcome.Failed() {
		o.Message = rowMessage(code, detail)
	}
	return o
}
