package httpapi

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/store"
	"github.com/redis/go-redis/v9"
)

func TestTokens(t *testing.T) {
	e := newEnv(t, Config{})
	a := e.newTenant(t, "Acme", false, 0, 0)

	// An admin mints admins and viewers, not owners.
	e.do(t, "POST", "/v1/tokens", a.admin, `{"role":"owner","name":"boss"}`).want(t, http.StatusForbidden, inventory.CodeForbidden)
	r := e.do(t, "POST", "/v1/tokens", a.admin, `{"role":"viewer","name":"dashboard"}`)
	r.want(t, http.StatusCreated, "")
	var created CreatedToken
	r.decode(t, &created)
	if !strings.HasPrefix(created.Secret, store.TokenPrefix) || created.Role != inventory.RoleViewer || created.Name != "dashboard" {
		t.Fatalf("created %+v", created)
	}
	e.do(t, "GET", "/v1/account", created.Secret, nil).want(t, http.StatusOK, "")

	// The list never shows secrets.
	r = e.do(t, "GET", "/v1/tokens", a.viewer, nil)
	r.want(t, http.StatusOK, "")
	if strings.Contains(string(r.body), created.Secret) || strings.Contains(string(r.body), a.owner) {
		t.Fatalf("token list shows a secret: %s", r.body)
	}
	var list TokenList
	r.decode(t, &list)
	var names []string
	for _, tok := range list.Tokens {
		names = append(names, tok.Name+":"+string(tok.Role))
	}
	if diff := cmp.Diff([]string{"Acme owner:owner", "Acme admin:admin", "Acme viewer:viewer", "dashboard:viewer"}, names); diff != "" {
		t.Errorf("tokens (-want +got):\n%s", diff)
	}

	// An admin cannot revoke the owner; revoking works at once.
	e.do(t, "DELETE", "/v1/tokens/"+a.tokenIDs[0], a.admin, nil).want(t, http.StatusForbidden, inventory.CodeForbidden)
	e.do(t, "DELETE", "/v1/tokens/"+created.ID, a.admin, nil).want(t, http.StatusNoContent, "")
	e.do(t, "GET", "/v1/account", created.Secret, nil).want(t, http.StatusUnauthorized, inventory.CodeUnauthorized)
	e.do(t, "DELETE", "/v1/tokens/"+created.ID, a.admin, nil).want(t, http.StatusNotFound, inventory.CodeNotFound)
	// The owner mints an owner.
	e.do(t, "POST", "/v1/tokens", a.owner, `{"role":"owner","name":"deputy"}`).want(t, http.StatusCreated, "")
}

func TestSitesAndAddresses(t *testing.T) {
	e := newEnv(t, Config{})
	a := e.newTenant(t, "Acme", true, 0, 0)
	r := e.do(t, "POST", "/v1/emergency-addresses", a.admin, `{"street":"1 Main St","city":"Austin","state":"TX","postal_code":"78701","country":"us"}`)
	r.want(t, http.StatusCreated, "")
	var ea inventory.EmergencyAddress
	r.decode(t, &ea)
	want := inventory.EmergencyAddress{ID: ea.ID, Street: "1 Main St", City: "Austin", State: "TX", PostalCode: "78701", Country: "US"}
	if diff := cmp.Diff(want, ea); diff != "" {
		t.Errorf("address (-want +got):\n%s", diff)
	}
	r = e.do(t, "POST", "/v1/sites", a.admin, fmt.Sprintf(`{"name":"Austin","country":"US","emergency_address_id":%q}`, ea.ID))
	r.want(t, http.StatusCreated, "")
	var site inventory.Site
	r.decode(t, &site)

	var sites SiteList
	e.do(t, "GET", "/v1/sites", a.viewer, nil).decode(t, &sites)
	if diff := cmp.Diff(SiteList{Sites: []inventory.Site{site}}, sites); diff != "" {
		t.Errorf("sites (-want +got):\n%s", diff)
	}
	var got inventory.Site
	e.do(t, "GET", "/v1/sites/"+site.ID, a.viewer, nil).decode(t, &got)
	if diff := cmp.Diff(site, got); diff != "" {
		t.Errorf("site (-want +got):\n%s", diff)
	}
	var eas EmergencyAddressList
	e.do(t, "GET", "/v1/emergency-addresses", a.viewer, nil).decode(t, &eas)
	if diff := cmp.Diff(EmergencyAddressList{EmergencyAddresses: []inventory.EmergencyAddress{ea}}, eas); diff != "" {
		t.Errorf("addresses (-want +got):\n%s", diff)
	}
	e.do(t, "GET", "/v1/emergency-addresses/"+ea.ID, a.viewer, nil).want(t, http.StatusOK, "")

	// With sites, an extension needs one.
	e.do(t, "POST", "/v1/extensions", a.admin, `{"type":"room","name":"Lab"}`).want(t, http.StatusUnprocessableEntity, inventory.CodeSiteRequired)
	e.do(t, "POST", "/v1/extensions", a.admin, fmt.Sprintf(`{"type":"Call Queue","name":"Sales","site_id":%q}`, site.ID)).want(t, http.StatusCreated, "")
}

