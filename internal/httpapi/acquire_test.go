package httpapi

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/numberdesk/numberdesk/internal/carrier"
	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/phone"
	"github.com/numberdesk/numberdesk/internal/store"
	"github.com/numberdesk/numberdesk/jobs"
	"github.com/numberdesk/numberdesk/worker"
)

func (e *env) search(tb testing.TB, token string, body any) SearchResponse {
	tb.Helper()
	r := e.do(tb, "POST", "/v1/numbers/search", token, body)
	r.want(tb, http.StatusOK, "")
	var out SearchResponse
	r.decode(tb, &out)
	return out
}

// TestSearchFilters checks that every result meets every filter, alone
// and combined.
func TestSearchFilters(t *testing.T) {
	e := newEnv(t, Config{})
	a := e.newTenant(t, "Acme", false, 1, 0)
	type check func(r SearchResult) bool
	cases := []struct {
		name  string
		body  SearchRequest
		check check
	}{
		{"country only", SearchRequest{Country: "US"}, func(r SearchResult) bool { return r.Country == "US" && r.Type == "toll" }},
		{"state", SearchRequest{Country: "US", State: "TX"}, func(r SearchResult) bool { return r.State == "TX" }},
		{"area code", SearchRequest{Country: "US", AreaCode: "512"}, func(r SearchResult) bool { return r.AreaCode == "512" }},
		{"state and area code", SearchRequest{Country: "US", State: "CA", AreaCode: "415"}, func(r SearchResult) bool { return r.AreaCode == "415" && r.State == "CA" }},
		{"city", SearchRequest{Country: "US", State: "CA", City: "san francisco"}, func(r SearchResult) bool { return r.City == "San Francisco" && r.State == "CA" }},
		{"prefix digits", SearchRequest{Country: "US", AreaCode: "512", Prefix: "46"}, func(r SearchResult) bool { return strings.HasPrefix(r.Number, "+151246") }},
		{"prefix letters", SearchRequest{Country: "US", AreaCode: "650", Prefix: "YKI"}, func(r SearchResult) bool { return strings.HasPrefix(r.Number, "+1650954") }},
		{"toll-free", SearchRequest{Country: "US", Type: "toll_free"}, func(r SearchResult) bool {
			return r.Type == "toll_free" && slices.Contains([]string{"800", "833", "844", "855", "866", "877", "888"}, r.AreaCode)
		}},
		{"toll-free code and vanity", SearchRequest{Country: "US", Type: "toll_free", AreaCode: "888", Prefix: "FLO"}, func(r SearchResult) bool { return strings.HasPrefix(r.Number, "+1888356") }},
		{"other country", SearchRequest{Country: "GB", AreaCode: "20"}, func(r SearchResult) bool { return r.Country == "GB" && strings.HasPrefix(r.Number, "+4420") }},
		{"Poland", SearchRequest{Country: "PL", Type: "toll_free"}, func(r SearchResult) bool { return r.Country == "PL" && strings.HasPrefix(r.Number, "+48800") }},
		{"default country", SearchRequest{AreaCode: "212"}, func(r SearchResult) bool { return r.Country == "US" && r.State == "NY" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.body.Limit = 25
			out := e.search(t, a.viewer, c.body)
			if len(out.Numbers) == 0 || out.Source != "carrier" || out.NumberRequest != nil {
				t.Fatalf("%+v", out)
			}
			for _, r := range out.Numbers {
				if !c.check(r) {
					t.Errorf("result %+v does not meet %+v", r, c.body)
				}
				info, err := phone.Info(r.Number)
				if err != nil || info.Country != r.Country || info.Type != r.Type {
					t.Errorf("result %+v: libphonenumber says %+v %v", r, info, err)
				}
			}
		})
	}

	t.Run("sequential", func(t *testing.T) {
		out := e.search(t, a.viewer, SearchRequest{Country: "US", AreaCode: "512", Sequential: true, Limit: 50})
		nums := numbersOf(out)
		if len(nums) != 50 || !slices.IsSorted(nums) {
			t.Errorf("not ascending: %v", nums)
		}
	})
	t.Run("consecutive", func(t *testing.T) {
		out := e.search(t, a.viewer, SearchRequest{Country: "US", AreaCode: "512", Consecutive: 5, Limit: 20})
		nums := numbersOf(out)
		if len(nums) != 20 {
			t.Fatalf("%d numbers", len(nums))
		}
		for b := 0; b < len(nums); b += 5 {
			for i := b + 1; i < b+5; i++ {
				if !isNext(nums[i-1], nums[i]) {
					t.Errorf("block %v is not consecutive", nums[b:b+5])
				}
			}
		}
	})
	t.Run("limit", func(t *testing.T) {
		if out := e.search(t, a.viewer, SearchRequest{Country: "US", Limit: 1000}); len(out.Numbers) != 1000 {
			t.Errorf("%d numbers, want 1000", len(out.Numbers))
		}
	})
	t.Run("empty area suggests a number request", func(t *testing.T) {
		empty := ""
		for _, ac := range phone.AreaCodes("US", "") {
			out := e.search(t, a.viewer, SearchRequest{Country: "US", AreaCode: ac.Code, Limit: 1})
			if len(out.Numbers) == 0 {
				empty = ac.Code
				if out.NumberRequest == nil || out.NumberRequest.Request.AreaCode != ac.Code || out.NumberRequest.Request.Quantity != 1 {
					t.Errorf("empty result without a number request: %+v", out)
				}
				break
			}
		}
		if empty == "" {
			t.Fatal("no US area code is empty: the sandbox must leave some empty")
		}
	})
}

