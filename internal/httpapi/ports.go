package httpapi

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hibiken/asynq"
	"github.com/numberdesk/numberdesk/internal/carrier"
	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/phone"
	"github.com/numberdesk/numberdesk/internal/store"
	"github.com/numberdesk/numberdesk/jobs"
)

// CreatePortRequest is the body of POST /v1/port-orders.
type CreatePortRequest struct {
	Numbers       []string `json:"numbers"`
	LosingCarrier string   `json:"losing_carrier"`
	// AccountNumber and PIN identify the numbers' account at the losing
	// carrier.
	AccountNumber string `json:"account_number"`
	PIN           string `json:"pin"`
	// RequestedFOCDate is the wished firm order commitment date,
	// YYYY-MM-DD, today or later.
	RequestedFOCDate string `json:"requested_foc_date,omitempty"`
	// Reserve makes the ported numbers reserved instead of unassigned.
	Reserve            bool   `json:"reserve,omitempty"`
	SiteID             string `json:"site_id,omitempty"`
	EmergencyAddressID string `json:"emergency_address_id,omitempty"`
}

// PatchPortRequest corrects a port order in exception; absent fields stay.
type PatchPortRequest = store.PortPatch

// PortList is the body of GET /v1/port-orders.
type PortList struct {
	PortOrders []store.PortOrder `json:"port_orders"`
}

// portStatuses are the statuses a port order can have.
var portStatuses = []string{store.PortSubmitted, store.PortPending, store.PortFOCConfirmed, store.PortCompleted, store.PortException, store.PortCancelled}

// checkPortText checks the losing carrier's details.
func checkPortText(field, v string, max int) error {
	if strings.TrimSpace(v) == "" {
		return apiError(inventory.CodeMissingField, field+" is required")
	}
	if len(v) > max {
		return apiError(inventory.CodeInvalidField, fmt.Sprintf("%s is %d characters; at most %d", field, len(v), max))
	}
	return inventory.ValidateText(field, v)
}

// checkFOCDate checks a requested FOC date: YYYY-MM-DD, not in the past.
func (a *api) checkFOCDate(v string) error {
	if v == "" {
		return nil
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return apiError(inventory.CodeInvalidField, fmt.Sprintf("requested_foc_date %q is not a date YYYY-MM-DD", v))
	}
	today := a.now().UTC().Truncate(24 * time.Hour)
	if d.Before(today) {
		return apiError(inventory.CodeInvalidField, fmt.Sprintf("requested_foc_date %s is in the past", v))
	}
	return nil
}

func (a *api) createPort(c *call, in CreatePortRequest) (store.PortOrder, error) {
	if a.queue == nil {
		return store.PortOrder{}, apiError(CodeUnavailable, "this server takes no port orders (no queue configured)")
	}
	if len(in.Numbers) == 0 {
		return store.PortOrder{}, apiError(inventory.CodeMissingField, "numbers is required: the numbers to port in")
	}
	if len(in.Numbers) > store.MaxPort {
		return store.PortOrder{}, apiError(inventory.CodeInvalidField, fmt.Sprintf("a port order takes at most %d numbers, got %d", store.MaxPort, len(in.Numbers)))
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{{"losing_carrier", in.LosingCarrier, 100}, {"account_number", in.AccountNumber, 50}, {"pin", in.PIN, 20}} {
		if err := checkPortText(f.name, f.v, f.max); err != nil {
			return store.PortOrder{}, err
		}
	}
	if err := a.checkFOCDate(in.RequestedFOCDate); err != nil {
		return store.PortOrder{}, err
	}
	spec := store.PortSpec{
		LosingCarrier: strings.TrimSpace(in.LosingCarrier), AccountNumber: strings.TrimSpace(in.AccountNumber),
		PIN: strings.TrimSpace(in.PIN), RequestedFOCDate: in.RequestedFOCDate, Reserve: in.Reserve,
		SiteID: strings.TrimSpace(in.SiteID), EmergencyAddressID: strings.TrimSpace(in.EmergencyAddressID),
	}
	seen := make(map[string]bool, len(in.Numbers))
	for i, raw := range in.Numbers {
		n, err := c.number(raw)
		if err != nil {
			return store.PortOrder{}, &inventory.Error{Code: inventory.ErrorCode(err), Message: fmt.Sprintf("numbers[%d]: %s", i, inventory.ErrorMessage(err))}
		}
		if seen[n] {
			return store.PortOrder{}, apiError(inventory.CodeDuplicateRow, fmt.Sprintf("numbers[%d]: %s is in the port order twice", i, n))
		}
		seen[n] = true
		info, err := phone.Info(n)
		if err != nil {
			return store.PortOrder{}, err
		}
		if spec.Country == "" {
			spec.Country = info.Country
		}
		if info.Country != spec.Country {
			return store.PortOrder{}, apiError(inventory.CodeInvalidField, fmt.Sprintf("numbers[%d]: %s is a number of %s, the order's are of %s: one port order per country", i, n, info.Country, spec.Country))
		}
		spec.Numbers = append(spec.Numbers, store.NewNumber{
			Number: n, Type: inventory.NumberType(info.Type), Country: info.Country,
			AreaCode: info.AreaCode, Region: info.Region, City: info.City,
		})
	}
	p, err := a.store.CreatePort(c.ctx(), c.account(), spec, c.actor())
	if err != nil {
		return store.PortOrder{}, err
	}
	a.enqueueSubmit(c, p)
	return portView(p), nil
}

// enqueueSubmit queues a port order's submission. A failure is logged, not
// returned: the order is stored, and the next port sync submits it.
func (a *api) enqueueSubmit(c *call, p store.PortOrder) {
	task, err := jobs.NewPortSubmitTask(jobs.PortPayload{AccountID: c.account(), PortOrderID: p.ID, Submission: p.Submission})
	if err == nil {
		_, err = a.queue.EnqueueContext(c.ctx(), task)
	}
	if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		a.log.Warn("port order stored but its submission not queued; the port sync submits it", "port_order_id", p.ID, "err", err)
	}
}

