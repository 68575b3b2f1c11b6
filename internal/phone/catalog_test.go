package phone

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCountries(t *testing.T) {
	want := []Country{
		{"AU", "Australia", 61},
		{"CA", "Canada", 1},
		{"DE", "Germany", 49},
		{"GB", "United Kingdom", 44},
		{"PL", "Poland", 48},
		{"US", "United States", 1},
	}
	if diff := cmp.Diff(want, Countries()); diff != "" {
		t.Errorf("Countries() mismatch (-want +got):\n%s", diff)
	}
}

func TestRegions(t *testing.T) {
	tests := []struct {
		country string
		count   int
		some    []Region
	}{
		{"US", 51, []Region{{"CA", "California"}, {"DC", "District of Columbia"}, {"NY", "New York"}, {"WA", "Washington"}}},
		{"CA", 13, []Region{{"ON", "Ontario"}, {"QC", "Quebec"}, {"NU", "Nunavut"}}},
		{"GB", 4, []Region{{"ENG", "England"}, {"SCT", "Scotland"}, {"WLS", "Wales"}, {"NIR", "Northern Ireland"}}},
		{"DE", 16, []Region{{"BE", "Berlin"}, {"BY", "Bavaria"}}},
		{"PL", 16, []Region{{"14", "Masovian"}, {"12", "Lesser Poland"}}},
		{"AU", 8, []Region{{"NSW", "New South Wales"}, {"ACT", "Australian Capital Territory"}}},
		{"us", 51, []Region{{"CA", "California"}}},
		{"FR", 0, nil},
	}
	for _, tt := range tests {
		got := Regions(tt.country)
		if len(got) != tt.count {
			t.Errorf("Regions(%q) has %d regions, want %d", tt.country, len(got), tt.count)
		}
		for _, r := range tt.some {
			if !slices.Contains(got, r) {
				t.Errorf("Regions(%q) lacks %+v", tt.country, r)
			}
		}
		if !slices.IsSortedFunc(got, func(a, b Region) int { return strings.Compare(a.Code, b.Code) }) {
			t.Errorf("Regions(%q) is not sorted by code", tt.country)
		}
	}
}

// TestAreaCodeFacts pins real facts the catalog must carry.
func TestAreaCodeFacts(t *testing.T) {
	tests := []struct {
		country, region, code string
		cities                []string // some of the cities
	}{
		{"US", "CA", "650", []string{"Mountain View", "Palo Alto", "Redwood City", "San Mateo"}},
		{"US", "CA", "415", []string{"San Francisco"}},
		{"US", "CA", "628", []string{"San Francisco"}}, // overlay of 415
		{"US", "NY", "212", []string{"New York"}},
		{"US", "NY", "718", []string{"Brooklyn"}},
		{"US", "IL", "312", []string{"Chicago"}},
		{"US", "TX", "512", []string{"Austin"}},
		{"US", "DC", "202", []string{"Washington"}},
		{"US", "WA", "206", []string{"Seattle"}},
		{"US", "HI", "808", []string{"Honolulu"}},
		{"CA", "ON", "416", []string{"Toronto"}},
		{"CA", "QC", "514", []string{"Montreal"}},
		{"CA", "BC", "604", []string{"Vancouver"}},
		{"CA", "YT", "867", []string{"Whitehorse"}},
		{"CA", "NU", "867", []string{"Iqaluit"}},
		{"CA", "PE", "902", []string{"Charlottetown"}},
		{"GB", "ENG", "20", []string{"London"}},
		{"GB", "ENG", "161", []string{"Manchester"}},
		{"GB", "SCT", "131", []string{"Edinburgh"}},
		{"GB", "SCT", "141", []string{"Glasgow"}},
		{"GB", "SCT", "1224", []string{"Aberdeen"}},
		{"GB", "WLS", "29", []string{"Cardiff"}},
		{"GB", "WLS", "1792", []string{"Swansea"}},
		{"GB", "NIR", "28", []string{"Belfast"}},
		{"DE", "BE", "30", []string{"Berlin"}},
		{"DE", "HH", "40", []string{"Hamburg"}},
		{"DE", "HE", "69", []string{"Frankfurt am Main"}},
		{"DE", "BY", "89", []string{"Munich"}},
		{"DE", "NW", "221", []string{"Cologne"}},
		{"PL", "14", "22", []string{"Warsaw"}},
		{"PL", "12", "12", []string{"Kraków"}},
		{"PL", "10", "42", []string{"Łódź"}},
		{"PL", "02", "71", []string{"Wrocław"}},
		{"PL", "16", "77", []string{"Opole"}},
		{"PL", "06", "81", []string{"Lublin"}},
		{"AU", "NSW", "2", []string{"Sydney", "Newcastle"}},
		{"AU", "ACT", "2", []string{"Canberra"}},
		{"AU", "VIC", "3", []string{"Melbourne"}},
		{"AU", "TAS", "3", []string{"Hobart"}},
		{"AU", "QLD", "7", []string{"Brisbane"}},
		{"AU", "SA", "8", []string{"Adelaide"}},
		{"AU", "WA", "8", []string{"Perth"}},
		{"AU", "NT", "8", []string{"Darwin"}},
	}
	for _, tt := range tests {
		i := slices.IndexFunc(AreaCodes(tt.country, tt.region), func(a AreaCode) bool { return a.Code == tt.code })
		if i < 0 {
			t.Errorf("AreaCodes(%q, %q) lacks %s", tt.country, tt.region, tt.code)
			continue
		}
		a := AreaCodes(tt.country, tt.region)[i]
		for _, city := range tt.cities {
			if !slices.Contains(a.Cities, city) {
				t.Errorf("%s %s area code %s: cities %v lack %s", tt.country, tt.region, tt.code, a.Cities, city)
			}
		}
	}
}

