package httpapi

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hibiken/asynq"
	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/phone"
	"github.com/numberdesk/numberdesk/internal/store"
	"github.com/numberdesk/numberdesk/jobs"
)

// CreateOrderRequest is the body of POST /v1/orders: numbers from a search
// (or the account's reserved numbers), and the target: site_id with
// multiple sites, emergency_address_id without.
type CreateOrderRequest struct {
	Numbers            []string `json:"numbers"`
	SiteID             string   `json:"site_id,omitempty"`
	EmergencyAddressID string   `json:"emergency_address_id,omitempty"`
}

// OrderList is the body of GET /v1/orders.
type OrderList struct {
	Orders []store.Order `json:"orders"`
}

func (a *api) createOrder(c *call, in CreateOrderRequest) (store.Order, error) {
	if a.queue == nil {
		return store.Order{}, apiError(CodeUnavailable, "this server takes no orders (no queue configured)")
	}
	if len(in.Numbers) == 0 {
		return store.Order{}, apiError(inventory.CodeMissingField, "numbers is required: the numbers to order")
	}
	if len(in.Numbers) > store.MaxOrder {
		return store.Order{}, apiError(inventory.CodeInvalidField, fmt.Sprintf("an order takes at most %d numbers, got %d", store.MaxOrder, len(in.Numbers)))
	}
	spec := store.OrderSpec{SiteID: strings.TrimSpace(in.SiteID), EmergencyAddressID: strings.TrimSpace(in.EmergencyAddressID)}
	seen := make(map[string]bool, len(in.Numbers))
	for i, raw := range in.Numbers {
		n, err := c.number(raw)
		if err != nil {
			return store.Order{}, &inventory.Error{Code: inventory.ErrorCode(err), Message: fmt.Sprintf("numbers[%d]: %s", i, inventory.ErrorMessage(err))}
		}
		if seen[n] {
			return store.Order{}, apiError(inventory.CodeDuplicateRow, fmt.Sprintf("numbers[%d]: %s is in the order twice", i, n))
		}
		seen[n] = true
		info, err := phone.Info(n)
		if err != nil {
			return store.Order{}, err
		}
		spec.Numbers = append(spec.Numbers, store.NewNumber{
			Number: n, Type: inventory.NumberType(info.Type), Country: info.Country,
			AreaCode: info.AreaCode, Region: info.Region, City: info.City,
		})
	}
	o, err := a.store.CreateOrder(c.ctx(), c.account(), spec, c.actor())
	if err != nil {
		return store.Order{}, err
	}
	task, err := jobs.NewOrderTask(jobs.OrderPayload{AccountID: c.account(), OrderID: o.ID})
	if err == nil {
		_, err = a.queue.EnqueueContext(c.ctx(), task)
	}
	if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		// Without its task the order would hold its licences forever.
		if _, aerr := a.store.AbandonOrder(c.ctx(), c.account(), o.ID, "not_placed", c.actor()); aerr != nil {
			a.log.Error("abandon an order that could not be queued", "order_id", o.ID, "err", aerr)
		}
		return store.Order{}, &inventory.Error{Code: CodeUnavailable, Message: "the order could not be queued; nothing was ordered: " + err.Error()}
	}
	return o, nil
}

func (a *api) listOrders(c *call) (OrderList, error) {
	limit, err := c.limit()
	if err != nil {
		return OrderList{}, err
	}
	orders, err := a.store.Orders(c.ctx(), c.account(), min(limit, 100))
	return OrderList{Orders: orders}, err
}

func (a *api) getOrder(c *call) (store.Order, error) {
	return a.store.Order(c.ctx(), c.account(), c.r.PathValue("id"))
}
