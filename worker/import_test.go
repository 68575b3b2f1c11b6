package worker_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/hibiken/asynq"
	"github.com/numberdesk/numberdesk/internal/importer"
	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/redistest"
	"github.com/numberdesk/numberdesk/internal/store"
	"github.com/numberdesk/numberdesk/jobs"
	"github.com/numberdesk/numberdesk/worker"
)

func TestMain(m *testing.M) { redistest.Main(m) }

var ctx = context.Background()

// recorder is a queue that keeps the tasks enqueued on it.
type recorder struct {
	mu    sync.Mutex
	tasks []*asynq.Task
}

func (q *recorder) EnqueueContext(ctx context.Context, task *asynq.Task, opts ...asynq.Option) (*asynq.TaskInfo, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.tasks = append(q.tasks, task)
	return &asynq.TaskInfo{}, nil
}

// fixture is an account with numbers and extensions, an intake and the
// handlers.
type fixture struct {
	st      *store.Store
	acct    inventory.Account
	numbers []string
	exts    []inventory.Extension
	intake  *importer.Intake
	queue   *recorder
	h       *worker.Handlers
}

// newAccount creates an account with licences and an emergency address
// on st, and checks its invariants when the test ends.
func newAccount(tb testing.TB, st *store.Store, licences, tollFree int64) (inventory.Account, inventory.EmergencyAddress) {
	tb.Helper()
	acct, err := st.CreateAccount(ctx, store.AccountSpec{Name: "Acme", Country: "US", PhoneLicenses: licences, TollFreeLicenses: tollFree})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := st.Check(ctx, acct.ID); err != nil {
			tb.Errorf("invariants: %v", err)
		}
	})
	ea, err := st.CreateEmergencyAddress(ctx, acct.ID, inventory.EmergencyAddress{Street: "1 Main St", City: "Austin", State: "TX", PostalCode: "78701", Country: "US"})
	if err != nil {
		tb.Fatal(err)
	}
	return acct, ea
}

func newFixture(tb testing.TB, numbers int) *fixture {
	tb.Helper()
	st := store.New(redistest.Client(tb))
	acct, ea := newAccount(tb, st, int64(numbers), 0)
	f := &fixture{st: st, acct: acct, queue: &recorder{}}
	for i := 0; i < 2; i++ {
		x, err := st.CreateExtension(ctx, acct.ID, inventory.Extension{Type: inventory.ExtRoom, Name: fmt.Sprintf("Room %d", i)})
		if err != nil {
			tb.Fatal(err)
		}
		f.exts = append(f.exts, x)
	}
	spec := store.AcquireSpec{EmergencyAddressID: ea.ID}
	for i := 0; i < numbers; i++ {
		n := fmt.Sprintf("+1512555%04d", i)
		f.numbers = append(f.numbers, n)
		spec.Numbers = append(spec.Numbers, store.NewNumber{Number: n, Type: inventory.Toll, Country: "US", AreaCode: "512", Region: "TX", City: "Austin"})
		if len(spec.Numbers) == store.MaxBatch || i == numbers-1 {
			if _, err := st.Acquire(ctx, acct.ID, spec, store.Actor{Name: "test", Source: "test"}, store.BatchOptions{}); err != nil {
				tb.Fatal(err)
			}
			spec.Numbers = nil
		}
	}
	f.intake = &importer.Intake{Store: st, Queue: f.queue}
	f.h = &worker.Handlers{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: worker.NewMetrics(nil)}
	return f
}

// upload runs an intake of file.
func (f *fixture) upload(tb testing.TB, kind, file string) store.Import {
	tb.Helper()
	_, run, err := f.intake.Start(ctx, importer.Spec{Account: f.acct, Kind: kind, Actor: "ann"}, strings.NewReader(file))
	if err != nil {
		tb.Fatal(err)
	}
	imp, err := run()
	if err != nil {
		tb.Fatal(err)
	}
	return imp
}

func (f *fixture) imp(tb testing.TB, id string) store.Import {
	tb.Helper()
	imp, err := f.st.Import(ctx, f.acct.ID, id)
	if err != nil {
		tb.Fatal(err)
	}
	return imp
}

