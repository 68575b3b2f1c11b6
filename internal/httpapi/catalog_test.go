package httpapi

import (
	"slices"
	"testing"

	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/phone"
)

func TestCatalog(t *testing.T) {
	e := newEnv(t, Config{})
	a := e.newTenant(t, "Cat", false, 0, 0)

	var regions RegionList
	e.do(t, "GET", "/v1/catalog/regions", a.viewer, nil).decode(t, &regions) // the account's country
	if regions.Country != "US" || !slices.Contains(regions.Regions, phone.Region{Code: "CA", Name: "California"}) || !slices.Contains(regions.TollFreeCodes, "800") {
		t.Errorf("US regions: %+v", regions)
	}

	codes := func(query string) []string {
		var l AreaCodeList
		e.do(t, "GET", "/v1/catalog/area-codes"+query, a.viewer, nil).decode(t, &l)
		var out []string
		for _, ac := range l.AreaCodes {
			out = append(out, ac.Code)
		}
		return out
	}
	if got := codes("?state=CA&q=650"); !slices.Equal(got, []string{"650"}) {
		t.Errorf("CA q=650: %v", got)
	}
	if got := codes("?state=CA&q=mountain"); !slices.Contains(got, "650") {
		t.Errorf("CA q=mountain (a city): %v", got)
	}
	if got := codes("?country=ca&q=TORONTO"); !slices.Contains(got, "416") {
		t.Errorf("Canada, Toronto: %v", got)
	}
	if got := codes("?state=NY&q=650"); len(got) != 0 {
		t.Errorf("NY has no 650: %v", got)
	}
	e.do(t, "GET", "/v1/catalog/regions?country=FR", a.viewer, nil).want(t, 400, inventory.CodeInvalidField)
	e.do(t, "GET", "/v1/catalog/area-codes?state=ZZ", a.viewer, nil).want(t, 400, inventory.CodeInvalidField)
}
