package sandbox

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/numberdesk/numberdesk/internal/carrier"
	"github.com/numberdesk/numberdesk/internal/phone"
)

// nsnLength is the national significant number length of the numbers the
// sandbox offers, by country and type; other countries use 10.
var nsnLength = map[string][2]int{ // [toll, toll-free]
	"US": {10, 10}, "CA": {10, 10},
	"GB": {10, 10}, "DE": {10, 10},
	"PL": {9, 9}, "AU": {9, 10},
}

// place is where an exchange's numbers are.
type place struct {
	region, city string
}

// area is one area code (or toll-free code) the sandbox sells numbers in.
type area struct {
	country  string
	cc       string // calling code digits, e.g. "1"
	code     string // area code, e.g. "650"
	tollFree bool
	subLen   int     // digits after the area code
	places   []place // regions and cities of the area code; nil for toll-free
	longer   map[string]bool
	hash     uint64

	// regions maps exchanges (index exch-200) to the region libphonenumber
	// places them in, for an area code spanning several regions; computed
	// on first use.
	regionsOnce sync.Once
	regions     []string

	// badDigit marks the first exchange digits whose numbers package phone
	// does not recognise as the area code's (outside North America);
	// computed on first use.
	digitsOnce sync.Once
	badDigit   [10]bool
}

// prefix is the E.164 prefix of the area's numbers, e.g. "+1650".
func (a *area) prefix() string { return "+" + a.cc + a.code }

// mix is the splitmix64 finaliser.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// areaHash hashes the seed and the E.164 prefix of an area code (not its
// country: the US and Canada share their toll-free numbers).
func areaHash(seed int64, prefix string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(prefix))
	return mix(uint64(seed) ^ mix(h.Sum64()))
}

// empty reports whether the area code has no numbers at all.
func (a *area) empty() bool { return a.hash%10 == 0 }

// exchangeValid reports whether exchange (the first three subscriber
// digits, 200–999) is in use in the area.
func (a *area) exchangeValid(exch int) bool {
	if a.cc == "1" && (exch%100 == 11 || exch == 555) {
		return false // N11 service codes and 555 directory numbers
	}
	if a.cc != "1" {
		a.digitsOnce.Do(a.loadDigits)
		if a.badDigit[exch/100] {
			return false
		}
	}
	// Numbers that would start with a longer area code belong to it.
	digits := a.code + strconv.Itoa(exch)
	for l := len(a.code) + 1; l <= len(digits); l++ {
		if a.longer[digits[:l]] {
			return false
		}
	}
	return true
}

// placeOf returns the region and city of an exchange's numbers.
// In an area code that spans regions, the region is the one package phone
// (libphonenumber's geocoding) gives the exchange's numbers, and the city
// one of that region's.
func (a *area) placeOf(exch int) place {
	if len(a.places) == 0 {
		return place{}
	}
	places := a.places
	if a.multiRegion() {
		a.regionsOnce.Do(a.loadRegions)
		if r := a.regions[exch-200]; r != "" {
			var in []place
			for _, p := range a.places {
				if p.region == r {
					in = append(in, p)
				}
			}
			if len(in) > 0 {
				places = in
			}
		}
	}
	return places[mix(a.hash^uint64(exch)*0x100000001b3)%uint64(len(places))]
}

// multiRegion reports whether the area code spans several regions.
func (a *area) multiRegion() bool {
	for _, p := range a.places {
		if p.region != a.places[0].region {
			return true
		}
	}
	return false
}

// loadDigits fills a.badDigit: a first digit is good when the first and
// last numbers of its first and last exchanges are numbers of the area
// code for libphonenumber.
func (a *area) loadDigits() {
	for d := 2; d <= 9; d++ {
		for _, n := range []string{a.number(d*100, 0), a.number(d*100+99, a.lines()-1)} {
			info, err := phone.Info(n)
			if err != nil || info.AreaCode != a.code || (info.Type == carrier.TypeTollFree) != a.tollFree {
				a.badDigit[d] = true
			}
		}
	}
}

// loadRegions fills a.regions.
func (a *area) loadRegions() {
	a.regions = make([]string, 800)
	for exch := 200; exch <= 999; exch++ {
		if info, err := phone.Info(a.number(exch, 0)); err == nil {
			a.regions[exch-200] = info.Region
		}
	}
}

// blockSize is the size of a line block: lines are offered in blocks.
func (a *area) blockSize() int {
	if a.subLen-3 >= 2 {
		return 100
	}
	return 10
}

// blockOpen reports whether a block of lines of an exchange has numbers.
func (a *area) blockOpen(exch, block int) bool {
	return mix(a.hash^mix(uint64(exch)<<20|uint64(block)))%8 == 0
}

// lineOpen reports whether a line of an open block is available.
func (a *area) lineOpen(exch, line int) bool {
	return mix(a.hash^mix(uint64(exch)<<32|uint64(line)|1<<63))%8 != 0
}

// lines is the number of lines per exchange.
func (a *area) lines() int {
	n := 1
	for range a.subLen - 3 {
		n *= 10
	}
	return n
}

// number formats an exchange and line as E.164.
func (a *area) number(exch, line int) string {
	return fmt.Sprintf("+%s%s%d%0*d", a.cc, a.code, exch, a.subLen-3, line)
}

// offered reports whether exch/line is one of the area's generated
// numbers (sold or not).
func (a *area) offered(exch, line int) bool {
	return !a.empty() && exch >= 200 && exch <= 999 && a.exchangeValid(exch) &&
		line >= 0 && line < a.lines() && a.blockOpen(exch, line/a.blockSize()) && a.lineOpen(exch, line)
}

