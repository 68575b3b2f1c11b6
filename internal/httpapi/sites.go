package httpapi

import (
	"strings"

	"github.com/numberdesk/numberdesk/internal/inventory"
)

// CreateSiteRequest is the body of POST /v1/sites.
type CreateSiteRequest struct {
	Name string `json:"name"`
	// Country is an ISO 3166 alpha-2 code such as "US".
	Country            string `json:"country"`
	EmergencyAddressID string `json:"emergency_address_id"`
}

// SiteList is the body of GET /v1/sites.
type SiteList struct {
	Sites []inventory.Site `json:"sites"`
}

func (a *api) createSite(c *call, in CreateSiteRequest) (inventory.Site, error) {
	return a.store.CreateSite(c.ctx(), c.account(), inventory.Site{
		Name: strings.TrimSpace(in.Name), Country: strings.ToUpper(strings.TrimSpace(in.Country)),
		EmergencyAddressID: strings.TrimSpace(in.EmergencyAddressID),
	})
}

func (a *api) listSites(c *call) (SiteList, error) {
	sites, err := a.store.Sites(c.ctx(), c.account())
	return SiteList{Sites: nonNil(sites)}, err
}

func (a *api) getSite(c *call) (inventory.Site, error) {
	return a.store.Site(c.ctx(), c.account(), c.r.PathValue("id"))
}

// nonNil makes an empty listing encode as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
