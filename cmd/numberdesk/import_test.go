package main

import (
	"bytes"
	"context"
	stdcsv "encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hibiken/asynq"
	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/redistest"
	"github.com/numberdesk/numberdesk/internal/store"
	"github.com/numberdesk/numberdesk/jobs"
)

// importEnv is the real serve wiring on 127.0.0.1:0 with an account, its
// admin token and, once started, an in-process worker.
type importEnv struct {
	m     *Main
	st    *store.Store
	base  string
	acct  inventory.Account
	token string
}

// newImportEnv starts the API (Redis flushed) and creates an account.
func newImportEnv(tb testing.TB, multiSites bool) *importEnv {
	tb.Helper()
	m, st := mustMain(tb)
	ctx := context.Background()
	acct, err := st.CreateAccount(ctx, store.AccountSpec{Name: "Acme", Country: "US", MultipleSites: multiSites, PhoneLicenses: 10, TollFreeLicenses: 1})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := st.Check(context.Background(), acct.ID); err != nil {
			tb.Errorf("invariants: %v", err)
		}
	})
	_, secret, err := st.CreateToken(ctx, acct.ID, "bulk admin", inventory.RoleAdmin)
	if err != nil {
		tb.Fatal(err)
	}
	return &importEnv{m: m, st: st, base: "http://" + m.Addr(), acct: acct, token: secret}
}

// startWorker runs `numberdesk worker`'s wiring in-process until the test
// ends (or the returned stop).
func (e *importEnv) startWorker(tb testing.TB, concurrency int) (stop func()) {
	tb.Helper()
	w := NewWorkerMain()
	w.Config.RedisURL = redistest.URL(tb)
	w.Config.Concurrency = concurrency
	w.Config.ShutdownTimeout = 10 * time.Second
	w.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := w.Run(context.Background()); err != nil {
		tb.Fatalf("worker: %v", err)
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			if err := w.Close(); err != nil {
				tb.Errorf("close the worker: %v", err)
			}
		})
	}
	tb.Cleanup(stop)
	return stop
}

// importCLI runs `numberdesk import` against the env's API.
func (e *importEnv) importCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return cli(t, append([]string{"import", "--url", e.base, "--token", e.token, "--poll", "50ms"}, args...)...)
}

// importJSON runs the import command with --wait --json and decodes the
// final import; the exit code must be want.
func (e *importEnv) importJSON(t *testing.T, want int, args ...string) store.Import {
	t.Helper()
	code, out, errs := e.importCLI(t, append(args, "--wait", "--json")...)
	if code != want {
		t.Fatalf("import %v: exit %d, want %d; stdout %s; stderr %s", args, code, want, out, errs)
	}
	var imp store.Import
	if err := json.Unmarshal([]byte(out), &imp); err != nil {
		t.Fatalf("import %v: stdout is not the import's JSON (%v): %q", args, err, out)
	}
	return imp
}