// numbering is the sandbox's numbering plan, built from phone's catalog.
type numbering struct {
	seed    int64
	areas   map[string][]*area // country → areas, sorted by code, toll-free last
	byE164  map[string]*area   // E.164 prefix → area (shared NANP toll-free codes once)
	country map[string]phone.Country
}

func newNumbering(seed int64) *numbering {
	n := &numbering{seed: seed, areas: map[string][]*area{}, byE164: map[string]*area{}, country: map[string]phone.Country{}}
	for _, c := range phone.Countries() {
		n.country[c.Code] = c
		lengths, ok := nsnLength[c.Code]
		if !ok {
			lengths = [2]int{10, 10}
		}
		cc := strconv.Itoa(c.CallingCode)
		codes := map[string]bool{}
		byCode := map[string]*area{}
		var list []*area
		for _, ac := range phone.AreaCodes(c.Code, "") {
			codes[ac.Code] = true
			a := byCode[ac.Code]
			if a == nil {
				a = &area{country: c.Code, cc: cc, code: ac.Code, subLen: lengths[0] - len(ac.Code)}
				byCode[ac.Code] = a
				list = append(list, a)
			}
			for _, city := range ac.Cities {
				a.places = append(a.places, place{ac.Region, city})
			}
			if len(ac.Cities) == 0 {
				a.places = append(a.places, place{region: ac.Region})
			}
		}
		for _, tf := range phone.TollFreeCodes(c.Code) {
			codes[tf] = true
			list = append(list, &area{country: c.Code, cc: cc, code: tf, tollFree: true, subLen: lengths[1] - len(tf)})
		}
		for _, a := range list {
			a.hash = areaHash(seed, a.prefix())
			a.longer = map[string]bool{}
			for code := range codes {
				if len(code) > len(a.code) && strings.HasPrefix(code, a.code) {
					a.longer[code] = true
				}
			}
			if _, dup := n.byE164[a.prefix()]; !dup {
				n.byE164[a.prefix()] = a
			}
		}
		slices.SortStableFunc(list, func(x, y *area) int {
			if x.tollFree != y.tollFree {
				if x.tollFree {
					return 1
				}
				return -1
			}
			return cmp.Compare(x.code, y.code)
		})
		n.areas[c.Code] = list
	}
	return n
}

// locate finds the area, exchange and line of an E.164 number the sandbox
// generates, and reports whether it is one.
func (n *numbering) locate(number string) (a *area, exch, line int, ok bool) {
	for l := 2; l <= 9 && l < len(number); l++ {
		a = n.byE164[number[:l]]
		if a == nil {
			continue
		}
		rest := number[l:]
		if len(rest) != a.subLen || !allDigits(rest) {
			continue
		}
		exch, _ = strconv.Atoi(rest[:3])
		line, _ = strconv.Atoi(rest[3:])
		if a.offered(exch, line) {
			return a, exch, line, true
		}
	}
	return nil, 0, 0, false
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// areasFor returns the areas a query may find numbers in, and the query
// with defaults applied, or an error naming what is wrong.
func (n *numbering) areasFor(q *carrier.Query) ([]*area, error) {
	const op = "search"
	q.Country = strings.ToUpper(q.Country)
	if _, ok := n.country[q.Country]; !ok {
		return nil, carrier.Errorf(op, carrier.CodeInvalid, "country %q: not served", q.Country)
	}
	switch q.Type {
	case "":
		q.Type = carrier.TypeToll
	case carrier.TypeToll, carrier.TypeTollFree:
	default:
		return nil, carrier.Errorf(op, carrier.CodeInvalid, "type %q: want toll or toll_free", q.Type)
	}
	if q.Prefix != "" && !allDigits(q.Prefix) {
		return nil, carrier.Errorf(op, carrier.CodeInvalid, "prefix %q: digits only", q.Prefix)
	}
	if q.AreaCode != "" && !allDigits(q.AreaCode) {
		return nil, carrier.Errorf(op, carrier.CodeInvalid, "area_code %q: digits only", q.AreaCode)
	}
	if q.Limit < 0 || q.Limit > carrier.MaxLimit {
		return nil, carrier.Errorf(op, carrier.CodeInvalid, "limit %d: want 0 to %d", q.Limit, carrier.MaxLimit)
	}
	if q.Limit == 0 {
		q.Limit = 100
	}
	if q.Consecutive < 0 || q.Consecutive > MaxConsecutive {
		return nil, carrier.Errorf(op, carrier.CodeInvalid, "consecutive %d: want 0 to %d", q.Consecutive, MaxConsecutive)
	}
	if q.Consecutive > q.Limit {
		return nil, carrier.Errorf(op, carrier.CodeInvalid, "consecutive %d: more than limit %d", q.Consecutive, q.Limit)
	}
	tollFree := q.Type == carrier.TypeTollFree
	if tollFree && (q.Region != "" || q.City != "") {
		return nil, carrier.Errorf(op, carrier.CodeInvalid, "toll-free numbers have no region or city")
	}
	var out []*area
	for _, a := range n.areas[q.Country] {
		if a.tollFree != tollFree || (q.AreaCode != "" && a.code != q.AreaCode) {
			continue
		}
		if q.Region != "" || q.City != "" {
			if !slices.ContainsFunc(a.places, func(p place) bool { return matchPlace(q, p) }) {
				continue
			}
		}
		out = append(out, a)
	}
	return out, nil
}

// matchPlace reports whether p passes the query's region and city filters.
func matchPlace(q *carrier.Query, p place) bool {
	return (q.Region == "" || strings.EqualFold(q.Region, p.region)) &&
		(q.City == "" || strings.EqualFold(q.City, p.city))
}