func numbersOf(out SearchResponse) []string {
	var n []string
	for _, r := range out.Numbers {
		n = append(n, r.Number)
	}
	return n
}

func TestSearchReservedOnly(t *testing.T) {
	e := newEnv(t, Config{})
	a := e.newTenant(t, "Acme", false, 1, 0)
	// In ascending order, as results come.
	reserved := []string{"+15125550100", "+16509540001", "+16509540002", "+16509540003", "+16509540005", "+18885550100"}
	spec := store.AcquireSpec{Status: inventory.StatusReserved, EmergencyAddressID: a.eas[0].ID}
	for _, n := range reserved {
		info, _ := phone.Info(n)
		spec.Numbers = append(spec.Numbers, store.NewNumber{Number: n, Type: inventory.NumberType(info.Type), Country: info.Country, AreaCode: info.AreaCode, Region: info.Region, City: info.City})
	}
	if _, err := e.st.Acquire(ctx, a.acct.ID, spec, store.Actor{Name: "t"}, store.BatchOptions{}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		body SearchRequest
		want []string
	}{
		{SearchRequest{ReservedOnly: true}, reserved[:5]},
		{SearchRequest{ReservedOnly: true, Type: "toll_free"}, reserved[5:]},
		{SearchRequest{ReservedOnly: true, AreaCode: "650", Prefix: "YKI"}, reserved[1:5]},
		{SearchRequest{ReservedOnly: true, State: "TX"}, reserved[:1]},
		{SearchRequest{ReservedOnly: true, Consecutive: 3}, reserved[1:4]},
		{SearchRequest{ReservedOnly: true, Limit: 2}, reserved[:2]},
		{SearchRequest{ReservedOnly: true, Country: "GB"}, nil},
	}
	for _, c := range cases {
		out := e.search(t, a.viewer, c.body)
		if got := numbersOf(out); !slices.Equal(got, c.want) || out.Source != "reserved" {
			t.Errorf("%+v: %v, want %v", c.body, got, c.want)
		}
		for _, r := range out.Numbers {
			if !r.Reserved {
				t.Errorf("%s not marked reserved", r.Number)
			}
		}
	}
}

func TestSearchBadInput(t *testing.T) {
	e := newEnv(t, Config{})
	a := e.newTenant(t, "Acme", false, 1, 0)
	cases := []struct {
		body string
		code inventory.Code
	}{
		{`{"country":"FR"}`, inventory.CodeInvalidField},
		{`{"type":"mobile"}`, inventory.CodeInvalidField},
		{`{"state":"ZZ"}`, inventory.CodeInvalidField},
		{`{"area_code":"999"}`, inventory.CodeInvalidField},
		{`{"state":"TX","area_code":"415"}`, inventory.CodeInvalidField},
		{`{"type":"toll_free","area_code":"650"}`, inventory.CodeInvalidField},
		{`{"type":"toll_free","state":"CA"}`, inventory.CodeInvalidField},
		{`{"type":"toll_free","city":"Austin"}`, inventory.CodeInvalidField},
		{`{"prefix":"9*5"}`, inventory.CodeInvalidField},
		{`{"prefix":"123456789"}`, inventory.CodeInvalidField},
		{`{"limit":1001}`, inventory.CodeInvalidField},
		{`{"limit":-1}`, inventory.CodeInvalidField},
		{`{"consecutive":21}`, inventory.CodeInvalidField},
		{`{"sequential":"yes"}`, inventory.CodeInvalidField},
		{`{"colour":"red"}`, CodeUnknownField},
	}
	for _, c := range cases {
		r := e.do(t, "POST", "/v1/numbers/search", a.viewer, c.body)
		r.want(t, http.StatusBadRequest, c.code)
	}
}

