package phone

import (
	_ "embed"
	"encoding/json"
	"slices"
	"strings"
	"sync"
)

//go:generate go run ./internal/gencatalog -o catalog.json

// catalogJSON is the area-code catalog written by internal/gencatalog.
//
//go:embed catalog.json
var catalogJSON []byte

// Country is a country the product sells numbers in.
type Country struct {
	Code        string // ISO 3166-1 alpha-2, e.g. "US"
	Name        string // English name, e.g. "United States"
	CallingCode int    // e.g. 1
}

// Region is a first-level subdivision of a country: a US state or the
// District of Columbia, a Canadian province or territory, a UK nation, a
// German state, a Polish voivodeship or an Australian state or territory.
type Region struct {
	Code string `json:"code"` // ISO 3166-2 subdivision code without the country: "CA", "ON", "SCT", "BY", "14", "NSW"
	Name string `json:"name"` // English name, e.g. "California"
}

// AreaCode is a geographic area code in one region, with its main cities.
// An area code that spans regions (Canada's 867, Australia's 2) appears once
// per region.
type AreaCode struct {
	Code   string   `json:"code"`   // national digits without trunk prefix, e.g. "650", "20", "2"
	Region string   `json:"region"` // Region.Code
	Cities []string `json:"cities"` // up to ten of the places covering most numbers, sorted
}

// catalogCountry is the stored form of one country of the catalog.
type catalogCountry struct {
	Code           string            `json:"code"`
	Name           string            `json:"name"`
	CallingCode    int               `json:"calling_code"`
	Regions        []Region          `json:"regions"`
	TollFree       []string          `json:"toll_free"`
	RegionPrefixes map[string]string `json:"region_prefixes"`
	CityRegions    map[string]string `json:"city_regions"`
	CityNames      map[string]string `json:"city_names"`
	PlaceAliases   map[string]struct {
		Region string `json:"region"`
		City   string `json:"city"`
	} `json:"place_aliases"`
	AreaCodes []AreaCode `json:"area_codes"`

	byArea       map[string][]int  // area code → indexes into AreaCodes, main region first
	regionByName map[string]string // region name → code
}

// areaCatalog is the parsed catalog.
type areaCatalog struct {
	countries []*catalogCountry // sorted by code
	byCode    map[string]*catalogCountry
}

// loadCatalog parses the embedded catalog on first use. The data is part
// of the build, so a failure is a build defect and panics (TestCatalog
// catches it).
var loadCatalog = sync.OnceValue(func() *areaCatalog {
	var raw struct {
		Countries []*catalogCountry `json:"countries"`
	}
	if err := json.Unmarshal(catalogJSON, &raw); err != nil {
		panic("phone: parse embedded catalog.json: " + err.Error())
	}
	cat := &areaCatalog{byCode: make(map[string]*catalogCountry)}
	for _, c := range raw.Countries {
		c.byArea = make(map[string][]int)
		for i, a := range c.AreaCodes {
			c.byArea[a.Code] = append(c.byArea[a.Code], i)
		}
		c.regionByName = make(map[string]string, len(c.Regions))
		for _, r := range c.Regions {
			c.regionByName[r.Name] = r.Code
		}
		cat.countries = append(cat.countries, c)
		cat.byCode[c.Code] = c
	}
	slices.SortFunc(cat.countries, func(a, b *catalogCountry) int { return strings.Compare(a.Code, b.Code) })
	return cat
})

// country returns the catalog country with ISO code code (any case), or nil.
func (cat *areaCatalog) country(code string) *catalogCountry {
	return cat.byCode[strings.ToUpper(code)]
}

// Countries returns the countries of the catalog, sorted by code.
func Countries() []Country {
	cat := loadCatalog()
	out := make([]Country, len(cat.countries))
	for i, c := range cat.countries {
		out[i] = Country{Code: c.Code, Name: c.Name, CallingCode: c.CallingCode}
	}
	return out
}

// Regions returns the regions of a country (ISO 3166-1 alpha-2, any case),
// sorted by code, or nil for a country outside the catalog.
func Regions(country string) []Region {
	c := loadCatalog().country(country)
	if c == nil {
		return nil
	}
	return slices.Clone(c.Regions)
}

// AreaCodes returns the geographic area codes of a region of a country
// (codes in any case), or of the whole country when region is "", sorted by
// code. An area code that
// spans several regions appears once per region, the region with most
// numbers first. It returns nil for an unknown country or region.
func AreaCodes(country, region string) []AreaCode {
	c := loadCatalog().country(country)
	if c == nil {
		return nil
	}
	var out []AreaCode
	for _, a := range c.AreaCodes {
		if region == "" || strings.EqualFold(a.Region, region) {
			out = append(out, cloneAreaCode(a))
		}
	}
	return out
}

// TollFreeCodes returns a country's toll-free codes (the digits after the
// country code that start toll-free numbers: "800" in the US, "1800" in
// Australia), sorted, or nil for a country outside the catalog.
func TollFreeCodes(country string) []string {
	c := loadCatalog().country(country)
	if c == nil {
		return nil
	}
	return slices.Clone(c.TollFree)
}

// LookupAreaCode returns a geographic area code of a country (ISO 3166-1
// alpha-2, any case), and whether the catalog has it. For an area
// code spanning several regions it returns the entry of the region with most
// numbers (AreaCodes lists the others).
func LookupAreaCode(country, code string) (AreaCode, bool) {
	c := loadCatalog().country(country)
	if c == nil {
		return AreaCode{}, false
	}
	idx := c.byArea[code]
	if len(idx) == 0 {
		return AreaCode{}, false
	}
	return cloneAreaCode(c.AreaCodes[idx[0]]), true
}

func cloneAreaCode(a AreaCode) AreaCode {
	a.Cities = slices.Clone(a.Cities)
	return a
}
