package httpapi

import "github.com/numberdesk/numberdesk/internal/inventory"

// getAccount answers the caller's account with its licences and counts.
func (a *api) getAccount(c *call) (inventory.Account, error) {
	return a.store.Account(c.ctx(), c.account())
}
