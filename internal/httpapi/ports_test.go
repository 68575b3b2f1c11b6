package httpapi

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/store"
	"github.com/numberdesk/numberdesk/jobs"
	"github.com/numberdesk/numberdesk/worker"
)

// runPorting runs the porting tasks queued since from through the real
// handlers (a port:sync's polls included), and returns how many ran.
func (e *env) runPorting(tb testing.TB, from int) int {
	tb.Helper()
	h := &worker.Handlers{Store: e.st, Carrier: e.sandbox, Queue: e.queue, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: worker.NewMetrics(nil)}
	ran := 0
	for {
		e.queue.mu.Lock()
		if from >= len(e.queue.tasks) {
			e.queue.mu.Unlock()
			return ran
		}
		t := e.queue.tasks[from]
		e.queue.mu.Unlock()
		from++
		var err error
		switch t.Type() {
		case jobs.TypePortSubmit:
			err = h.PortSubmit(ctx, t)
		case jobs.TypePortPoll:
			err = h.PortPoll(ctx, t)
		case jobs.TypePortSync:
			err = h.PortSync(ctx, t)
		default:
			continue
		}
		ran++
		if err != nil {
			tb.Fatalf("%s: %v", t.Type(), err)
		}
	}
}

// sync runs one port sync window: the fan-out and its polls.
func (e *env) sync(tb testing.TB) {
	tb.Helper()
	from := e.queue.len()
	task, err := jobs.NewPortSyncTask(e.clock.Now())
	if err != nil {
		tb.Fatal(err)
	}
	e.queue.EnqueueContext(ctx, task)
	e.runPorting(tb, from)
}

func (e *env) port(tb testing.TB, token, id string) store.PortOrder {
	tb.Helper()
	var p store.PortOrder
	r := e.do(tb, "GET", "/v1/port-orders/"+id, token, nil)
	r.want(tb, http.StatusOK, "")
	r.decode(tb, &p)
	return p
}

func (e *env) createPort(tb testing.TB, token string, body any) store.PortOrder {
	tb.Helper()
	r := e.do(tb, "POST", "/v1/port-orders", token, body)
	r.want(tb, http.StatusAccepted, "")
	var p store.PortOrder
	r.decode(tb, &p)
	return p
}

func numberStatus(tb testing.TB, e *env, acct, n string) inventory.Status {
	tb.Helper()
	num, err := e.st.Number(ctx, acct, n)
	if inventory.ErrorCode(err) == inventory.CodeNumberNotFound {
		return ""
	}
	if err != nil {
		tb.Fatal(err)
	}
	return num.Status
}

