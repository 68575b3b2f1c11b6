package httpapi

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hibiken/asynq"
	"github.com/numberdesk/numberdesk/internal/carrier"
	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/phone"
	"github.com/numberdesk/numberdesk/internal/store"
	"github.com/numberdesk/numberdesk/jobs"
)

// CreateNumberRequest is the body of POST /v1/number-requests: numbers a
// search did not find, for the carrier to look for (the portal's "Create
// ticket").
type CreateNumberRequest struct {
	Country  string `json:"country,omitempty"`   // default: the account's country
	Type     string `json:"type,omitempty"`      // toll (default) or toll_free
	State    string `json:"state,omitempty"`     // a region code (toll only)
	AreaCode string `json:"area_code,omitempty"` // an area code or toll-free code
	City     string `json:"city,omitempty"`
	Quantity int    `json:"quantity,omitempty"` // 1 to 1000 (default 1)
	// Vanity is the wanted letters or digits, e.g. "FLOWERS" for
	// 1-800-FLOWERS.
	Vanity string `json:"vanity,omitempty"`
}

// NumberRequestList is the body of GET /v1/number-requests.
type NumberRequestList struct {
	Requests []store.NumberRequest `json:"number_requests"`
}

func (a *api) createNumberRequest(c *call, in CreateNumberRequest) (store.NumberRequest, error) {
	if a.queue == nil {
		return store.NumberRequest{}, apiError(CodeUnavailable, "this server takes no number requests (no queue configured)")
	}
	country, err := a.bodyCountry(c, in.Country)
	if err != nil {
		return store.NumberRequest{}, err
	}
	r := store.NumberRequest{
		Country: country, Type: in.Type, State: strings.ToUpper(strings.TrimSpace(in.State)),
		AreaCode: strings.TrimSpace(in.AreaCode), City: strings.TrimSpace(in.City), Quantity: in.Quantity,
		Vanity: strings.ToUpper(strings.TrimSpace(in.Vanity)),
	}
	if r.Type == "" {
		r.Type = carrier.TypeToll
	}
	if r.Type != carrier.TypeToll && r.Type != carrier.TypeTollFree {
		return r, apiError(inventory.CodeInvalidField, fmt.Sprintf("type %q is not toll or toll_free", in.Type))
	}
	if r.Quantity == 0 {
		r.Quantity = 1
	}
	if r.Quantity < 1 || r.Quantity > store.MaxOrder {
		return r, apiError(inventory.CodeInvalidField, fmt.Sprintf("quantity must be 1 to %d, got %d", store.MaxOrder, in.Quantity))
	}
	if r.State != "" && !slices.ContainsFunc(phone.Regions(country), func(g phone.Region) bool { return g.Code == r.State }) {
		return r, apiError(inventory.CodeInvalidField, fmt.Sprintf("state %s is not a region of %s (see /v1/catalog/regions)", r.State, country))
	}
	if r.AreaCode != "" {
		_, geo := phone.LookupAreaCode(country, r.AreaCode)
		if !geo && !slices.Contains(phone.TollFreeCodes(country), r.AreaCode) {
			return r, apiError(inventory.CodeInvalidField, fmt.Sprintf("area_code %s is not an area code or toll-free code of %s", r.AreaCode, country))
		}
	}
	if err := inventory.ValidateText("city", r.City); err != nil {
		return r, err
	}
	if r.Vanity != "" {
		digits, err := phone.Keypad(r.Vanity)
		if err != nil {
			return r, apiError(inventory.CodeInvalidField, "vanity: "+err.Error())
		}
		if len(digits) > 10 {
			return r, apiError(inventory.CodeInvalidField, fmt.Sprintf("vanity %q is %d keypad digits; at most 10", r.Vanity, len(digits)))
		}
	}
	r, err = a.store.CreateRequest(c.ctx(), c.account(), r, c.actor())
	if err != nil {
		return r, err
	}
	task, err := jobs.NewRequestTask(jobs.RequestPayload{AccountID: c.account(), RequestID: r.ID})
	if err == nil {
		_, err = a.queue.EnqueueContext(c.ctx(), task)
	}
	if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		if serr := a.store.SetRequestStatus(c.ctx(), c.account(), r.ID, store.RequestRejected, "", "not_forwarded"); serr != nil {
			a.log.Error("reject a number request that could not be queued", "request_id", r.ID, "err", serr)
		}
		return store.NumberRequest{}, &inventory.Error{Code: CodeUnavailable, Message: "the request could not be queued: " + err.Error()}
	}
	return r, nil
}

func (a *api) listNumberRequests(c *call) (NumberRequestList, error) {
	limit, err := c.limit()
	if err != nil {
		return NumberRequestList{}, err
	}
	rs, err := a.store.Requests(c.ctx(), c.account(), min(limit, 100))
	return NumberRequestList{Requests: rs}, err
}

func (a *api) getNumberRequest(c *call) (store.NumberRequest, error) {
	return a.store.Request(c.ctx(), c.account(), c.r.PathValue("id"))
}
