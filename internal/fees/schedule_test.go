package fees_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/numberdesk/numberdesk/internal/fees"
)

func writeFile(tb testing.TB, content string) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "fees.json")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

func TestDefaultSchedule(t *testing.T) {
	want := fees.Schedule{
		"US": {Minor: 100, Currency: "USD"},
		"CA": {Minor: 125, Currency: "CAD"},
		"GB": {Minor: 80, Currency: "GBP"},
		"DE": {Minor: 90, Currency: "EUR"},
		"PL": {Minor: 400, Currency: "PLN"},
		"AU": {Minor: 150, Currency: "AUD"},
	}
	s := fees.DefaultSchedule()
	if diff := cmp.Diff(want, s); diff != "" {
		t.Errorf("DefaultSchedule (-want +got):\n%s", diff)
	}
	s["US"] = fees.Rate{Minor: 1, Currency: "USD"}
	if got := fees.DefaultSchedule()["US"].Minor; got != 100 {
		t.Errorf("changing one DefaultSchedule changed the next: US = %d, want 100", got)
	}
}

func TestScheduleRate(t *testing.T) {
	s := fees.DefaultSchedule()
	r, err := s.Rate("PL")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(fees.Rate{Minor: 400, Currency: "PLN"}, r); diff != "" {
		t.Errorf("Rate(PL) (-want +got):\n%s", diff)
	}
	_, err = s.Rate("JP")
	if !errors.Is(err, fees.ErrNoRate) || !strings.Contains(err.Error(), `"JP"`) {
		t.Errorf("Rate(JP) error = %v, want ErrNoRate naming \"JP\"", err)
	}
}

func TestLoadSchedule(t *testing.T) {
	tests := []struct {
		name, file string
		want       fees.Schedule
	}{
		{
			name: "override and add",
			file: `{"US": {"rate_minor": 150, "currency": "USD"}, "FR": {"rate_minor": 90, "currency": "EUR"}}`,
			want: fees.Schedule{
				"US": {Minor: 150, Currency: "USD"}, // overridden
				"FR": {Minor: 90, Currency: "EUR"},  // added
				"CA": {Minor: 125, Currency: "CAD"},
				"GB": {Minor: 80, Currency: "GBP"},
				"DE": {Minor: 90, Currency: "EUR"},
				"PL": {Minor: 400, Currency: "PLN"},
				"AU": {Minor: 150, Currency: "AUD"},
			},
		},
		{name: "empty object", file: " {}\n", want: fees.DefaultSchedule()},
		{
			name: "free numbers and a new currency",
			file: `{"AU": {"currency": "AUD", "rate_minor": 0}, "CH": {"rate_minor": 250, "currency": "CHF"}}`,
			want: func() fees.Schedule {
				s := fees.DefaultSchedule()
				s["AU"] = fees.Rate{Minor: 0, Currency: "AUD"}
				s["CH"] = fees.Rate{Minor: 250, Currency: "CHF"}
				return s
			}(),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := fees.LoadSchedule(writeFile(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, s); diff != "" {
				t.Errorf("LoadSchedule (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadScheduleRejects(t *testing.T) {
	tests := []struct {
		name string
		file string
		want []string // each must appear in the error, besides the file's path
	}{
		{"unknown field", `{"US": {"rate_minor": 100, "currency": "USD", "vat": 20}}`, []string{`"US"`, `"vat"`}},
		{"lower-case country", `{"us": {"rate_minor": 100, "currency": "USD"}}`, []string{`"us"`, "two upper-case letters"}},
		{"three-letter country", `{"USA": {"rate_minor": 100, "currency": "USD"}}`, []string{`"USA"`}},
		{"empty country", `{"": {"rate_minor": 100, "currency": "USD"}}`, []string{`country ""`}},
		{"lower-case currency", `{"US": {"rate_minor": 100, "currency": "usd"}}`, []string{`"US"`, `"usd"`, "three upper-case letters"}},
		{"long currency", `{"FR": {"rate_minor": 100, "currency": "EURO"}}`, []string{`"FR"`, `"EURO"`}},
		{"missing currency", `{"FR": {"rate_minor": 100}}`, []string{`"FR"`, "missing currency"}},
		{"empty currency", `{"FR": {"rate_minor": 100, "currency": ""}}`, []string{`"FR"`, `currency ""`}},
		{"currency as a number", `{"FR": {"rate_minor": 100, "currency": 978}}`, []string{`"FR"`, "currency 978"}},
		{"negative rate", `{"DE": {"rate_minor": -5, "currency": "EUR"}}`, []string{`"DE"`, "-5", "negative"}},
		{"missing rate", `{"DE": {"currency": "EUR"}}`, []string{`"DE"`, "missing rate_minor"}},
		{"null entry", `{"DE": null}`, []string{`"DE"`, "entry null"}},
		{"fractional rate", `{"PL": {"rate_minor": 1.5, "currency": "PLN"}}`, []string{`"PL"`, "rate_minor 1.5"}},
		{"rate in exponent form", `{"PL": {"rate_minor": 1e2, "currency": "PLN"}}`, []string{`"PL"`, "rate_minor 1e2"}},
		{"rate as a string", `{"PL": {"rate_minor": "150", "currency": "PLN"}}`, []string{`"PL"`, `rate_minor "150"`}},
		{"rate too big", `{"PL": {"rate_minor": 9223372036854775808, "currency": "PLN"}}`, []string{`"PL"`, "9223372036854775808"}},
		{"duplicate country", `{"GB": {"rate_minor": 80, "currency": "GBP"}, "GB": {"rate_minor": 81, "currency": "GBP"}}`, []string{`"GB"`, "twice"}},
		{"array", `[{"country": "US", "rate_minor": 100, "currency": "USD"}]`, []string{"JSON object"}},
		{"empty file", ``, []string{"JSON object"}},
		{"trailing data", `{"US": {"rate_minor": 100, "currency": "USD"}} {}`, []string{"after the schedule"}},
		{"truncated", `{"US": {"rate_minor": 100, "currency": "USD"}`, []string{"unexpected end of file"}},
		{"syntax error", `{"US": {"rate_minor": 100, "currency": "USD"},}`, []string{"invalid character"}},
		{"entry not an object", `{"US": 100}`, []string{`"US"`, "entry 100"}},
		{"pretty-printed bad entry", "{\n  \"US\": [\n    100,\n    \"USD\"\n  ]\n}\n", []string{`"US"`, `entry [100,"USD"]`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, tt.file)
			s, err := fees.LoadSchedule(path)
			if err == nil {
				t.Fatalf("LoadSchedule = %v, want an error", s)
			}
			msg := err.Error()
			for _, want := range append([]string{path}, tt.want...) {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not contain %q", msg, want)
				}
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error %q is more than one line", msg)
			}
		})
	}
}

func TestLoadScheduleMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.json")
	_, err := fees.LoadSchedule(path)
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), path) {
		t.Errorf("LoadSchedule(missing) error = %v, want not-exist naming %s", err, path)
	}
}
