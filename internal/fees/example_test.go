package fees_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/numberdesk/numberdesk/internal/fees"
)

func ExampleDays() {
	m, _ := fees.ParseMonth("2026-04")
	reserved := time.Date(2026, 4, 11, 14, 0, 0, 0, time.UTC)
	released := time.Date(2026, 4, 21, 9, 0, 0, 0, time.UTC)
	asOf := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	fmt.Println(fees.Days(m, reserved, released, asOf))    // 11..20
	fmt.Println(fees.Days(m, reserved, time.Time{}, asOf)) // still reserved: 11..30
	fmt.Println(fees.Days(m, released, released, asOf))    // same day
	// Output:
	// 10
	// 20
	// 0
}

func ExampleAccumulator() {
	m, _ := fees.ParseMonth("2026-04") // 30 days
	asOf := time.Date(2026, 5, 1, 0, 5, 0, 0, time.UTC)
	a := fees.NewAccumulator(m, asOf)
	a.Add("+16505550100", "US", time.Date(2026, 4, 11, 0, 0, 0, 0, time.UTC), time.Time{})
	a.Add("+16505550101", "US", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Time{})
	a.Add("+442071234567", "GB", time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 16, 0, 0, 0, 0, time.UTC))

	st, err := a.Statement(fees.DefaultSchedule())
	if err != nil {
		fmt.Println(err)
		return
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	_ = enc.Encode(st)
	// Output:
	// {
	//   "month": "2026-04",
	//   "countries": [
	//     {
	//       "country": "GB",
	//       "reserved_numbers": 1,
	//       "number_days": 15,
	//       "rate_minor": 80,
	//       "currency": "GBP",
	//       "amount_minor": 40
	//     },
	//     {
	//       "country": "US",
	//       "reserved_numbers": 2,
	//       "number_days": 50,
	//       "rate_minor": 100,
	//       "currency": "USD",
	//       "amount_minor": 167
	//     }
	//   ],
	//   "totals": [
	//     {
	//       "currency": "GBP",
	//       "reserved_numbers": 1,
	//       "number_days": 15,
	//       "amount_minor": 40
	//     },
	//     {
	//       "currency": "USD",
	//       "reserved_numbers": 2,
	//       "number_days": 50,
	//       "amount_minor": 167
	//     }
	//   ],
	//   "estimate": false,
	//   "as_of": "2026-05-01T00:05:00Z"
	// }
}

func ExampleLoadSchedule() {
	dir, _ := os.MkdirTemp("", "fees")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "fees.json")
	_ = os.WriteFile(path, []byte(`{"US": {"rate_minor": 150, "currency": "USD"}, "FR": {"rate_minor": 90, "currency": "EUR"}}`), 0o600)

	s, err := fees.LoadSchedule(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range []string{"US", "FR", "CA"} {
		r, _ := s.Rate(c)
		fmt.Println(c, r.Minor, r.Currency)
	}
	_, err = s.Rate("JP")
	fmt.Println(err)
	// Output:
	// US 150 USD
	// FR 90 EUR
	// CA 125 CAD
	// fees: no rate in the fee schedule for country "JP"
}
