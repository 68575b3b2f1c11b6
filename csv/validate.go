package csv

import (
	"strings"

	"github.com/numberdesk/numberdesk/internal/inventory"
)

// checkExtensionNumber accepts an empty extension number or 2 to 8 digits.
func checkExtensionNumber(s string) error {
	if s == "" {
		return nil
	}
	ok := len(s) >= 2 && len(s) <= 8
	for i := 0; ok && i < len(s); i++ {
		ok = s[i] >= '0' && s[i] <= '9'
	}
	if !ok {
		return inventory.Errorf(inventory.CodeInvalidField, "extension_number %q is not 2 to 8 digits", s)
	}
	return nil
}

// checkEmail accepts an empty email or one that looks like an address: one
// @ with something before it, a dotted domain after it, and no spaces.
func checkEmail(s string) error {
	if s == "" {
		return nil
	}
	local, domain, ok := strings.Cut(s, "@")
	ok = ok && local != "" && len(s) <= 254 &&
		!strings.ContainsAny(s, " \t\r\n,;<>\"") && !strings.Contains(domain, "@") &&
		strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") &&
		!strings.HasSuffix(domain, ".") && !strings.Contains(domain, "..")
	if !ok {
		return inventory.Errorf(inventory.CodeInvalidField, "email %q is not an email address", s)
	}
	return nil
}
