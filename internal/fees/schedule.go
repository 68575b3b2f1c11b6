package fees

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
)

// Rate is the monthly fee of one reserved number in a country, in minor
// units of its currency (100 USD is USD 1.00).
type Rate struct {
	Minor    int64  `json:"rate_minor"`
	Currency string `json:"currency"`
}

// Schedule maps an ISO 3166-1 alpha-2 country code ("US") to its Rate.
type Schedule map[string]Rate

// ErrNoRate is returned, wrapped with the country, when a schedule has no
// rate for a country.
var ErrNoRate = errors.New("fees: no rate in the fee schedule for country")

// DefaultSchedule returns a new copy of the built-in fee schedule.
func DefaultSchedule() Schedule {
	return Schedule{
		"US": {Minor: 100, Currency: "USD"},
		"CA": {Minor: 125, Currency: "CAD"},
		"GB": {Minor: 80, Currency: "GBP"},
		"DE": {Minor: 90, Currency: "EUR"},
		"PL": {Minor: 400, Currency: "PLN"},
		"AU": {Minor: 150, Currency: "AUD"},
	}
}

// Rate returns the rate of country, or an error wrapping ErrNoRate.
func (s Schedule) Rate(country string) (Rate, error) {
	r, ok := s[country]
	if !ok {
		return Rate{}, fmt.Errorf("%w %q", ErrNoRate, country)
	}
	return r, nil
}

// LoadSchedule reads a JSON schedule file such as
//
//	{"US": {"rate_minor": 150, "currency": "USD"}, "FR": {"rate_minor": 90, "currency": "EUR"}}
//
// and returns the default schedule with the file's entries overriding or
// adding to it. Validation is strict: the file holds one object; a country
// is two upper-case letters and appears once; an entry has exactly the
// fields rate_minor (a whole number >= 0) and currency (three upper-case
// letters). An error is one line naming the file, the country and the bad
// value.
func LoadSchedule(path string) (Schedule, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("fees: load schedule: %w", err)
	}
	fail := func(format string, args ...any) (Schedule, error) {
		return nil, fmt.Errorf("fees: schedule %s: "+format, append([]any{path}, args...)...)
	}

	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return fail(`want a JSON object {"US": {"rate_minor": 100, "currency": "USD"}, ...}`)
	}
	s := DefaultSchedule()
	seen := make(map[string]bool)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fail("%v", syntaxError(err))
		}
		country := tok.(string) // object keys are always strings
		if !isUpper(country, 2) {
			return fail("country %q: want two upper-case letters (ISO 3166-1 alpha-2)", country)
		}
		if seen[country] {
			return fail("country %q appears twice", country)
		}
		seen[country] = true
		var entry json.RawMessage
		if err := dec.Decode(&entry); err != nil {
			return fail("country %q: %v", country, syntaxError(err))
		}
		r, err := parseRate(entry)
		if err != nil {
			return fail("country %q: %v", country, err)
		}
		s[country] = r
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return fail("%v", syntaxError(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return fail("data after the schedule object")
	}
	return s, nil
}

// parseRate parses one entry of a schedule file. Its errors quote the bad
// JSON value on one line.
func parseRate(entry json.RawMessage) (Rate, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, entry); err != nil {
		return Rate{}, err
	}
	entry = buf.Bytes()
	var f struct {
		Minor    json.RawMessage `json:"rate_minor"`
		Currency json.RawMessage `json:"currency"`
	}
	dec := json.NewDecoder(bytes.NewReader(entry))
	dec.DisallowUnknownFields()
	if entry[0] != '{' {
		return Rate{}, fmt.Errorf(`entry %s: want {"rate_minor": 100, "currency": "USD"}`, entry)
	}
	if err := dec.Decode(&f); err != nil {
		return Rate{}, err // only an unknown field: entry is a valid object
	}

	if len(f.Minor) == 0 || string(f.Minor) == "null" {
		return Rate{}, errors.New("missing rate_minor")
	}
	minor, err := strconv.ParseInt(string(f.Minor), 10, 64)
	if err != nil {
		return Rate{}, fmt.Errorf("rate_minor %s: want a whole number of minor units, at most 9223372036854775807", f.Minor)
	}
	if minor < 0 {
		return Rate{}, fmt.Errorf("rate_minor %d is negative", minor)
	}

	if len(f.Currency) == 0 {
		return Rate{}, errors.New("missing currency")
	}
	var currency string
	if err := json.Unmarshal(f.Currency, &currency); err != nil || !isUpper(currency, 3) {
		return Rate{}, fmt.Errorf("currency %s: want three upper-case letters (ISO 4217)", f.Currency)
	}
	return Rate{Minor: minor, Currency: currency}, nil
}

// syntaxError makes a decoder's error fit for a one-line message.
func syntaxError(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("unexpected end of file")
	}
	return err
}

// isUpper reports whether s is n ASCII upper-case letters.
func isUpper(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}
