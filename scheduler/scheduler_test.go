package scheduler

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hibiken/asynq"
	"github.com/numberdesk/numberdesk/internal/redistest"
)

func TestMain(m *testing.M) { redistest.Main(m) }

// recorder wraps a real Asynq client and records which task ids it put on
// the queue (conflicts are not recorded: Asynq refused them).
type recorder struct {
	c  *asynq.Client
	mu sync.Mutex
	ok []string
}

func (r *recorder) EnqueueContext(ctx context.Context, t *asynq.Task, opts ...asynq.Option) (*asynq.TaskInfo, error) {
	info, err := r.c.EnqueueContext(ctx, t, opts...)
	if err == nil {
		r.mu.Lock()
		r.ok = append(r.ok, info.ID)
		r.mu.Unlock()
	}
	return info, err
}

func newRecorder(t *testing.T) *recorder {
	opt, err := asynq.ParseRedisURI(redistest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	c := asynq.NewClient(opt)
	t.Cleanup(func() { c.Close() })
	return &recorder{c: c}
}

func tickTask(time.Time) (*asynq.Task, error) { return asynq.NewTask("test:tick", nil), nil }

func TestThreeSchedulersEnqueueEachWindowOnce(t *testing.T) {
	rdb := redistest.Client(t)
	rec := newRecorder(t)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var scheds []*Scheduler
	for i := 0; i < 3; i++ {
		s, err := New(Config{Redis: rdb, Queue: rec, LockTTL: 900 * time.Millisecond,
			Entries: []Entry{{Name: "test:tick", Spec: "@every 1s", Task: tickTask, CatchUp: true}}})
		if err != nil {
			t.Fatal(err)
		}
		scheds = append(scheds, s)
		wg.Add(1)
		go func() { defer wg.Done(); s.Run(ctx) }()
	}
	// Sample the leaders while they run: never two at once.
	deadline := time.Now().Add(4500 * time.Millisecond)
	for time.Now().Before(deadline) {
		n := 0
		for _, s := range scheds {
			if s.Leader() {
				n++
			}
		}
		if n > 1 {
			t.Errorf("%d schedulers lead at once", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.ok) < 3 {
		t.Fatalf("only %d windows enqueued in 4.5 s: %v", len(rec.ok), rec.ok)
	}
	seen := map[string]bool{}
	var windows []time.Time
	for _, id := range rec.ok {
		if seen[id] {
			t.Errorf("window %s enqueued twice", id)
		}
		seen[id] = true
		w, err := time.Parse(time.RFC3339, id[len("test:tick:"):])
		if err != nil {
			t.Fatalf("task id %q: %v", id, err)
		}
		windows = append(windows, w)
	}
	for i := 1; i < len(windows); i++ {
		if d := windows[i].Sub(windows[i-1]); d != time.Second {
			t.Errorf("windows %v then %v: a window was skipped or repeated", windows[i-1], windows[i])
		}
	}
}

func TestCatchUp(t *testing.T) {
	for _, catchUp := range []bool{true, false} {
		rdb := redistest.Client(t)
		rec := newRecorder(t)
		now := time.Date(2026, 11, 24, 12, 30, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		mk := func() *Scheduler {
			s, err := New(Config{Redis: rdb, Queue: rec, Now: clock,
				Entries: []Entry{{Name: "test:hourly", Spec: "@hourly", Task: tickTask, CatchUp: catchUp}}})
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		// First run: nothing is due yet (12:00 has passed before anyone ran).
		if err := mk().EnqueueDue(context.Background()); err != nil {
			t.Fatal(err)
		}
		if len(rec.ok) != 0 {
			t.Fatalf("first run enqueued %v", rec.ok)
		}
		// The schedulers were down for five hours.
		now = now.Add(5 * time.Hour)
		if err := mk().EnqueueDue(context.Background()); err != nil {
			t.Fatal(err)
		}
		want := []string{"test:hourly:2026-11-24T13:00:00Z", "test:hourly:2026-11-24T14:00:00Z", "test:hourly:2026-11-24T15:00:00Z", "test:hourly:2026-11-24T16:00:00Z", "test:hourly:2026-11-24T17:00:00Z"}
		if !catchUp {
			want = want[4:]
		}
		if diff := cmp.Diff(want, rec.ok); diff != "" {
			t.Errorf("catch-up %v (-want +got):\n%s", catchUp, diff)
		}
		// Running again in the same hour enqueues nothing new.
		if err := mk().EnqueueDue(context.Background()); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, rec.ok); diff != "" {
			t.Errorf("re-run (-want +got):\n%s", diff)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	rdb := redistest.Client(t)
	rec := newRecorder(t)
	for _, entries := range [][]Entry{
		{{Name: "x", Spec: "not a spec", Task: tickTask}},
		{{Name: "", Spec: "@hourly", Task: tickTask}},
		{{Name: "x", Spec: "@hourly"}},
		{{Name: "x", Spec: "@hourly", Task: tickTask}, {Name: "x", Spec: "@daily", Task: tickTask}},
	} {
		if _, err := New(Config{Redis: rdb, Queue: rec, Entries: entries}); err == nil {
			t.Errorf("%+v: no error", entries)
		}
	}
	if _, err := New(Config{}); err == nil {
		t.Error("no redis: no error")
	}
}

func TestAlignedEvery(t *testing.T) {
	s, err := Parse("@every 5m")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 24, 10, 7, 31, 0, time.UTC)
	if got, want := s.Next(at), time.Date(2026, 11, 24, 10, 10, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Next(%v) = %v, want %v", at, got, want)
	}
	monthly, _ := Parse("5 0 1 * *")
	if got, want := monthly.Next(at), time.Date(2026, 12, 1, 0, 5, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("monthly Next = %v, want %v", got, want)
	}
}