// get calls the API and returns the status and body.
func (e *importEnv) get(tb testing.TB, method, path string) (int, []byte) {
	tb.Helper()
	req, _ := http.NewRequest(method, e.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+e.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// assigned returns the account's assigned-number count.
func (e *importEnv) assigned(tb testing.TB) int64 {
	tb.Helper()
	a, err := e.st.Account(context.Background(), e.acct.ID)
	if err != nil {
		tb.Fatal(err)
	}
	return a.Numbers.Assigned
}

// writeFile writes a file in the test's temporary directory.
func writeFile(tb testing.TB, name, content string) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

// readReport parses an error report, keyed by line.
func readReport(tb testing.TB, raw []byte) ([]string, map[int][]string) {
	tb.Helper()
	recs, err := stdcsv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		tb.Fatalf("the error report is not CSV (%v): %.500s", err, raw)
	}
	if len(recs) == 0 {
		tb.Fatal("the error report has no header")
	}
	rows := map[int][]string{}
	last := 0
	for _, r := range recs[1:] {
		line, err := strconv.Atoi(r[0])
		if err != nil || line <= last {
			tb.Fatalf("report row %v: line not a number in ascending order", r)
		}
		last = line
		rows[line] = r
	}
	return recs[0], rows
}

// nationalSpelling writes +1AAAEEELLLL as (AAA) EEE-LLLL.
func nationalSpelling(e164 string) string {
	d := e164[2:]
	return "(" + d[:3] + ") " + d[3:6] + "-" + d[6:]
}

// messyFile is an assignments file as spreadsheets export them, and what
// the import must make of it.
type messyFile struct {
	content string
	ok      int            // valid rows
	failed  map[int]string // line -> error code
	cells   map[int]string // line -> a cell the report must show, neutralised
}

// newMessyFile writes a UTF-8 file with a BOM, CRLF line ends, semicolons
// and an odd header, assigning the first 3,000 numbers (in three
// spellings), with bad numbers, repeated numbers, unknown extensions, a
// number of no inventory, a row with too many fields, a blank line and
// formula cells.
func newMessyFile(numbers, exts []string) messyFile {
	f := messyFile{failed: map[int]string{}, cells: map[int]string{}}
	var b strings.Builder
	b.WriteString("\ufeffPhone Number;Extension;Note\r\n")
	line := 1
	row := func(code, cell, text string) {
		line++
		b.WriteString(text + "\r\n")
		if code == "" {
			f.ok++
			return
		}
		f.failed[line] = code
		if cell != "" {
			f.cells[line] = cell
		}
	}
	for i := 0; i < 3000; i++ {
		n := numbers[i]
		switch i % 3 {
		case 1:
			n = nationalSpelling(n)
		case 2:
			n = strings.ReplaceAll(nationalSpelling(n), "(", "1 (")
		}
		row("", "", n+";"+exts[i%len(exts)]+";")
		switch i {
		case 500:
			line++
			b.WriteString("\r\n") // a blank line counts, and is no row
		case 1000:
			for j, bad := range []string{"12345", "not a number", "=1+2", "@SUM(A1)", "+1 650", "-5"} {
				cell := bad
				if strings.ContainsAny(bad[:1], "=+-@") {
					cell = "'" + bad
				}
				row("invalid_phone_number", cell, bad+";"+exts[j]+";bad number")
			}
		}
	}
	for i := 0; i < 30; i++ {
		row("duplicate_row", "'"+numbers[i], numbers[i]+";"+exts[(i+1)%len(exts)]+";again")
	}
	for i := 3000; i < 3025; i++ {
		row("extension_not_found", "", numbers[i]+";99999;")
	}
	row("extension_not_found", `'=HYPERLINK("http://evil.example")`, numbers[3025]+`;99999;"=HYPERLINK(""http://evil.example"")"`)
	row("number_not_found", "", "+44 20 7183 8750;"+exts[0]+";")
	row("invalid_field", "", numbers[3026]+";"+exts[0]+";x;one too many")
	f.content = b.String()
	return f
}

// TestImportEndToEnd imports a messy 3,000-row file into a seeded account
// through the CLI, the real API and a worker, then imports it again (every
// valid row unchanged), and makes a dry run.
func TestImportEndToEnd(t *testing.T) {
	e := newImportEnv(t, false)
	ctx := context.Background()
	seeded, err := seed(ctx, e.st, seedSpec{AccountID: e.acct.ID, Numbers: 5000, Extensions: 200, Workers: 4})
	if err != nil {
		t.Fatal(err)
	}
	e.startWorker(t, 4)
	f := newMessyFile(seeded.Numbers, seeded.Extensions)
	path := writeFile(t, "messy export.csv", f.content)
	report := filepath.Join(t.TempDir(), "errors.csv")

	start := time.Now()
	imp := e.importJSON(t, exitRowErrors, path, "--kind", "assignments", "--errors-out", report)
	t.Logf("imported %d rows in %v", imp.RowsTotal, time.Since(start))
	total := int64(f.ok + len(f.failed))
	want := store.Import{
		ID: imp.ID, Kind: "assignments", Status: store.ImportCompleted, Filename: "messy export.csv", Actor: "bulk admin",
		RowsTotal: total, RowsDone: total, RowsOK: int64(f.ok), RowsFailed: int64(len(f.failed)),
		Chunks: (total + 999) / 1000, ChunksDone: (total + 999) / 1000,
	}
	got := imp
	got.CreatedAt, got.StartedAt, got.FinishedAt, got.RowsPerSecond = time.Time{}, nil, nil, 0
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("import (-want +got):\n%s", diff)
	}
	if n := e.assigned(t); n != int64(f.ok) {
		t.Errorf("%d numbers assigned, want %d", n, f.ok)
	}
	n, err := e.st.Number(ctx, e.acct.ID, seeded.Numbers[1])
	if err != nil || n.Assignee == nil || n.Assignee.ExtensionNumber != seeded.Extensions[1] {
		t.Errorf("number of line 3: %+v %v", n, err)
	}

	raw, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	header, rows := readReport(t, raw)
	if diff := cmp.Diff([]string{"line", "Phone Number", "Extension", "Note", "error_code", "error_message"}, header); diff != "" {
		t.Errorf("report header (-want +got):\n%s", diff)
	}
	gotCodes := map[int]string{}
	for line, r := range rows {
		gotCodes[line] = r[4]
		if r[5] == "" {
			t.Errorf("line %d: no error message", line)
		}
	}
	if diff := cmp.Diff(f.failed, gotCodes); diff != "" {
		t.Errorf("report lines and codes (-want +got):\n%s", diff)
	}
	for line, cell := range f.cells {
		if r := rows[line]; r == nil || (r[1] != cell && r[3] != cell) {
			t.Errorf("line %d: report row %q, want a cell %q", line, r, cell)
		}
	}
	for line, r := range rows {
		if r[4] == "duplicate_row" && !strings.HasPrefix(r[5], "the number is also on line ") {
			t.Errorf("line %d: duplicate message %q", line, r[5])
		}
	}
	// The same report over HTTP, while the API streams it.
	status, body := e.get(t, "GET", "/v1/imports/"+imp.ID+"/errors.csv")
	if status != 200 || !bytes.Equal(body, raw) {
		t.Errorf("errors.csv over HTTP: %d, %d bytes, want the downloaded %d bytes", status, len(body), len(raw))
	}

	// Again: every valid row is unchanged, the failures are the same. The
	// summary is for people.
	code, out, errs := e.importCLI(t, path, "--kind", "assignments", "--wait")
	if code != exitRowErrors {
		t.Fatalf("second import: exit %d; %s %s", code, out, errs)
	}
	for _, s := range []string{"completed", "rows ok         0\n", fmt.Sprintf("rows unchanged  %d\n", f.ok),
		fmt.Sprintf("rows failed     %d\n", len(f.failed)), "error report: " + e.base + "/v1/imports/imp_"} {
		if !strings.Contains(out, s) {
			t.Errorf("summary lacks %q:\n%s", s, out)
		}
	}
	if !strings.Contains(errs, "rows failed; error report: "+e.base) || !strings.Contains(errs, "uploaded messy export.csv: 100% 0.1 MB in ") {
		t.Errorf("stderr: %s", errs)
	}
	if n := e.assigned(t); n != int64(f.ok) {
		t.Errorf("after the second import %d numbers assigned, want %d", n, f.ok)
	}

	// A dry run reports outcomes and changes nothing.
	var dry strings.Builder
	dry.WriteString("phone_number,action,extension_number\n")
	for i := 0; i < 100; i++ {
		dry.WriteString(seeded.Numbers[i] + ",unassign,\n")
	}
	for i := 100; i < 150; i++ {
		dry.WriteString(seeded.Numbers[i] + ",reassign," + seeded.Extensions[199] + "\n")
	}
	for i := 4000; i < 4050; i++ {
		dry.WriteString(seeded.Numbers[i] + ",," + seeded.Extensions[0] + "\n")
	}
	dry.WriteString(seeded.Numbers[4999] + ",delete,\n")
	dry.WriteString(seeded.Numbers[4998] + ",unassign,\n") // not assigned
	before, err := e.st.Account(ctx, e.acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	imp = e.importJSON(t, exitRowErrors, writeFile(t, "dry.csv", dry.String()), "--kind", "assignments", "--dry-run")
	if !imp.DryRun || imp.RowsOK != 201 || imp.RowsFailed != 1 || imp.Status != store.ImportCompleted {
		t.Errorf("dry run: %+v", imp)
	}
	after, err := e.st.Account(ctx, e.acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("the dry run changed the account (-before +after):\n%s", diff)
	}
	for _, num := range []string{seeded.Numbers[0], seeded.Numbers[100], seeded.Numbers[4000], seeded.Numbers[4999]} {
		n, err := e.st.Number(ctx, e.acct.ID, num)
		if err != nil {
			t.Errorf("%s after the dry run: %v", num, err)
			continue
		}
		if wantAssigned := num != seeded.Numbers[4000] && num != seeded.Numbers[4999]; (n.Status == inventory.StatusAssigned) != wantAssigned {
			t.Errorf("%s after the dry run: %+v", num, n)
		}
	}

	// The list shows the three, newest first.
	status, body = e.get(t, "GET", "/v1/imports")
	var list struct{ Imports []store.Import }
	if err := json.Unmarshal(body, &list); status != 200 || err != nil || len(list.Imports) != 3 || !list.Imports[0].DryRun {
		t.Errorf("list: %d %s", status, body)
	}
}

// TestImportCancelAtChunkBoundary uploads with no worker running, cancels,
// then starts a worker: no row is applied.
func TestImportCancelAtChunkBoundary(t *testing.T) {
	e := newImportEnv(t, false)
	ctx := context.Background()
	seeded, err := seed(ctx, e.st, seedSpec{AccountID: e.acct.ID, Numbers: 3000, Extensions: 10, Workers: 4})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "all.csv")
	if err := writeAssignments(path, seeded); err != nil {
		t.Fatal(err)
	}
	code, out, errs := e.importCLI(t, path, "--kind", "assignments")
	id, status, _ := strings.Cut(strings.TrimSpace(out), " ")
	if code != exitOK || !strings.HasPrefix(id, "imp_") || status != "queued" {
		t.Fatalf("import without --wait: exit %d, stdout %q, stderr %s", code, out, errs)
	}
	st, body := e.get(t, "POST", "/v1/imports/"+id+"/cancel")
	if st != 200 || !strings.Contains(string(body), `"status":"cancelled"`) {
		t.Fatalf("cancel: %d %s", st, body)
	}
	e.startWorker(t, 4)
	insp := asynq.NewInspector(asynq.RedisClientOpt{Addr: strings.TrimPrefix(redistest.URL(t), "redis://")})
	defer insp.Close()
	waitFor(t, 20*time.Second, "the chunk tasks to run", func() bool {
		q, err := insp.GetQueueInfo(jobs.QueueImports)
		return err == nil && q.Pending+q.Active+q.Scheduled+q.Retry == 0 && q.Completed == 3
	})
	imp, err := e.st.Import(ctx, e.acct.ID, id)
	if err != nil || imp.Status != store.ImportCancelled || imp.RowsDone != 0 || imp.RowsTotal != 3000 {
		t.Errorf("cancelled import: %+v %v", imp, err)
	}
	if n := e.assigned(t); n != 0 {
		t.Errorf("a cancelled import assigned %d numbers", n)
	}
	st, body = e.get(t, "POST", "/v1/imports/"+id+"/cancel")
	if st != 200 {
		t.Errorf("cancel again: %d %s", st, body)
	}
}

