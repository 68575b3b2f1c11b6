// Command gencatalog writes the area-code catalog of package phone
// (catalog.json) from the geocoding data that ships with
// github.com/nyaruka/phonenumbers, libphonenumber's Go port, plus the small
// curated tables in this directory (state and province codes, UK nations,
// German and Polish regions, NANP overlays). Run it through go generate in
// internal/phone:
//
//	go generate ./internal/phone
//
// The output is deterministic, so regenerating with the same library version
// changes nothing.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"maps"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// maxCities is how many cities the catalog keeps per area code and region.
const maxCities = 10

// region is a state, province or other first-level subdivision.
type region struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// areaCode is one area code in one region, with its main cities.
type areaCode struct {
	Code   string   `json:"code"`
	Region string   `json:"region"`
	Cities []string `json:"cities"`
}

// country is one country of the catalog, as written to catalog.json.
type country struct {
	Code        string   `json:"code"`
	Name        string   `json:"name"`
	CallingCode int      `json:"calling_code"`
	Regions     []region `json:"regions"`
	TollFree    []string `json:"toll_free"`
	// RegionPrefixes and CityRegions let package phone place a number of a
	// country whose area codes span several regions (longest national-number
	// prefix, overridden by the city).
	RegionPrefixes map[string]string `json:"region_prefixes,omitempty"`
	CityRegions    map[string]string `json:"city_regions,omitempty"`
	// CityNames corrects city spellings of the geocoding data.
	CityNames map[string]string `json:"city_names,omitempty"`
	// PlaceAliases reads geocoding descriptions that name a place in
	// neither the "City, ST" form nor as a region ("Washington D.C.").
	PlaceAliases map[string]place `json:"place_aliases,omitempty"`
	AreaCodes    []areaCode       `json:"area_codes"`
}

// place is a city in a region.
type place struct {
	Region string `json:"region"`
	City   string `json:"city"`
}

// catalog is the whole of catalog.json.
type catalog struct {
	Source    string    `json:"source"`
	Countries []country `json:"countries"`
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("gencatalog: ")
	out := flag.String("o", "catalog.json", "output file")
	flag.Parse()

	dir, err := moduleDir("github.com/nyaruka/phonenumbers")
	if err != nil {
		log.Fatal(err)
	}
	entries, err := readGeocoding(filepath.Join(dir, "data", "prefix_to_geocodings", "en.txt.gz"))
	if err != nil {
		log.Fatal(err)
	}
	p, err := newPlan()
	if err != nil {
		log.Fatal(err)
	}

	var cat catalog
	cat.Source = "github.com/nyaruka/phonenumbers " + strings.TrimPrefix(filepath.Base(dir), "phonenumbers@") + " geocoding data (en) and the curated tables of internal/gencatalog"
	us, ca, err := buildNANP(p, entries)
	if err != nil {
		log.Fatal(err)
	}
	gb, err := buildGB(p, entries)
	if err != nil {
		log.Fatal(err)
	}
	de, err := buildDE(p, entries)
	if err != nil {
		log.Fatal(err)
	}
	pl, err := buildPL(p, entries)
	if err != nil {
		log.Fatal(err)
	}
	au, err := buildAU(p, entries)
	if err != nil {
		log.Fatal(err)
	}
	cat.Countries = []country{au, ca, de, gb, pl, us}

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "\t")
	if err := enc.Encode(cat); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	for _, c := range cat.Countries {
		log.Printf("%s: %d regions, %d area codes", c.Code, len(c.Regions), len(c.AreaCodes))
	}
}

// moduleDir returns the directory of a module in the build list.
func moduleDir(path string) (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", path).Output()
	if err != nil {
		return "", fmt.Errorf("locate module %s: %w", path, err)
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		return "", fmt.Errorf("locate module %s: not downloaded", path)
	}
	return dir, nil
}

// tally accumulates, per area code and region, how many numbers each city
// covers.
type tally struct {
	weight map[string]map[string]float64            // area code → region → numbers
	cities map[string]map[string]map[string]float64 // area code → region → city → numbers
	count  map[string]map[string]int                // area code → region → geocoding entries
}

func newTally() *tally {
	return &tally{
		weight: make(map[string]map[string]float64),
		cities: make(map[string]map[string]map[string]float64),
		count:  make(map[string]map[string]int),
	}
}

