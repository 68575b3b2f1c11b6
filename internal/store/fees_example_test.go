package store_test

import (
	"context"
	"fmt"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/numberdesk/numberdesk/internal/fees"
	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/store"
	"github.com/redis/go-redis/v9"
)

// A number reserved on 11 April and activated on 21 April is billed 10 of
// April's 30 days; one still reserved, 20 days. April's statement is
// written once, after April.
func ExampleStore_CloseMonth() {
	mr, _ := miniredis.Run()
	defer mr.Close()
	ctx := context.Background()
	now := time.Date(2026, 4, 11, 9, 0, 0, 0, time.UTC)
	st := store.New(redis.NewClient(&redis.Options{Addr: mr.Addr()}), store.WithClock(func() time.Time { return now }))

	acct, _ := st.CreateAccount(ctx, store.AccountSpec{Name: "Acme", Country: "US", PhoneLicenses: 1})
	ea, _ := st.CreateEmergencyAddress(ctx, acct.ID, inventory.EmergencyAddress{Street: "1 Main St", City: "Austin", PostalCode: "78701", Country: "US"})
	me := store.Actor{Name: "example", Source: "example"}
	st.Acquire(ctx, acct.ID, store.AcquireSpec{
		Status: inventory.StatusReserved, EmergencyAddressID: ea.ID,
		Numbers: []store.NewNumber{{Number: "+15125550100", Type: inventory.Toll, Country: "US"}, {Number: "+15125550101", Type: inventory.Toll, Country: "US"}},
	}, me, store.BatchOptions{})
	now = time.Date(2026, 4, 21, 15, 0, 0, 0, time.UTC)
	st.Activate(ctx, acct.ID, "+15125550100", me)

	april, _ := fees.ParseMonth("2026-04")
	now = time.Date(2026, 5, 1, 0, 5, 0, 0, time.UTC)
	for i := 0; i < 2; i++ {
		s, written, err := st.CloseMonth(ctx, acct.ID, april, fees.DefaultSchedule())
		if err != nil {
			fmt.Println(err)
			return
		}
		l := s.Countries[0]
		fmt.Printf("written %v: %s %s %d numbers, %d number-days, %d %s\n", written, s.Month, l.Country, l.ReservedNumbers, l.NumberDays, l.AmountMinor, l.Currency)
	}
	// Output:
	// written true: 2026-04 US 2 numbers, 30 number-days, 100 USD
	// written false: 2026-04 US 2 numbers, 30 number-days, 100 USD
}
