package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hibiken/asynq"
	"github.com/numberdesk/numberdesk/internal/redistest"
	"github.com/numberdesk/numberdesk/jobs"
)

// mustScheduler starts `numberdesk scheduler`'s wiring on the test Redis
// with /metrics on a free port.
func mustScheduler(t *testing.T, portSync string, now func() time.Time) *SchedulerMain {
	t.Helper()
	m := NewSchedulerMain()
	m.Config.RedisURL = redistest.URL(t)
	m.Config.PortSyncSchedule = portSync
	m.Config.MetricsAddr = "127.0.0.1:0"
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	m.now = now
	m.lockTTL = 900 * time.Millisecond
	if err := m.Run(context.Background()); err != nil {
		t.Fatalf("run: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// periodicTasks lists the pending tasks of the periodic queue by type.
func periodicTasks(t *testing.T) map[string][]*asynq.TaskInfo {
	t.Helper()
	opt, err := asynq.ParseRedisURI(redistest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	in := asynq.NewInspector(opt)
	defer in.Close()
	tasks, err := in.ListPendingTasks(jobs.QueuePeriodic, asynq.PageSize(1000))
	if err != nil && !strings.Contains(err.Error(), "queue not found") {
		t.Fatal(err)
	}
	out := map[string][]*asynq.TaskInfo{}
	for _, ti := range tasks {
		out[ti.Type] = append(out[ti.Type], ti)
	}
	return out
}

// runsMetric reads numberdesk_scheduler_runs_total{entry,result} from a
// scheduler's /metrics.
func runsMetric(t *testing.T, m *SchedulerMain, entry, result string) int {
	t.Helper()
	res, err := http.Get("http://" + m.MetricsAddr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	re := regexp.MustCompile(`(?m)^numberdesk_scheduler_runs_total\{entry="` + entry + `",result="` + result + `"\} (\d+)$`)
	match := re.FindSubmatch(b)
	if match == nil {
		t.Fatalf("/metrics has no runs of %s/%s:\n%s", entry, result, b)
	}
	n, _ := strconv.Atoi(string(match[1]))
	return n
}

// TestSchedulerThreeAtOnce runs three schedulers on one Redis with a
// port sync every second: each window is enqueued exactly once, none is
// skipped, and the enqueued runs counted in their metrics add up to the
// tasks in the queue.
func TestSchedulerThreeAtOnce(t *testing.T) {
	redistest.Client(t) // flush
	var ms []*SchedulerMain
	for i := 0; i < 3; i++ {
		ms = append(ms, mustScheduler(t, "@every 1s", nil))
	}
	time.Sleep(3500 * time.Millisecond)
	enqueued := 0
	for _, m := range ms {
		enqueued += runsMetric(t, m, entryPortSync, "enqueued")
		if n := runsMetric(t, m, entryFees, "error"); n != 0 {
			t.Errorf("fee entry errors: %d", n)
		}
	}
	for _, m := range ms {
		if err := m.Close(); err != nil {
			t.Error(err)
		}
	}
	syncs := periodicTasks(t)[jobs.TypePortSync]
	if len(syncs) < 3 {
		t.Fatalf("%d port syncs in 3.5 s, want at least 3", len(syncs))
	}
	var windows []time.Time
	for _, ti := range syncs {
		p, err := jobs.ParseSync(asynq.NewTask(ti.Type, ti.Payload))
		if err != nil {
			t.Fatal(err)
		}
		if want := "port-sync:" + p.Window.Format(time.RFC3339); ti.ID != want {
			t.Errorf("task id %q, want %q", ti.ID, want)
		}
		windows = append(windows, p.Window)
	}
	sort.Slice(windows, func(i, j int) bool { return windows[i].Before(windows[j]) })
	for i := 1; i < len(windows); i++ {
		if d := windows[i].Sub(windows[i-1]); d != time.Second {
			t.Errorf("windows %v then %v: a window was skipped or repeated", windows[i-1], windows[i])
		}
	}
	if enqueued != len(syncs) {
		t.Errorf("the schedulers counted %d enqueued port syncs, the queue holds %d", enqueued, len(syncs))
	}
}

// TestSchedulerCatchesUpFees: the schedulers were down from August to late
// November; the first one back enqueues the fee runs of August, September
// and October, and a second one enqueues nothing more.
func TestSchedulerCatchesUpFees(t *testing.T) {
	rdb := redistest.Client(t)
	lastRun := time.Date(2026, 8, 1, 0, 5, 0, 0, time.UTC) // July's run
	if err := rdb.HSet(t.Context(), "nd:scheduler:last", entryFees, lastRun.UnixMilli()).Err(); err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC) }
	var months, ids []string
	for i := 0; i < 2; i++ {
		m := mustScheduler(t, "@every 5m", now)
		deadline := time.Now().Add(5 * time.Second)
		for len(periodicTasks(t)[jobs.TypeFeesMonthly]) < 3 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if i == 1 {
			time.Sleep(200 * time.Millisecond) // room for a wrong extra enqueue
		}
		if err := m.Close(); err != nil {
			t.Error(err)
		}
	}
	for _, ti := range periodicTasks(t)[jobs.TypeFeesMonthly] {
		p, err := jobs.ParseFees(asynq.NewTask(ti.Type, ti.Payload))
		if err != nil {
			t.Fatal(err)
		}
		months, ids = append(months, p.Month), append(ids, ti.ID)
	}
	sort.Strings(months)
	sort.Strings(ids)
	if diff := cmp.Diff([]string{"2026-08", "2026-09", "2026-10"}, months); diff != "" {
		t.Errorf("fee runs (-want +got):\n%s", diff)
	}
	wantIDs := []string{"fees-monthly:2026-09-01T00:05:00Z", "fees-monthly:2026-10-01T00:05:00Z", "fees-monthly:2026-11-01T00:05:00Z"}
	if diff := cmp.Diff(wantIDs, ids); diff != "" {
		t.Errorf("task ids (-want +got):\n%s", diff)
	}
}

func TestSchedulerUsage(t *testing.T) {
	url := redistest.URL(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"scheduler", "--redis-url", url, "--fees-schedule", "61 * * * *"}, "--fees-schedule"},
		{[]string{"scheduler", "--redis-url", url, "--port-sync-schedule", "@every"}, "--port-sync-schedule"},
		{[]string{"scheduler", "--redis-url", url, "--metrics-addr", "9102"}, "--metrics-addr"},
		{[]string{"scheduler", "--redis-url", ""}, "--redis-url"},
	} {
		code, _, errs := cli(t, tc.args...)
		if code != exitUsage || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d naming %s", tc.args, code, errs, exitUsage, tc.want)
		}
	}
	if code, _, _ := cli(t, "scheduler", "-h"); code != exitOK {
		t.Errorf("scheduler -h: exit %d", code)
	}
}