func TestSearchCarrierDown(t *testing.T) {
	// A carrier that does not answer is 503 carrier_unavailable.
	down := newEnv(t, Config{Carrier: carrier.NewClient("http://127.0.0.1:1", carrier.WithMaxAttempts(1))})
	b := down.newTenant(t, "Down", false, 1, 0)
	down.do(t, "POST", "/v1/numbers/search", b.viewer, `{"area_code":"512"}`).want(t, http.StatusServiceUnavailable, CodeCarrierUnavailable)
	// reserved_only does not need the carrier.
	down.do(t, "POST", "/v1/numbers/search", b.viewer, `{"reserved_only":true}`).want(t, http.StatusOK, "")
}

// runOrders runs the order tasks queued so far through the real handler.
func (e *env) runOrders(tb testing.TB) {
	tb.Helper()
	h := &worker.Handlers{Store: e.st, Carrier: e.sandbox, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: worker.NewMetrics(nil)}
	e.queue.mu.Lock()
	tasks := slices.Clone(e.queue.tasks)
	e.queue.mu.Unlock()
	for _, t := range tasks {
		var err error
		switch t.Type() {
		case jobs.TypeOrderPlace:
			err = h.PlaceOrder(ctx, t)
		case jobs.TypeRequestForward:
			err = h.ForwardRequest(ctx, t)
		}
		if err != nil {
			tb.Fatalf("%s: %v", t.Type(), err)
		}
	}
}

// TestOrderFlow: search, order the results (one of them a reserved number
// of the account), run the job, read the order and the inventory.
func TestOrderFlow(t *testing.T) {
	e := newEnv(t, Config{})
	a := e.newTenant(t, "Acme", true, 2, 0)
	if err := e.st.SetLicenses(ctx, a.acct.ID, 4, 1); err != nil {
		t.Fatal(err)
	}
	reserved := "+15125550199"
	if _, err := e.st.Acquire(ctx, a.acct.ID, store.AcquireSpec{Status: inventory.StatusReserved, SiteID: a.sites[1].ID,
		Numbers: []store.NewNumber{{Number: reserved, Type: inventory.Toll, Country: "US", AreaCode: "512", Region: "TX", City: "Austin"}}}, store.Actor{Name: "t"}, store.BatchOptions{}); err != nil {
		t.Fatal(err)
	}
	found := numbersOf(e.search(t, a.viewer, SearchRequest{AreaCode: "512", Prefix: "46", Limit: 3}))
	order := append(slices.Clone(found), reserved)

	// Bad orders first: nothing is held by any of them.
	bad := []struct {
		body   string
		status int
		code   inventory.Code
	}{
		{`{}`, 400, inventory.CodeMissingField},
		{fmt.Sprintf(`{"numbers":[%q]}`, found[0]), 422, inventory.CodeSiteRequired},
		{fmt.Sprintf(`{"numbers":[%q],"site_id":"site_nope"}`, found[0]), 404, inventory.CodeSiteNotFound},
		{fmt.Sprintf(`{"numbers":[%q],"site_id":%q,"emergency_address_id":%q}`, found[0], a.sites[0].ID, a.eas[0].ID), 400, inventory.CodeInvalidField},
		{fmt.Sprintf(`{"numbers":[%q,%q],"site_id":%q}`, found[0], found[0], a.sites[0].ID), 400, inventory.CodeDuplicateRow},
		{fmt.Sprintf(`{"numbers":["12"],"site_id":%q}`, a.sites[0].ID), 400, inventory.CodeInvalidPhoneNumber},
		{fmt.Sprintf(`{"numbers":[%q,%q,%q,%q,"+16509540001"],"site_id":%q}`, found[0], found[1], found[2], reserved, a.sites[0].ID), 422, inventory.CodeLicenseExhausted},
		{fmt.Sprintf(`{"numbers":["+18885550123","+18885550124"],"site_id":%q}`, a.sites[0].ID), 422, inventory.CodeLicenseExhausted},
		{fmt.Sprintf(`{"numbers":[%q],"site_id":%q}`, strings.Repeat("1", 3), a.sites[0].ID), 400, inventory.CodeInvalidPhoneNumber},
	}
	for _, b := range bad {
		e.do(t, "POST", "/v1/orders", a.admin, b.body).want(t, b.status, b.code)
	}
	too := make([]string, store.MaxOrder+1)
	for i := range too {
		too[i] = fmt.Sprintf("+1512460%04d", i)
	}
	e.do(t, "POST", "/v1/orders", a.admin, CreateOrderRequest{Numbers: too, SiteID: a.sites[0].ID}).want(t, 400, inventory.CodeInvalidField)
	if acct, _ := e.st.Account(ctx, a.acct.ID); acct.Licenses.PhoneNumber.Held != 0 {
		t.Fatalf("bad orders held licences: %+v", acct.Licenses)
	}

	r := e.do(t, "POST", "/v1/orders", a.admin, CreateOrderRequest{Numbers: order, SiteID: a.sites[0].ID})
	r.want(t, http.StatusAccepted, "")
	var o store.Order
	r.decode(t, &o)
	if o.Status != store.OrderPending || len(o.Numbers) != 4 || e.queue.len() != 1 {
		t.Fatalf("order %+v, %d tasks", o, e.queue.len())
	}
	// While it is pending the licences are held: another order is refused.
	e.do(t, "POST", "/v1/orders", a.admin, CreateOrderRequest{Numbers: []string{"+16509540001"}, SiteID: a.sites[0].ID}).want(t, 422, inventory.CodeLicenseExhausted)

	e.runOrders(t)
	r = e.do(t, "GET", "/v1/orders/"+o.ID, a.viewer, nil)
	r.want(t, http.StatusOK, "")
	r.decode(t, &o)
	if o.Status != store.OrderCompleted || o.Acquired != 3 || o.Activated != 1 {
		t.Fatalf("order %+v", o)
	}
	for _, n := range order {
		got, err := e.st.Number(ctx, a.acct.ID, n)
		if err != nil || got.Status != inventory.StatusUnassigned || got.SiteID != a.sites[0].ID {
			t.Errorf("number %s: %+v %v", n, got, err)
		}
	}
	var list OrderList
	e.do(t, "GET", "/v1/orders", a.viewer, nil).decode(t, &list)
	if len(list.Orders) != 1 || list.Orders[0].ID != o.ID {
		t.Errorf("orders %+v", list)
	}
	// Ordered numbers are no longer offered.
	again := numbersOf(e.search(t, a.viewer, SearchRequest{AreaCode: "512", Prefix: "46", Limit: 1000}))
	for _, n := range found {
		if slices.Contains(again, n) {
			t.Errorf("%s is offered after it was sold", n)
		}
	}
}