func TestLookupAreaCode(t *testing.T) {
	tests := []struct {
		country, code string
		wantRegion    string
		wantOK        bool
	}{
		{"US", "650", "CA", true},
		{"us", "212", "NY", true},
		{"CA", "416", "ON", true},
		{"CA", "867", "NT", true}, // the region with most numbers
		{"CA", "902", "NS", true},
		{"AU", "2", "NSW", true},
		{"GB", "20", "ENG", true},
		{"US", "416", "", false}, // Canadian
		{"US", "800", "", false}, // toll-free, not geographic
		{"US", "999", "", false},
		{"FR", "1", "", false},
	}
	for _, tt := range tests {
		got, ok := LookupAreaCode(tt.country, tt.code)
		if ok != tt.wantOK || got.Region != tt.wantRegion {
			t.Errorf("LookupAreaCode(%q, %q) = %+v, %v; want region %q, %v", tt.country, tt.code, got, ok, tt.wantRegion, tt.wantOK)
		}
		if ok && (got.Code != tt.code || len(got.Cities) == 0) {
			t.Errorf("LookupAreaCode(%q, %q) = %+v", tt.country, tt.code, got)
		}
	}
}

func TestTollFreeCodes(t *testing.T) {
	tests := []struct {
		country string
		want    []string
	}{
		{"US", []string{"800", "833", "844", "855", "866", "877", "888"}},
		{"CA", []string{"800", "833", "844", "855", "866", "877", "888"}},
		{"GB", []string{"800", "808"}},
		{"DE", []string{"800"}},
		{"PL", []string{"800"}},
		{"AU", []string{"1800"}},
		{"FR", nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, TollFreeCodes(tt.country)); diff != "" {
			t.Errorf("TollFreeCodes(%q) mismatch (-want +got):\n%s", tt.country, diff)
		}
	}
}

// TestCatalogShape checks every country of the catalog: regions known and
// used, area codes sorted and within a region, cities present, few and
// sorted, and results that callers may modify.
func TestCatalogShape(t *testing.T) {
	if len(catalogJSON) > 2<<20 {
		t.Errorf("catalog.json is %d bytes, more than 2 MB", len(catalogJSON))
	}
	minAreaCodes := map[string]int{"US": 300, "CA": 40, "GB": 500, "DE": 150, "PL": 45, "AU": 8}
	for _, c := range Countries() {
		regions := make(map[string]bool)
		for _, r := range Regions(c.Code) {
			regions[r.Code] = true
		}
		all := AreaCodes(c.Code, "")
		if len(all) < minAreaCodes[c.Code] {
			t.Errorf("%s has %d area codes, want at least %d", c.Code, len(all), minAreaCodes[c.Code])
		}
		if !slices.IsSortedFunc(all, func(a, b AreaCode) int { return strings.Compare(a.Code, b.Code) }) {
			t.Errorf("AreaCodes(%q, \"\") is not sorted by code", c.Code)
		}
		used := make(map[string]bool)
		for _, a := range all {
			used[a.Region] = true
			if !regions[a.Region] {
				t.Errorf("%s area code %s has unknown region %q", c.Code, a.Code, a.Region)
			}
			if len(a.Cities) == 0 || len(a.Cities) > 10 || !slices.IsSorted(a.Cities) {
				t.Errorf("%s area code %s (%s): cities %v, want 1 to 10, sorted", c.Code, a.Code, a.Region, a.Cities)
			}
		}
		for r := range regions {
			if !used[r] {
				t.Errorf("%s region %s has no area codes", c.Code, r)
			}
			if n := len(AreaCodes(c.Code, r)); n == 0 {
				t.Errorf("AreaCodes(%q, %q) is empty", c.Code, r)
			}
		}
	}
	// Results are copies.
	a := AreaCodes("US", "CA")
	a[0].Cities[0] = "Nowhere"
	if AreaCodes("US", "CA")[0].Cities[0] == "Nowhere" {
		t.Error("AreaCodes returns the catalog's own slices")
	}
	if AreaCodes("US", "ZZ") != nil || AreaCodes("ZZ", "") != nil {
		t.Error("AreaCodes of an unknown country or region is not nil")
	}
}
