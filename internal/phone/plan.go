package phone

import (
	"fmt"
	"math/bits"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// minE164Digits and maxE164Digits bound the digits of the numbers
// Normalize accepts, country code included. E.164 allows at most 15; the
// few shorter than 8 (Niue, Tokelau, short legacy numbers in Austria) are
// out of the product's reach.
const (
	minE164Digits = 8
	maxE164Digits = 15
)

// callingCode is what the validity check knows about one country calling
// code, precomputed from libphonenumber's metadata.
type callingCode struct {
	code       int
	digits     string // the code as digits, e.g. "44"
	geographic bool   // belongs to a country, unlike +800 or +882
	// lengths has bit n set when a national number of n digits is possible
	// (libphonenumber's possible lengths, giving 8 to 15 digits in all).
	lengths uint32
	// byPrefix narrows lengths by the first digits, from the national-number
	// patterns of the code's regions.
	byPrefix prefixLengths
	// trunk matches the national (trunk) prefix libphonenumber strips when
	// parsing (the 0 of "+44 (0)20…"); nil when the code has none.
	trunk       *regexp.Regexp
	trunkFirst  uint16 // digits a non-empty trunk prefix can start with
	trunkEmpty  bool   // trunk can match the empty string
	description string // the possible lengths in words, for messages
}

// numberingPlan maps every calling code libphonenumber knows to what the
// validity check needs.
type numberingPlan struct {
	codes [1000]*callingCode
}

// plan returns the numbering plan, built on first use (a few milliseconds).
var plan = sync.OnceValue(func() *numberingPlan {
	p, err := buildPlan()
	if err != nil {
		panic("phone: build numbering plan from libphonenumber metadata: " + err.Error())
	}
	return p
})

func buildPlan() (*numberingPlan, error) {
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		return nil, err
	}
	p := &numberingPlan{}
	byRegion := make(map[string]*phonenumbers.PhoneMetadata)
	for _, m := range coll.GetMetadata() {
		byRegion[m.GetId()] = m
		cc := int(m.GetCountryCode())
		if cc <= 0 || cc >= len(p.codes) {
			continue
		}
		c := p.codes[cc]
		if c == nil {
			c = &callingCode{code: cc, digits: strconv.Itoa(cc)}
			p.codes[cc] = c
		}
		if m.GetId() != "001" {
			c.geographic = true
		}
		var possible uint32
		for _, l := range m.GetGeneralDesc().GetPossibleLength() {
			if n := len(c.digits) + int(l); l > 0 && int(l) <= maxNationalLength && n >= minE164Digits && n <= maxE164Digits {
				possible |= 1 << l
			}
		}
		byPrefix, err := analysePattern(m.GetGeneralDesc().GetNationalNumberPattern())
		if err != nil {
			return nil, fmt.Errorf("region %s: %w", m.GetId(), err)
		}
		c.lengths |= possible
		for i := range byPrefix {
			c.byPrefix[i] |= byPrefix[i] & possible
		}
	}
	for _, c := range p.codes {
		if c == nil {
			continue
		}
		c.description = describeLengths(c.lengths)
		if err := c.setTrunk(byRegion[phonenumbers.GetRegionCodeForCountryCode(c.code)]); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// setTrunk compiles the national prefix for parsing of the code's main
// region m, which libphonenumber strips from "+CC 0…" numbers.
func (c *callingCode) setTrunk(m *phonenumbers.PhoneMetadata) error {
	if m == nil || int(m.GetCountryCode()) != c.code {
		return nil
	}
	pattern := m.GetNationalPrefixForParsing()
	if pattern == "" {
		pattern = m.GetNationalPrefix()
	}
	if pattern == "" {
		return nil
	}
	re, err := regexp.Compile("^(?:" + pattern + ")")
	if err != nil {
		return fmt.Errorf("region %s: national prefix: %w", m.GetId(), err)
	}
	c.trunk = re
	c.trunkEmpty = re.MatchString("")
	// A non-empty prefix starting with digit d is a whole match of the
	// pattern, of length one or more, starting with d.
	starts, err := analysePattern(pattern)
	if err != nil {
		return fmt.Errorf("region %s: national prefix: %w", m.GetId(), err)
	}
	for d := range 10 {
		if starts[1+d] != 0 {
			c.trunkFirst |= 1 << d
		}
	}
	return nil
}

// describeLengths renders a length mask for messages: "10", "7 to 10",
// "7, 9 or 10".
func describeLengths(mask uint32) string {
	var ls []string
	for n := range 32 {
		if mask&(1<<n) != 0 {
			ls = append(ls, strconv.Itoa(n))
		}
	}
	switch {
	case len(ls) == 0:
		return "no"
	case len(ls) == 1:
		return ls[0]
	}
	first, last := bits.TrailingZeros32(mask), 31-bits.LeadingZeros32(mask)
	if last-first+1 == len(ls) {
		return ls[0] + " to " + ls[len(ls)-1]
	}
	return strings.Join(ls[:len(ls)-1], ", ") + " or " + ls[len(ls)-1]
}

// lookup returns the calling code that starts digits (the E.164 digits
// after the +), or nil.
func (p *numberingPlan) lookup(digits string) *callingCode {
	if digits == "" || digits[0] == '0' {
		return nil
	}
	v := 0
	for i := 0; i < 3 && i < len(digits); i++ {
		v = v*10 + int(digits[i]-'0')
		if c := p.codes[v]; c != nil {
			return c
		}
	}
	return nil
}

// check validates e164, a + followed by ASCII digits, against the rules
// Normalize promises (see the package documentation). input is what the
// caller gave, for messages. Unless parsed is set (e164 came out of
// libphonenumber's parser), a national number that starts with the code's
// trunk prefix is not judged: check reports needsParse, because the parser
// strips the prefix from "+44 (0)20…" and the number may be fine.
func (p *numberingPlan) check(input, e164 string, parsed bool) (needsParse bool, err error) {
	digits := e164[1:]
	if digits == "" {
		return false, invalid(input, "has no digits")
	}
	c := p.lookup(digits)
	if c == nil {
		return false, invalid(input, "has an unknown country calling code +%s", digits[:min(3, len(digits))])
	}
	if !c.geographic {
		return false, invalid(input, "has the international calling code +%s, which belongs to no country", c.digits)
	}
	nsn := digits[len(c.digits):]
	if !parsed && c.trunk != nil && nsn != "" && c.trunkFirst&(1<<(nsn[0]-'0')) != 0 {
		if c.trunkEmpty {
			if loc := c.trunk.FindStringIndex(nsn); loc != nil && loc[1] > 0 {
				return true, nil
			}
		} else if c.trunk.MatchString(nsn) {
			return true, nil
		}
	}
	n := len(nsn)
	if len(digits) > maxE164Digits {
		return false, invalid(input, "is too long: E.164 numbers have at most %d digits", maxE164Digits)
	}
	if c.code == 1 {
		return false, checkNANP(input, nsn)
	}
	if c.lengths&(1<<n) == 0 {
		switch {
		case n == 0 || n < bits.TrailingZeros32(c.lengths):
			return false, invalid(input, "is too short: +%s numbers have %s digits after the country code", c.digits, c.description)
		case n > 31-bits.LeadingZeros32(c.lengths):
			return false, invalid(input, "is too long: +%s numbers have %s digits after the country code", c.digits, c.description)
		}
		return false, invalid(input, "has %d digits after +%s; numbers there have %s", n, c.digits, c.description)
	}
	if c.byPrefix[prefixIndex(nsn)]&(1<<n) == 0 {
		if nsn[0] == '0' && !parsed {
			return false, invalid(input, "has a 0 after +%s; drop the trunk prefix 0", c.digits)
		}
		return false, invalid(input, "is not a possible +%s number: no %d-digit numbers there start with %s", c.digits, n, nsn[:min(2, n)])
	}
	return false, nil
}

// checkNANP applies the North American Numbering Plan to the national
// number of a +1 number: ten digits NPA-NXX-XXXX, the area code (NPA) and the
// exchange (NXX) starting with 2-9, no N11 service codes and no N9X codes
// (reserved for expansion) as area codes.
func checkNANP(input, nsn string) error {
	if len(nsn) != 10 {
		return invalid(input, "has %d digits after +1; North American numbers have 10", len(nsn))
	}
	npa, nxx := nsn[:3], nsn[3:6]
	switch {
	case npa[0] < '2':
		return invalid(input, "has area code %s; area codes start with 2-9", npa)
	case npa[1] == '1' && npa[2] == '1':
		return invalid(input, "has area code %s, which is an N11 service code", npa)
	case npa[1] == '9':
		return invalid(input, "has area code %s; N9X area codes are reserved", npa)
	case nxx[0] < '2':
		return invalid(input, "has exchange %s; exchanges start with 2-9", nxx)
	}
	return nil
}
