package httpapi

import (
	"bytes"
	stdcsv "encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hibiken/asynq"
	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/store"
	"github.com/numberdesk/numberdesk/jobs"
	"github.com/numberdesk/numberdesk/worker"
)

// upload posts body to /v1/imports with the query and content type; a
// non-positive length sends it chunked (no Content-Length).
func (e *env) upload(tb testing.TB, token, query, contentType string, body io.Reader, length int64) response {
	tb.Helper()
	req, err := http.NewRequestWithContext(ctx, "POST", e.srv.URL+"/v1/imports"+query, body)
	if err != nil {
		tb.Fatal(err)
	}
	req.ContentLength = length
	if length <= 0 {
		req.ContentLength = -1
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := e.srv.Client().Do(req)
	if err != nil {
		tb.Fatalf("upload: %v", err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// csvUpload posts a CSV string as text/csv with its length.
func (e *env) csvUpload(tb testing.TB, token, query, file string) response {
	tb.Helper()
	return e.upload(tb, token, query, "text/csv", strings.NewReader(file), int64(len(file)))
}

// multipartBody returns a form with the fields (name, value pairs) and,
// when file is not nil, the field file holding it.
func multipartBody(tb testing.TB, file *string, fields ...string) (string, []byte) {
	tb.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for i := 0; i+1 < len(fields); i += 2 {
		if err := mw.WriteField(fields[i], fields[i+1]); err != nil {
			tb.Fatal(err)
		}
	}
	if file != nil {
		w, err := mw.CreateFormFile("file", "numbers.csv")
		if err != nil {
			tb.Fatal(err)
		}
		io.WriteString(w, *file)
	}
	if err := mw.Close(); err != nil {
		tb.Fatal(err)
	}
	return mw.FormDataContentType(), b.Bytes()
}

// runChunks runs the chunk tasks the intake enqueued (from the from'th on)
// through the real worker handler, in order.
func (e *env) runChunks(tb testing.TB, from int) {
	tb.Helper()
	h := &worker.Handlers{Store: e.st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: worker.NewMetrics(nil)}
	e.queue.mu.Lock()
	tasks := append([]*asynq.Task(nil), e.queue.tasks[from:]...)
	e.queue.mu.Unlock()
	for _, t := range tasks {
		if err := h.ImportChunk(ctx, t); err != nil {
			tb.Fatalf("import chunk: %v", err)
		}
	}
}

func importOf(tb testing.TB, r response) store.Import {
	tb.Helper()
	var imp store.Import
	r.decode(tb, &imp)
	return imp
}

// TestImportFlow uploads files as a body and as a form, runs their chunks
// through the worker handler, and reads the imports, their list and their
// error reports.
func TestImportFlow(t *testing.T) {
	e := newEnv(t, Config{})
	a := e.newTenant(t, "Acme", false, 1, 2, "+16505550100", "+16505550101", "+16505550102")
	ext := a.exts[1].ExtensionNumber
	file := "Phone Number;Extension;Note\r\n" +
		"(650) 555-0101;" + ext + ";first\r\n" +
		"650 555 0102;" + ext + ";\r\n" +
		"12345;" + ext + ";=cmd()\r\n" +
		"+16505550101;" + ext + ";again\r\n"
	r := e.upload(t, a.admin, "?kind=assignments", "text/csv; charset=utf-8", strings.NewReader(file), int64(len(file)))
	r.want(t, http.StatusAccepted, "")
	imp := importOf(t, r)
	if r.header.Get("Location") != "/v1/imports/"+imp.ID {
		t.Errorf("Location %q", r.header.Get("Location"))
	}
	want := store.Import{ID: imp.ID, Kind: "assignments", Status: store.ImportQueued, Actor: "Acme admin", RowsTotal: 4, Chunks: 1, CreatedAt: imp.CreatedAt}
	if diff := cmp.Diff(want, imp); diff != "" {
		t.Errorf("accepted import (-want +got):\n%s", diff)
	}
	if n := e.queue.len(); n != 1 {
		t.Fatalf("%d tasks enqueued, want 1", n)
	}
	if typ := e.queue.tasks[0].Type(); typ != jobs.TypeImportChunk {
		t.Fatalf("task type %s", typ)
	}
	e.runChunks(t, 0)

	r = e.do(t, "GET", "/v1/imports/"+imp.ID, a.viewer, nil)
	r.want(t, http.StatusOK, "")
	got := importOf(t, r)
	if got.Status != store.ImportCompleted || got.RowsDone != 4 || got.RowsOK != 2 || got.RowsFailed != 2 || got.RowsUnchanged != 0 || got.FinishedAt == nil {
		t.Errorf("completed import: %+v", got)
	}
	n, err := e.st.Number(ctx, a.acct.ID, "+16505550102")
	if err != nil || n.Assignee == nil || n.Assignee.ExtensionNumber != ext {
		t.Errorf("number after import: %+v %v", n, err)
	}

	r = e.do(t, "GET", "/v1/imports/"+imp.ID+"/errors.csv", a.viewer, nil)
	r.want(t, http.StatusOK, "")
	if ct := r.header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("content type %q", ct)
	}
	if cd := r.header.Get("Content-Disposition"); cd != `attachment; filename="`+imp.ID+`-errors.csv"` {
		t.Errorf("content disposition %q", cd)
	}
	rows, err := stdcsv.NewReader(bytes.NewReader(r.body)).ReadAll()
	if err != nil {
		t.Fatalf("report %q: %v", r.body, err)
	}
	wantRows := [][]string{
		{"line", "Phone Number", "Extension", "Note", "error_code", "error_message"},
		{"4", "12345", ext, "'=cmd()", "invalid_phone_number"},
		{"5", "'+16505550101", ext, "again", "duplicate_row", "the number is also on line 2"},
	}
	for i := range rows {
		if i == 1 {
			rows[i] = rows[i][:5] // the parser's message may change
		}
	}
	if diff := cmp.Diff(wantRows, rows); diff != "" {
		t.Errorf("error report (-want +got):\n%s", diff)
	}

	// A form with other fields before the file; a dry run.
	file2 := "phone_number,extension_number,action\n+16505550100,,unassign\n+16505550101,,unassign\n"
	ct, body := multipartBody(t, &file2, "comment", "spring clean-up")
	r = e.upload(t, a.admin, "?kind=assignments&dry_run=true", ct, bytes.NewReader(body), int64(len(body)))
	r.want(t, http.StatusAccepted, "")
	dry := importOf(t, r)
	if !dry.DryRun || dry.Filename != "numbers.csv" || dry.RowsTotal != 2 {
		t.Errorf("dry run accepted: %+v", dry)
	}
	e.runChunks(t, 1)
	e.do(t, "GET", "/v1/imports/"+dry.ID, a.viewer, nil).decode(t, &dry)
	if dry.Status != store.ImportCompleted || dry.RowsOK != 2 || dry.RowsFailed != 0 {
		t.Errorf("dry run: %+v", dry)
	}
	for _, num := range []string{"+16505550100", "+16505550101"} {
		if n, _ := e.st.Number(ctx, a.acct.ID, num); n.Status != inventory.StatusAssigned {
			t.Errorf("dry run changed %s: %+v", num, n)
		}
	}

	var list ImportList
	e.do(t, "GET", "/v1/imports", a.viewer, nil).decode(t, &list)
	if len(list.Imports) != 2 || list.Imports[0].ID != dry.ID || list.Imports[1].ID != imp.ID {
		t.Errorf("list: %+v", list)
	}
	e.do(t, "GET", "/v1/imports?limit=1", a.viewer, nil).decode(t, &list)
	if len(list.Imports) != 1 || list.Imports[0].ID != dry.ID {
		t.Errorf("list limit=1: %+v", list)
	}

	// A finished import cannot be cancelled.
	e.do(t, "POST", "/v1/imports/"+imp.ID+"/cancel", a.admin, nil).want(t, http.StatusConflict, inventory.CodeConflict)
}

// TestImportCancel cancels a queued import: its chunks are skipped.
func TestImportCancel(t *testing.T) {
	e := newEnv(t, Config{})
	a := e.newTenant(t, "Acme", false, 1, 2, "+16505550100", "+16505550101")
	var b strings.Builder
	b.WriteString("phone_number,extension_number\n")
	for i := 0; i < 2500; i++ { // 3 chunks; numbers not in the inventory
		fmt.Fprintf(&b, "+1650555%04d,%s\n", 1000+i, a.exts[1].ExtensionNumber)
	}
	b.WriteString("+16505550101," + a.exts[1].ExtensionNumber + "\n")
	r := e.csvUpload(t, a.admin, "", b.String())
	r.want(t, http.StatusBadRequest, inventory.CodeMissingField) // no kind
	r = e.csvUpload(t, a.admin, "?kind=assignments", b.String())
	r.want(t, http.StatusAccepted, "")
	imp := importOf(t, r)
	if imp.Chunks != 3 || e.queue.len() != 3 {
		t.Fatalf("accepted %+v with %d tasks", imp, e.queue.len())
	}
	r = e.do(t, "POST", "/v1/imports/"+imp.ID+"/cancel", a.admin, nil)
	r.want(t, http.StatusOK, "")
	if got := importOf(t, r); got.Status != store.ImportCancelled || got.FinishedAt == nil {
		t.Errorf("cancelled: %+v", got)
	}
	e.do(t, "POST", "/v1/imports/"+imp.ID+"/cancel", a.admin, nil).want(t, http.StatusOK, "") // again: still cancelled
	e.runChunks(t, 0)
	got := importOf(t, e.do(t, "GET", "/v1/imports/"+imp.ID, a.viewer, nil))
	if got.Status != store.ImportCancelled || got.RowsDone != 0 {
		t.Errorf("after the chunks ran: %+v", got)
	}
	if n, _ := e.st.Number(ctx, a.acct.ID, "+16505550101"); n.Status != inventory.StatusUnassigned {
		t.Errorf("a cancelled import applied a row: %+v", n)
	}
}

// TestImportBadInput sends bad uploads and requests: each gets its status
// and code, and only an upload that breaks off after its header leaves an
// import behind (failed).
func TestImportBadInput(t *testing.T) {
	e := newEnv(t, Config{})
	a := e.newTenant(t, "Acme", false, 1, 1)
	good := "phone_number,extension_number\n+16505550100,1001\n"
	noFileCT, noFile := multipartBody(t, nil, "comment", "x")
	cutCT, cutForm := multipartBody(t, &good)
	cutForm = cutForm[:bytes.Index(cutForm, []byte("+1650"))+5]
	empty := ""
	emptyCT, emptyForm := multipartBody(t, &empty)
	tests := []struct {
		name, query, ct, body string
		status                int
		code                  inventory.Code
		detail                string
	}{
		{"no kind", "", "text/csv", good, 400, inventory.CodeMissingField, "kind is required"},
		{"unknown kind", "?kind=numbers", "text/csv", good, 400, inventory.CodeInvalidField, `kind "numbers"`},
		{"bad dry_run", "?kind=assignments&dry_run=maybe", "text/csv", good, 400, inventory.CodeInvalidField, "dry_run"},
		{"json body", "?kind=assignments", "application/json", `{"rows":[]}`, 415, CodeUnsupportedMediaType, "text/csv"},
		{"no content type", "?kind=assignments", "", good, 415, CodeUnsupportedMediaType, "got none"},
		{"form urlencoded", "?kind=assignments", "application/x-www-form-urlencoded", "file=x", 415, CodeUnsupportedMediaType, ""},
		{"empty file", "?kind=assignments", "text/csv", "", 400, inventory.CodeMissingField, "empty file"},
		{"blank lines only", "?kind=assignments", "text/csv", "\n\r\n  \n", 400, inventory.CodeMissingField, "empty file"},
		{"no phone_number column", "?kind=assignments", "text/csv", "number_of_things,extension_number\n1,1001\n", 400, inventory.CodeMissingField, "phone_number"},
		{"extensions without type", "?kind=extensions", "text/csv", "name,email\nBob,bob@example.com\n", 400, inventory.CodeMissingField, "type"},
		{"form without file", "?kind=assignments", noFileCT, string(noFile), 400, inventory.CodeMissingField, "field named file"},
		{"form with empty file", "?kind=assignments", emptyCT, string(emptyForm), 400, inventory.CodeMissingField, "empty file"},
		{"form without boundary", "?kind=assignments", "multipart/form-data", string(noFile), 400, inventory.CodeInvalidField, "boundary"},
		{"form cut off before the file", "?kind=assignments", noFileCT, string(noFile[:len(noFile)/2]), 400, inventory.CodeMissingField, "field named file"},
		{"form cut off in the file", "?kind=assignments", cutCT, string(cutForm), 400, inventory.CodeInvalidField, "could not be read to its end"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.upload(t, a.admin, tc.query, tc.ct, strings.NewReader(tc.body), int64(len(tc.body)))
			r.want(t, tc.status, tc.code)
			if p := r.problem(t); !strings.Contains(p.Detail, tc.detail) {
				t.Errorf("detail %q, want it to mention %q", p.Detail, tc.detail)
			}
		})
	}
	// Only the upload cut off after its header made an import, failed.
	if imps, _ := e.st.Imports(ctx, a.acct.ID, 100); len(imps) != 1 || imps[0].Status != store.ImportFailed || !strings.Contains(imps[0].Error, "could not be read") {
		t.Errorf("bad uploads left imports: %+v", imps)
	}

	// Ids: unknown, malformed (never a key lookup), another account's.
	b := e.newTenant(t, "Other", false, 0, 0)
	other, err := e.st.CreateImport(ctx, b.acct.ID, "assignments", false, "", "x")
	if err != nil {
		t.Fatal(err)
	}
	chunkKey := "imp_x:c:0"
	if err := e.st.PutChunk(ctx, a.acct.ID, "imp_x", 0, "rows"); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"imp_nosuchimport", chunkKey, "x", other.ID} {
		for _, rq := range []struct{ method, path string }{
			{"GET", "/v1/imports/" + id},
			{"GET", "/v1/imports/" + id + "/errors.csv"},
			{"POST", "/v1/imports/" + id + "/cancel"},
		} {
			r := e.do(t, rq.method, rq.path, a.admin, nil)
			r.want(t, http.StatusNotFound, inventory.CodeNotFound)
			if r.header.Get("Content-Disposition") != "" {
				t.Errorf("%s %s: a 404 with Content-Disposition", rq.method, rq.path)
			}
		}
	}
	e.do(t, "GET", "/v1/imports?limit=0", a.viewer, nil).want(t, http.StatusBadRequest, inventory.CodeInvalidField)
	e.do(t, "POST", "/v1/imports?kind=assignments", a.viewer, good, "Content-Type", "text/csv").want(t, http.StatusForbidden, inventory.CodeForbidden)
	e.do(t, "DELETE", "/v1/imports", a.admin, nil).want(t, http.StatusMethodNotAllowed, CodeMethodNotAllowed)
}

// TestImportTooLarge checks the upload cap: a declared length over it is
// refused before anything is created; a chunked upload that grows over it
// is cut off with 413 and its import ends failed.
func TestImportTooLarge(t *testing.T) {
	const max = 64 << 10
	e := newEnv(t, Config{MaxUploadBytes: max})
	a := e.newTenant(t, "Acme", false, 1, 1)
	var b strings.Builder
	b.WriteString("phone_number,extension_number\n")
	for i := 0; b.Len() < 3*max; i++ {
		fmt.Fprintf(&b, "+1650555%04d,%s\n", i%10000, a.exts[0].ExtensionNumber)
	}
	big := b.String()

	e.csvUpload(t, a.admin, "?kind=assignments", big).want(t, http.StatusRequestEntityTooLarge, CodeBodyTooLarge)
	ct, form := multipartBody(t, &big)
	e.upload(t, a.admin, "?kind=assignments", ct, bytes.NewReader(form), int64(len(form))).want(t, http.StatusRequestEntityTooLarge, CodeBodyTooLarge)
	if imps, _ := e.st.Imports(ctx, a.acct.ID, 100); len(imps) != 0 {
		t.Fatalf("a refused upload left imports: %+v", imps)
	}

	r := e.upload(t, a.admin, "?kind=assignments", "text/csv", strings.NewReader(big), -1)
	r.want(t, http.StatusRequestEntityTooLarge, CodeBodyTooLarge)
	if p := r.problem(t); !strings.Contains(p.Detail, fmt.Sprint(max)) {
		t.Errorf("detail %q does not name the limit", p.Detail)
	}
	imps, _ := e.st.Imports(ctx, a.acct.ID, 100)
	if len(imps) != 1 || imps[0].Status != store.ImportFailed || !strings.Contains(imps[0].Error, "too large") {
		t.Fatalf("imports after a cut-off upload: %+v", imps)
	}
	// The chunks enqueued before the cut are skipped: the import failed.
	e.runChunks(t, 0)
	if got, _ := e.st.Import(ctx, a.acct.ID, imps[0].ID); got.Status != store.ImportFailed || got.RowsDone != 0 || got.Chunks == 0 || got.Chunks != int64(e.queue.len()) {
		t.Errorf("after its chunks ran: %+v", got)
	}
	// Under the cap is fine.
	e.csvUpload(t, a.admin, "?kind=assignments", big[:strings.LastIndexByte(big[:max], '\n')+1]).want(t, http.StatusAccepted, "")
}

// TestImportUploadOutlivesReadTimeout sends an upload slower than the
// server's ReadTimeout: the route extends its own deadline, while a JSON
// request as slow is cut off.
func TestImportUploadOutlivesReadTimeout(t *testing.T) {
	e := newEnv(t, Config{})
	a := e.newTenant(t, "Acme", false, 1, 1)
	srv := httptest.NewUnstartedServer(e.api)
	srv.Config = NewServer(e.api, slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv.Config.ReadTimeout, srv.Config.WriteTimeout = 300*time.Millisecond, 300*time.Millisecond
	srv.Start()
	t.Cleanup(srv.Close)
	slow := func(path, ct string, parts ...string) (int, error) {
		pr, pw := io.Pipe()
		go func() {
			for _, p := range parts {
				io.WriteString(pw, p)
				time.Sleep(250 * time.Millisecond)
			}
			pw.Close()
		}()
		req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL+path, pr)
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Authorization", "Bearer "+a.admin)
		res, err := srv.Client().Do(req)
		if err != nil {
			return 0, err
		}
		defer res.Body.Close()
		io.Copy(io.Discard, res.Body)
		return res.StatusCode, nil
	}
	status, err := slow("/v1/imports?kind=assignments", "text/csv", "phone_number,extension_number\n", "+16505550100,", "1001\n", "+16505550101,1001\n")
	if err != nil || status != http.StatusAccepted {
		t.Errorf("slow upload: status %d, %v; want 202", status, err)
	}
	status, err = slow("/v1/extensions", "application/json", `{"type":"room",`, `"name":`, `"Slow"}`)
	if err == nil && status == http.StatusCreated {
		t.Errorf("a slow JSON request outlived the ReadTimeout: the test proves nothing")
	}
}
