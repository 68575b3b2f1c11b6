package phone

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"

	"github.com/numberdesk/numberdesk/internal/inventory"
)

// maxInputDigits bounds the digits Normalize reads: an international
// dialling prefix, a country code and a national number fit in 24.
const maxInputDigits = 24

// Normalize returns the E.164 form of a phone number ("+16502530000"), or an
// *inventory.Error with code invalid_phone_number saying what is wrong.
//
// input may be spelled the ways people and spreadsheets spell numbers:
// "+1 (650) 253-0000", "650.253.0000", "tel:+1-650-253-0000", "00 44 20 7123
// 4567", "+44 (0)20 7123 4567", with surrounding or no-break spaces,
// full-width digits, a leading apostrophe or an ="…" wrapper. A number
// without a leading + (or 00) is read as dialled in defaultRegion (an ISO
// 3166-1 alpha-2 code such as "US"), so "(650) 253-0000" needs "US" and "001
// 650 253 0000" is read with "PL" as a call abroad from Poland. A leading 00
// also means + when defaultRegion is empty or in North America (which dials
// 011). Letters are refused: convert vanity numbers with Keypad first.
//
// The number must be possible, not merely parseable: see the package
// documentation for the rules. Input that is already E.164 takes a fast path
// that does not run libphonenumber's parser and, for a valid number, does
// not allocate.
func Normalize(input, defaultRegion string) (string, error) {
	if isCanonical(input) {
		needsParse, err := plan().check(input, input, false)
		if !needsParse {
			if err != nil {
				return "", err
			}
			return input, nil
		}
		return parseNumber(input, input, "")
	}
	return normalizeSpelled(input, defaultRegion)
}