// TestPortProgression walks a US port order through the sandbox's steps,
// a GB one whose status stays hidden, an exception corrected and
// resubmitted, and a cancellation.
func TestPortProgression(t *testing.T) {
	e := newEnv(t, Config{})
	a := e.newTenant(t, "Acme", false, 1, 0)
	if err := e.st.SetLicenses(ctx, a.acct.ID, 2, 0); err != nil {
		t.Fatal(err)
	}
	us := []string{"+14155550101", "+14155550102", "+14155550103"}
	p := e.createPort(t, a.admin, CreatePortRequest{Numbers: us, LosingCarrier: "Old Telco", AccountNumber: "A-1", PIN: "4321", EmergencyAddressID: a.eas[0].ID})
	if p.Status != store.PortSubmitted || !p.StatusVisible || p.Country != "US" || len(p.Numbers) != 3 {
		t.Fatalf("created %+v", p)
	}
	for _, n := range us {
		if st := numberStatus(t, e, a.acct.ID, n); st != inventory.StatusPorting {
			t.Fatalf("%s is %s, want porting", n, st)
		}
	}
	e.runPorting(t, 0) // port:submit
	if p = e.port(t, a.viewer, p.ID); p.CarrierID == "" {
		t.Fatalf("not submitted to the carrier: %+v", p)
	}
	want := []string{store.PortPending, store.PortFOCConfirmed, store.PortCompleted}
	for i, st := range want {
		e.clock.Advance(time.Minute)
		e.sync(t)
		e.sync(t) // a second window in the same step changes nothing
		if p = e.port(t, a.viewer, p.ID); p.Status != st || p.Numbers[0].Status != st {
			t.Fatalf("step %d: %s, want %s", i+1, p.Status, st)
		}
		if st == store.PortFOCConfirmed {
			if p.FOCDate == nil {
				t.Errorf("foc_confirmed without foc_date")
			}
			e.do(t, "POST", "/v1/port-orders/"+p.ID+"/cancel", a.admin, nil).want(t, http.StatusConflict, inventory.CodeWrongStatus)
		}
	}
	// Two licences for three numbers: one waits reserved, noted.
	counts := map[inventory.Status]int{}
	for _, n := range us {
		counts[numberStatus(t, e, a.acct.ID, n)]++
	}
	if counts[inventory.StatusUnassigned] != 2 || counts[inventory.StatusReserved] != 1 || p.Note == "" {
		t.Errorf("after completion %v, note %q", counts, p.Note)
	}
	if len(p.History) != 4 {
		t.Errorf("history %+v", p.History)
	}

	// GB: the status stays hidden until the order completes.
	gb := e.createPort(t, a.admin, CreatePortRequest{Numbers: []string{"+442079460001"}, LosingCarrier: "BT", AccountNumber: "B-2", PIN: "1234", Reserve: true, EmergencyAddressID: a.eas[0].ID})
	if gb.StatusVisible {
		t.Fatalf("GB order with visible status")
	}
	e.runPorting(t, 0)
	for i := 0; i < 2; i++ {
		e.clock.Advance(time.Minute)
		e.sync(t)
		if got := e.port(t, a.viewer, gb.ID); got.Status != store.PortSubmitted || got.Numbers[0].Status != store.PortSubmitted || got.FOCDate != nil || len(got.History) != 1 {
			t.Fatalf("GB order shows %+v", got)
		}
	}
	if st, _ := e.st.Port(ctx, a.acct.ID, gb.ID); st.Status != store.PortFOCConfirmed {
		t.Fatalf("GB order is really %s", st.Status)
	}
	e.clock.Advance(time.Minute)
	e.sync(t)
	if got := e.port(t, a.viewer, gb.ID); got.Status != store.PortCompleted || numberStatus(t, e, a.acct.ID, "+442079460001") != inventory.StatusReserved {
		t.Fatalf("GB order after completion %+v", got)
	}

	// Exception: PIN 0000 is refused after two steps; correct it, resubmit.
	ex := e.createPort(t, a.admin, CreatePortRequest{Numbers: []string{"+14155550201"}, LosingCarrier: "Old Telco", AccountNumber: "A-1", PIN: "0000", Reserve: true, EmergencyAddressID: a.eas[0].ID})
	e.runPorting(t, 0)
	e.do(t, "POST", "/v1/port-orders/"+ex.ID+"/resubmit", a.admin, nil).want(t, http.StatusConflict, inventory.CodeWrongStatus)
	e.do(t, "PATCH", "/v1/port-orders/"+ex.ID, a.admin, `{"pin":"1111"}`).want(t, http.StatusConflict, inventory.CodeWrongStatus)
	e.clock.Advance(2 * time.Minute)
	e.sync(t)
	ex = e.port(t, a.viewer, ex.ID)
	if ex.Status != store.PortException || ex.Exception != "pin_mismatch" || ex.Numbers[0].Exception != "pin_mismatch" {
		t.Fatalf("exception %+v", ex)
	}
	e.do(t, "PATCH", "/v1/port-orders/"+ex.ID, a.admin, `{}`).want(t, http.StatusBadRequest, inventory.CodeMissingField)
	e.do(t, "PATCH", "/v1/port-orders/"+ex.ID, a.admin, `{"pin":""}`).want(t, http.StatusBadRequest, inventory.CodeMissingField)
	e.do(t, "PATCH", "/v1/port-orders/"+ex.ID, a.viewer, `{"pin":"1111"}`).want(t, http.StatusForbidden, inventory.CodeForbidden)
	e.do(t, "PATCH", "/v1/port-orders/"+ex.ID, a.admin, `{"pin":"1111"}`).want(t, http.StatusOK, "")
	r := e.do(t, "POST", "/v1/port-orders/"+ex.ID+"/resubmit", a.admin, nil)
	r.want(t, http.StatusOK, "")
	r.decode(t, &ex)
	if ex.Status != store.PortSubmitted || ex.Submission != 2 {
		t.Fatalf("resubmitted %+v", ex)
	}
	e.runPorting(t, 0)
	e.clock.Advance(3 * time.Minute)
	e.sync(t)
	if ex = e.port(t, a.viewer, ex.ID); ex.Status != store.PortCompleted {
		t.Fatalf("after resubmit %+v", ex)
	}

	// Cancel before FOC: the numbers leave the inventory.
	c := e.createPort(t, a.admin, CreatePortRequest{Numbers: []string{"+14155550301"}, LosingCarrier: "Old Telco", AccountNumber: "A-1", PIN: "1", EmergencyAddressID: a.eas[0].ID})
	e.runPorting(t, 0)
	r = e.do(t, "POST", "/v1/port-orders/"+c.ID+"/cancel", a.admin, nil)
	r.want(t, http.StatusOK, "")
	r.decode(t, &c)
	if c.Status != store.PortCancelled || numberStatus(t, e, a.acct.ID, "+14155550301") != "" {
		t.Fatalf("cancelled %+v", c)
	}
	e.clock.Advance(5 * time.Minute)
	e.sync(t)
	if c = e.port(t, a.viewer, c.ID); c.Status != store.PortCancelled {
		t.Errorf("cancelled order moved on: %+v", c)
	}

	var list PortList
	e.do(t, "GET", "/v1/port-orders?status=completed", a.viewer, nil).decode(t, &list)
	if len(list.PortOrders) != 3 {
		t.Errorf("%d completed orders, want 3", len(list.PortOrders))
	}
	for _, p := range list.PortOrders {
		if p.Status != store.PortCompleted {
			t.Errorf("filtered list holds %s", p.Status)
		}
	}
}