// waitFor polls cond until it holds or the time is up.
func waitFor(tb testing.TB, limit time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("gave up waiting %v for %s", limit, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestImportExtensions imports extensions into an account with multiple
// sites, named in a site column in any case, with bad rows of every kind.
func TestImportExtensions(t *testing.T) {
	e := newImportEnv(t, true)
	ctx := context.Background()
	ea, err := e.st.CreateEmergencyAddress(ctx, e.acct.ID, demoAddress("US"))
	if err != nil {
		t.Fatal(err)
	}
	hq, err := e.st.CreateSite(ctx, e.acct.ID, inventory.Site{Name: "HQ", Country: "US", EmergencyAddressID: ea.ID})
	if err != nil {
		t.Fatal(err)
	}
	branch, err := e.st.CreateSite(ctx, e.acct.ID, inventory.Site{Name: "Branch Office", Country: "US", EmergencyAddressID: ea.ID})
	if err != nil {
		t.Fatal(err)
	}
	e.startWorker(t, 2)
	file := "Extension Number,Type,Display Name,E-Mail,Location\n" +
		"2001,User,Ann Smith,ann@example.com,HQ\n" + // 2
		",Call Queue,Support,,branch office\n" + // 3
		"2003,room,Board Room,,  hq  \n" + // 4
		"2004,user,Bob,bob@example.com,Nowhere\n" + // 5 site_not_found
		"2005,robot,R2,,HQ\n" + // 6 invalid_field
		"2001,room,Twin,,HQ\n" + // 7 extension_exists
		"2006,common_area,Lobby,,\n" + // 8 site_required
		",user,Carl,ANN@example.com,HQ\n" + // 9 extension_exists (email)
		"2009,user,,dan@example.com,HQ\n" + // 10 missing_field (name)
		"2010,auto receptionist,Main Menu,,Branch Office\n" // 11
	report := filepath.Join(t.TempDir(), "errors.csv")
	imp := e.importJSON(t, exitRowErrors, writeFile(t, "exts.csv", file), "--kind", "extensions", "--errors-out", report)
	if imp.Status != store.ImportCompleted || imp.RowsTotal != 10 || imp.RowsOK != 4 || imp.RowsFailed != 6 || imp.Kind != "extensions" {
		t.Errorf("import: %+v", imp)
	}
	raw, _ := os.ReadFile(report)
	_, rows := readReport(t, raw)
	codes := map[int]string{}
	for line, r := range rows {
		codes[line] = r[len(r)-2]
	}
	wantCodes := map[int]string{5: "site_not_found", 6: "invalid_field", 7: "extension_exists", 8: "site_required", 9: "extension_exists", 10: "missing_field"}
	if diff := cmp.Diff(wantCodes, codes); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
	sites := map[string]string{}
	exts, _, err := e.st.SearchExtensions(ctx, e.acct.ID, "", 100, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range exts {
		sites[x.Name] = x.SiteID
	}
	wantSites := map[string]string{"Ann Smith": hq.ID, "Support": branch.ID, "Board Room": hq.ID, "Main Menu": branch.ID}
	if diff := cmp.Diff(wantSites, sites); diff != "" {
		t.Errorf("extensions and their sites (-want +got):\n%s", diff)
	}
}

// TestImportRace uploads two files at once that assign the same 2,000
// numbers to different extensions: every number ends with exactly one
// assignee, and each row's outcome says which import won it.
func TestImportRace(t *testing.T) {
	e := newImportEnv(t, false)
	ctx := context.Background()
	seeded, err := seed(ctx, e.st, seedSpec{AccountID: e.acct.ID, Numbers: 2000, Extensions: 20, Workers: 4})
	if err != nil {
		t.Fatal(err)
	}
	e.startWorker(t, 6)
	// File a assigns number i to extension i%10, file b to 10+i%10, in
	// another order (so that the imports' chunks overlap differently).
	target := func(file, i int) string { return seeded.Extensions[file*10+i%10] }
	var files [2]string
	for f := range files {
		var b strings.Builder
		b.WriteString("phone_number,extension_number\n")
		for k := 0; k < 2000; k++ {
			i := k
			if f == 1 {
				i = (k*7 + 1000) % 2000
			}
			b.WriteString(seeded.Numbers[i] + "," + target(f, i) + "\n")
		}
		files[f] = writeFile(t, fmt.Sprintf("race%d.csv", f), b.String())
	}
	var (
		imps    [2]store.Import
		reports [2]string
		wg      sync.WaitGroup
	)
	for f := range files {
		reports[f] = filepath.Join(t.TempDir(), "errors.csv")
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, out, errs := e.importCLI(t, files[f], "--kind", "assignments", "--wait", "--json", "--errors-out", reports[f])
			if code != exitRowErrors && code != exitOK {
				t.Errorf("import %d: exit %d; %s %s", f, code, out, errs)
				return
			}
			if err := json.Unmarshal([]byte(out), &imps[f]); err != nil {
				t.Errorf("import %d: %v: %s", f, err, out)
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	if ok := imps[0].RowsOK + imps[1].RowsOK; ok != 2000 || imps[0].RowsFailed+imps[1].RowsFailed != 2000 {
		t.Fatalf("ok %d+%d, failed %d+%d; want 2000 of each in all", imps[0].RowsOK, imps[1].RowsOK, imps[0].RowsFailed, imps[1].RowsFailed)
	}
	t.Logf("import a won %d numbers, import b %d", imps[0].RowsOK, imps[1].RowsOK)
	// lost[f][number] = the assignee the failed row's message names.
	var lost [2]map[string]string
	for f := range reports {
		raw, err := os.ReadFile(reports[f])
		if err != nil {
			t.Fatal(err)
		}
		_, rows := readReport(t, raw)
		lost[f] = map[string]string{}
		for _, r := range rows {
			if r[3] != "already_assigned" {
				t.Errorf("import %d: row %v: want already_assigned", f, r)
			}
			lost[f][strings.TrimPrefix(r[1], "'")] = strings.TrimPrefix(r[4], "the number is assigned to extension ")
		}
	}
	for i, num := range seeded.Numbers {
		n, err := e.st.Number(ctx, e.acct.ID, num)
		if err != nil {
			t.Fatal(err)
		}
		if n.Status != inventory.StatusAssigned || n.Assignee == nil {
			t.Errorf("%s: %+v", n.Number, n)
			continue
		}
		winner := -1
		for f := range 2 {
			if n.Assignee.ExtensionNumber == target(f, i) {
				winner = f
			}
		}
		if winner < 0 {
			t.Errorf("%s is assigned to %s, which neither file named", n.Number, n.Assignee.ExtensionNumber)
			continue
		}
		loser := 1 - winner
		if _, failed := lost[winner][n.Number]; failed {
			t.Errorf("%s: import %d won it, but its row failed", n.Number, winner)
		}
		if by, failed := lost[loser][n.Number]; !failed || by != target(winner, i) {
			t.Errorf("%s: import %d lost it, but its report says %q", n.Number, loser, by)
		}
	}
}

// TestImportCLIErrors checks the command's usage errors (exit 2) and the
// server's refusals (exit 1).
func TestImportCLIErrors(t *testing.T) {
	e := newImportEnv(t, false)
	good := writeFile(t, "good.csv", "phone_number,extension_number\n")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--kind", "assignments"}, "import takes one FILE, got 0"},
		{[]string{good, good, "--kind", "assignments"}, "got 2"},
		{[]string{good}, "--kind is required"},
		{[]string{good, "--kind", "numbers"}, `--kind "numbers": want assignments or extensions`},
		{[]string{good, "--kind", "assignments", "--url", "ftp://x"}, `--url "ftp://x"`},
		{[]string{filepath.Join(t.TempDir(), "missing.csv"), "--kind", "assignments"}, "no such file"},
		{[]string{t.TempDir(), "--kind", "assignments"}, "is a directory"},
		{[]string{good, "--kind", "assignments", "--errors-out", "e.csv"}, "--errors-out needs --wait"},
		{[]string{good, "--kind", "assignments", "--poll", "0s"}, "--poll 0s"},
		{[]string{good, "--kind", "assignments", "--bogus"}, "flag provided but not defined: -bogus"},
	} {
		code, _, errs := e.importCLI(t, c.args...)
		if code != exitUsage || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, errs, exitUsage, c.want)
		}
	}
	t.Setenv("NUMBERDESK_TOKEN", "")
	if code, _, errs := cli(t, "import", good, "--kind", "assignments"); code != exitUsage || !strings.Contains(errs, "--token is required (or NUMBERDESK_TOKEN)") {
		t.Errorf("no token: exit %d, %q", code, errs)
	}

	// Refusals by the server: exit 1, with its code and detail.
	for _, c := range []struct {
		file, kind, token, want string
	}{
		{"number,ext\n+16505550100,1001\n", "extensions", e.token, "400 missing_field: header has no type or name column"},
		{"", "assignments", e.token, "400 missing_field: empty file"},
		{"phone_number\n", "assignments", "nd_bogus", "401 unauthorized"},
	} {
		code, out, errs := cli(t, "import", writeFile(t, "f.csv", c.file), "--kind", c.kind, "--url", e.base, "--token", c.token, "--wait")
		if code != exitFailure || !strings.Contains(errs, c.want) || out != "" {
			t.Errorf("%q as %s: exit %d, stdout %q, stderr %q; want exit 1 and %q", c.file, c.kind, code, out, errs, c.want)
		}
	}
	// From the environment, a clean file: exit 0.
	t.Setenv("NUMBERDESK_URL", e.base)
	t.Setenv("NUMBERDESK_TOKEN", e.token)
	t.Setenv("NUMBERDESK_KIND", "assignments")
	e.startWorker(t, 1)
	code, out, errs := cli(t, "import", good, "--wait")
	if code != exitOK || !strings.Contains(out, "completed") || !strings.Contains(out, "rows total      0") {
		t.Errorf("empty import: exit %d; %s %s", code, out, errs)
	}
	if strings.Contains(out, "error report") {
		t.Errorf("a summary without failed rows points at an error report: %s", out)
	}
	// A server that is not there.
	code, _, errs = cli(t, "import", good, "--url", "http://127.0.0.1:1")
	if code != exitFailure || !strings.Contains(errs, "connection refused") {
		t.Errorf("no server: exit %d, %q", code, errs)
	}
}

// TestImportOutcomeExitCodes checks the exit code of every way an import
// ends.
func TestImportOutcomeExitCodes(t *testing.T) {
	for _, c := range []struct {
		imp  store.Import
		code int
	}{
		{store.Import{Status: store.ImportCompleted, RowsTotal: 5, RowsOK: 3, RowsUnchanged: 2}, exitOK},
		{store.Import{Status: store.ImportCompleted, RowsTotal: 5, RowsOK: 4, RowsFailed: 1}, exitRowErrors},
		{store.Import{Status: store.ImportFailed, Error: "boom"}, exitFailure},
		{store.Import{Status: store.ImportCancelled}, exitFailure},
	} {
		var b bytes.Buffer
		if got := exitCode(importOutcome(c.imp, "r.csv"), &b); got != c.code {
			t.Errorf("%s with %d failed: exit %d, want %d", c.imp.Status, c.imp.RowsFailed, got, c.code)
		}
	}
}

// TestProgressMeter checks both ways of drawing progress.
func TestProgressMeter(t *testing.T) {
	var b bytes.Buffer
	m := newMeter(&b, true)
	m.show("import", ratio(25, 100), "25 / 100 rows")
	m.show("import", ratio(100, 100), "100 / 100 rows")
	m.done()
	want := "\r\033[Kimport [=======>                      ]  25%  25 / 100 rows" +
		"\r\033[Kimport [==============================] 100%  100 / 100 rows\n"
	if b.String() != want {
		t.Errorf("terminal:\n%q\nwant\n%q", b.String(), want)
	}
	b.Reset()
	m = newMeter(&b, false)
	m.show("import", ratio(1, 4), "1 / 4 rows")
	m.show("import", ratio(2, 4), "2 / 4 rows") // too soon: not drawn
	m.force = true
	m.show("import", ratio(4, 4), "4 / 4 rows")
	m.show("upload", ratio(1, 0), "1 MB")
	if want := "import: 25% 1 / 4 rows\nimport: 100% 4 / 4 rows\nupload:  1 MB\n"; b.String() != want {
		t.Errorf("plain:\n%q\nwant\n%q", b.String(), want)
	}
}

func TestNextPoll(t *testing.T) {
	const every = 500 * time.Millisecond
	running := func(total, done, chunks int64, rate float64) store.Import {
		return store.Import{Status: store.ImportRunning, RowsTotal: total, RowsDone: done, Chunks: chunks, RowsPerSecond: rate}
	}
	for _, c := range []struct {
		name string
		imp  store.Import
		want time.Duration
	}{
		{"queued", store.Import{Status: store.ImportQueued}, every},
		{"still uploading (total not known)", running(5000, 5000, 0, 100_000), every},
		{"far from the end", running(1_000_000, 100_000, 1000, 100_000), every},
		{"ends in 200 ms", running(1_000_000, 980_000, 1000, 100_000), 200 * time.Millisecond},
		{"ends at once", running(1_000_000, 999_999, 1000, 100_000), minPoll},
		{"no rate yet", running(1_000_000, 0, 1000, 0), every},
		{"completed", store.Import{Status: store.ImportCompleted, RowsTotal: 10, RowsDone: 10, Chunks: 1}, every},
	} {
		if got := nextPoll(c.imp, every); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
