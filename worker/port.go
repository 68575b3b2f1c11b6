package worker

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
	"github.com/numberdesk/numberdesk/internal/carrier"
	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/store"
	"github.com/numberdesk/numberdesk/jobs"
)

// PortSubmit runs a port:submit task: it sends a submission of a port
// order to the carrier (the key "<id>:<submission>" makes it idempotent)
// and records the carrier's id and status. A submission the carrier
// refuses (a number it already ports, say) puts the order in exception
// with the carrier's reason, for the admin to correct and resubmit.
func (h *Handlers) PortSubmit(ctx context.Context, t *asynq.Task) error {
	p, err := jobs.ParsePort(t)
	if err != nil {
		return permanent(err)
	}
	return h.submitPort(ctx, p.AccountID, p.PortOrderID, p.Submission)
}

func (h *Handlers) submitPort(ctx context.Context, accountID, id string, submission int) error {
	o, err := h.Store.Port(ctx, accountID, id)
	if inventory.ErrorCode(err) == inventory.CodeNotFound {
		return permanent(err)
	}
	if err != nil {
		return err
	}
	if o.Submission != submission || o.CarrierID != "" || o.Status != store.PortSubmitted {
		return nil // an older submission, or done already
	}
	if h.Carrier == nil {
		return fmt.Errorf("port order %s: the worker has no carrier (--carrier-url)", id)
	}
	numbers := make([]string, len(o.Numbers))
	for i, n := range o.Numbers {
		numbers[i] = n.Number
	}
	req := carrier.PortRequest{Numbers: numbers, LosingCarrier: o.LosingCarrier, AccountNumber: o.AccountNumber, PIN: o.PIN()}
	if o.RequestedFOCDate != "" {
		req.FOCDate, _ = time.Parse(time.DateOnly, o.RequestedFOCDate)
	}
	actor := store.Actor{Name: o.Actor, Source: "port:" + id}
	cp, err := h.Carrier.SubmitPort(ctx, id+":"+strconv.Itoa(submission), req)
	if err != nil {
		if carrier.IsRetryable(err) {
			return err // retried; the sync's polls also resubmit it
		}
		reason := "carrier_rejected"
		var ce *carrier.Error
		if errors.As(err, &ce) && ce.Message != "" {
			reason = "carrier_rejected: " + ce.Message
		}
		_, uerr := h.Store.UpdatePort(ctx, accountID, id, store.PortUpdate{Submission: submission, Status: store.PortException, Reason: reason}, actor)
		return uerr
	}
	if err := h.Store.SetPortCarrierID(ctx, accountID, id, submission, cp.ID); err != nil {
		return err
	}
	// The admin cancelled the order while it was being submitted.
	if now, err := h.Store.Port(ctx, accountID, id); err == nil && now.Status == store.PortCancelled {
		if _, err := h.Carrier.CancelPort(ctx, cp.ID); err != nil {
			return err
		}
		return nil
	}
	return h.applyPort(ctx, accountID, id, submission, cp, actor)
}

// applyPort applies the carrier's view of a port order.
func (h *Handlers) applyPort(ctx context.Context, accountID, id string, submission int, cp carrier.Port, actor store.Actor) error {
	o, err := h.Store.UpdatePort(ctx, accountID, id, store.PortUpdate{Submission: submission, Status: cp.Status, Reason: cp.Reason, FOCDate: cp.FOCDate}, actor)
	if err != nil {
		return err
	}
	if o.Status != store.PortSubmitted {
		h.Logger.Debug("port order", "port_order_id", id, "account_id", accountID, "status", o.Status)
	}
	return nil
}

// PortPoll runs a port:poll task: it reads an open port order's status
// from the carrier and applies it in one atomic step (store.UpdatePort:
// statuses only move forward, so a repeated or late poll changes nothing).
// An order the carrier has not got yet is submitted.
func (h *Handlers) PortPoll(ctx context.Context, t *asynq.Task) error {
	p, err := jobs.ParsePort(t)
	if err != nil {
		return permanent(err)
	}
	o, err := h.Store.Port(ctx, p.AccountID, p.PortOrderID)
	if inventory.ErrorCode(err) == inventory.CodeNotFound {
		return permanent(err)
	}
	if err != nil {
		return err
	}
	if !o.Open() {
		return nil
	}
	if o.CarrierID == "" {
		return h.submitPort(ctx, p.AccountID, o.ID, o.Submission)
	}
	if h.Carrier == nil {
		return fmt.Errorf("port order %s: the worker has no carrier (--carrier-url)", o.ID)
	}
	cp, err := h.Carrier.Port(ctx, o.CarrierID)
	if err != nil {
		return err
	}
	return h.applyPort(ctx, p.AccountID, o.ID, o.Submission, cp, store.Actor{Name: "carrier", Source: "port:" + o.ID})
}

// PortSync runs a port:sync task (the scheduler's, once per window): it
// enqueues one port:poll per open port order of every account; their
// TaskIDs name the window, so a sync run twice polls each order once.
// The worker's concurrency bounds how many polls run at once.
func (h *Handlers) PortSync(ctx context.Context, t *asynq.Task) error {
	p, err := jobs.ParseSync(t)
	if err != nil {
		return permanent(err)
	}
	if h.Queue == nil {
		return permanent(errors.New("port sync: the worker has no queue to enqueue polls on"))
	}
	window := p.Window
	if window.IsZero() {
		window = time.Now().UTC().Truncate(time.Minute)
	}
	accounts, err := h.Store.AccountIDs(ctx)
	if err != nil {
		return err
	}
	polls := 0
	for _, acct := range accounts {
		ids, err := h.Store.OpenPorts(ctx, acct)
		if err != nil {
			return err
		}
		for _, id := range ids {
			task, err := jobs.NewPortPollTask(jobs.PortPayload{AccountID: acct, PortOrderID: id}, window)
			if err != nil {
				return err
			}
			if _, err := h.Queue.EnqueueContext(ctx, task); err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
				return err
			}
			polls++
		}
	}
	h.Logger.Info("port sync", "window", window, "polls", polls)
	return nil
}