// isCanonical reports whether s is a + followed by ASCII digits only.
func isCanonical(s string) bool {
	if len(s) < 2 || s[0] != '+' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// normalizeSpelled normalises input that is not in E.164 form: it strips
// the decorations, collects the digits and then either checks the +number
// directly or has libphonenumber read the number as dialled in region.
func normalizeSpelled(input, defaultRegion string) (string, error) {
	s := unwrap(input)
	if s == "" {
		return "", invalid(input, "is empty")
	}
	if len(s) >= 4 && strings.EqualFold(s[:4], "tel:") {
		var err error
		if s, err = telURI(input, s[4:]); err != nil {
			return "", err
		}
	}
	plus, digits, err := scan(input, s)
	if err != nil {
		return "", err
	}
	region := strings.ToUpper(strings.TrimSpace(defaultRegion))
	if !plus && strings.HasPrefix(digits, "00") && (region == "" || phonenumbers.IsNANPACountry(region)) {
		plus, digits = true, digits[2:]
	}
	if plus {
		return checkOrParse(input, "+"+digits, "")
	}
	if region == "" {
		return "", invalid(input, "has no country calling code: start it with + and the country code, or give a default region")
	}
	if phonenumbers.GetCountryCodeForRegion(region) == 0 {
		return "", invalid(input, "cannot be read: unknown default region %q", defaultRegion)
	}
	if phonenumbers.IsNANPACountry(region) {
		// What libphonenumber would do with a North American number
		// dialled at home, without the cost of running it.
		switch {
		case len(digits) == 10 && digits[0] >= '2':
			return checkOrParse(input, "+1"+digits, region)
		case len(digits) == 11 && digits[0] == '1' && digits[1] >= '2':
			return checkOrParse(input, "+"+digits, region)
		}
	}
	return parseNumber(input, digits, region)
}

// checkOrParse checks e164 (a + and digits) and falls back to the parser
// when its national number starts like a trunk prefix.
func checkOrParse(input, e164, region string) (string, error) {
	needsParse, err := plan().check(input, e164, false)
	if !needsParse {
		if err != nil {
			return "", err
		}
		return e164, nil
	}
	return parseNumber(input, e164, region)
}

// parseNumber runs libphonenumber's parser on number (digits, with or
// without a leading +) as dialled in region and checks the result. The
// result must be stable: the parser strips a trunk prefix from "+81 0…", so
// a result that still starts with one would lose it on the next Normalize;
// such numbers are refused as ambiguous.
func parseNumber(input, number, region string) (string, error) {
	e164, err := parseE164(input, number, region)
	if err != nil {
		return "", err
	}
	if _, err := plan().check(input, e164, true); err != nil {
		return "", err
	}
	if e164 != number {
		if needsParse, _ := plan().check(input, e164, false); needsParse {
			again, err := parseE164(input, e164, "")
			if err != nil || again != e164 {
				c := plan().lookup(e164[1:])
				return "", invalid(input, "is ambiguous: the digits after +%s start like a trunk prefix", c.digits)
			}
		}
	}
	return e164, nil
}

// parseE164 returns the E.164 form libphonenumber's parser gives number as
// dialled in region.
func parseE164(input, number, region string) (e164 string, err error) {
	defer func() {
		// The parser is third-party code fed with untrusted input;
		// Normalize promises never to panic.
		if r := recover(); r != nil {
			e164, err = "", invalid(input, "cannot be read as a phone number")
		}
	}()
	n, err := phonenumbers.Parse(number, region)
	switch {
	case errors.Is(err, phonenumbers.ErrInvalidCountryCode):
		return "", invalid(input, "has an unknown country calling code")
	case errors.Is(err, phonenumbers.ErrTooShortNSN), errors.Is(err, phonenumbers.ErrTooShortAfterIDD):
		return "", invalid(input, "is too short")
	case errors.Is(err, phonenumbers.ErrNumTooLong):
		return "", invalid(input, "is too long")
	case err != nil:
		return "", invalid(input, "is not a phone number")
	}
	e164 = phonenumbers.Format(n, phonenumbers.E164)
	if !isCanonical(e164) {
		return "", invalid(input, "is not a phone number")
	}
	return e164, nil
}

// unwrap trims spaces and invisible characters and removes what
// spreadsheets wrap around numbers to keep them text: a leading apostrophe
// or an ="…" formula.
func unwrap(s string) string {
	s = strings.TrimFunc(s, isBlank)
	if strings.HasPrefix(s, "'") {
		s = strings.TrimFunc(s[1:], isBlank)
	}
	if len(s) >= 3 && strings.HasPrefix(s, `="`) && strings.HasSuffix(s, `"`) {
		s = strings.TrimFunc(s[2:len(s)-1], isBlank)
	}
	return s
}

// isBlank reports spaces (including no-break spaces) and the invisible
// characters that copy and paste leaves around numbers.
func isBlank(r rune) bool {
	return unicode.IsSpace(r) || r == '\u200b' || r == '\u200e' || r == '\u200f' || r == '\u2060' || r == '\ufeff'
}

// telURI reads the number of an RFC 3966 tel URI (after "tel:"): a global
// number, or a local one with a global phone-context. Extensions are
// refused; other parameters are ignored.
func telURI(input, s string) (string, error) {
	number, params, _ := strings.Cut(s, ";")
	for param := range strings.SplitSeq(params, ";") {
		name, value, _ := strings.Cut(param, "=")
		switch strings.ToLower(name) {
		case "ext":
			return "", invalid(input, "has an extension; give the number alone")
		case "phone-context":
			if strings.HasPrefix(value, "+") && !strings.HasPrefix(number, "+") {
				number = value + number
			}
		}
	}
	return strings.TrimFunc(number, isBlank), nil
}

// scan collects the digits of s (converting non-ASCII digits such as
// full-width ones) and whether it starts with a plus sign, skipping the
// separators people write between digit groups and refusing anything else.
func scan(input, s string) (plus bool, digits string, err error) {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' || r == '＋':
			if plus || b.Len() > 0 {
				return false, "", invalid(input, "has a + that is not at the start")
			}
			plus = true
		case isSeparator(r):
		case unicode.IsDigit(r):
			d := phonenumbers.NormalizeDigitsOnly(string(r))
			if d == "" {
				return false, "", invalid(input, "contains the digit %q, which is not a decimal digit", r)
			}
			b.WriteString(d)
		case unicode.IsLetter(r):
			return false, "", invalid(input, "contains letters; spell vanity numbers with digits")
		case r == utf8.RuneError:
			return false, "", invalid(input, "contains invalid UTF-8")
		default:
			return false, "", invalid(input, "contains %q, which is not part of a phone number", r)
		}
		if b.Len() > maxInputDigits {
			return false, "", invalid(input, "is too long")
		}
	}
	if b.Len() == 0 {
		return false, "", invalid(input, "has no digits")
	}
	return plus, b.String(), nil
}

// isSeparator reports the characters allowed between digit groups: spaces,
// dashes, dots, slashes, brackets and a tilde, in ASCII or full width.
func isSeparator(r rune) bool {
	switch r {
	case '-', '.', '/', '(', ')', '[', ']', '~', '\u00ad',
		'－', '．', '／', '（', '）', '［', '］', '～', 'ー', '・':
		return true
	}
	return isBlank(r) || unicode.Is(unicode.Pd, r)
}

// invalid returns the invalid_phone_number error for input.
func invalid(input, format string, args ...any) error {
	return inventory.Errorf(inventory.CodeInvalidPhoneNumber, "%s %s", quoteInput(input), fmt.Sprintf(format, args...))
}

// quoteInput quotes input for an error message, shortened to 40 characters.
func quoteInput(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) > max {
		r := []rune(s)
		return fmt.Sprintf("%q…", string(r[:max]))
	}
	return fmt.Sprintf("%q", s)
}
