package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/redistest"
	"github.com/numberdesk/numberdesk/internal/store"
)

func TestMain(m *testing.M) { redistest.Main(m) }

// cli runs the command line in-process and returns its exit code and output.
func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(t.Context(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestAccountCreateAndSeed(t *testing.T) {
	rdb := redistest.Client(t)
	url := redistest.URL(t)
	t.Setenv("NUMBERDESK_REDIS_URL", url)
	code, out, errs := cli(t, "account", "create", "--name", "Acme", "--country", "us", "--licenses", "5", "--toll-free-licenses", "1", "--multiple-sites", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var created struct {
		AccountID string `json:"account_id"`
		Token     string `json:"token"`
	}
	if err := json.Unmarshal([]byte(out), &created); err != nil {
		t.Fatalf("output %q: %v", out, err)
	}
	st := store.New(rdb)
	tok, err := st.LookupToken(t.Context(), created.Token)
	if err != nil || tok.Role != inventory.RoleOwner || tok.AccountID != created.AccountID {
		t.Fatalf("owner token: %+v %v", tok, err)
	}
	raw, _ := rdb.HGetAll(t.Context(), "nd:{acct:"+created.AccountID+"}:tok").Result()
	for k, v := range raw {
		if strings.Contains(k+v, created.Token) {
			t.Fatal("the token secret is stored in Redis; only its SHA-256 may be")
		}
	}

	csvPath := filepath.Join(t.TempDir(), "assign.csv")
	code, out, errs = cli(t, "seed", "--account", created.AccountID, "--numbers", "2500", "--extensions", "30", "--out", csvPath)
	if code != 0 {
		t.Fatalf("seed exit %d: %s %s", code, out, errs)
	}
	a, err := st.Account(t.Context(), created.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	if a.Numbers.Unassigned != 2500 || a.Licenses.PhoneNumber.Used != 2500 || a.Licenses.PhoneNumber.Total < 2500 {
		t.Errorf("after seed: %+v", a)
	}
	exts, _, err := st.SearchExtensions(t.Context(), created.AccountID, "", 1000, "")
	if err != nil || len(exts) != 30 {
		t.Errorf("extensions: %d %v", len(exts), err)
	}
	f, err := os.Open(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2501 || rows[0][0] != "phone_number" || rows[0][1] != "extension_number" {
		t.Fatalf("csv: %d rows, header %v", len(rows), rows[0])
	}
	// The file must apply cleanly: every row assigns a seeded number to a seeded extension.
	var batch []store.Row
	for _, r := range rows[1:] {
		batch = append(batch, store.Row{Number: r[0], Action: inventory.ActionAssign, Extension: store.ExtensionRef{Number: r[1]}})
		if len(batch) == store.MaxBatch {
			applyAll(t, st, created.AccountID, batch)
			batch = nil
		}
	}
	applyAll(t, st, created.AccountID, batch)
	if err := st.Check(t.Context(), created.AccountID); err != nil {
		t.Error(err)
	}
}

func applyAll(t *testing.T, st *store.Store, acct string, rows []store.Row) {
	t.Helper()
	res, err := st.Apply(t.Context(), acct, rows, store.Actor{Name: "test"}, store.BatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ok, _, failed := res.Counts(); failed != 0 || ok != len(rows) {
		t.Fatalf("ok %d failed %d: %+v", ok, failed, res.Outcomes[0])
	}
}

func TestUsageErrors(t *testing.T) {
	t.Setenv("NUMBERDESK_REDIS_URL", "")
	cases := [][]string{
		{},
		{"frobnicate"},
		{"account"},
		{"account", "create", "--country", "US"},
		{"account", "create", "--name", "X", "--redis-url", "mysql://nope"},
		{"seed", "--numbers", "10"},
		{"seed", "--account", "a1", "--numbers", "-1", "--redis-url", "redis://127.0.0.1:1"},
	}
	for _, args := range cases {
		if code, _, errs := cli(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d (%s)", args, code, exitUsage, errs)
		}
	}
	t.Setenv("NUMBERDESK_LICENSES", "many")
	if code, _, errs := cli(t, "account", "create", "--name", "X", "--redis-url", "redis://127.0.0.1:1"); code != exitUsage || !strings.Contains(errs, "NUMBERDESK_LICENSES") {
		t.Errorf("bad env var: exit %d, %q", code, errs)
	}
}

func TestSeedTwice(t *testing.T) {
	rdb := redistest.Client(t)
	st := store.New(rdb)
	a, err := st.CreateAccount(t.Context(), store.AccountSpec{Name: "Twice", Country: "US"})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if code, out, errs := cli(t, "seed", "--account", a.ID, "--numbers", "100", "--extensions", "10", "--redis-url", redistest.URL(t)); code != 0 {
			t.Fatalf("seed run %d: exit %d: %s %s", i+1, code, out, errs)
		}
	}
	got, err := st.Account(t.Context(), a.ID)
	if err != nil || got.Numbers.Unassigned != 200 {
		t.Errorf("after two seeds: %+v %v", got.Numbers, err)
	}
	if err := st.Check(t.Context(), a.ID); err != nil {
		t.Error(err)
	}
	if code, _, _ := cli(t, "seed", "-h"); code != exitOK {
		t.Errorf("seed -h: exit %d, want 0", code)
	}
}
