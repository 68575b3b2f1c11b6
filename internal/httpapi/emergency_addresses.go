package httpapi

import (
	"strings"

	"github.com/numberdesk/numberdesk/internal/inventory"
)

// CreateEmergencyAddressRequest is the body of POST /v1/emergency-addresses.
type CreateEmergencyAddressRequest struct {
	Street     string `json:"street"`
	City       string `json:"city"`
	State      string `json:"state,omitempty"`
	PostalCode string `json:"postal_code"`
	// Country is an ISO 3166 alpha-2 code such as "US".
	Country string `json:"country"`
}

// EmergencyAddressList is the body of GET /v1/emergency-addresses.
type EmergencyAddressList struct {
	EmergencyAddresses []inventory.EmergencyAddress `json:"emergency_addresses"`
}

func (a *api) createEmergencyAddress(c *call, in CreateEmergencyAddressRequest) (inventory.EmergencyAddress, error) {
	return a.store.CreateEmergencyAddress(c.ctx(), c.account(), inventory.EmergencyAddress{
		Street: strings.TrimSpace(in.Street), City: strings.TrimSpace(in.City), State: strings.TrimSpace(in.State),
		PostalCode: strings.TrimSpace(in.PostalCode), Country: strings.ToUpper(strings.TrimSpace(in.Country)),
	})
}

func (a *api) listEmergencyAddresses(c *call) (EmergencyAddressList, error) {
	eas, err := a.store.EmergencyAddresses(c.ctx(), c.account())
	return EmergencyAddressList{EmergencyAddresses: nonNil(eas)}, err
}

func (a *api) getEmergencyAddress(c *call) (inventory.EmergencyAddress, error) {
	return a.store.EmergencyAddress(c.ctx(), c.account(), c.r.PathValue("id"))
}