func TestNumberRequests(t *testing.T) {
	e := newEnv(t, Config{})
	a := e.newTenant(t, "Acme", false, 1, 0)
	bad := []struct {
		body string
		code inventory.Code
	}{
		{`{"country":"FR"}`, inventory.CodeInvalidField},
		{`{"type":"mobile"}`, inventory.CodeInvalidField},
		{`{"quantity":-1}`, inventory.CodeInvalidField},
		{`{"quantity":1001}`, inventory.CodeInvalidField},
		{`{"state":"ZZ"}`, inventory.CodeInvalidField},
		{`{"area_code":"999"}`, inventory.CodeInvalidField},
		{`{"vanity":"FLOWERS!"}`, inventory.CodeInvalidField},
		{`{"vanity":"ABCDEFGHIJK"}`, inventory.CodeInvalidField},
	}
	for _, b := range bad {
		e.do(t, "POST", "/v1/number-requests", a.admin, b.body).want(t, 400, b.code)
	}
	e.do(t, "POST", "/v1/number-requests", a.viewer, `{}`).want(t, 403, inventory.CodeForbidden)

	var ids []string
	for _, body := range []string{`{"type":"toll_free","area_code":"800","vanity":"flowers"}`, `{"area_code":"512","quantity":50}`} {
		r := e.do(t, "POST", "/v1/number-requests", a.admin, body)
		r.want(t, http.StatusAccepted, "")
		var req store.NumberRequest
		r.decode(t, &req)
		if req.Status != store.RequestOpen || req.Country != "US" {
			t.Fatalf("request %+v", req)
		}
		ids = append(ids, req.ID)
	}
	e.runOrders(t)
	want := []string{store.RequestFulfilled, store.RequestRejected}
	for i, id := range ids {
		var req store.NumberRequest
		e.do(t, "GET", "/v1/number-requests/"+id, a.viewer, nil).decode(t, &req)
		if req.Status != want[i] || len(req.History) != 3 {
			t.Errorf("request %+v, want %s", req, want[i])
		}
	}
	var list NumberRequestList
	e.do(t, "GET", "/v1/number-requests", a.viewer, nil).decode(t, &list)
	// Newest first; two requests made in the same millisecond may come in
	// either order.
	if len(list.Requests) != 2 || list.Requests[0].CreatedAt.Before(list.Requests[1].CreatedAt) ||
		!(list.Requests[0].ID == ids[1] && list.Requests[1].ID == ids[0] ||
			list.Requests[0].CreatedAt.Equal(list.Requests[1].CreatedAt) && list.Requests[0].ID == ids[0] && list.Requests[1].ID == ids[1]) {
		t.Errorf("list %+v, want %v newest first", list, ids)
	}
}
