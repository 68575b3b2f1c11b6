package phone

import "strings"

// place reads a geocoding description of libphonenumber ("Mountain View,
// CA", "California", "Barrow-in-Furness/Millom", "New South Wales") for a
// geographic number of the country with the given area code and national
// number, and returns its region code and city (either may be empty).
func (c *catalogCountry) place(areaCode, nsn, desc string) (region, city string) {
	if a, ok := c.PlaceAliases[desc]; ok {
		return a.Region, a.City
	}
	if c.CallingCode == 1 {
		// North America: "City, ST", or a state or province name.
		if i := strings.LastIndex(desc, ", "); i > 0 && len(desc)-i == 4 {
			if st := desc[i+2:]; c.hasRegion(st) {
				return st, desc[:i]
			}
		}
		return c.mainRegion(areaCode), ""
	}
	if desc != "" && desc != c.Name {
		if code, ok := c.regionByName[desc]; ok && !c.servesCity(areaCode, desc) {
			return code, ""
		}
		city = splitCities(desc)[0]
		if fixed, ok := c.CityNames[city]; ok {
			city = fixed
		}
	}
	if r, ok := c.CityRegions[city]; ok && city != "" {
		return r, city
	}
	if r := longestPrefix(c.RegionPrefixes, nsn); r != "" {
		return r, city
	}
	return c.mainRegion(areaCode), city
}

// hasRegion reports whether code is one of the country's regions.
func (c *catalogCountry) hasRegion(code string) bool {
	for _, r := range c.Regions {
		if r.Code == code {
			return true
		}
	}
	return false
}

// mainRegion returns the region with most numbers of an area code, or "".
func (c *catalogCountry) mainRegion(areaCode string) string {
	if idx := c.byArea[areaCode]; len(idx) > 0 {
		return c.AreaCodes[idx[0]].Region
	}
	return ""
}

// servesCity reports whether the catalog lists city for the area code
// (Berlin is a city and a region).
func (c *catalogCountry) servesCity(areaCode, city string) bool {
	for _, i := range c.byArea[areaCode] {
		for _, name := range c.AreaCodes[i].Cities {
			if name == city {
				return true
			}
		}
	}
	return false
}

// splitCities splits a description that lists several places
// ("Barrow-in-Furness/Millom") into the places, leaving slashes inside
// parentheses alone. It returns at least one element.
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
				if s := strings.TrimSpace(desc[start:i]); s != "" {
					out = append(out, s)
				}
				start = i + 1
			}
		}
	}
	if s := strings.TrimSpace(desc[start:]); s != "" || len(out) == 0 {
		out = append(out, s)
	}
	return out
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
