package fees_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/numberdesk/numberdesk/internal/fees"
)

func TestMonth(t *testing.T) {
	tests := []struct {
		in         string
		days       int
		start, end string
		prev, next string
	}{
		{"2026-01", 31, "2026-01-01", "2026-02-01", "2025-12", "2026-02"},
		{"2026-02", 28, "2026-02-01", "2026-03-01", "2026-01", "2026-03"}, // common year
		{"2028-02", 29, "2028-02-01", "2028-03-01", "2028-01", "2028-03"}, // 2028 divisible by 4
		{"2000-02", 29, "2000-02-01", "2000-03-01", "2000-01", "2000-03"}, // divisible by 400
		{"2100-02", 28, "2100-02-01", "2100-03-01", "2100-01", "2100-03"}, // by 100, not 400
		{"2026-04", 30, "2026-04-01", "2026-05-01", "2026-03", "2026-05"},
		{"2026-12", 31, "2026-12-01", "2027-01-01", "2026-11", "2027-01"},
		{"9999-06", 30, "9999-06-01", "9999-07-01", "9999-05", "9999-07"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			m := mustMonth(t, tt.in)
			if got := m.String(); got != tt.in {
				t.Errorf("String() = %q, want %q", got, tt.in)
			}
			if got := m.Days(); got != tt.days {
				t.Errorf("Days() = %d, want %d", got, tt.days)
			}
			if got, want := m.Start(), at(t, tt.start); !got.Equal(want) || got.Location() != time.UTC {
				t.Errorf("Start() = %v, want %v UTC", got, want)
			}
			if got, want := m.End(), at(t, tt.end); !got.Equal(want) || got.Location() != time.UTC {
				t.Errorf("End() = %v, want %v UTC", got, want)
			}
			if got := m.Prev().String(); got != tt.prev {
				t.Errorf("Prev() = %s, want %s", got, tt.prev)
			}
			if got := m.Next().String(); got != tt.next {
				t.Errorf("Next() = %s, want %s", got, tt.next)
			}
			if m.Next().Prev() != m {
				t.Errorf("Next().Prev() = %s, want %s", m.Next().Prev(), m)
			}
		})
	}
}

func TestMonthOf(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"2026-03-01T00:00:00Z", "2026-03"},
		{"2026-03-31T23:59:59Z", "2026-03"},
		// 22:30 on 31 March in New York is 02:30 on 1 April in UTC.
		{"2026-03-31T22:30:00-04:00", "2026-04"},
		// 00:30 on 1 April in Warsaw is 22:30 on 31 March in UTC.
		{"2026-04-01T00:30:00+02:00", "2026-03"},
	}
	for _, tt := range tests {
		if got := fees.MonthOf(at(t, tt.in)).String(); got != tt.want {
			t.Errorf("MonthOf(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestParseMonthRejects(t *testing.T) {
	for _, in := range []string{
		"2026-13", "2026-00", "2026-1", "26-01", "", "1999-12", "0000-01",
		"2026/01", "2026-01-01", " 2026-01", "2026-01 ", "202601", "2026-+1",
		"+026-01", "2026-0a", "2026–01", // en dash
	} {
		m, err := fees.ParseMonth(in)
		if err == nil {
			t.Errorf("ParseMonth(%q) = %s, want an error", in, m)
			continue
		}
		if !strings.Contains(err.Error(), strconv.Quote(in)) {
			t.Errorf("ParseMonth(%q) error %q does not name the value", in, err)
		}
	}
}

func TestMonthJSON(t *testing.T) {
	type doc struct {
		Month fees.Month `json:"month"`
	}
	b, err := json.Marshal(doc{mustMonth(t, "2028-02")})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"month":"2028-02"}`; got != want {
		t.Errorf("Marshal = %s, want %s", got, want)
	}

	var d doc
	if err := json.Unmarshal([]byte(`{"month":"2026-11"}`), &d); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("2026-11", d.Month.String()); diff != "" {
		t.Errorf("Unmarshal (-want +got):\n%s", diff)
	}

	for _, in := range []string{`{"month":"2026-13"}`, `{"month":"2026-1"}`, `{"month":202611}`, `{"month":""}`} {
		if err := json.Unmarshal([]byte(in), &d); err == nil {
			t.Errorf("Unmarshal(%s) = %s, want an error", in, d.Month)
		}
	}
}
