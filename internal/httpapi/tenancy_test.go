package httpapi

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/store"
)

// probe is how the tenancy matrix calls one route: a valid request body
// and query, and what a token of another account gets back.
type probe struct {
	query string
	body  string
	// hdr are header name/value pairs sent with the request (see env.do).
	hdr []string
	// other is the status a token of another account gets: 404 for
	// another account's object, the success status where the route works
	// on the caller's own account.
	other int
}

// TestTenancyMatrix calls every route of the route table as: no token, a
// forged token, a revoked token, a token of another account, and (for
// writes) a viewer. A route added to the table without a probe here fails
// the test.
func TestTenancyMatrix(t *testing.T) {
	e := newEnv(t, Config{})
	// Ids count per account: Alpha has more of everything than Beta will
	// have after the probes create theirs, so Alpha's last ids (ext_5,
	// site_4, tok_8 ...) do not exist in Beta: Beta must get 404, not an
	// object of its own with the same id.
	alpha := e.newTenant(t, "Alpha", true, 4, 5, "+16505550101", "+16505550102")
	beta := e.newTenant(t, "Beta", true, 1, 1, "+16505550201")
	var extra store.Token
	for i := 0; i < 4; i++ {
		tok, _, err := e.st.CreateToken(ctx, alpha.acct.ID, fmt.Sprintf("Alpha extra %d", i), inventory.RoleViewer)
		if err != nil {
			t.Fatal(err)
		}
		extra = tok
	}
	_, revoked, err := e.st.CreateToken(ctx, alpha.acct.ID, "Alpha revoked", inventory.RoleOwner)
	if err != nil {
		t.Fatal(err)
	}
	revokedTok, err := e.st.LookupToken(ctx, revoked)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.st.RevokeToken(ctx, alpha.acct.ID, revokedTok.ID); err != nil {
		t.Fatal(err)
	}

	imp, err := e.st.CreateImport(ctx, alpha.acct.ID, "assignments", false, "alpha.csv", "Alpha admin")
	if err != nil {
		t.Fatal(err)
	}

	order, err := e.st.CreateOrder(ctx, alpha.acct.ID, store.OrderSpec{SiteID: alpha.sites[0].ID, Numbers: []store.NewNumber{{Number: "+16502530001", Type: inventory.Toll, Country: "US"}}}, store.Actor{Name: "Alpha admin"})
	if err != nil {
		t.Fatal(err)
	}
	req, err := e.st.CreateRequest(ctx, alpha.acct.ID, store.NumberRequest{Country: "US", Type: "toll", AreaCode: "650", Quantity: 1}, store.Actor{Name: "Alpha admin"})
	if err != nil {
		t.Fatal(err)
	}

	port, err := e.st.CreatePort(ctx, alpha.acct.ID, store.PortSpec{Country: "US", SiteID: alpha.sites[0].ID, LosingCarrier: "X", AccountNumber: "1", PIN: "2",
		Numbers: []store.NewNumber{{Number: "+16502530002", Type: inventory.Toll, Country: "US"}}}, store.Actor{Name: "Alpha admin"})
	if err != nil {
		t.Fatal(err)
	}

	// Alpha's objects, by the path segment before a wildcard.
	objects := map[string]string{
		"imports":             imp.ID,
		"orders":              order.ID,
		"number-requests":     req.ID,
		"port-orders":         port.ID,
		"tokens":              extra.ID,
		"emergency-addresses": alpha.eas[3].ID,
		"sites":               alpha.sites[3].ID,
		"extensions":          alpha.exts[4].ID,
		"numbers":             url.PathEscape(alpha.numbers[0]),
	}
	// What of Alpha must never reach Beta.
	secrets := []string{alpha.acct.ID, "Alpha", "alpha", "+16505550101", "+16505550102"}

	probes := map[string][]probe{
		"GET /healthz":                       {{other: 200}},
		"GET /readyz":                        {{other: 200}},
		"GET /metrics":                       {{other: 200}},
		"GET /openapi.json":                  {{other: 200}},
		"GET /v1/account":                    {{other: 200}},
		"POST /v1/tokens":                    {{body: `{"role":"viewer","name":"probe"}`, other: 201}},
		"GET /v1/tokens":                     {{other: 200}},
		"DELETE /v1/tokens/{id}":             {{other: 404}},
		"POST /v1/emergency-addresses":       {{body: `{"street":"9 Probe St","city":"Probeville","postal_code":"10001","country":"US"}`, other: 201}},
		"GET /v1/emergency-addresses":        {{other: 200}},
		"GET /v1/emergency-addresses/{id}":   {{other: 404}},
		"POST /v1/sites":                     {{body: fmt.Sprintf(`{"name":"probe","country":"US","emergency_address_id":%q}`, alpha.eas[3].ID), other: 404}},
		"GET /v1/sites":                      {{other: 200}},
		"GET /v1/sites/{id}":                 {{other: 404}},
		"POST /v1/extensions":                {{body: fmt.Sprintf(`{"type":"room","name":"probe","site_id":%q}`, alpha.sites[3].ID), other: 404}},
		"GET /v1/extensions":                 {{other: 200}, {query: "?q=alpha", other: 200}},
		"GET /v1/extensions/{id}":            {{other: 404}},
		"GET /v1/numbers":                    {{other: 200}, {query: "?q=6505550101", other: 200}},
		"GET /v1/numbers/{number}":           {{other: 404}},
		"POST /v1/numbers/{number}/assign":   {{body: fmt.Sprintf(`{"extension_id":%q}`, alpha.exts[1].ID), other: 404}},
		"POST /v1/numbers/{number}/reassign": {{body: fmt.Sprintf(`{"extension_number":%q}`, alpha.exts[1].ExtensionNumber), other: 404}},
		"POST /v1/numbers/{number}/unassign": {{other: 404}},
		"DELETE /v1/numbers/{number}":        {{other: 404}},
		"GET /v1/audit":                      {{other: 200}, {query: "?number=" + url.QueryEscape(alpha.numbers[0]), other: 404}},
		"POST /v1/imports": {
			{query: "?kind=assignments", body: "phone_number,extension_number\n", hdr: []string{"Content-Type", "text/csv"}, other: 202},
			{query: "?kind=extensions&dry_run=true", body: "type,name\n", hdr: []string{"Content-Type", "text/csv"}, other: 202},
		},
		"POST /v1/numbers/search": {
			{body: `{"country":"US","state":"CA","area_code":"415","limit":2}`, other: 200},
			{body: `{"reserved_only":true}`, other: 200},
		},
		"POST /v1/orders":                    {{body: fmt.Sprintf(`{"numbers":["+14155550123"],"site_id":%q}`, alpha.sites[3].ID), other: 404}},
		"GET /v1/orders":                     {{other: 200}},
		"GET /v1/orders/{id}":                {{other: 404}},
		"POST /v1/number-requests":           {{body: `{"country":"US","type":"toll_free","vanity":"FLOWERS"}`, other: 202}},
		"GET /v1/number-requests":            {{other: 200}},
		"GET /v1/number-requests/{id}":       {{other: 404}},
		"POST /v1/port-orders":               {{body: fmt.Sprintf(`{"numbers":["+14155550777"],"losing_carrier":"X","account_number":"1","pin":"2","site_id":%q}`, alpha.sites[3].ID), other: 404}},
		"GET /v1/port-orders":                {{other: 200}, {query: "?status=submitted", other: 200}},
		"GET /v1/port-orders/{id}":           {{other: 404}},
		"PATCH /v1/port-orders/{id}":         {{body: `{"pin":"3"}`, other: 404}},
		"POST /v1/port-orders/{id}/resubmit": {{other: 404}},
		"POST /v1/port-orders/{id}/cancel":   {{other: 404}},
		"GET /v1/imports":                    {{other: 200}},
		"GET /v1/catalog/regions":            {{query: "?country=CA", other: 200}},
		"GET /v1/catalog/area-codes":         {{query: "?country=US&state=CA&q=650", other: 200}},
		"GET /v1/imports/{id}":               {{other: 404}},
		"GET /v1/imports/{id}/errors.csv":    {{other: 404}},
		"POST /v1/imports/{id}/cancel":       {{other: 404}},
		"GET /v1/reserved":                   {{other: 200}, {query: "?month=2026-01", other: 200}},
	}

	routes := e.api.table
	seen := map[string]bool{}
	for _, rt := range routes {
		seen[rt.key()] = true
		ps, ok := probes[rt.key()]
		if !ok {
			t.Errorf("route %s has no probe in TestTenancyMatrix: add one", rt.key())
			continue
		}
		path := rt.Pattern
		for _, name := range rt.pathParams() {
			segs := strings.Split(rt.Pattern, "/")
			prev := ""
			for i, s := range segs {
				if s == "{"+name+"}" {
					prev = segs[i-1]
				}
			}
			obj, ok := objects[prev]
			if !ok {
				t.Fatalf("route %s: no Alpha object for {%s} after %q: add one to objects", rt.key(), name, prev)
			}
			path = strings.Replace(path, "{"+name+"}", obj, 1)
		}
		for _, p := range ps {
			target := path + p.query
			var body any
			if p.body != "" {
				body = p.body
			}
			t.Run(rt.key()+p.query, func(t *testing.T) {
				if rt.Role == none {
					r := e.do(t, rt.Method, target, "", body, p.hdr...)
					if r.status != p.other {
						t.Fatalf("no token: status %d, want %d; %s", r.status, p.other, r.body)
					}
					return
				}
				for _, c := range []struct{ name, token string }{
					{"no token", ""},
					{"garbage token", "garbage"},
					{"forged token", "nd_" + alpha.acct.ID + "_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
					{"forged account", "nd_nosuchaccount_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
					{"revoked token", revoked},
				} {
					r := e.do(t, rt.Method, target, c.token, body, p.hdr...)
					if r.status != http.StatusUnauthorized || r.problem(t).Code != inventory.CodeUnauthorized {
						t.Errorf("%s: status %d, want 401 unauthorized; %s", c.name, r.status, r.body)
					}
					if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
						t.Errorf("%s: WWW-Authenticate %q, want Bearer", c.name, r.header.Get("WWW-Authenticate"))
					}
				}
				// Basic auth is not a bearer token.
				if r := e.do(t, rt.Method, target, "", body, append([]string{"Authorization", "Basic YTpi"}, p.hdr...)...); r.status != http.StatusUnauthorized {
					t.Errorf("basic auth: status %d, want 401", r.status)
				}

				r := e.do(t, rt.Method, target, beta.owner, body, p.hdr...)
				if r.status != p.other {
					t.Errorf("other account: status %d, want %d; %s", r.status, p.other, r.body)
				}
				if p.other == http.StatusNotFound && !strings.HasSuffix(string(r.problem(t).Code), "not_found") {
					t.Errorf("other account: code %s, want a not_found code", r.problem(t).Code)
				}
				sent, _ := url.PathUnescape(target + p.body)
				for _, s := range secrets {
					if strings.Contains(string(r.body), s) && !strings.Contains(sent, s) {
						t.Errorf("other account sees %q of Alpha: %s", s, r.body)
					}
				}

				if rank(rt.Role) > rank(inventory.RoleViewer) {
					r := e.do(t, rt.Method, target, alpha.viewer, body, p.hdr...)
					if r.status != http.StatusForbidden || r.problem(t).Code != inventory.CodeForbidden {
						t.Errorf("viewer on a write: status %d, want 403 forbidden; %s", r.status, r.body)
					}
				} else {
					// The fixture is real: Alpha's own viewer reads it.
					r := e.do(t, rt.Method, target, alpha.viewer, body, p.hdr...)
					if r.status != http.StatusOK {
						t.Errorf("Alpha's viewer: status %d, want 200; %s", r.status, r.body)
					}
				}
			})
		}
	}
	for k := range probes {
		if !seen[k] {
			t.Errorf("probe %s names no route", k)
		}
	}
	// Nothing of Alpha changed through Beta's or the viewer's requests.
	n, err := e.st.Number(ctx, alpha.acct.ID, alpha.numbers[0])
	if err != nil || n.Status != inventory.StatusAssigned || n.Assignee.ExtensionID != alpha.exts[0].ID {
		t.Errorf("Alpha's number changed: %+v %v", n, err)
	}
	if _, err := e.st.LookupToken(ctx, alpha.owner); err != nil {
		t.Errorf("Alpha's owner token: %v", err)
	}
	if got, err := e.st.Import(ctx, alpha.acct.ID, imp.ID); err != nil || got.Status != store.ImportQueued {
		t.Errorf("Alpha's import changed: %+v %v", got, err)
	}
	if imps, err := e.st.Imports(ctx, alpha.acct.ID, 100); err != nil || len(imps) != 1 {
		t.Errorf("Alpha has %d imports, want 1 (%v)", len(imps), err)
	}
	toks, _ := e.st.Tokens(ctx, alpha.acct.ID)
	if len(toks) != 7 {
		t.Errorf("Alpha has %d tokens, want 7 (owner, admin, viewer, 4 extra)", len(toks))
	}
}
