package httpapi

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/numberdesk/numberdesk/internal/carrier"
	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/phone"
	"github.com/numberdesk/numberdesk/internal/store"
)

// SearchRequest is the body of POST /v1/numbers/search. Every filter given
// is met by every result.
type SearchRequest struct {
	// Country is ISO 3166 alpha-2 (default: the account's country).
	Country string `json:"country,omitempty"`
	// Type is toll (default) or toll_free.
	Type string `json:"type,omitempty"`
	// State is a region code of /v1/catalog/regions (toll numbers only).
	State string `json:"state,omitempty"`
	// AreaCode is an area code of the country, or a toll-free code.
	AreaCode string `json:"area_code,omitempty"`
	// City matches the number's city, ignoring case.
	City string `json:"city,omitempty"`
	// Prefix is the digits right after the area code, or letters read on
	// the phone keypad ("YKI" is 954).
	Prefix string `json:"prefix,omitempty"`
	// Sequential lists the results in ascending order.
	Sequential bool `json:"sequential,omitempty"`
	// Consecutive returns blocks of this many consecutive numbers (2 to 20).
	Consecutive int `json:"consecutive,omitempty"`
	// ReservedOnly searches the account's own reserved numbers instead of
	// the carrier's.
	ReservedOnly bool `json:"reserved_only,omitempty"`
	// Limit is the most numbers returned, 1 to 1000 (default 100).
	Limit int `json:"limit,omitempty"`
}

// SearchResult is one number found.
type SearchResult struct {
	Number   string `json:"number"`
	Country  string `json:"country"`
	Type     string `json:"type"`
	State    string `json:"state"`
	City     string `json:"city"`
	AreaCode string `json:"area_code"`
	// Reserved says the number is the account's reserved number: ordering
	// it activates it.
	Reserved bool `json:"reserved,omitempty"`
}

// SearchResponse is the body of POST /v1/numbers/search.
type SearchResponse struct {
	Numbers []SearchResult `json:"numbers"`
	// Source is "carrier" or "reserved" (reserved_only).
	Source string `json:"source"`
	// Prefix is the prefix searched, in digits.
	Prefix string `json:"prefix,omitempty"`
	// NumberRequest is set when nothing was found: the admin can ask the
	// carrier for such numbers with POST /v1/number-requests.
	NumberRequest *NumberRequestHint `json:"number_request,omitempty"`
}

// NumberRequestHint says how to ask for numbers a search did not find.
type NumberRequestHint struct {
	Message string `json:"message"`
	// Request is a number request for what was searched, ready to post.
	Request CreateNumberRequest `json:"request"`
}

// query validates the request against the catalog and returns the carrier
// query it stands for.
func (a *api) searchQuery(c *call, in SearchRequest) (carrier.Query, error) {
	country, err := a.bodyCountry(c, in.Country)
	if err != nil {
		return carrier.Query{}, err
	}
	q := carrier.Query{Country: country, Type: in.Type, Sequential: in.Sequential, Consecutive: in.Consecutive, Limit: in.Limit}
	if q.Type == "" {
		q.Type = carrier.TypeToll
	}
	if q.Type != carrier.TypeToll && q.Type != carrier.TypeTollFree {
		return q, apiError(inventory.CodeInvalidField, fmt.Sprintf("type %q is not toll or toll_free", in.Type))
	}
	switch {
	case q.Limit == 0:
		q.Limit = 100
	case q.Limit < 1 || q.Limit > carrier.MaxLimit:
		return q, apiError(inventory.CodeInvalidField, fmt.Sprintf("limit must be 1 to %d, got %d", carrier.MaxLimit, in.Limit))
	}
	if q.Consecutive < 0 || q.Consecutive > carrier.MaxConsecutive {
		return q, apiError(inventory.CodeInvalidField, fmt.Sprintf("consecutive must be 0 to %d, got %d", carrier.MaxConsecutive, in.Consecutive))
	}
	q.Region = strings.ToUpper(strings.TrimSpace(in.State))
	if q.Region != "" {
		if q.Type == carrier.TypeTollFree {
			return q, apiError(inventory.CodeInvalidField, "toll-free numbers have no state; leave state out")
		}
		if !slices.ContainsFunc(phone.Regions(country), func(r phone.Region) bool { return r.Code == q.Region }) {
			return q, apiError(inventory.CodeInvalidField, fmt.Sprintf("state %s is not a region of %s (see /v1/catalog/regions)", q.Region, country))
		}
	}
	q.AreaCode = strings.TrimSpace(in.AreaCode)
	if q.AreaCode != "" {
		if q.Type == carrier.TypeTollFree {
			if !slices.Contains(phone.TollFreeCodes(country), q.AreaCode) {
				return q, apiError(inventory.CodeInvalidField, fmt.Sprintf("area_code %s is not a toll-free code of %s (one of %s)", q.AreaCode, country, strings.Join(phone.TollFreeCodes(country), ", ")))
			}
		} else {
			if _, ok := phone.LookupAreaCode(country, q.AreaCode); !ok {
				return q, apiError(inventory.CodeInvalidField, fmt.Sprintf("area_code %s is not an area code of %s (see /v1/catalog/area-codes)", q.AreaCode, country))
			}
			inRegion := func(ac phone.AreaCode) bool { return ac.Code == q.AreaCode }
			if q.Region != "" && !slices.ContainsFunc(phone.AreaCodes(country, q.Region), inRegion) {
				return q, apiError(inventory.CodeInvalidField, fmt.Sprintf("area_code %s is not in %s", q.AreaCode, q.Region))
			}
		}
	}
	q.City = strings.TrimSpace(in.City)
	if q.City != "" && q.Type == carrier.TypeTollFree {
		return q, apiError(inventory.CodeInvalidField, "toll-free numbers have no city; leave city out")
	}
	if p := strings.TrimSpace(in.Prefix); p != "" {
		digits, err := phone.Keypad(p)
		if err != nil {
			return q, apiError(inventory.CodeInvalidField, "prefix: "+err.Error())
		}
		if len(digits) > 8 {
			return q, apiError(inventory.CodeInvalidField, fmt.Sprintf("prefix %q is %d digits; at most 8", p, len(digits)))
		}
		q.Prefix = digits
	}
	return q, nil
}

