package httpapi

import (
	"strings"

	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/phone"
)

// RegionList is the body of GET /v1/catalog/regions.
type RegionList struct {
	Country string         `json:"country"`
	Regions []phone.Region `json:"regions"`
	// TollFreeCodes are the country's toll-free codes (search them with
	// type toll_free).
	TollFreeCodes []string `json:"toll_free_codes"`
}

// AreaCodeList is the body of GET /v1/catalog/area-codes.
type AreaCodeList struct {
	AreaCodes []phone.AreaCode `json:"area_codes"`
}

// catalogCountry reads the country parameter: the account's country when
// absent; one of the catalog's countries otherwise.
func (a *api) catalogCountry(c *call) (string, error) {
	return a.bodyCountry(c, c.query("country"))
}

func (a *api) listRegions(c *call) (RegionList, error) {
	country, err := a.catalogCountry(c)
	if err != nil {
		return RegionList{}, err
	}
	return RegionList{Country: country, Regions: nonNil(phone.Regions(country)), TollFreeCodes: nonNil(phone.TollFreeCodes(country))}, nil
}

// listAreaCodes lists a country's area codes, of one state when given,
// whose code or one of whose cities starts with q (case-insensitive).
func (a *api) listAreaCodes(c *call) (AreaCodeList, error) {
	country, err := a.catalogCountry(c)
	if err != nil {
		return AreaCodeList{}, err
	}
	state := strings.ToUpper(strings.TrimSpace(c.query("state")))
	if state != "" {
		found := false
		for _, r := range phone.Regions(country) {
			found = found || r.Code == state
		}
		if !found {
			return AreaCodeList{}, apiError(inventory.CodeInvalidField, "state "+state+" is not a region of "+country+" (see /v1/catalog/regions)")
		}
	}
	q := strings.ToLower(strings.TrimSpace(c.query("q")))
	out := []phone.AreaCode{}
	for _, ac := range phone.AreaCodes(country, state) {
		if q == "" || strings.HasPrefix(ac.Code, q) {
			out = append(out, ac)
			continue
		}
		for _, city := range ac.Cities {
			if strings.HasPrefix(strings.ToLower(city), q) {
				out = append(out, ac)
				break
			}
		}
	}
	return AreaCodeList{AreaCodes: out}, nil
}
