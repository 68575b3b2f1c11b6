package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/numberdesk/numberdesk/internal/redistest"
	"github.com/numberdesk/numberdesk/internal/store"
	"github.com/numberdesk/numberdesk/jobs"
)

// raceEnabled is set by race_test.go when the tests run with -race; the
// binary the kill test builds is built the same way, so that it reuses
// the packages compiled for the test.
var raceEnabled bool

// buildBinary builds cmd/numberdesk into a temporary directory.
func buildBinary(tb testing.TB) string {
	tb.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		tb.Fatalf("the go command is needed to build numberdesk: %v", err)
	}
	gomod, err := exec.Command(goBin, "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(gomod)) == "" || strings.TrimSpace(string(gomod)) == os.DevNull {
		tb.Fatalf("find the module root: %q %v", gomod, err)
	}
	bin := filepath.Join(tb.TempDir(), "numberdesk")
	args := []string{"build", "-buildvcs=false", "-o", bin}
	if raceEnabled {
		args = append(args, "-race")
	}
	cmd := exec.Command(goBin, append(args, "./cmd/numberdesk")...)
	cmd.Dir = filepath.Dir(strings.TrimSpace(string(gomod)))
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// lockedBuffer is a bytes.Buffer safe for a child process's output.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startWorkerProcess starts `numberdesk worker` as a child process that
// dies with the test binary.
func startWorkerProcess(tb testing.TB, bin string, concurrency string) (*exec.Cmd, *lockedBuffer) {
	tb.Helper()
	var out lockedBuffer
	cmd := exec.Command(bin, "worker", "--redis-url", redistest.URL(tb), "--concurrency", concurrency, "--log-level", "warn", "--shutdown-timeout", "5s")
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start the worker: %v", err)
	}
	tb.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return cmd, &out
}