func TestPortBadInput(t *testing.T) {
	e := newEnv(t, Config{})
	a := e.newTenant(t, "Acme", false, 1, 0, "+14155550999")
	ea := a.eas[0].ID
	open := e.createPort(t, a.admin, CreatePortRequest{Numbers: []string{"+14155550500"}, LosingCarrier: "X", AccountNumber: "1", PIN: "2", EmergencyAddressID: ea})
	yesterday := time.Now().UTC().Add(-24 * time.Hour).Format(time.DateOnly)
	body := func(nums []string, mod func(*CreatePortRequest)) CreatePortRequest {
		r := CreatePortRequest{Numbers: nums, LosingCarrier: "Old Telco", AccountNumber: "A-1", PIN: "4321", EmergencyAddressID: ea}
		if mod != nil {
			mod(&r)
		}
		return r
	}
	many := make([]string, store.MaxPort+1)
	for i := range many {
		many[i] = fmt.Sprintf("+1415556%04d", i)
	}
	cases := []struct {
		name   string
		body   CreatePortRequest
		status int
		code   inventory.Code
	}{
		{"no numbers", body(nil, nil), 400, inventory.CodeMissingField},
		{"too many", body(many, nil), 400, inventory.CodeInvalidField},
		{"invalid number", body([]string{"12"}, nil), 400, inventory.CodeInvalidPhoneNumber},
		{"twice", body([]string{"+14155550600", "(415) 555-0600"}, nil), 400, inventory.CodeDuplicateRow},
		{"two countries", body([]string{"+14155550600", "+442079460002"}, nil), 400, inventory.CodeInvalidField},
		{"no losing carrier", body([]string{"+14155550600"}, func(r *CreatePortRequest) { r.LosingCarrier = " " }), 400, inventory.CodeMissingField},
		{"no pin", body([]string{"+14155550600"}, func(r *CreatePortRequest) { r.PIN = "" }), 400, inventory.CodeMissingField},
		{"no account number", body([]string{"+14155550600"}, func(r *CreatePortRequest) { r.AccountNumber = "" }), 400, inventory.CodeMissingField},
		{"FOC date in the past", body([]string{"+14155550600"}, func(r *CreatePortRequest) { r.RequestedFOCDate = yesterday }), 400, inventory.CodeInvalidField},
		{"FOC date malformed", body([]string{"+14155550600"}, func(r *CreatePortRequest) { r.RequestedFOCDate = "31/12/2030" }), 400, inventory.CodeInvalidField},
		{"number in the inventory", body([]string{"+14155550999"}, nil), 409, inventory.CodeNumberExists},
		{"number in an open port order", body([]string{"+14155550600", "+14155550500"}, nil), 409, inventory.CodeNumberExists},
		{"no emergency address", body([]string{"+14155550600"}, func(r *CreatePortRequest) { r.EmergencyAddressID = "" }), 422, inventory.CodeEmergencyAddressRequired},
		{"site without sites", body([]string{"+14155550600"}, func(r *CreatePortRequest) { r.SiteID = "site_1" }), 400, inventory.CodeInvalidField},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.do(t, "POST", "/v1/port-orders", a.admin, c.body).want(t, c.status, c.code)
		})
	}
	if st := numberStatus(t, e, a.acct.ID, "+14155550600"); st != "" {
		t.Errorf("a refused order left +14155550600 %s", st)
	}
	e.do(t, "GET", "/v1/port-orders?status=done", a.viewer, nil).want(t, 400, inventory.CodeInvalidField)
	e.do(t, "GET", "/v1/port-orders/port_nope", a.viewer, nil).want(t, 404, inventory.CodeNotFound)
	e.do(t, "POST", "/v1/port-orders/"+open.ID+"/resubmit", a.admin, nil).want(t, 409, inventory.CodeWrongStatus)
	// Another account may not port a number this one is porting.
	b := e.newTenant(t, "Beta", false, 1, 0)
	e.do(t, "POST", "/v1/port-orders", b.admin, CreatePortRequest{Numbers: []string{"+14155550500"}, LosingCarrier: "X", AccountNumber: "1", PIN: "2", EmergencyAddressID: b.eas[0].ID}).want(t, 409, inventory.CodeNumberExists)
	// The sync polls each open order once per window.
	from := e.queue.len()
	task, _ := jobs.NewPortSyncTask(time.Now())
	e.queue.EnqueueContext(ctx, task)
	h := &worker.Handlers{Store: e.st, Queue: e.queue, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: worker.NewMetrics(nil)}
	if err := h.PortSync(ctx, task); err != nil {
		t.Fatal(err)
	}
	e.queue.mu.Lock()
	var polls []string
	for _, t := range e.queue.tasks[from:] {
		if t.Type() == jobs.TypePortPoll {
			polls = append(polls, string(t.Payload()))
		}
	}
	e.queue.mu.Unlock()
	if len(polls) != 1 || !slices.ContainsFunc(polls, func(p string) bool { return len(p) > 0 }) {
		t.Errorf("polls %v, want one for the open order", polls)
	}
}
