package httpapi

import (
	"strings"

	"github.com/numberdesk/numberdesk/internal/inventory"
)

// CreateExtensionRequest is the body of POST /v1/extensions.
type CreateExtensionRequest struct {
	// ExtensionNumber is 2 to 8 digits; omit it to have one allocated.
	ExtensionNumber string                  `json:"extension_number,omitempty"`
	Type            inventory.ExtensionType `json:"type"`
	Name            string                  `json:"name"`
	// Email is required for users.
	Email string `json:"email,omitempty"`
	// SiteID is required when the account has multiple sites.
	SiteID string `json:"site_id,omitempty"`
}

// ExtensionList is the body of GET /v1/extensions.
type ExtensionList struct {
	Extensions []inventory.Extension `json:"extensions"`
	// NextCursor continues the listing; "" at the end.
	NextCursor string `json:"next_cursor"`
}

func (a *api) createExtension(c *call, in CreateExtensionRequest) (inventory.Extension, error) {
	return a.store.CreateExtension(c.ctx(), c.account(), inventory.Extension{
		ExtensionNumber: strings.TrimSpace(in.ExtensionNumber), Type: in.Type, Name: strings.TrimSpace(in.Name),
		Email: strings.TrimSpace(in.Email), SiteID: strings.TrimSpace(in.SiteID),
	})
}

func (a *api) listExtensions(c *call) (ExtensionList, error) {
	limit, err := c.limit()
	if err != nil {
		return ExtensionList{}, err
	}
	cursor, err := c.cursor()
	if err != nil {
		return ExtensionList{}, err
	}
	q := c.query("q")
	// A cursor is the index term the previous page ended on: it starts
	// with what this listing matches ("#" and the extension number
	// without q) and ends with the extension id.
	prefix := "#"
	if t := strings.ToLower(strings.TrimSpace(q)); t != "" {
		prefix = t
	}
	if cursor != "" && (!strings.HasPrefix(cursor, prefix) || !strings.Contains(cursor, "\x00")) {
		return ExtensionList{}, apiError(inventory.CodeInvalidField, "cursor is not valid for this listing: pass the next_cursor of the previous page with the same q")
	}
	exts, next, err := a.store.SearchExtensions(c.ctx(), c.account(), q, limit, cursor)
	if err != nil {
		return ExtensionList{}, err
	}
	return ExtensionList{Extensions: nonNil(exts), NextCursor: encodeCursor(next)}, nil
}

func (a *api) getExtension(c *call) (inventory.Extension, error) {
	return a.store.Extension(c.ctx(), c.account(), c.r.PathValue("id"))
}