// TestImportSurvivesKilledWorker imports 100,000 rows, kills the worker
// process with SIGKILL in the middle, and lets a new worker process finish:
// every row is applied exactly once. The dead worker's chunks in progress
// come back only when Asynq's recoverer finds their lease expired: the
// lease is 30 s (rdb.LeaseDuration, a constant in asynq v0.26), the
// recoverer takes tasks whose lease expired 30 s ago or earlier, and runs
// at the new worker's start and then every minute (neither configurable) —
// so about 60 s after the kill. The recovered tasks are then scheduled for
// a retry 15 to 45 s later (DefaultRetryDelayFunc); the test hurries
// those, as an operator would with `asynq task run`, through the
// Inspector. The kill is real: a child process, no cleanup.
func TestImportSurvivesKilledWorker(t *testing.T) {
	if testing.Short() {
		t.Skip("takes about 70 s: Asynq recovers a killed worker's tasks after their lease (-short skips it)")
	}
	const rows = 100_000
	start := time.Now()
	e := newImportEnv(t, false)
	ctx := context.Background()
	seeded, err := seed(ctx, e.st, seedSpec{AccountID: e.acct.ID, Numbers: rows, Extensions: 100, Workers: 4})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "100k.csv")
	if err := writeAssignments(path, seeded); err != nil {
		t.Fatal(err)
	}
	bin := buildBinary(t)
	t.Logf("seeded %d numbers and built the binary in %v", rows, time.Since(start).Round(time.Millisecond))

	first, firstOut := startWorkerProcess(t, bin, "2")
	var (
		id       string
		uploaded = make(chan struct{})
	)
	t.Cleanup(func() { <-uploaded }) // a test that stops early waits for it
	go func() {
		defer close(uploaded)
		code, out, errs := e.importCLI(t, path, "--kind", "assignments")
		if code != exitOK {
			t.Errorf("upload: exit %d; %s %s", code, out, errs)
		}
	}()
	// Kill the worker once it has done 10% of the rows, whether or not
	// the upload has ended.
	var killedAt int64
	deadline := time.Now().Add(60 * time.Second)
	for killedAt == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the worker did not reach 10%% of the rows in 60 s; its output:\n%s", firstOut)
		}
		imps, err := e.st.Imports(ctx, e.acct.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(imps) == 1 && imps[0].RowsDone >= rows/10 {
			if err := first.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			_ = first.Wait()
			imp, err := e.st.Import(ctx, e.acct.ID, imps[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			id, killedAt = imp.ID, imp.RowsDone
		}
		time.Sleep(2 * time.Millisecond)
	}
	if killedAt > rows*8/10 {
		t.Fatalf("the worker had done %d rows when it died, more than 80%%: the kill proves little", killedAt)
	}
	insp := asynq.NewInspector(asynq.RedisClientOpt{Addr: strings.TrimPrefix(redistest.URL(t), "redis://")})
	defer insp.Close()
	inFlight := 0
	if q, err := insp.GetQueueInfo(jobs.QueueImports); err == nil {
		inFlight = q.Active
	}
	t.Logf("killed the worker at %d of %d rows, with %d chunks in flight, %v in", killedAt, rows, inFlight, time.Since(start).Round(time.Millisecond))
	<-uploaded

	// The new worker finishes the import; the test waits until the dead
	// worker's chunks in flight have run again too (they may have been
	// applied, or applied and reported, before the kill: their second run
	// must change and count nothing).
	second, secondOut := startWorkerProcess(t, bin, "2")
	killed := time.Now()
	var (
		imp       store.Import
		completed time.Duration
	)
	for {
		if imp, err = e.st.Import(ctx, e.acct.ID, id); err != nil {
			t.Fatal(err)
		}
		if completed == 0 && finished(imp.Status) {
			completed = time.Since(killed)
		}
		q, err := insp.GetQueueInfo(jobs.QueueImports)
		if err != nil {
			t.Fatal(err)
		}
		if finished(imp.Status) && q.Pending+q.Active+q.Retry+q.Scheduled == 0 {
			break
		}
		if time.Since(killed) > 150*time.Second {
			t.Fatalf("150 s after the kill: import %+v, queue %+v\nworker output:\n%s", imp, q, secondOut)
		}
		// The recoverer finds the dead worker's tasks once their lease has
		// been expired 30 s, and the worker retries them after a second.
		time.Sleep(200 * time.Millisecond)
	}
	done, err := insp.ListCompletedTasks(jobs.QueueImports, asynq.PageSize(10000))
	if err != nil {
		t.Fatal(err)
	}
	rerun := 0
	for _, task := range done {
		if task.Retried > 0 {
			rerun++
		}
	}
	t.Logf("the import ended %v after the kill, the dead worker's %d chunks ran again %v after it",
		completed.Round(time.Millisecond), rerun, time.Since(killed).Round(time.Millisecond))
	if rerun != inFlight {
		t.Errorf("%d chunks were in flight at the kill, %d were recovered", inFlight, rerun)
	}
	if imp.Status != store.ImportCompleted || imp.RowsTotal != rows || imp.RowsDone != rows || imp.RowsOK != rows || imp.RowsUnchanged != 0 || imp.RowsFailed != 0 {
		t.Errorf("import after the kill: %+v", imp)
	}
	if n := e.assigned(t); n != rows {
		t.Errorf("%d numbers assigned, want %d", n, rows)
	}
	if q, err := insp.GetQueueInfo(jobs.QueueImports); err != nil || q.Archived != 0 || q.Completed != int(imp.Chunks) {
		t.Errorf("the imports queue after the import: %+v %v", q, err)
	}
	if err := second.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := second.Wait(); err != nil {
		t.Errorf("the second worker did not stop cleanly on SIGTERM: %v\n%s", err, secondOut)
	}
}

// TestImportSurvivesSIGTERM stops a worker process with SIGTERM in the
// middle of an import (the way a deploy or `docker compose stop` does): it
// stops taking chunks, lets the chunks in progress finish or hands them
// back, and exits 0; a new worker finishes the import. Every row is
// applied and counted once.
func TestImportSurvivesSIGTERM(t *testing.T) {
	const rows = 30_000
	e := newImportEnv(t, false)
	ctx := context.Background()
	seeded, err := seed(ctx, e.st, seedSpec{AccountID: e.acct.ID, Numbers: rows, Extensions: 50, Workers: 4})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "30k.csv")
	if err := writeAssignments(path, seeded); err != nil {
		t.Fatal(err)
	}
	bin := buildBinary(t)
	// The whole file is queued before a worker starts, so that the worker
	// is mid-import when the SIGTERM comes.
	if code, out, errs := e.importCLI(t, path, "--kind", "assignments"); code != exitOK {
		t.Fatalf("upload: exit %d; %s %s", code, out, errs)
	}
	first, firstOut := startWorkerProcess(t, bin, "2")
	imps, err := e.st.Imports(ctx, e.acct.ID, 1)
	if err != nil || len(imps) != 1 {
		t.Fatalf("imports %v %v", imps, err)
	}
	id := imps[0].ID
	waitFor(t, 60*time.Second, "the worker to do 10% of the rows", func() bool {
		imp, err := e.st.Import(ctx, e.acct.ID, id)
		return err == nil && imp.RowsDone >= rows/10
	})
	if err := first.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := first.Wait(); err != nil {
		t.Fatalf("the worker did not stop cleanly on SIGTERM: %v\n%s", err, firstOut)
	}
	stopped, err := e.st.Import(ctx, e.acct.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	if stopped.RowsDone >= rows {
		t.Fatalf("the import had ended before the SIGTERM took effect (%d rows): the test proves little", stopped.RowsDone)
	}
	t.Logf("SIGTERM at %d of %d rows", stopped.RowsDone, rows)
	second, secondOut := startWorkerProcess(t, bin, "2")
	var imp store.Import
	waitFor(t, 90*time.Second, "the second worker to finish the import", func() bool {
		imp, err = e.st.Import(ctx, e.acct.ID, id)
		return err == nil && finished(imp.Status)
	})
	if imp.Status != store.ImportCompleted || imp.RowsDone != rows || imp.RowsOK != rows || imp.RowsUnchanged != 0 || imp.RowsFailed != 0 {
		t.Errorf("import after the SIGTERM: %+v\n%s", imp, secondOut)
	}
	if n := e.assigned(t); n != rows {
		t.Errorf("%d numbers assigned, want %d", n, rows)
	}
	if err := second.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := second.Wait(); err != nil {
		t.Errorf("the second worker did not stop cleanly: %v", err)
	}
}