// bodyCountry is a country of the catalog given in a body, or the account's.
func (a *api) bodyCountry(c *call, given string) (string, error) {
	country := strings.ToUpper(strings.TrimSpace(given))
	if country == "" {
		return a.country(c.ctx(), c.account())
	}
	var known []string
	for _, k := range phone.Countries() {
		if k.Code == country {
			return country, nil
		}
		known = append(known, k.Code)
	}
	return "", apiError(inventory.CodeInvalidField, "country "+country+" is not served (one of "+strings.Join(known, ", ")+")")
}

func (a *api) searchNumbers(c *call, in SearchRequest) (SearchResponse, error) {
	q, err := a.searchQuery(c, in)
	if err != nil {
		return SearchResponse{}, err
	}
	out := SearchResponse{Numbers: []SearchResult{}, Source: "carrier", Prefix: q.Prefix}
	if in.ReservedOnly {
		out.Source = "reserved"
		if out.Numbers, err = a.searchReserved(c, q); err != nil {
			return SearchResponse{}, err
		}
	} else {
		if a.carrier == nil {
			return SearchResponse{}, apiError(CodeCarrierUnavailable, "this server has no carrier configured (--carrier-url)")
		}
		found, err := a.carrier.Search(c.ctx(), q)
		if err != nil {
			return SearchResponse{}, carrierError(err)
		}
		for _, f := range found {
			out.Numbers = append(out.Numbers, SearchResult{Number: f.Number, Country: f.Country, Type: f.Type, State: f.Region, City: f.City, AreaCode: f.AreaCode})
		}
	}
	if len(out.Numbers) == 0 {
		out.NumberRequest = &NumberRequestHint{
			Message: "No numbers match. File a number request (POST /v1/number-requests) and the carrier will look for them.",
			Request: CreateNumberRequest{Country: q.Country, Type: q.Type, State: q.Region, AreaCode: q.AreaCode, City: q.City, Quantity: max(1, q.Consecutive), Vanity: strings.TrimSpace(in.Prefix)},
		}
	}
	return out, nil
}

// carrierError turns a carrier failure into a coded API error.
func carrierError(err error) error {
	var ce *carrier.Error
	if !errors.As(err, &ce) {
		return err
	}
	if ce.Code == carrier.CodeInvalid {
		return apiError(inventory.CodeInvalidField, "the carrier refused the query: "+ce.Message)
	}
	return &inventory.Error{Code: CodeCarrierUnavailable, Message: "the carrier did not answer; try again shortly (" + ce.Error() + ")"}
}

// searchReserved finds the account's reserved numbers that meet the query,
// in ascending order (blocks of q.Consecutive consecutive numbers when
// asked).
func (a *api) searchReserved(c *call, q carrier.Query) ([]SearchResult, error) {
	var found []SearchResult
	cursor := ""
	city := strings.ToLower(q.City)
	for {
		page, next, err := a.store.ListNumbers(c.ctx(), c.account(), store.NumberFilter{Status: inventory.StatusReserved, Type: inventory.NumberType(q.Type), Limit: 1000, Cursor: cursor})
		if err != nil {
			return nil, err
		}
		for _, n := range page {
			switch {
			case n.Country != q.Country,
				q.Region != "" && n.Region != q.Region,
				q.AreaCode != "" && n.AreaCode != q.AreaCode,
				city != "" && strings.ToLower(n.City) != city,
				q.Prefix != "" && !strings.HasPrefix(phone.NationalNumber(n.Number), n.AreaCode+q.Prefix):
				continue
			}
			found = append(found, SearchResult{Number: n.Number, Country: n.Country, Type: string(n.Type), State: n.Region, City: n.City, AreaCode: n.AreaCode, Reserved: true})
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if q.Consecutive > 1 {
		found = consecutiveBlocks(found, q.Consecutive)
	}
	if len(found) > q.Limit {
		found = found[:q.Limit]
	}
	if found == nil {
		found = []SearchResult{}
	}
	return found, nil
}

// consecutiveBlocks keeps whole blocks of n numbers, each one more than the
// one before, from numbers in ascending order.
func consecutiveBlocks(nums []SearchResult, n int) []SearchResult {
	var out []SearchResult
	run := 0
	for i := range nums {
		if i > 0 && isNext(nums[i-1].Number, nums[i].Number) {
			run++
		} else {
			run = 1
		}
		if run == n {
			out = append(out, nums[i-n+1:i+1]...)
			run = 0
		}
	}
	return out
}

// isNext reports whether E.164 number b is a plus one.
func isNext(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	var x, y uint64
	for i := 1; i < len(a); i++ {
		x = x*10 + uint64(a[i]-'0')
		y = y*10 + uint64(b[i]-'0')
	}
	return y == x+1
}