// TestImportChunkAfterCrash re-runs chunks the way Asynq does after a
// worker died: one chunk applied but not reported (the crash between the
// batch step and the report), one run twice. Nothing is applied or
// counted twice, and the report holds each failed row once.
func TestImportChunkAfterCrash(t *testing.T) {
	f := newFixture(t, 1500)
	var b strings.Builder
	b.WriteString("phone_number,extension_number\n")
	for i, n := range f.numbers {
		ext := f.exts[i%2].ExtensionNumber
		if i%100 == 7 {
			ext = "9999" // extension_not_found
		}
		b.WriteString(n + "," + ext + "\n")
	}
	imp := f.upload(t, "assignments", b.String())
	if len(f.queue.tasks) != 2 {
		t.Fatalf("%d tasks", len(f.queue.tasks))
	}
	// The first run of chunk 0 died after its batch step: apply its rows
	// as the handler does, without reporting.
	work, err := f.st.StartChunk(ctx, f.acct.ID, imp.ID, 0)
	if err != nil || !work.Run {
		t.Fatalf("start: %+v %v", work, err)
	}
	var batch []store.Row
	for _, r := range importer.DecodeChunk(work.Rows, importer.AssignmentFields) {
		batch = append(batch, store.Row{Number: r.Fields[0], Action: inventory.ActionAssign, Extension: store.ExtensionRef{Number: r.Fields[2]}})
	}
	if _, err := f.st.ApplyImportChunk(ctx, f.acct.ID, imp.ID, 0, batch, 0, false, store.Actor{Name: "ann", Source: "import:" + imp.ID}); err != nil {
		t.Fatal(err)
	}
	if got := f.imp(t, imp.ID); got.RowsDone != 1000 || got.ChunksDone != 0 || got.Status != store.ImportRunning {
		t.Fatalf("after the crash: %+v", got)
	}
	// Asynq runs chunk 0 again, then chunk 1 twice (a retry after a lost
	// acknowledgement).
	for _, i := range []int{0, 1, 1, 0} {
		if err := f.h.ImportChunk(ctx, f.queue.tasks[i]); err != nil {
			t.Fatalf("chunk %d: %v", i, err)
		}
	}
	got := f.imp(t, imp.ID)
	if got.Status != store.ImportCompleted || got.RowsDone != 1500 || got.RowsOK != 1485 || got.RowsFailed != 15 || got.RowsUnchanged != 0 || got.ChunksDone != 2 {
		t.Errorf("import: %+v", got)
	}
	var report strings.Builder
	if err := importer.WriteReport(ctx, f.st, f.acct.ID, got, &report); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(report.String(), "\n"); lines != 16 || strings.Count(report.String(), "extension_not_found") != 15 {
		t.Errorf("report: %d lines\n%s", lines, report.String())
	}
	a, err := f.st.Account(ctx, f.acct.ID)
	if err != nil || a.Numbers.Assigned != 1485 {
		t.Errorf("account: %+v %v", a, err)
	}
	// Each number changed once: one audit entry after its acquisition.
	for _, n := range []string{f.numbers[0], f.numbers[999], f.numbers[1000]} {
		entries, err := f.st.Audit(ctx, f.acct.ID, n, 10)
		if err != nil || len(entries) != 2 {
			t.Errorf("%s: %d audit entries, want 2 (%v)", n, len(entries), err)
		}
	}
}

// TestImportChunkPermanentFailures: an undecodable payload, an expired
// import and expired rows are not retried; the last fails the import.
func TestImportChunkPermanentFailures(t *testing.T) {
	f := newFixture(t, 10)
	if err := f.h.ImportChunk(ctx, asynq.NewTask(jobs.TypeImportChunk, []byte(`{"import_id":`))); !errors.Is(err, asynq.SkipRetry) {
		t.Errorf("bad payload: %v, want SkipRetry", err)
	}
	gone, err := jobs.NewImportChunkTask(jobs.ImportChunkPayload{AccountID: f.acct.ID, ImportID: "imp_gone", Chunk: 0})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.h.ImportChunk(ctx, gone); !errors.Is(err, asynq.SkipRetry) {
		t.Errorf("expired import: %v, want SkipRetry", err)
	}

	imp := f.upload(t, "assignments", "phone_number,extension_number\n"+f.numbers[0]+","+f.exts[0].ExtensionNumber+"\n")
	if err := f.st.Redis().Del(ctx, "nd:{acct:"+f.acct.ID+"}:imp:"+imp.ID+":c:0").Err(); err != nil {
		t.Fatal(err)
	}
	if err := f.h.ImportChunk(ctx, f.queue.tasks[0]); !errors.Is(err, asynq.SkipRetry) {
		t.Errorf("expired rows: %v, want SkipRetry", err)
	}
	if got := f.imp(t, imp.ID); got.Status != store.ImportFailed || !strings.Contains(got.Error, "chunk 0") {
		t.Errorf("import with expired rows: %+v", got)
	}
}

// TestImportChunkCancelled: a cancelled import's chunks do nothing.
func TestImportChunkCancelled(t *testing.T) {
	f := newFixture(t, 10)
	imp := f.upload(t, "assignments", "phone_number,extension_number\n"+f.numbers[0]+","+f.exts[0].ExtensionNumber+"\n")
	if _, err := f.st.CancelImport(ctx, f.acct.ID, imp.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.h.ImportChunk(ctx, f.queue.tasks[0]); err != nil {
		t.Fatal(err)
	}
	if got := f.imp(t, imp.ID); got.Status != store.ImportCancelled || got.RowsDone != 0 {
		t.Errorf("cancelled import: %+v", got)
	}
	if n, _ := f.st.Number(ctx, f.acct.ID, f.numbers[0]); n.Status != inventory.StatusUnassigned {
		t.Errorf("a cancelled import assigned %s", n.Number)
	}
}
