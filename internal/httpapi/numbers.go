package httpapi

import (
	"context"

	"strings"

	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/store"
)

// NumberList is the body of GET /v1/numbers.
type NumberList struct {
	Numbers []inventory.Number `json:"numbers"`
	// NextCursor continues the listing; "" at the end. A page can be short
	// and still have a cursor when filters are selective.
	NextCursor string `json:"next_cursor"`
}

// AssignRequest names the extension of an assign or reassign: exactly one
// of extension_number and extension_id.
type AssignRequest struct {
	ExtensionNumber string `json:"extension_number,omitempty"`
	ExtensionID     string `json:"extension_id,omitempty"`
}

// ref checks that exactly one field is given.
func (in AssignRequest) ref() (store.ExtensionRef, error) {
	no, id := strings.TrimSpace(in.ExtensionNumber), strings.TrimSpace(in.ExtensionID)
	switch {
	case no == "" && id == "":
		return store.ExtensionRef{}, apiError(inventory.CodeMissingField, "give extension_number or extension_id")
	case no != "" && id != "":
		return store.ExtensionRef{}, apiError(inventory.CodeInvalidField, "give extension_number or extension_id, not both")
	case no != "" && !inventory.ValidExtensionNumber(no):
		return store.ExtensionRef{}, apiError(inventory.CodeInvalidField, "extension_number must be 2 to 8 digits")
	}
	return store.ExtensionRef{Number: no, ID: id}, nil
}

func (a *api) listNumbers(c *call) (NumberList, error) {
	limit, err := c.limit()
	if err != nil {
		return NumberList{}, err
	}
	cursor, err := c.cursor()
	if err != nil {
		return NumberList{}, err
	}
	status := inventory.Status(c.query("status"))
	if status != "" && !status.Valid() {
		return NumberList{}, apiError(inventory.CodeInvalidField, "status must be one of assigned, unassigned, reserved, porting")
	}
	typ := inventory.NumberType(c.query("type"))
	if typ != "" && !typ.Valid() {
		return NumberList{}, apiError(inventory.CodeInvalidField, "type must be toll or toll_free")
	}
	// q is digits; the usual punctuation of a number is dropped.
	q := strings.NewReplacer(" ", "", "-", "", ".", "", "(", "", ")", "").Replace(c.query("q"))
	nums, next, err := a.store.ListNumbers(c.ctx(), c.account(), store.NumberFilter{
		Status: status, SiteID: c.query("site_id"), Type: typ, Q: q, Limit: limit, Cursor: cursor,
	})
	if err != nil {
		return NumberList{}, err
	}
	if next != "" {
		next = encodeCursor(next)
	}
	return NumberList{Numbers: nums, NextCursor: next}, nil
}

// pathNumber is the {number} of the path in E.164.
func (c *call) pathNumber() (string, error) { return c.number(c.r.PathValue("number")) }

func (a *api) getNumber(c *call) (inventory.Number, error) {
	n, err := c.pathNumber()
	if err != nil {
		return inventory.Number{}, err
	}
	return a.store.Number(c.ctx(), c.account(), n)
}

func (a *api) assignNumber(c *call, in AssignRequest) (inventory.Number, error) {
	return a.moveNumber(c, in, a.store.Assign)
}

func (a *api) reassignNumber(c *call, in AssignRequest) (inventory.Number, error) {
	return a.moveNumber(c, in, a.store.Reassign)
}

// moveNumber assigns or reassigns the path's number and answers it.
func (a *api) moveNumber(c *call, in AssignRequest, op func(ctx context.Context, account, number string, ext store.ExtensionRef, actor store.Actor) error) (inventory.Number, error) {
	n, err := c.pathNumber()
	if err != nil {
		return inventory.Number{}, err
	}
	ref, err := in.ref()
	if err != nil {
		return inventory.Number{}, err
	}
	return a.moveNumberTo(c, n, ref, op)
}

// moveNumberTo assigns or reassigns number n to the extension ref names
// and answers the number.
func (a *api) moveNumberTo(c *call, n string, ref store.ExtensionRef, op func(ctx context.Context, account, number string, ext store.ExtensionRef, actor store.Actor) error) (inventory.Number, error) {
	if err := op(c.ctx(), c.account(), n, ref, c.actor()); err != nil {
		return inventory.Number{}, err
	}
	return a.store.Number(c.ctx(), c.account(), n)
}

func (a *api) unassignNumber(c *call) (inventory.Number, error) {
	n, err := c.pathNumber()
	if err != nil {
		return inventory.Number{}, err
	}
	if err := a.store.Unassign(c.ctx(), c.account(), n, c.actor()); err != nil {
		return inventory.Number{}, err
	}
	return a.store.Number(c.ctx(), c.account(), n)
}

func (a *api) deleteNumber(c *call) error {
	n, err := c.pathNumber()
	if err != nil {
		return err
	}
	return a.store.Delete(c.ctx(), c.account(), n, c.actor())
}