func TestListings(t *testing.T) {
	e := newEnv(t, Config{})
	var nums []string
	for i := 0; i < 7; i++ {
		nums = append(nums, fmt.Sprintf("+1650555%04d", 100+i))
	}
	a := e.newTenant(t, "Acme", false, 1, 0, nums...)
	for _, x := range []string{`{"type":"user","name":"Ann Lee","email":"ann@example.com","extension_number":"101"}`,
		`{"type":"user","name":"Bob Stone","email":"bob@example.com","extension_number":"102"}`,
		`{"type":"room","name":"Annex","extension_number":"201"}`} {
		e.do(t, "POST", "/v1/extensions", a.admin, x).want(t, http.StatusCreated, "")
	}
	e.do(t, "POST", "/v1/numbers/%2B16505550100/assign", a.admin, `{"extension_number":"101"}`).want(t, http.StatusOK, "")

	// Numbers: pages of 2; porting, then reserved, then assigned and
	// unassigned together, each in numeric order.
	var got []string
	next := ""
	for pages := 0; ; pages++ {
		var page NumberList
		e.do(t, "GET", "/v1/numbers?limit=2&cursor="+next, a.viewer, nil).decode(t, &page)
		for _, n := range page.Numbers {
			got = append(got, string(n.Status)+" "+n.Number)
		}
		if next = page.NextCursor; next == "" || pages > 10 {
			break
		}
	}
	want := []string{"assigned " + nums[0]}
	for _, n := range nums[1:] {
		want = append(want, "unassigned "+n)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("numbers (-want +got):\n%s", diff)
	}
	var page NumberList
	e.do(t, "GET", "/v1/numbers?status=assigned", a.viewer, nil).decode(t, &page)
	if len(page.Numbers) != 1 || page.Numbers[0].Assignee == nil || page.Numbers[0].Assignee.ExtensionNumber != "101" {
		t.Errorf("assigned: %+v", page)
	}
	e.do(t, "GET", "/v1/numbers?q=555-0103", a.viewer, nil).decode(t, &page)
	if len(page.Numbers) != 1 || page.Numbers[0].Number != "+16505550103" {
		t.Errorf("q: %+v", page)
	}

	// Extensions: search and pages.
	search := func(q string, limit int) []string {
		var out []string
		next := ""
		for i := 0; i < 10; i++ {
			var l ExtensionList
			e.do(t, "GET", fmt.Sprintf("/v1/extensions?q=%s&limit=%d&cursor=%s", q, limit, next), a.viewer, nil).decode(t, &l)
			for _, x := range l.Extensions {
				out = append(out, x.ExtensionNumber)
			}
			if next = l.NextCursor; next == "" {
				break
			}
		}
		return out
	}
	if diff := cmp.Diff([]string{"101", "102", "201"}, search("", 2)); diff != "" {
		t.Errorf("all extensions (-want +got):\n%s", diff)
	}
	// One page: pages of a search can repeat an extension that matches by
	// several terms (a store limitation, see SearchExtensions).
	if diff := cmp.Diff([]string{"101", "201"}, search("AN", 10)); diff != "" {
		t.Errorf("search AN (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"102"}, search("bob%40", 5)); diff != "" {
		t.Errorf("search email (-want +got):\n%s", diff)
	}
	var x inventory.Extension
	e.do(t, "GET", "/v1/extensions/ext_2", a.viewer, nil).decode(t, &x)
	if diff := cmp.Diff(inventory.Extension{ID: "ext_2", ExtensionNumber: "102", Type: "user", Name: "Bob Stone", Email: "bob@example.com"}, x); diff != "" {
		t.Errorf("extension (-want +got):\n%s", diff)
	}

	// The audit log in pages of 1: newest first.
	var actions []string
	next = ""
	for i := 0; i < 10; i++ {
		var p AuditPage
		e.do(t, "GET", "/v1/audit?limit=1&cursor="+next, a.viewer, nil).decode(t, &p)
		for _, en := range p.Entries {
			actions = append(actions, en.Action+" "+en.Number)
		}
		if next = p.NextCursor; next == "" {
			break
		}
	}
	if len(actions) != 8 || actions[0] != "assign +16505550100" || actions[7] != "acquire +16505550100" {
		t.Errorf("audit log: %v", actions)
	}
}

func TestRequestIDAndMetrics(t *testing.T) {
	e := newEnv(t, Config{})
	a := e.newTenant(t, "Acme", false, 1, 0, "+16505550100")
	r := e.do(t, "GET", "/v1/numbers/%2B16505550100", a.viewer, nil, "X-Request-ID", "abc-123")
	if got := r.header.Get("X-Request-ID"); got != "abc-123" {
		t.Errorf("request id %q, want the client's", got)
	}
	r = e.do(t, "GET", "/v1/numbers/garbage", a.viewer, nil, "X-Request-ID", "bad id with spaces")
	if p := r.problem(t); p.RequestID == "" || p.RequestID != r.header.Get("X-Request-ID") || strings.Contains(p.RequestID, " ") {
		t.Errorf("problem request id %q, header %q", p.RequestID, r.header.Get("X-Request-ID"))
	}
	e.do(t, "GET", "/nothing/here", "", nil).want(t, http.StatusNotFound, inventory.CodeNotFound)

	m := string(e.do(t, "GET", "/metrics", "", nil).body)
	for _, want := range []string{
		`numberdesk_http_request_duration_seconds_count{code="200",route="GET /v1/numbers/{number}"} 1`,
		`numberdesk_http_request_duration_seconds_count{code="400",route="GET /v1/numbers/{number}"} 1`,
		`numberdesk_http_request_duration_seconds_count{code="404",route="unmatched"} 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	for _, bad := range []string{"16505550100", "numbers/garbage", "/nothing"} {
		if strings.Contains(m, bad) {
			t.Errorf("metrics hold a raw path %q", bad)
		}
	}
}

// TestPanic checks a panicking handler becomes a logged 500 problem.
func TestPanic(t *testing.T) {
	var logs strings.Builder
	e := newEnv(t, Config{Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	rt := &route{Method: "GET", Pattern: "/boom", handler: jsonOut(http.StatusOK, func(c *call) (Health, error) { panic("boom") })}
	e.api.mux.Handle(rt.key(), e.api.serveRoute(rt))
	r := e.do(t, "GET", "/boom", "", nil)
	r.want(t, http.StatusInternalServerError, inventory.CodeInternal)
	if p := r.problem(t); strings.Contains(p.Detail, "boom") {
		t.Errorf("the panic leaks to the client: %s", p.Detail)
	}
	if !strings.Contains(logs.String(), `"panic":"boom"`) {
		t.Errorf("panic not logged: %s", logs.String())
	}
	m := string(e.do(t, "GET", "/metrics", "", nil).body)
	if !strings.Contains(m, `numberdesk_http_request_duration_seconds_count{code="500",route="GET /boom"} 1`) {
		t.Errorf("panic not counted as 500")
	}
}

func TestHealth(t *testing.T) {
	e := newEnv(t, Config{})
	e.do(t, "GET", "/healthz", "", nil).want(t, http.StatusOK, "")
	e.do(t, "GET", "/readyz", "", nil).want(t, http.StatusOK, "")

	// Redis down: ready no more, still healthy.
	down := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1})
	t.Cleanup(func() { down.Close() })
	h, err := New(Config{Store: store.New(down), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	d := &env{srv: srv}
	d.do(t, "GET", "/healthz", "", nil).want(t, http.StatusOK, "")
	d.do(t, "GET", "/readyz", "", nil).want(t, http.StatusServiceUnavailable, CodeUnavailable)
	// A store error is a 500 that says nothing of Redis.
	r := d.do(t, "GET", "/v1/account", "nd_a1_x", nil)
	r.want(t, http.StatusInternalServerError, inventory.CodeInternal)
	if strings.Contains(string(r.body), "127.0.0.1") {
		t.Errorf("internal error leaks: %s", r.body)
	}
}

// TestStatusTable checks every domain code has its status.
func TestStatusTable(t *testing.T) {
	want := map[int][]inventory.Code{
		400: {inventory.CodeInvalidPhoneNumber, inventory.CodeMissingField, inventory.CodeInvalidField, inventory.CodeInvalidAction, inventory.CodeDuplicateRow, CodeInvalidJSON, CodeUnknownField},
		401: {inventory.CodeUnauthorized},
		403: {inventory.CodeForbidden},
		404: {inventory.CodeNumberNotFound, inventory.CodeExtensionNotFound, inventory.CodeSiteNotFound, inventory.CodeEmergencyAddressNotFound, inventory.CodeNotFound, inventory.CodeAccountNotFound},
		405: {CodeMethodNotAllowed},
		409: {inventory.CodeAlreadyAssigned, inventory.CodeNotAssigned, inventory.CodeNumberNotActive, inventory.CodeWrongStatus, inventory.CodeNumberExists, inventory.CodeExtensionExists, inventory.CodeConflict},
		413: {CodeBodyTooLarge},
		415: {CodeUnsupportedMediaType},
		422: {inventory.CodeLicenseExhausted, inventory.CodeTollFreeLicenseRequired, inventory.CodeSiteRequired, inventory.CodeSiteMismatch, inventory.CodeEmergencyAddressRequired},
		429: {CodeRateLimited},
		500: {inventory.CodeInternal},
		503: {CodeUnavailable, CodeCarrierUnavailable},
	}
	n := 0
	for status, codes := range want {
		for _, c := range codes {
			n++
			if got := StatusOf(c); got != status {
				t.Errorf("StatusOf(%s) = %d, want %d", c, got, status)
			}
		}
	}
	if n != len(statuses) {
		t.Errorf("the test knows %d codes, the table %d", n, len(statuses))
	}
}
