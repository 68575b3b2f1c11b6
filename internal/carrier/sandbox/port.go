package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/numberdesk/numberdesk/internal/carrier"
	"github.com/numberdesk/numberdesk/internal/phone"
)

// Exception reasons of port orders.
const (
	ReasonPINMismatch     = "pin_mismatch"      // PIN "0000"
	ReasonAccountNotFound = "account_not_found" // account number "0"
)

// portRecord is a stored port order; its status is computed when read.
type portRecord struct {
	ID          string              `json:"id"`
	Key         string              `json:"key"`
	Request     carrier.PortRequest `json:"request"`
	SubmittedAt time.Time           `json:"submitted_at"`
	CancelledAt time.Time           `json:"cancelled_at,omitzero"`
}

// exceptionReason is the losing carrier's objection to the request, or "".
func exceptionReason(r carrier.PortRequest) string {
	switch {
	case r.PIN == "0000":
		return ReasonPINMismatch
	case r.AccountNumber == "0":
		return ReasonAccountNotFound
	}
	return ""
}

// view computes the port order as it stands at now.
func (s *Carrier) view(rec portRecord, now time.Time) carrier.Port {
	step := s.cfg.PortStep
	p := carrier.Port{ID: rec.ID, Numbers: rec.Request.Numbers, SubmittedAt: rec.SubmittedAt}
	steps := int(max(now.Sub(rec.SubmittedAt), 0) / step)
	reason := exceptionReason(rec.Request)
	switch {
	case steps == 0:
		p.Status = carrier.PortSubmitted
	case steps == 1:
		p.Status = carrier.PortPending
	case reason != "":
		p.Status, p.Reason, steps = carrier.PortException, reason, 2
	case steps == 2:
		p.Status = carrier.PortFOCConfirmed
	default:
		p.Status, steps = carrier.PortCompleted, 3
	}
	p.UpdatedAt = rec.SubmittedAt.Add(time.Duration(steps) * step)
	if p.Status == carrier.PortFOCConfirmed || p.Status == carrier.PortCompleted {
		p.FOCDate = rec.SubmittedAt.Add(3 * step)
	}
	if !rec.CancelledAt.IsZero() {
		p.Status, p.Reason, p.UpdatedAt = carrier.PortCancelled, "", rec.CancelledAt
	}
	return p
}

// SubmitPort implements carrier.Carrier. The numbers must be E.164 and not
// in another open port order (one in exception or cancelled does not
// count: a corrected request is a new submission) nor sold by the sandbox.
// Accepted numbers are never offered by Search.
func (s *Carrier) SubmitPort(ctx context.Context, key string, req carrier.PortRequest) (carrier.Port, error) {
	op := "submit port " + key
	if key == "" {
		return carrier.Port{}, carrier.Errorf(op, carrier.CodeInvalid, "idempotency key is required")
	}
	s.portMu.Lock()
	defer s.portMu.Unlock()
	rdb := s.cfg.Redis
	if id, err := rdb.Get(ctx, keyPortKey(key)).Result(); err == nil {
		return s.Port(ctx, id)
	} else if !errors.Is(err, redis.Nil) {
		return carrier.Port{}, storeError(op, err)
	}
	if len(req.Numbers) == 0 {
		return carrier.Port{}, carrier.Errorf(op, carrier.CodeInvalid, "numbers: at least one is required")
	}
	if strings.TrimSpace(req.AccountNumber) == "" || strings.TrimSpace(req.PIN) == "" || strings.TrimSpace(req.LosingCarrier) == "" {
		return carrier.Port{}, carrier.Errorf(op, carrier.CodeInvalid, "losing_carrier, account_number and pin are required")
	}
	now := s.cfg.Now()
	seen := map[string]bool{}
	for _, n := range req.Numbers {
		if e, err := phone.Normalize(n, ""); err != nil || e != n {
			return carrier.Port{}, carrier.Errorf(op, carrier.CodeInvalid, "number %q: not E.164", n)
		}
		if seen[n] {
			return carrier.Port{}, carrier.Errorf(op, carrier.CodeInvalid, "number %s: listed twice", n)
		}
		seen[n] = true
		owner, err := rdb.HGet(ctx, keyOwner(), n).Result()
		if errors.Is(err, redis.Nil) {
			continue
		}
		if err != nil {
			return carrier.Port{}, storeError(op, err)
		}
		if id, ok := strings.CutPrefix(owner, "port:"); ok {
			prev, err := s.Port(ctx, id)
			if err != nil {
				return carrier.Port{}, err
			}
			if prev.Status == carrier.PortException || prev.Status == carrier.PortCancelled {
				continue
			}
			return carrier.Port{}, carrier.Errorf(op, carrier.CodeConflict, "number %s: already in port %s (%s)", n, id, prev.Status)
		}
		return carrier.Port{}, carrier.Errorf(op, carrier.CodeConflict, "number %s: already a number of this carrier", n)
	}
	rec := portRecord{ID: idFor("port", key), Key: key, Request: req, SubmittedAt: now}
	data, _ := json.Marshal(rec)
	_, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, keyPort(rec.ID), data, 0)
		p.Set(ctx, keyPortKey(key), rec.ID, 0)
		for _, n := range req.Numbers {
			p.HSet(ctx, keyOwner(), n, "port:"+rec.ID)
			if a, _, _, ok := s.num.locate(n); ok {
				p.SAdd(ctx, keySold(a.prefix()), n)
			}
		}
		return nil
	})
	if err != nil {
		return carrier.Port{}, storeError(op, err)
	}
	return s.view(rec, now), nil
}

// load reads a stored port order.
func (s *Carrier) load(ctx context.Context, op, id string) (portRecord, error) {
	data, err := s.cfg.Redis.Get(ctx, keyPort(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return portRecord{}, carrier.Errorf(op, carrier.CodeNotFound, "no port order %q", id)
	}
	if err != nil {
		return portRecord{}, storeError(op, err)
	}
	var rec portRecord
	if err := json.Unmarshal(data, &rec); err != nil {
		return portRecord{}, &carrier.Error{Op: op, Code: carrier.CodeUnavailable, Err: err}
	}
	return rec, nil
}

// Port implements carrier.Carrier. The status advances one step per
// Config.PortStep since submission.
func (s *Carrier) Port(ctx context.Context, id string) (carrier.Port, error) {
	rec, err := s.load(ctx, "get port "+id, id)
	if err != nil {
		return carrier.Port{}, err
	}
	return s.view(rec, s.cfg.Now()), nil
}

// CancelPort implements carrier.Carrier. Cancelling a cancelled order
// returns it unchanged; a completed order cannot be cancelled (conflict).
func (s *Carrier) CancelPort(ctx context.Context, id string) (carrier.Port, error) {
	op := "cancel port " + id
	s.portMu.Lock()
	defer s.portMu.Unlock()
	rec, err := s.load(ctx, op, id)
	if err != nil {
		return carrier.Port{}, err
	}
	now := s.cfg.Now()
	p := s.view(rec, now)
	switch p.Status {
	case carrier.PortCancelled:
		return p, nil
	case carrier.PortCompleted:
		return carrier.Port{}, carrier.Errorf(op, carrier.CodeConflict, "port %s is completed", id)
	}
	rec.CancelledAt = now
	data, _ := json.Marshal(rec)
	if err := s.cfg.Redis.Set(ctx, keyPort(id), data, 0).Err(); err != nil {
		return carrier.Port{}, storeError(op, err)
	}
	return s.view(rec, now), nil
}
