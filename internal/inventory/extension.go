package inventory

import "strings"

// ExtensionType is what an extension is: a user or a shared endpoint.
type ExtensionType string

// The extension types.
const (
	ExtUser             ExtensionType = "user"
	ExtCallQueue        ExtensionType = "call_queue"
	ExtAutoReceptionist ExtensionType = "auto_receptionist"
	ExtCommonArea       ExtensionType = "common_area"
	ExtRoom             ExtensionType = "room"
)

// ExtensionTypes lists every extension type.
var ExtensionTypes = []ExtensionType{ExtUser, ExtCallQueue, ExtAutoReceptionist, ExtCommonArea, ExtRoom}

// ParseExtensionType parses a type name, ignoring case, spaces and hyphens
// ("Call Queue" is call_queue).
func ParseExtensionType(s string) (ExtensionType, error) {
	n := strings.ToLower(strings.TrimSpace(s))
	n = strings.NewReplacer(" ", "_", "-", "_").Replace(n)
	for _, t := range ExtensionTypes {
		if string(t) == n {
			return t, nil
		}
	}
	return "", Errorf(CodeInvalidField, "extension type %q is not one of user, call_queue, auto_receptionist, common_area, room", s)
}

// Extension is an endpoint of the phone system that numbers are assigned
// to. Its extension number is unique in the account.
type Extension struct {
	ID              string        `json:"id"`
	ExtensionNumber string        `json:"extension_number"`
	Type            ExtensionType `json:"type"`
	Name            string        `json:"name"`
	Email           string        `json:"email,omitempty"`
	SiteID          string        `json:"site_id,omitempty"`
}

// ValidExtensionNumber reports whether s is 2 to 8 digits.
func ValidExtensionNumber(s string) bool {
	if len(s) < 2 || len(s) > 8 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Validate checks the extension's own fields (not its uniqueness, which the
// store checks atomically). An empty ExtensionNumber means "allocate one".
func (e Extension) Validate() error {
	if e.ExtensionNumber != "" && !ValidExtensionNumber(e.ExtensionNumber) {
		return Errorf(CodeInvalidField, "extension_number %q must be 2 to 8 digits", e.ExtensionNumber)
	}
	if _, err := ParseExtensionType(string(e.Type)); err != nil {
		return err
	}
	if strings.TrimSpace(e.Name) == "" {
		return Errorf(CodeMissingField, "name is required")
	}
	if e.Email != "" && !ValidEmail(e.Email) {
		return Errorf(CodeInvalidField, "email %q is not an email address", e.Email)
	}
	if e.Type == ExtUser && e.Email == "" {
		return Errorf(CodeMissingField, "email is required for a user")
	}
	return ValidateText("name", e.Name, "email", e.Email)
}

// ValidEmail is a plain syntax check: one @ with text on both sides, a dot
// in the domain, no spaces.
func ValidEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	if at <= 0 || at != strings.LastIndexByte(s, '@') || strings.ContainsAny(s, " \t,;<>") {
		return false
	}
	domain := s[at+1:]
	dot := strings.LastIndexByte(domain, '.')
	return dot > 0 && dot < len(domain)-1
}