func (t *tally) add(code, reg, city string, w float64) {
	if t.weight[code] == nil {
		t.weight[code] = make(map[string]float64)
		t.cities[code] = make(map[string]map[string]float64)
		t.count[code] = make(map[string]int)
	}
	t.weight[code][reg] += w
	t.count[code][reg]++
	if city == "" {
		return
	}
	if t.cities[code][reg] == nil {
		t.cities[code][reg] = make(map[string]float64)
	}
	t.cities[code][reg][city] += w
}

// topCities returns up to maxCities cities of an area code in a region, the
// ones covering most numbers, sorted by name.
func (t *tally) topCities(code, reg string) []string {
	m := t.cities[code][reg]
	names := slices.Collect(maps.Keys(m))
	slices.SortFunc(names, func(a, b string) int {
		if m[a] != m[b] {
			if m[a] > m[b] {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	if len(names) > maxCities {
		names = names[:maxCities]
	}
	slices.Sort(names)
	if names == nil {
		names = []string{}
	}
	return names
}

// areaCodes lists the tallied area codes, one entry per region the keep
// function accepts, sorted by code with the region covering most numbers
// first.
func (t *tally) areaCodes(keep func(code, reg string) bool) []areaCode {
	var out []areaCode
	for _, code := range slices.Sorted(maps.Keys(t.weight)) {
		regs := slices.Collect(maps.Keys(t.weight[code]))
		slices.SortFunc(regs, func(a, b string) int {
			wa, wb := t.weight[code][a], t.weight[code][b]
			if wa != wb {
				if wa > wb {
					return -1
				}
				return 1
			}
			return strings.Compare(a, b)
		})
		for _, reg := range regs {
			if keep != nil && !keep(code, reg) {
				continue
			}
			out = append(out, areaCode{Code: code, Region: reg, Cities: t.topCities(code, reg)})
		}
	}
	return out
}

// ownWeights returns, for each geocoding entry whose prefix starts with cc,
// how many numbers (of a notional 16-digit space) it alone describes: its
// span less the spans of the longer prefixes inside it.
func ownWeights(entries []geoEntry, cc string) map[string]float64 {
	own := make(map[string]float64)
	for _, e := range entries {
		if strings.HasPrefix(e.Prefix, cc) {
			own[e.Prefix] = span(e.Prefix)
		}
	}
	for p := range own {
		for k := len(p) - 1; k >= len(cc); k-- {
			if _, ok := own[p[:k]]; ok {
				own[p[:k]] -= span(p)
				break
			}
		}
	}
	return own
}

func span(prefix string) float64 { return math.Pow(10, float64(16-len(prefix))) }

// splitCities splits a geocoding description that lists several places
// ("Barrow-in-Furness/Millom") into the places, leaving slashes inside
// parentheses alone.
func splitCities(desc string) []string {
	var out []string
	depth, start := 0, 0
	for i, r := range desc {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
		case '/':
			if depth == 0 {
				out = append(out, strings.TrimSpace(desc[start:i]))
				start = i + 1
			}
		}
	}
	out = append(out, strings.TrimSpace(desc[start:]))
	return slices.DeleteFunc(out, func(s string) bool { return s == "" })
}

// regionNames maps region names to codes.
func regionNames(regs []region) map[string]string {
	m := make(map[string]string, len(regs))
	for _, r := range regs {
		m[r.Name] = r.Code
	}
	return m
}

// longestPrefix returns the value of the longest key of m that prefixes s.
func longestPrefix(m map[string]string, s string) string {
	for k := len(s); k > 0; k-- {
		if v, ok := m[s[:k]]; ok {
			return v
		}
	}
	return ""
}

// buildGeographic tallies the geocoding entries of one non-NANP country.
// regionOf places a city given the national-number prefix and area code; an
// empty result drops the entry. When regionDescs is set, a description that
// is a region's name ("New South Wales", "Northern Ireland") counts for that
// region without naming a city; otherwise region names are cities too
// (Berlin, Opole, Lublin).
func buildGeographic(p *plan, entries []geoEntry, c *country, regionDescs bool, regionOf func(nsn, ndc, city string) string) *tally {
	cc := strconv.Itoa(c.CallingCode)
	own := ownWeights(entries, cc)
	names := map[string]string{}
	if regionDescs {
		names = regionNames(c.Regions)
	}
	t := newTally()
	for _, e := range entries {
		if !strings.HasPrefix(e.Prefix, cc) || len(e.Prefix) == len(cc) || e.Desc == c.Name {
			continue
		}
		nsn := e.Prefix[len(cc):]
		s := p.sample(c.CallingCode, nsn)
		if !s.ok || s.Country != c.Code {
			continue
		}
		w := own[e.Prefix]
		if code, ok := names[e.Desc]; ok {
			t.add(s.NDC, code, "", w)
			continue
		}
		cities := splitCities(e.Desc)
		for _, city := range cities {
			if fixed, ok := c.CityNames[city]; ok {
				city = fixed
			}
			reg := regionOf(nsn, s.NDC, city)
			if reg == "" {
				continue
			}
			t.add(s.NDC, reg, city, w/float64(len(cities)))
		}
	}
	return t
}

func buildGB(p *plan, entries []geoEntry) (country, error) {
	c := country{Code: "GB", Name: "United Kingdom", CallingCode: 44, Regions: gbRegions, TollFree: []string{"800", "808"}}
	t := buildGeographic(p, entries, &c, true, func(nsn, ndc, city string) string {
		if r := longestPrefix(gbNationPrefixes, ndc); r != "" {
			return r
		}
		return "ENG"
	})
	c.AreaCodes = t.areaCodes(nil)
	codes := make(map[string]bool)
	for _, a := range c.AreaCodes {
		codes[a.Code] = true
	}
	for prefix := range gbNationPrefixes {
		found := false
		for code := range codes {
			found = found || strings.HasPrefix(code, prefix)
		}
		if !found {
			return c, fmt.Errorf("GB: nation prefix %s matches no area code", prefix)
		}
	}
	return c, nil
}

func buildDE(p *plan, entries []geoEntry) (country, error) {
	c := country{Code: "DE", Name: "Germany", CallingCode: 49, Regions: deRegions, TollFree: []string{"800"}}
	t := buildGeographic(p, entries, &c, false, func(nsn, ndc, city string) string {
		return deAreas[ndc].Region
	})
	c.AreaCodes = t.areaCodes(nil)
	for code, want := range deAreas {
		i := slices.IndexFunc(c.AreaCodes, func(a areaCode) bool { return a.Code == code })
		if i < 0 {
			return c, fmt.Errorf("DE: curated area code %s is not in the geocoding data", code)
		}
		if !slices.ContainsFunc(c.AreaCodes[i].Cities, func(city string) bool { return strings.Contains(city, want.City) }) {
			return c, fmt.Errorf("DE: area code %s serves %v, not %s", code, c.AreaCodes[i].Cities, want.City)
		}
	}
	return c, nil
}

func buildPL(p *plan, entries []geoEntry) (country, error) {
	c := country{Code: "PL", Name: "Poland", CallingCode: 48, Regions: plRegions, TollFree: []string{"800"}, CityNames: plCityNames}
	missing := make(map[string]bool)
	t := buildGeographic(p, entries, &c, false, func(nsn, ndc, city string) string {
		r, ok := plAreaRegions[ndc]
		if !ok && !missing[ndc] {
			// The data places a few ranges outside the area codes of
			// plAreaRegions (30, Kraków); they stay out of the catalog.
			log.Printf("PL: skipping area code %s (%s): no voivodeship", ndc, city)
			missing[ndc] = true
		}
		return r
	})
	c.AreaCodes = t.areaCodes(nil)
	if len(c.AreaCodes) != len(plAreaRegions) {
		return c, fmt.Errorf("PL: %d area codes in the data, %d in plAreaRegions", len(c.AreaCodes), len(plAreaRegions))
	}
	return c, nil
}

func buildAU(p *plan, entries []geoEntry) (country, error) {
	c := country{
		Code: "AU", Name: "Australia", CallingCode: 61, Regions: auRegions, TollFree: []string{"1800"},
		RegionPrefixes: auRegionPrefixes, CityRegions: auCityRegions,
	}
	t := buildGeographic(p, entries, &c, true, func(nsn, ndc, city string) string {
		if r, ok := auCityRegions[city]; ok {
			return r
		}
		return longestPrefix(auRegionPrefixes, nsn)
	})
	c.AreaCodes = t.areaCodes(nil)
	return c, nil
}

// buildNANP builds the United States and Canada from the +1 geocoding
// entries, whose descriptions are "City, ST" or a state or province name.
func buildNANP(p *plan, entries []geoEntry) (us, ca country, err error) {
	us = country{Code: "US", Name: "United States", CallingCode: 1, Regions: usStates, TollFree: nanpTollFree, PlaceAliases: nanpPlaceAliases}
	ca = country{Code: "CA", Name: "Canada", CallingCode: 1, Regions: caProvinces, TollFree: nanpTollFree}
	codes := map[string]map[string]bool{"US": {}, "CA": {}}
	names := make(map[string]string)
	for _, r := range usStates {
		codes["US"][r.Code] = true
		names[r.Name] = r.Code
	}
	for _, r := range caProvinces {
		codes["CA"][r.Code] = true
		names[r.Name] = r.Code
	}
	maps.Copy(names, nanpNameAliases)

	// The country of each area code, from a valid number in it.
	npaCountry := make(map[string]string)
	for _, e := range entries {
		if len(e.Prefix) < 4 || e.Prefix[0] != '1' {
			continue
		}
		npa := e.Prefix[1:4]
		if npaCountry[npa] != "" {
			continue
		}
		if s := p.sample(1, e.Prefix[1:]); s.ok {
			npaCountry[npa] = s.Country
		}
	}

	own := ownWeights(entries, "1")
	tallies := map[string]*tally{"US": newTally(), "CA": newTally()}
	stated := make(map[string]map[string]bool) // area code → regions named by a state-level description
	for _, e := range entries {
		if len(e.Prefix) < 4 || e.Prefix[0] != '1' {
			continue
		}
		npa := e.Prefix[1:4]
		cn := npaCountry[npa]
		t := tallies[cn]
		if t == nil {
			continue
		}
		w := own[e.Prefix]
		if pl, ok := nanpPlaceAliases[e.Desc]; ok {
			t.add(npa, pl.Region, pl.City, w)
			continue
		}
		if i := strings.LastIndex(e.Desc, ", "); i > 0 && len(e.Desc)-i == 4 {
			city, reg := e.Desc[:i], e.Desc[i+2:]
			if codes[cn][reg] {
				t.add(npa, reg, city, w)
			}
			continue
		}
		parts := strings.Split(e.Desc, "/")
		for _, part := range parts {
			reg, ok := names[part]
			if !ok || !codes[cn][reg] {
				continue
			}
			t.add(npa, reg, "", w/float64(len(parts)))
			if stated[npa] == nil {
				stated[npa] = make(map[string]bool)
			}
			stated[npa][reg] = true
		}
	}

	// A region belongs to an area code when a state-level description names
	// it or it has at least 5% of the area code's city entries (one stray
	// "City, NY" in New Jersey's 201 does not make 201 a New York code).
	keep := func(t *tally) func(code, reg string) bool {
		return func(code, reg string) bool {
			if stated[code][reg] {
				return true
			}
			total := 0
			for _, n := range t.count[code] {
				total += n
			}
			return total > 0 && float64(t.count[code][reg]) >= 0.05*float64(total)
		}
	}
	for _, cn := range []string{"US", "CA"} {
		t := tallies[cn]
		for overlay, parent := range nanpOverlays {
			if npaCountry[overlay] != cn {
				continue
			}
			if npaCountry[parent] != cn {
				return us, ca, fmt.Errorf("NANP: overlay %s is in %s, its parent %s in %q", overlay, cn, parent, npaCountry[parent])
			}
			for reg := range t.weight[overlay] {
				if !keep(t)(overlay, reg) || len(t.topCities(overlay, reg)) >= 3 {
					continue
				}
				if _, ok := t.weight[parent][reg]; !ok {
					return us, ca, fmt.Errorf("NANP: overlay %s is in %s, its parent %s is not", overlay, reg, parent)
				}
				// The overlay's own cities first, then its parent's.
				scale := 1e-6
				for city, w := range t.cities[parent][reg] {
					t.add(overlay, reg, city, w*scale)
				}
			}
		}
	}
	us.AreaCodes = tallies["US"].areaCodes(keep(tallies["US"]))
	ca.AreaCodes = tallies["CA"].areaCodes(keep(tallies["CA"]))
	for _, c := range []*country{&us, &ca} {
		for _, a := range c.AreaCodes {
			if len(a.Cities) == 0 {
				log.Printf("%s: area code %s (%s) has no cities", c.Code, a.Code, a.Region)
			}
		}
	}
	return us, ca, nil
}
