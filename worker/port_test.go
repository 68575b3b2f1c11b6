package worker_test

import (
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/numberdesk/numberdesk/internal/carrier"
	"github.com/numberdesk/numberdesk/internal/carrier/sandbox"
	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/redistest"
	"github.com/numberdesk/numberdesk/internal/store"
	"github.com/numberdesk/numberdesk/jobs"
)

// clock is a sandbox clock moved by hand.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

func (f *orderFixture) portOrder(tb testing.TB, numbers ...string) store.PortOrder {
	tb.Helper()
	spec := store.PortSpec{Country: "US", LosingCarrier: "Old Telco", AccountNumber: "A-1", PIN: "4321", EmergencyAddressID: f.ea.ID}
	for _, n := range numbers {
		spec.Numbers = append(spec.Numbers, store.NewNumber{Number: n, Type: inventory.Toll, Country: "US", AreaCode: n[2:5]})
	}
	p, err := f.st.CreatePort(ctx, f.acct.ID, spec, store.Actor{Name: "ann", Source: "api"})
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func portTask(tb testing.TB, typ string, acct string, p store.PortOrder) *asynq.Task {
	tb.Helper()
	var t *asynq.Task
	var err error
	if typ == jobs.TypePortSubmit {
		t, err = jobs.NewPortSubmitTask(jobs.PortPayload{AccountID: acct, PortOrderID: p.ID, Submission: p.Submission})
	} else {
		t, err = jobs.NewPortPollTask(jobs.PortPayload{AccountID: acct, PortOrderID: p.ID}, time.Now())
	}
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// TestPortPollThroughCarrierErrors: while the carrier answers 503 or
// hangs, submissions and polls fail (Asynq retries them) and nothing
// changes; once it answers, the order moves on, nothing lost or doubled.
func TestPortPollThroughCarrierErrors(t *testing.T) {
	c := &clock{t: time.Now()}
	f := newOrderFixture(t, 5, 0, sandbox.Config{PortStep: time.Minute, Now: c.Now})
	_, down503 := startSandbox(t, f.rdb, sandbox.Config{ErrorRate: 1, PortStep: time.Minute, Now: c.Now})
	_, downHang := startSandbox(t, f.rdb, sandbox.Config{TimeoutRate: 1, PortStep: time.Minute, Now: c.Now})
	p := f.portOrder(t, "+14155550101", "+14155550102")
	for _, url := range []string{down503, downHang} {
		down := *f.h
		down.Carrier = fastClient(url)
		if err := down.PortSubmit(ctx, portTask(t, jobs.TypePortSubmit, f.acct.ID, p)); !carrier.IsRetryable(err) {
			t.Fatalf("submit through a broken carrier: %v", err)
		}
	}
	if got, _ := f.st.Port(ctx, f.acct.ID, p.ID); got.CarrierID != "" || got.Status != store.PortSubmitted {
		t.Fatalf("after failed submissions %+v", got)
	}
	// A poll submits an order the carrier has not got.
	if err := f.h.PortPoll(ctx, portTask(t, jobs.TypePortPoll, f.acct.ID, p)); err != nil {
		t.Fatal(err)
	}
	p, _ = f.st.Port(ctx, f.acct.ID, p.ID)
	if p.CarrierID == "" {
		t.Fatal("the poll did not submit the order")
	}
	for step := 1; step <= 3; step++ {
		c.t = c.t.Add(time.Minute)
		for _, url := range []string{down503, downHang} {
			down := *f.h
			down.Carrier = fastClient(url)
			if err := down.PortPoll(ctx, portTask(t, jobs.TypePortPoll, f.acct.ID, p)); !carrier.IsRetryable(err) {
				t.Fatalf("poll through a broken carrier: %v", err)
			}
		}
		for range 2 {
			if err := f.h.PortPoll(ctx, portTask(t, jobs.TypePortPoll, f.acct.ID, p)); err != nil {
				t.Fatal(err)
			}
		}
	}
	p, _ = f.st.Port(ctx, f.acct.ID, p.ID)
	if p.Status != store.PortCompleted || len(p.History) != 4 {
		t.Fatalf("order %+v", p)
	}
	if lic := f.licences(t); lic.PhoneNumber.Used != 2 {
		t.Errorf("licences %+v", lic)
	}
	// The submission key is the order's: the sandbox holds one port.
	if _, err := f.sb.SubmitPort(ctx, p.ID+":1", carrier.PortRequest{Numbers: []string{"+14155550101"}, LosingCarrier: "x", AccountNumber: "1", PIN: "1"}); err != nil {
		t.Errorf("the same key again: %v", err)
	}
}

// BenchmarkPortSync measures one port sync cycle: the fan-out of one
// port:poll per open order through a real Asynq server, each poll asking
// the sandbox over HTTP with 20 ms of latency, until every poll is done.
// NUMBERDESK_BENCH_PORTS sets the number of open orders (default 10,000)
// and NUMBERDESK_BENCH_POLLERS the worker concurrency (default 100).
func BenchmarkPortSync(b *testing.B) {
	n := envInt("NUMBERDESK_BENCH_PORTS", 10000)
	pollers := envInt("NUMBERDESK_BENCH_POLLERS", 100)
	c := &clock{t: time.Now()}
	f := newOrderFixture(b, int64(n), 0, sandbox.Config{PortStep: time.Hour, Now: c.Now})
	_, slowURL := startSandbox(b, f.rdb, sandbox.Config{Latency: 20 * time.Millisecond, PortStep: time.Hour, Now: c.Now})
	for i := 0; i < n; i++ {
		p := f.portOrder(b, fmt.Sprintf("+1415%07d", 2000000+i))
		if err := f.h.PortSubmit(ctx, portTask(b, jobs.TypePortSubmit, f.acct.ID, p)); err != nil {
			b.Fatal(err)
		}
	}
	opt, err := asynq.ParseRedisURI(redistest.URL(b))
	if err != nil {
		b.Fatal(err)
	}
	client := asynq.NewClient(opt)
	defer client.Close()
	h := *f.h
	if os.Getenv("NUMBERDESK_BENCH_LOG") != "" {
		h.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	h.Carrier = carrier.NewClient(slowURL)
	h.Queue = client
	srv := asynq.NewServer(opt, asynq.Config{Concurrency: pollers, Queues: jobs.QueueWeights, LogLevel: asynq.FatalLevel, TaskCheckInterval: 10 * time.Millisecond})
	if err := srv.Start(h.Mux()); err != nil {
		b.Fatal(err)
	}
	defer srv.Shutdown()
	insp := asynq.NewInspector(opt)
	defer insp.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.t = c.t.Add(time.Hour) // each cycle has news: the next status
		start := time.Now()
		task, _ := jobs.NewPortSyncTask(start)
		if _, err := client.Enqueue(task); err != nil {
			b.Fatal(err)
		}
		for {
			time.Sleep(50 * time.Millisecond)
			done := 0 // tasks not finished yet
			for _, q := range []string{jobs.QueuePorting, jobs.QueuePeriodic} {
				qi, err := insp.GetQueueInfo(q)
				if err != nil {
					continue
				}
				done += qi.Pending + qi.Active + qi.Scheduled + qi.Retry
			}
			if done == 0 {
				break
			}
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/cycle")
	}
	b.StopTimer()
	// Every order moved on from submitted (the polls applied the news).
	if ports, _ := f.st.Ports(ctx, f.acct.ID, store.PortSubmitted, 1); len(ports) != 0 {
		b.Errorf("order %s is still submitted", ports[0].ID)
	}
	b.ReportMetric(float64(n), "orders")
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
