package phone

import (
	"slices"
	"strings"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// The number types of NumberInfo.Type. They are the inventory's two kinds of
// number (and of licence): any number not free to call is "toll".
const (
	TypeToll     = "toll"
	TypeTollFree = "toll_free"
)

// NumberInfo describes a phone number.
type NumberInfo struct {
	Number   string // E.164, e.g. "+16502530000"
	Country  string // ISO 3166-1 alpha-2, e.g. "US"
	Type     string // TypeToll or TypeTollFree
	AreaCode string // area code, or toll-free code, without trunk prefix ("650", "20", "800"); "" for mobile and other non-geographic numbers
	Region   string // Region.Code of the catalog ("CA" for California); "" when unknown or outside the catalog
	City     string // English place name; "" when unknown or outside the catalog
}

// Info normalises number (as Normalize does with no default region) and
// describes it. The country comes from libphonenumber (for a +1 number in an
// area code its metadata does not know, the main country of the calling
// code); toll-free means one of the NANP toll-free area codes (800, 833,
// 844, 855, 866, 877, 888) or libphonenumber's TOLL_FREE type elsewhere.
// Region and city come from libphonenumber's English geocoding data and the
// catalog, for the countries of the catalog only; in North America the
// region is the state's or province's postal code.
//
// Results are cached per number block (country code, the first six to
// eight national digits and the length), so bulk use costs a map look-up
// per number; the first number of a block costs some tens of microseconds,
// and the first call loads libphonenumber's geocoding data (about 0.2 s).
func Info(number string) (NumberInfo, error) {
	e164, err := Normalize(number, "")
	if err != nil {
		return NumberInfo{}, err
	}
	c := plan().lookup(e164[1:])
	nsn := e164[1+len(c.digits):]
	key := infoKey{prefix: e164[:1+len(c.digits)+min(blockDigits(c), len(nsn))], length: uint8(len(nsn))}
	if info, ok := infos.get(key); ok {
		info.Number = e164
		return info, nil
	}
	info := describe(e164, c, nsn)
	infos.put(key, info)
	info.Number = e164
	return info, nil
}

// blockDigits is how many national digits decide everything Info reports.
// libphonenumber's geocoding looks at most at the first ten characters of
// the E.164 form (nine digits); its North American data stops at NPA-NXX.
func blockDigits(c *callingCode) int {
	if c.code == 1 {
		return 6
	}
	return 9 - len(c.digits)
}

// describe computes what Info reports for e164 with libphonenumber.
func describe(e164 string, c *callingCode, nsn string) NumberInfo {
	n, err := phonenumbers.Parse(e164, "")
	if err != nil {
		// Normalize accepted e164, so this does not happen; report what
		// the calling code alone says.
		return NumberInfo{Country: mainCountry(c.code), Type: TypeToll}
	}
	info := NumberInfo{Country: phonenumbers.GetRegionCodeForNumber(n), Type: TypeToll}
	if info.Country == "" || info.Country == phonenumbers.UNKNOWN_REGION {
		info.Country = mainCountry(c.code)
	}
	cat := loadCatalog()
	numberType := phonenumbers.GetNumberType(n)
	if c.code == 1 {
		info.AreaCode = nsn[:3]
		if us := cat.country("US"); us != nil && slices.Contains(us.TollFree, info.AreaCode) {
			info.Type = TypeTollFree
		}
	} else {
		if numberType == phonenumbers.TOLL_FREE {
			info.Type = TypeTollFree
		}
		l := phonenumbers.GetLengthOfGeographicalAreaCode(n)
		country := cat.country(info.Country)
		fixed := numberType == phonenumbers.FIXED_LINE || numberType == phonenumbers.FIXED_LINE_OR_MOBILE
		if l == 0 && (info.Type == TypeTollFree || country != nil && fixed) {
			// Toll-free codes, and the area codes of countries without a
			// trunk prefix (Poland), are national destination codes.
			l = phonenumbers.GetLengthOfNationalDestinationCode(n)
		}
		info.AreaCode = nsn[:min(l, len(nsn))]
	}
	country := cat.country(info.Country)
	if country == nil || info.Type == TypeTollFree || info.AreaCode == "" {
		return info
	}
	desc, _ := phonenumbers.GetGeocodingForNumber(n, "en")
	info.Region, info.City = country.place(info.AreaCode, nsn, desc)
	return info
}

// mainCountry returns the main country of a calling code ("US" for 1).
func mainCountry(code int) string {
	r := phonenumbers.GetRegionCodeForCountryCode(code)
	if r == phonenumbers.UNKNOWN_REGION {
		return ""
	}
	return r
}

// infoKey identifies a number block: the E.164 prefix and the national
// number's length.
type infoKey struct {
	prefix string
	length uint8
}

// infoCacheSize bounds the number blocks Info remembers (about 200 bytes
// each); when full, the cache starts over.
const infoCacheSize = 1 << 16

// infoCache remembers NumberInfo by number block.
type infoCache struct {
	mu sync.RWMutex
	m  map[infoKey]NumberInfo
}

var infos = &infoCache{m: make(map[infoKey]NumberInfo)}

func (c *infoCache) get(k infoKey) (NumberInfo, bool) {
	c.mu.RLock()
	info, ok := c.m[k]
	c.mu.RUnlock()
	return info, ok
}

func (c *infoCache) put(k infoKey, info NumberInfo) {
	// Keep the key's own copy of the prefix, not the caller's string.
	k.prefix = strings.Clone(k.prefix)
	c.mu.Lock()
	if len(c.m) >= infoCacheSize {
		clear(c.m)
	}
	c.m[k] = info
	c.mu.Unlock()
}

// NationalNumber returns the national significant number of an E.164
// number: its digits after the country calling code ("6509541234" for
// "+16509541234"). It returns "" for a string that is not E.164.
func NationalNumber(e164 string) string {
	if len(e164) < 2 || e164[0] != '+' {
		return ""
	}
	for i := 1; i < len(e164); i++ {
		if e164[i] < '0' || e164[i] > '9' {
			return ""
		}
	}
	c := plan().lookup(e164[1:])
	if c == nil {
		return ""
	}
	return e164[1+len(c.digits):]
}
