package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/redis/go-redis/v9"
)

// AuditEntry is one change of one number.
type AuditEntry struct {
	// ID is the entry's audit ref: "<stream id>.<row>".
	ID     string      `json:"id"`
	Time   time.Time   `json:"time"`
	Actor  string      `json:"actor"`
	Action string      `json:"action"`
	Number string      `json:"number"`
	Before *AuditState `json:"before"`
	After  *AuditState `json:"after"`
	Source string      `json:"source"`
}

// AuditState is a number's status and assignee before or after a change;
// nil when the number was not in the inventory.
type AuditState struct {
	Status          inventory.Status `json:"status"`
	ExtensionID     string           `json:"extension_id,omitempty"`
	ExtensionNumber string           `json:"extension_number,omitempty"`
}

type auditRow struct {
	number, action, beforeStatus, beforeExt, afterStatus, afterExt, prev string
}

type auditEntry struct {
	id, actor, source string
	time              time.Time
	rows              []auditRow
}

func parseAuditEntry(m redis.XMessage) auditEntry {
	e := auditEntry{id: m.ID}
	e.actor, _ = m.Values["a"].(string)
	e.source, _ = m.Values["s"].(string)
	ms, _, _ := strings.Cut(m.ID, "-")
	if v, err := strconv.ParseInt(ms, 10, 64); err == nil {
		e.time = time.UnixMilli(v).UTC()
	}
	raw, _ := m.Values["r"].(string)
	for _, r := range strings.Split(raw, rowSep) {
		f := strings.Split(r, sep)
		for len(f) < 7 {
			f = append(f, "")
		}
		e.rows = append(e.rows, auditRow{f[0], f[1], f[2], f[3], f[4], f[5], f[6]})
	}
	return e
}

// Audit returns the newest changes of one number, newest first, following
// the chain of audit refs from its record (or, for a released number, from
// its tombstone). The chain ends where the capped stream was trimmed.
func (s *Store) Audit(ctx context.Context, accountID, number string, limit int) ([]AuditEntry, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	k := accountKeys(accountID)
	pipe := s.rdb.Pipeline()
	rec := pipe.HGet(ctx, k.num, number)
	tomb := pipe.HGet(ctx, k.gone, number)
	_, _ = pipe.Exec(ctx)
	ref := ""
	if v, err := rec.Result(); err == nil {
		f := strings.Split(v, sep)
		if len(f) > fAudit {
			ref = f[fAudit]
		}
	} else if v, err := tomb.Result(); err == nil {
		ref = v
	} else if err != redis.Nil {
		return nil, fmt.Errorf("read audit of %s: %w", number, err)
	}
	if ref == "" {
		return nil, inventory.Errorf(inventory.CodeNumberNotFound, "%s has no history in the account", number)
	}
	cache := map[string]auditEntry{}
	var out []AuditEntry
	for ref != "" && len(out) < limit {
		id, row, ok := strings.Cut(ref, ".")
		n, err := strconv.Atoi(row)
		if !ok || err != nil {
			break
		}
		e, ok := cache[id]
		if !ok {
			ms, err := s.rdb.XRange(ctx, k.audit, id, id).Result()
			if err != nil {
				return nil, fmt.Errorf("read audit entry %s: %w", id, err)
			}
			if len(ms) == 0 {
				break // trimmed away
			}
			e = parseAuditEntry(ms[0])
			cache[id] = e
		}
		if n < 1 || n > len(e.rows) {
			break
		}
		out = append(out, e.entry(n))
		prev := e.rows[n-1].prev
		if strings.HasPrefix(prev, ".") {
			prev = id + prev
		}
		ref = prev
	}
	return s.resolveAuditExtensions(ctx, k, out)
}

func (e auditEntry) entry(n int) AuditEntry {
	r := e.rows[n-1]
	state := func(st, ext string) *AuditState {
		if st == "" || st == string(inventory.StatusReleased) {
			return nil
		}
		return &AuditState{Status: inventory.Status(st), ExtensionID: ext}
	}
	return AuditEntry{
		ID: e.id + "." + strconv.Itoa(n), Time: e.time, Actor: e.actor, Source: e.source,
		Action: r.action, Number: r.number,
		Before: state(r.beforeStatus, r.beforeExt), After: state(r.afterStatus, r.afterExt),
	}
}

// AuditLog returns the account's newest changes across all numbers, newest
// first, starting before the ref cursor ("" for the newest). It returns the
// cursor of the next page, or "" at the end.
func (s *Store) AuditLog(ctx context.Context, accountID string, limit int, cursor string) ([]AuditEntry, string, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	k := accountKeys(accountID)
	max, skipAbove := "+", 0
	if cursor != "" {
		id, row, ok := strings.Cut(cursor, ".")
		n, err := strconv.Atoi(row)
		if !ok || err != nil || n < 1 || !streamID(id) {
			return nil, "", inventory.Errorf(inventory.CodeInvalidField, "cursor is not valid")
		}
		max, skipAbove = id, n
	}
	var out []AuditEntry
	for len(out) < limit {
		ms, err := s.rdb.XRevRangeN(ctx, k.audit, max, "-", 20).Result()
		if err != nil {
			return nil, "", fmt.Errorf("read audit log: %w", err)
		}
		for _, m := range ms {
			e := parseAuditEntry(m)
			start := len(e.rows)
			if m.ID == max && skipAbove > 0 {
				start = skipAbove - 1
			} else if m.ID == max && max != "+" {
				continue
			}
			for n := start; n >= 1; n-- {
				out = append(out, e.entry(n))
				if len(out) == limit {
					res, err := s.resolveAuditExtensions(ctx, k, out)
					return res, out[len(out)-1].ID, err
				}
			}
		}
		if len(ms) < 20 {
			break
		}
		max, skipAbove = ms[len(ms)-1].ID, 0
	}
	res, err := s.resolveAuditExtensions(ctx, k, out)
	return res, "", err
}

// streamID reports whether id has the form of a stream entry id, "<ms>-<seq>".
func streamID(id string) bool {
	ms, seq, ok := strings.Cut(id, "-")
	if !ok || ms == "" || seq == "" {
		return false
	}
	for _, c := range ms + seq {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func (s *Store) resolveAuditExtensions(ctx context.Context, k keys, entries []AuditEntry) ([]AuditEntry, error) {
	var ids []string
	seen := map[string]bool{}
	for _, e := range entries {
		for _, st := range []*AuditState{e.Before, e.After} {
			if st != nil && st.ExtensionID != "" && !seen[st.ExtensionID] {
				seen[st.ExtensionID] = true
				ids = append(ids, st.ExtensionID)
			}
		}
	}
	if len(ids) == 0 {
		if entries == nil {
			entries = []AuditEntry{}
		}
		return entries, nil
	}
	vals, err := s.rdb.HMGet(ctx, k.ext, ids...).Result()
	if err != nil {
		return nil, fmt.Errorf("read audit extensions: %w", err)
	}
	numbers := map[string]string{}
	for i, v := range vals {
		if rec, ok := v.(string); ok {
			numbers[ids[i]] = parseExtension(ids[i], rec).ExtensionNumber
		}
	}
	for _, e := range entries {
		for _, st := range []*AuditState{e.Before, e.After} {
			if st != nil && st.ExtensionID != "" {
				st.ExtensionNumber = numbers[st.ExtensionID]
			}
		}
	}
	return entries, nil
}
