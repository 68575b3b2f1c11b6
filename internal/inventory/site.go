package inventory

import "strings"

// Site is a location of an account with multiple sites. Numbers of such an
// account belong to a site and take the site's emergency address.
type Site struct {
	ID                 string `json:"id"`
	Name               string `json:"name"`
	Country            string `json:"country"`
	EmergencyAddressID string `json:"emergency_address_id"`
}

// EmergencyAddress is the address emergency services are sent to.
type EmergencyAddress struct {
	ID         string `json:"id"`
	Street     string `json:"street"`
	City       string `json:"city"`
	State      string `json:"state"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
}

// Validate reports the first missing or malformed field of the address.
func (a EmergencyAddress) Validate() error {
	switch {
	case strings.TrimSpace(a.Street) == "":
		return Errorf(CodeMissingField, "street is required")
	case strings.TrimSpace(a.City) == "":
		return Errorf(CodeMissingField, "city is required")
	case strings.TrimSpace(a.PostalCode) == "":
		return Errorf(CodeMissingField, "postal_code is required")
	case strings.TrimSpace(a.Country) == "":
		return Errorf(CodeMissingField, "country is required")
	case !ValidCountry(a.Country):
		return Errorf(CodeInvalidField, "country %q is not an ISO 3166 alpha-2 code", a.Country)
	}
	return ValidateText("street", a.Street, "city", a.City, "state", a.State, "postal_code", a.PostalCode)
}

// ValidCountry reports whether c looks like an ISO 3166 alpha-2 code in
// upper case ("US", "PL").
func ValidCountry(c string) bool {
	return len(c) == 2 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z'
}

// ValidateText checks name/value pairs of free text: at most 200 bytes and
// no control characters (the store uses them as separators). It returns an
// invalid_field error naming the first bad field.
func ValidateText(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		name, v := pairs[i], pairs[i+1]
		if len(v) > 200 {
			return Errorf(CodeInvalidField, "%s is longer than 200 bytes", name)
		}
		for _, r := range v {
			if r < 0x20 || r == 0x7f {
				return Errorf(CodeInvalidField, "%s contains a control character", name)
			}
		}
	}
	return nil
}
