package worker

import (
	"context"
	"fmt"

	"github.com/hibiken/asynq"
	"github.com/numberdesk/numberdesk/internal/carrier"
	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/store"
	"github.com/numberdesk/numberdesk/jobs"
)

// PlaceOrder runs an order:place task: it buys the order's numbers from the
// carrier with the order id as idempotency key, then applies the answer in
// one atomic step (store.FinishOrder), which also activates the order's
// reserved numbers and uses or gives back every held licence.
//
// Run twice, it changes nothing twice: the carrier answers the same key
// with its first answer, the numbers' claims are idempotent, and a
// finished order is not finished again. A carrier that does not answer is
// retried with the task (asynq's backoff); on the last attempt the order
// gives up: the numbers to buy fail carrier_unavailable and their
// licences are given back.
func (h *Handlers) PlaceOrder(ctx context.Context, t *asynq.Task) error {
	p, err := jobs.ParseOrder(t)
	if err != nil {
		return permanent(err)
	}
	o, err := h.Store.StartOrder(ctx, p.AccountID, p.OrderID)
	if inventory.ErrorCode(err) == inventory.CodeNotFound {
		return permanent(err)
	}
	if err != nil {
		return err
	}
	if !o.Status.Open() {
		return nil
	}
	var buy []string
	for _, l := range o.Numbers {
		if l.Kind == store.LineBuy {
			buy = append(buy, l.Number)
		}
	}
	failures := map[string]string{}
	if len(buy) > 0 {
		if h.Carrier == nil {
			return fmt.Errorf("order %s: the worker has no carrier (--carrier-url)", o.ID)
		}
		lines, err := h.Carrier.PlaceOrder(ctx, o.ID, buy)
		switch {
		case err == nil:
			answered := make(map[string]bool, len(lines))
			for _, l := range lines {
				answered[l.Number] = true
				if l.Status != carrier.LineAcquired {
					failures[l.Number] = orDefault(l.Reason, "not_available")
				}
			}
			for _, n := range buy {
				if !answered[n] {
					failures[n] = "carrier_no_answer"
				}
			}
		case carrier.IsRetryable(err) && !lastAttempt(ctx):
			return err
		default:
			code := "carrier_unavailable"
			if !carrier.IsRetryable(err) {
				code = "carrier_rejected"
			}
			h.Logger.Warn("order gives up on the carrier", "order_id", o.ID, "account_id", p.AccountID, "err", err)
			for _, n := range buy {
				failures[n] = code
			}
		}
	}
	actor := store.Actor{Name: o.Actor, Source: "order:" + o.ID}
	o, err = h.Store.FinishOrder(ctx, p.AccountID, o.ID, failures, actor)
	if err != nil {
		return err
	}
	h.Logger.Info("order finished", "order_id", o.ID, "account_id", p.AccountID, "status", o.Status,
		"acquired", o.Acquired, "activated", o.Activated, "failed", o.Failed)
	return nil
}

// ForwardRequest runs a request:forward task: it files the number request
// with the carrier (the request id is the idempotency key) and records the
// carrier's answer: submitted, then fulfilled or rejected when the carrier
// decides at once.
func (h *Handlers) ForwardRequest(ctx context.Context, t *asynq.Task) error {
	p, err := jobs.ParseRequest(t)
	if err != nil {
		return permanent(err)
	}
	r, err := h.Store.Request(ctx, p.AccountID, p.RequestID)
	if inventory.ErrorCode(err) == inventory.CodeNotFound {
		return permanent(err)
	}
	if err != nil {
		return err
	}
	if r.Status != store.RequestOpen {
		return nil
	}
	if h.Carrier == nil {
		return fmt.Errorf("number request %s: the worker has no carrier (--carrier-url)", r.ID)
	}
	st, err := h.Carrier.ForwardRequest(ctx, r.ID, carrier.NumberRequest{
		Country: r.Country, Type: r.Type, Region: r.State, AreaCode: r.AreaCode, City: r.City,
		Quantity: r.Quantity, Vanity: r.Vanity,
	})
	if err != nil {
		if carrier.IsRetryable(err) && !lastAttempt(ctx) {
			return err
		}
		reason := "carrier_unavailable"
		if !carrier.IsRetryable(err) {
			reason = "carrier_rejected: " + carrier.ErrorCode(err)
		}
		return h.Store.SetRequestStatus(ctx, p.AccountID, r.ID, store.RequestRejected, "", reason)
	}
	if err := h.Store.SetRequestStatus(ctx, p.AccountID, r.ID, store.RequestSubmitted, st.ID, ""); err != nil {
		return err
	}
	switch st.Status {
	case carrier.RequestFulfilled:
		return h.Store.SetRequestStatus(ctx, p.AccountID, r.ID, store.RequestFulfilled, st.ID, "")
	case carrier.RequestRejected:
		return h.Store.SetRequestStatus(ctx, p.AccountID, r.ID, store.RequestRejected, st.ID, st.Reason)
	}
	return nil
}

// lastAttempt reports whether the running task will not be retried.
func lastAttempt(ctx context.Context) bool {
	n, ok1 := asynq.GetRetryCount(ctx)
	m, ok2 := asynq.GetMaxRetry(ctx)
	return ok1 && ok2 && n >= m
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
