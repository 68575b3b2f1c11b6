package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/numberdesk/numberdesk/internal/fees"
	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/redistest"
	"github.com/numberdesk/numberdesk/internal/store"
)

// mustReservedAccount creates an account holding numbers reserved at
// reservedAt, by country.
func mustReservedAccount(t *testing.T, reservedAt time.Time, numbers map[string][]string) string {
	t.Helper()
	st := store.New(redistest.Client(t), store.WithClock(func() time.Time { return reservedAt }))
	a, err := st.CreateAccount(t.Context(), store.AccountSpec{Name: "Acme", Country: "US"})
	if err != nil {
		t.Fatal(err)
	}
	ea, err := st.CreateEmergencyAddress(t.Context(), a.ID, inventory.EmergencyAddress{Street: "1 Main St", City: "Austin", State: "TX", PostalCode: "78701", Country: "US"})
	if err != nil {
		t.Fatal(err)
	}
	for country, ns := range numbers {
		spec := store.AcquireSpec{Status: inventory.StatusReserved, EmergencyAddressID: ea.ID}
		for _, n := range ns {
			spec.Numbers = append(spec.Numbers, store.NewNumber{Number: n, Type: inventory.Toll, Country: country})
		}
		if res, err := st.Acquire(t.Context(), a.ID, spec, store.Actor{Name: "test"}, store.BatchOptions{}); err != nil || res.Outcomes[0].Outcome != inventory.OutcomeOK {
			t.Fatalf("reserve %v: %+v %v", ns, res, err)
		}
	}
	return a.ID
}

func TestFeesRun(t *testing.T) {
	// Reserved on 11 January 2025: 21 of January's 31 days, all of February's 28.
	acct := mustReservedAccount(t, time.Date(2025, 1, 11, 9, 0, 0, 0, time.UTC),
		map[string][]string{"US": {"+15125550100", "+15125550101"}, "GB": {"+442071234567"}})
	url := redistest.URL(t)
	t.Setenv("NUMBERDESK_REDIS_URL", url)

	code, out, errs := cli(t, "fees", "run", "--month", "2025-01", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var run store.FeeRun
	if err := json.Unmarshal([]byte(out), &run); err != nil {
		t.Fatalf("output %q: %v", out, err)
	}
	if run.Month.String() != "2025-01" || run.Written != 1 || run.Existing != 0 || len(run.Accounts) != 1 || run.Accounts[0].AccountID != acct {
		t.Fatalf("run: %+v", run)
	}
	// US 100 × 42 / 31 = 135.48 → 135; GB 80 × 21 / 31 = 54.2 → 54.
	want := []fees.Total{
		{Currency: "GBP", ReservedNumbers: 1, NumberDays: 21, AmountMinor: 54},
		{Currency: "USD", ReservedNumbers: 2, NumberDays: 42, AmountMinor: 135},
	}
	if got := run.Accounts[0].Statement.Totals; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("totals %+v, want %+v", got, want)
	}

	// Again, as text: the stored statement, one line per account.
	code, out, errs = cli(t, "fees", "run", "--month", "2025-01")
	if code != 0 {
		t.Fatalf("second run: exit %d: %s", code, errs)
	}
	wantLine := acct + " 2025-01 existing GBP amount_minor=54 numbers=1 number_days=21; USD amount_minor=135 numbers=2 number_days=42\n"
	if out != wantLine {
		t.Errorf("second run printed %q, want %q", out, wantLine)
	}
	if !strings.Contains(errs, "0 statements written, 1 already stored") {
		t.Errorf("second run summary %q", errs)
	}

	// One account, another month, the schedule from NUMBERDESK_FEES_FILE.
	file := filepath.Join(t.TempDir(), "fees.json")
	if err := os.WriteFile(file, []byte(`{"US": {"rate_minor": 310, "currency": "USD"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("NUMBERDESK_FEES_FILE", file)
	code, out, errs = cli(t, "fees", "run", "--month", "2025-02", "--account", acct)
	if code != 0 {
		t.Fatalf("February: exit %d: %s", code, errs)
	}
	// US 310 × 56 / 28 = 620; GB 80 × 28 / 28 = 80.
	if want := acct + " 2025-02 written GBP amount_minor=80 numbers=1 number_days=28; USD amount_minor=620 numbers=2 number_days=56\n"; out != want {
		t.Errorf("February printed %q, want %q", out, want)
	}
	t.Setenv("NUMBERDESK_FEES_FILE", "")

	// Without --month: the month before this one.
	code, out, errs = cli(t, "fees", "run", "--json")
	if code != 0 {
		t.Fatalf("default month: exit %d: %s", code, errs)
	}
	if err := json.Unmarshal([]byte(out), &run); err != nil || run.Month != fees.MonthOf(time.Now()).Prev() {
		t.Errorf("default month: %q %v", out, err)
	}

	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"us": {"rate_minor": 1, "currency": "USD"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"fees"}, "usage: numberdesk fees run"},
		{[]string{"fees", "run", "--month", "2025-13"}, "--month"},
		{[]string{"fees", "run", "--month", fees.MonthOf(time.Now()).String()}, "not over yet"},
		{[]string{"fees", "run", "--month", "2025-01", "--account", "nosuch"}, "--account nosuch"},
		{[]string{"fees", "run", "--month", "2025-01", "--fees-file", bad}, `--fees-file: schedule ` + bad + `: country "us"`},
		{[]string{"fees", "run", "--month", "2025-01", "--fees-file", bad + ".missing"}, "--fees-file"},
	} {
		code, _, errs := cli(t, tc.args...)
		if code != exitUsage || !strings.Contains(errs, tc.want) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and one line with %q", tc.args, code, errs, exitUsage, tc.want)
		}
	}
}

// TestFeesFileAtStart: serve and worker refuse a bad --fees-file at start.
func TestFeesFileAtStart(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"US": {"rate_minor": -1, "currency": "USD"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	url := redistest.URL(t)
	for _, command := range []string{"serve", "worker"} {
		code, _, errs := cli(t, command, "--redis-url", url, "--fees-file", bad)
		if code != exitUsage || !strings.Contains(errs, "--fees-file") || !strings.Contains(errs, "negative") {
			t.Errorf("%s: exit %d, stderr %q", command, code, errs)
		}
	}
}
