package httpapi

import (
	"regexp"

	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/store"
)

// AuditPage is the body of GET /v1/audit.
type AuditPage struct {
	Entries []store.AuditEntry `json:"entries"`
	// NextCursor continues the account's log; "" at the end, and always ""
	// for one number's history.
	NextCursor string `json:"next_cursor"`
}

// auditRef is the form of an audit entry id: "<stream id>.<row>"; at most
// 19 digits a part keeps the stream id within what Redis parses.
var auditRef = regexp.MustCompile(`^[0-9]{1,19}-[0-9]{1,19}\.[1-9][0-9]{0,5}$`)

func (a *api) listAudit(c *call) (AuditPage, error) {
	limit, err := c.limit()
	if err != nil {
		return AuditPage{}, err
	}
	cursor, err := c.cursor()
	if err != nil {
		return AuditPage{}, err
	}
	if raw := c.query("number"); raw != "" {
		if cursor != "" {
			return AuditPage{}, apiError(inventory.CodeInvalidField, "cursor does not apply to one number's history; raise limit instead")
		}
		n, err := c.number(raw)
		if err != nil {
			return AuditPage{}, err
		}
		entries, err := a.store.Audit(c.ctx(), c.account(), n, limit)
		return AuditPage{Entries: nonNil(entries)}, err
	}
	if cursor != "" && !auditRef.MatchString(cursor) {
		return AuditPage{}, apiError(inventory.CodeInvalidField, "cursor is not valid: pass the next_cursor of the previous page")
	}
	entries, next, err := a.store.AuditLog(c.ctx(), c.account(), limit, cursor)
	if err != nil {
		return AuditPage{}, err
	}
	if next != "" {
		next = encodeCursor(next)
	}
	return AuditPage{Entries: nonNil(entries), NextCursor: next}, nil
}
