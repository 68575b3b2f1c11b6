package worker_test

import (
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/numberdesk/numberdesk/internal/fees"
	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/redistest"
	"github.com/numberdesk/numberdesk/internal/store"
	"github.com/numberdesk/numberdesk/jobs"
	"github.com/numberdesk/numberdesk/worker"
)

// TestFeesMonthly runs the fees:monthly handler twice for a past month:
// one statement per account, written once, priced with the worker's
// schedule; a bad payload or a month not over fails for good.
func TestFeesMonthly(t *testing.T) {
	rdb := redistest.Client(t)
	reservedAt := time.Date(2026, 1, 11, 9, 0, 0, 0, time.UTC) // 21 of January's 31 days
	st := store.New(rdb, store.WithClock(func() time.Time { return reservedAt }))
	var accounts []string
	for i, country := range []string{"US", "GB"} {
		a, err := st.CreateAccount(ctx, store.AccountSpec{Name: "Acme " + country, Country: country})
		if err != nil {
			t.Fatal(err)
		}
		ea, err := st.CreateEmergencyAddress(ctx, a.ID, inventory.EmergencyAddress{Street: "1 Main St", City: "Austin", State: "TX", PostalCode: "78701", Country: "US"})
		if err != nil {
			t.Fatal(err)
		}
		numbers := [][]string{{"+15125550100", "+15125550101"}, {"+442071234567"}}[i]
		spec := store.AcquireSpec{Status: inventory.StatusReserved, EmergencyAddressID: ea.ID}
		for _, n := range numbers {
			spec.Numbers = append(spec.Numbers, store.NewNumber{Number: n, Type: inventory.Toll, Country: country})
		}
		if res, err := st.Acquire(ctx, a.ID, spec, store.Actor{Name: "test"}, store.BatchOptions{}); err != nil || res.Outcomes[0].Outcome != inventory.OutcomeOK {
			t.Fatalf("reserve: %+v %v", res, err)
		}
		accounts = append(accounts, a.ID)
	}
	schedule := fees.DefaultSchedule()
	schedule["US"] = fees.Rate{Minor: 310, Currency: "USD"}
	h := &worker.Handlers{Store: store.New(rdb), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: worker.NewMetrics(nil), Fees: schedule}

	task, err := jobs.NewFeesTask("2026-01")
	if err != nil {
		t.Fatal(err)
	}
	var first []byte
	for run := 0; run < 2; run++ {
		if err := h.FeesMonthly(ctx, task); err != nil {
			t.Fatalf("run %d: %v", run+1, err)
		}
		b, err := rdb.Get(ctx, "nd:{acct:"+accounts[0]+"}:fees:2026-01").Bytes()
		if err != nil {
			t.Fatalf("run %d: US statement: %v", run+1, err)
		}
		if run == 0 {
			first = b
		} else if string(b) != string(first) {
			t.Errorf("second run changed the statement:\n%s\n%s", first, b)
		}
	}
	jan, _ := fees.ParseMonth("2026-01")
	us, err := h.Store.Statement(ctx, accounts[0], jan, nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// 2 numbers × 21 days × 310 / 31 = 420, at the worker's rate.
	if len(us.Countries) != 1 || us.Countries[0].NumberDays != 42 || us.Countries[0].AmountMinor != 420 || us.Estimate {
		t.Errorf("US statement: %+v", us)
	}
	gb, err := h.Store.Statement(ctx, accounts[1], jan, nil, time.Now())
	if err != nil || len(gb.Totals) != 1 || gb.Totals[0].Currency != "GBP" || gb.Totals[0].AmountMinor != 54 { // 80 × 21 / 31 = 54.2
		t.Errorf("GB statement: %+v %v", gb, err)
	}

	next := fees.MonthOf(time.Now()).String()
	for _, bad := range []*asynq.Task{
		asynq.NewTask(jobs.TypeFeesMonthly, []byte(`{"month":"January"}`)),
		asynq.NewTask(jobs.TypeFeesMonthly, []byte(`not json`)),
		asynq.NewTask(jobs.TypeFeesMonthly, []byte(`{"month":"`+next+`"}`)),
	} {
		if err := h.FeesMonthly(ctx, bad); !errors.Is(err, asynq.SkipRetry) {
			t.Errorf("payload %s: %v, want a permanent failure", bad.Payload(), err)
		}
	}
}
