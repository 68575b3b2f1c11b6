package importer_test

import (
	"bytes"
	"context"
	stdcsv "encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hibiken/asynq"
	"github.com/numberdesk/numberdesk/internal/importer"
	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/redistest"
	"github.com/numberdesk/numberdesk/internal/store"
	"github.com/numberdesk/numberdesk/jobs"
)

func TestMain(m *testing.M) { redistest.Main(m) }

var ctx = context.Background()

// queue records the tasks enqueued.
type queue struct {
	mu    sync.Mutex
	tasks []jobs.ImportChunkPayload
}

func (q *queue) EnqueueContext(ctx context.Context, task *asynq.Task, opts ...asynq.Option) (*asynq.TaskInfo, error) {
	p, err := jobs.ParseImportChunk(task)
	if err != nil {
		return nil, err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.tasks = append(q.tasks, p)
	return &asynq.TaskInfo{}, nil
}

// newIntake returns an intake on the test Redis (flushed) and a US account.
func newIntake(tb testing.TB) (*importer.Intake, *queue, inventory.Account) {
	tb.Helper()
	st := store.New(redistest.Client(tb))
	acct, err := st.CreateAccount(ctx, store.AccountSpec{Name: "Acme", Country: "US", PhoneLicenses: 10})
	if err != nil {
		tb.Fatal(err)
	}
	q := &queue{}
	return &importer.Intake{Store: st, Queue: q}, q, acct
}

// TestIntakeChunks streams 2,500 rows: three chunks of at most 1,000,
// one task each (on the real queue, with the chunk's task id), duplicates
// found across chunks, every row kept with its line, fields and cells.
func TestIntakeChunks(t *testing.T) {
	in, _, acct := newIntake(t)
	conn := asynq.RedisClientOpt{Addr: strings.TrimPrefix(redistest.URL(t), "redis://")}
	client := asynq.NewClient(conn)
	defer client.Close()
	in.Queue = client
	insp := asynq.NewInspector(conn)
	defer insp.Close()
	var b strings.Builder
	b.WriteString("Phone Number\tExt\r\n")
	for i := 0; i < 2500; i++ {
		fmt.Fprintf(&b, "(650) 555-%04d\t%d\r\n", i%2400, 1000+i%7) // the last 100 repeat the first
	}
	imp, run, err := in.Start(ctx, importer.Spec{Account: acct, Kind: "assignments", Filename: "f.csv", Actor: "ann"}, strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if imp.Status != store.ImportQueued || imp.Filename != "f.csv" || imp.Actor != "ann" {
		t.Errorf("started: %+v", imp)
	}
	imp, err = run()
	if err != nil {
		t.Fatal(err)
	}
	if imp.RowsTotal != 2500 || imp.Chunks != 3 || imp.Status != store.ImportQueued {
		t.Errorf("after the intake: %+v", imp)
	}
	var rows []importer.ChunkRow
	for n := range 3 {
		info, err := insp.GetTaskInfo(jobs.QueueImports, jobs.ImportChunkTaskID(imp.ID, n))
		if err != nil {
			t.Fatalf("task of chunk %d: %v", n, err)
		}
		p, err := jobs.ParseImportChunk(asynq.NewTask(info.Type, info.Payload))
		if err != nil || p.AccountID != acct.ID || p.ImportID != imp.ID || p.Chunk != n || info.State != asynq.TaskStatePending {
			t.Errorf("task %d: %+v %v (%v)", n, p, err, info.State)
		}
		raw, err := in.Store.Chunk(ctx, acct.ID, imp.ID, n)
		if err != nil {
			t.Fatal(err)
		}
		chunk := importer.DecodeChunk(raw, importer.AssignmentFields)
		if want := min(1000, 2500-n*1000); len(chunk) != want {
			t.Errorf("chunk %d has %d rows, want %d", n, len(chunk), want)
		}
		rows = append(rows, chunk...)
	}
	want := importer.ChunkRow{Line: 2, Fields: []string{"+16505550000", "assign", "1000", ""}, Cells: []string{"(650) 555-0000", "1000"}}
	if diff := cmp.Diff(want, rows[0]); diff != "" {
		t.Errorf("first row (-want +got):\n%s", diff)
	}
	dups := 0
	for i, r := range rows {
		if r.Line != i+2 {
			t.Fatalf("row %d: line %d", i, r.Line)
		}
		if i >= 2400 {
			if r.Code != string(inventory.CodeDuplicateRow) || r.Message != fmt.Sprintf("the number is also on line %d", i-2400+2) {
				t.Errorf("line %d: %q %q, want duplicate_row", r.Line, r.Code, r.Message)
			}
			dups++
		} else if r.Code != "" {
			t.Errorf("line %d: %s %s", r.Line, r.Code, r.Message)
		}
	}
	if dups != 100 {
		t.Errorf("%d duplicates, want 100", dups)
	}
	header, err := in.Store.ImportHeader(ctx, acct.ID, imp.ID)
	if err != nil || !cmp.Equal(header, []string{"Phone Number", "Ext"}) {
		t.Errorf("header %q %v", header, err)
	}
}

// TestIntakeRefusesBadHeaders: a bad header, an empty file or an unknown
// kind is an error before any import exists.
func TestIntakeRefusesBadHeaders(t *testing.T) {
	in, q, acct := newIntake(t)
	for _, c := range []struct {
		kind, file string
		code       inventory.Code
		msg        string
	}{
		{"assignments", "", inventory.CodeMissingField, "empty file"},
		{"assignments", "extension_number,email\n1001,a@b.c\n", inventory.CodeMissingField, "phone_number"},
		{"assignments", "phone,number\n1,2\n", inventory.CodeInvalidField, ""},
		{"extensions", "extension_number,email\n", inventory.CodeMissingField, "type"},
		{"numbers", "phone_number\n", inventory.CodeInvalidField, `kind "numbers"`},
	} {
		_, run, err := in.Start(ctx, importer.Spec{Account: acct, Kind: c.kind}, strings.NewReader(c.file))
		if inventory.ErrorCode(err) != c.code || !strings.Contains(inventory.ErrorMessage(err), c.msg) || run != nil {
			t.Errorf("%s %q: %v, want %s mentioning %q", c.kind, c.file, err, c.code, c.msg)
		}
	}
	if imps, _ := in.Store.Imports(ctx, acct.ID, 100); len(imps) != 0 || len(q.tasks) != 0 {
		t.Errorf("refused uploads left %d imports and %d tasks", len(imps), len(q.tasks))
	}
}

// brokenReader gives its data, then fails.
type brokenReader struct {
	r   io.Reader
	err error
}

func (b *brokenReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err == io.EOF {
		return n, b.err
	}
	return n, err
}

// TestIntakeReadFailure: an upload that breaks off fails its import, which
// records the chunks already stored (for the error report); their tasks
// stay enqueued, and skip the chunks that had not started.
func TestIntakeReadFailure(t *testing.T) {
	in, q, acct := newIntake(t)
	var b strings.Builder
	b.WriteString("phone_number,extension_number\n")
	for i := 0; i < 1500; i++ {
		fmt.Fprintf(&b, "+1650555%04d,1001\n", i)
	}
	cut := errors.New("connection reset by peer")
	imp, run, err := in.Start(ctx, importer.Spec{Account: acct, Kind: "assignments"}, &brokenReader{r: strings.NewReader(b.String()), err: cut})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := run(); !errors.Is(err, cut) {
		t.Fatalf("run: %v, want the read error", err)
	}
	got, err := in.Store.Import(ctx, acct.ID, imp.ID)
	if err != nil || got.Status != store.ImportFailed || !strings.Contains(got.Error, "connection reset") || got.Chunks != 1 || got.RowsTotal != 1000 {
		t.Errorf("import after a broken upload: %+v %v", got, err)
	}
	if len(q.tasks) != 1 {
		t.Errorf("%d tasks, want the 1 full chunk", len(q.tasks))
	}
	if w, err := in.Store.StartChunk(ctx, acct.ID, imp.ID, 0); w.Run || err != nil {
		t.Errorf("a chunk of a failed import starts: %+v %v", w, err)
	}
}

// TestChunkEncoding: rows survive encoding, with the encoding's separators
// in cells replaced by spaces.
func TestChunkEncoding(t *testing.T) {
	rows := []importer.ChunkRow{
		{Line: 2, Fields: []string{"+16505550100", "assign", "1001", ""}, Cells: []string{"+1 650 555 0100", "1001"}},
		{Line: 7, Code: "invalid_phone_number", Message: "bad\x1fnumber", Fields: []string{"x", "assign", "", "a@b.c"}, Cells: []string{"x\x1ey", "", "z\x1dw"}},
		{Line: 9, Fields: []string{"+16505550101", "unassign", "", ""}},
	}
	got := importer.DecodeChunk(importer.EncodeRows(rows), importer.AssignmentFields)
	rows[1].Message, rows[1].Cells = "bad number", []string{"x y", "", "z w"}
	if diff := cmp.Diff(rows, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	failed := importer.DecodeChunk(importer.EncodeFailed(got[1:2]), 0)
	if len(failed) != 1 || failed[0].Line != 7 || failed[0].Code != "invalid_phone_number" || !cmp.Equal(failed[0].Cells, rows[1].Cells) {
		t.Errorf("failed rows: %+v", failed)
	}
	if importer.DecodeChunk("", importer.AssignmentFields) != nil {
		t.Error("an empty chunk has rows")
	}
}

// TestWriteReport writes the report of chunks reported out of order: in
// line order, neutralised, with the file's own header.
func TestWriteReport(t *testing.T) {
	in, _, acct := newIntake(t)
	st := in.Store
	imp, run, err := in.Start(ctx, importer.Spec{Account: acct, Kind: "assignments"},
		strings.NewReader("Phone;Note\n=1+2;@x\n+16505550100;fine\n"))
	if err != nil {
		t.Fatal(err)
	}
	if imp, err = run(); err != nil {
		t.Fatal(err)
	}
	// Pretend the import had three chunks, reported 2, 0 (1 not yet).
	if err := st.FinishIntake(ctx, acct.ID, imp.ID, 3, 3); err != nil {
		t.Fatal(err)
	}
	report := func(n int, rows ...importer.ChunkRow) {
		if err := st.ReportChunk(ctx, acct.ID, imp.ID, n, importer.EncodeFailed(rows)); err != nil {
			t.Fatal(err)
		}
	}
	report(2, importer.ChunkRow{Line: 2002, Code: "not_assigned", Message: "the number is not assigned", Cells: []string{"+16505550101", "-"}})
	report(0, importer.ChunkRow{Line: 2, Code: "invalid_phone_number", Message: "=bad", Cells: []string{"=1+2", "@x"}})
	imp, err = st.Import(ctx, acct.ID, imp.ID)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := importer.WriteReport(ctx, st, acct.ID, imp, &b); err != nil {
		t.Fatal(err)
	}
	recs, err := stdcsv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"line", "Phone", "Note", "error_code", "error_message"},
		{"2", "'=1+2", "'@x", "invalid_phone_number", "'=bad"},
		{"2002", "'+16505550101", "'-", "not_assigned", "the number is not assigned"},
	}
	if diff := cmp.Diff(want, recs); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
}