func (a *api) listPorts(c *call) (PortList, error) {
	limit, err := c.limit()
	if err != nil {
		return PortList{}, err
	}
	status := c.query("status")
	if status != "" && !slices.Contains(portStatuses, status) {
		return PortList{}, apiError(inventory.CodeInvalidField, "status must be one of "+strings.Join(portStatuses, ", "))
	}
	ports, err := a.store.Ports(c.ctx(), c.account(), status, min(limit, 100))
	for i := range ports {
		ports[i] = portView(ports[i])
	}
	return PortList{PortOrders: ports}, err
}

func (a *api) getPort(c *call) (store.PortOrder, error) {
	p, err := a.store.Port(c.ctx(), c.account(), c.r.PathValue("id"))
	return portView(p), err
}

// cancelPort cancels an order before foc_confirmed: at the carrier first
// (when it has the order), then in the inventory.
func (a *api) cancelPort(c *call) (store.PortOrder, error) {
	p, err := a.store.Port(c.ctx(), c.account(), c.r.PathValue("id"))
	if err != nil {
		return store.PortOrder{}, err
	}
	switch p.Status {
	case store.PortCancelled:
		return portView(p), nil
	case store.PortSubmitted, store.PortPending, store.PortException:
	default:
		return store.PortOrder{}, apiError(inventory.CodeWrongStatus, "a port order can be cancelled before foc_confirmed; it is "+p.Status)
	}
	if p.CarrierID != "" {
		if a.carrier == nil {
			return store.PortOrder{}, apiError(CodeCarrierUnavailable, "this server has no carrier configured (--carrier-url)")
		}
		if _, err := a.carrier.CancelPort(c.ctx(), p.CarrierID); err != nil {
			if carrier.ErrorCode(err) == carrier.CodeConflict {
				return store.PortOrder{}, apiError(inventory.CodeWrongStatus, "the carrier has completed the port; it cannot be cancelled")
			}
			return store.PortOrder{}, carrierError(err)
		}
	}
	p, err = a.store.CancelPort(c.ctx(), c.account(), p.ID, c.actor())
	return portView(p), err
}

func (a *api) patchPort(c *call, in PatchPortRequest) (store.PortOrder, error) {
	checks := []struct {
		name string
		v    *string
		max  int
	}{{"losing_carrier", in.LosingCarrier, 100}, {"account_number", in.AccountNumber, 50}, {"pin", in.PIN, 20}}
	given := false
	for _, f := range checks {
		if f.v != nil {
			given = true
			*f.v = strings.TrimSpace(*f.v)
			if err := checkPortText(f.name, *f.v, f.max); err != nil {
				return store.PortOrder{}, err
			}
		}
	}
	if in.RequestedFOCDate != nil {
		given = true
		if err := a.checkFOCDate(*in.RequestedFOCDate); err != nil {
			return store.PortOrder{}, err
		}
	}
	if !given {
		return store.PortOrder{}, apiError(inventory.CodeMissingField, "give at least one of losing_carrier, account_number, pin, requested_foc_date")
	}
	p, err := a.store.PatchPort(c.ctx(), c.account(), c.r.PathValue("id"), in)
	return portView(p), err
}

func (a *api) resubmitPort(c *call) (store.PortOrder, error) {
	if a.queue == nil {
		return store.PortOrder{}, apiError(CodeUnavailable, "this server takes no port orders (no queue configured)")
	}
	p, err := a.store.ResubmitPort(c.ctx(), c.account(), c.r.PathValue("id"))
	if err != nil {
		return store.PortOrder{}, err
	}
	a.enqueueSubmit(c, p)
	return portView(p), nil
}

// portView hides the progress of an order whose country does not report
// it: until it completes (or needs the admin) it shows submitted, without
// FOC date or intermediate history.
func portView(p store.PortOrder) store.PortOrder {
	if p.StatusVisible || p.ID == "" {
		return p
	}
	switch p.Status {
	case store.PortCompleted, store.PortCancelled, store.PortException:
		return p
	}
	p.Status, p.FOCDate = store.PortSubmitted, nil
	numbers := make([]store.PortNumber, len(p.Numbers))
	for i, n := range p.Numbers {
		numbers[i] = store.PortNumber{Number: n.Number, Status: store.PortSubmitted}
	}
	p.Numbers = numbers
	var hist []store.PortChange
	for _, h := range p.History {
		if h.Status == store.PortSubmitted {
			hist = append(hist, h)
		}
	}
	p.History = hist
	return p
}
