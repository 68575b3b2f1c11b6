package httpapi

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/numberdesk/numberdesk/internal/inventory"
)

// TestBadInput sends malformed requests: each gets its status and code,
// never a 500.
func TestBadInput(t *testing.T) {
	e := newEnv(t, Config{})
	a := e.newTenant(t, "Acme", false, 1, 2, "+16505550100", "+16505550101")
	big := `{"type":"room","name":"` + strings.Repeat("x", DefaultMaxBodyBytes) + `"}`
	okExt := `{"type":"room","name":"Board room"}`
	cursor := func(s string) string { return encodeCursor(s) }
	tests := []struct {
		name         string
		method, path string
		body         any
		hdr          []string
		status       int
		code         inventory.Code
	}{
		{"malformed JSON", "POST", "/v1/extensions", `{"type":`, nil, 400, CodeInvalidJSON},
		{"syntax error", "POST", "/v1/extensions", `{"type" "room"}`, nil, 400, CodeInvalidJSON},
		{"empty body", "POST", "/v1/extensions", "", nil, 400, CodeInvalidJSON},
		{"array body", "POST", "/v1/extensions", `[1,2]`, nil, 400, CodeInvalidJSON},
		{"two values", "POST", "/v1/extensions", okExt + okExt, nil, 400, CodeInvalidJSON},
		{"unknown field", "POST", "/v1/extensions", `{"type":"room","name":"x","colour":"red"}`, nil, 400, CodeUnknownField},
		{"wrong field type", "POST", "/v1/extensions", `{"type":"room","name":5}`, nil, 400, inventory.CodeInvalidField},
		{"oversized body", "POST", "/v1/extensions", big, nil, 413, CodeBodyTooLarge},
		{"oversized chunked body", "POST", "/v1/extensions", strings.NewReader(big), nil, 413, CodeBodyTooLarge},
		{"no content type", "POST", "/v1/extensions", okExt, []string{"Content-Type", ""}, 415, CodeUnsupportedMediaType},
		{"form content type", "POST", "/v1/extensions", okExt, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, CodeUnsupportedMediaType},
		{"text content type", "POST", "/v1/extensions", okExt, []string{"Content-Type", "text/plain"}, 415, CodeUnsupportedMediaType},
		{"json with charset", "POST", "/v1/extensions", okExt, []string{"Content-Type", "application/json; charset=utf-8"}, 201, ""},
		{"bad extension type", "POST", "/v1/extensions", `{"type":"robot","name":"x"}`, nil, 400, inventory.CodeInvalidField},
		{"user without email", "POST", "/v1/extensions", `{"type":"user","name":"x"}`, nil, 400, inventory.CodeMissingField},
		{"taken extension number", "POST", "/v1/extensions", `{"type":"room","name":"x","extension_number":"` + a.exts[0].ExtensionNumber + `"}`, nil, 409, inventory.CodeExtensionExists},
		{"site without sites", "POST", "/v1/extensions", `{"type":"room","name":"x","site_id":"site_1"}`, nil, 400, inventory.CodeInvalidField},
		{"address without postal code", "POST", "/v1/emergency-addresses", `{"street":"1 Main","city":"X","country":"US"}`, nil, 400, inventory.CodeMissingField},
		{"address bad country", "POST", "/v1/emergency-addresses", `{"street":"1 Main","city":"X","postal_code":"1","country":"USA"}`, nil, 400, inventory.CodeInvalidField},
		{"site unknown address", "POST", "/v1/sites", `{"name":"X","country":"US","emergency_address_id":"ea_9"}`, nil, 404, inventory.CodeEmergencyAddressNotFound},
		{"site no name", "POST", "/v1/sites", `{"country":"US","emergency_address_id":"ea_1"}`, nil, 400, inventory.CodeMissingField},
		{"token bad role", "POST", "/v1/tokens", `{"role":"god","name":"x"}`, nil, 400, inventory.CodeInvalidField},
		{"token no name", "POST", "/v1/tokens", `{"role":"viewer"}`, nil, 400, inventory.CodeMissingField},

		{"number garbage", "GET", "/v1/numbers/garbage", nil, nil, 400, inventory.CodeInvalidPhoneNumber},
		{"number too short", "GET", "/v1/numbers/" + url.PathEscape("+1650555"), nil, nil, 400, inventory.CodeInvalidPhoneNumber},
		{"number not ours", "GET", "/v1/numbers/" + url.PathEscape("+16505550199"), nil, nil, 404, inventory.CodeNumberNotFound},
		{"assign garbage number", "POST", "/v1/numbers/garbage/assign", `{"extension_number":"1001"}`, nil, 400, inventory.CodeInvalidPhoneNumber},
		{"assign no extension", "POST", "/v1/numbers/%2B16505550101/assign", `{}`, nil, 400, inventory.CodeMissingField},
		{"assign both", "POST", "/v1/numbers/%2B16505550101/assign", `{"extension_number":"1001","extension_id":"ext_1"}`, nil, 400, inventory.CodeInvalidField},
		{"assign bad extension number", "POST", "/v1/numbers/%2B16505550101/assign", `{"extension_number":"abc"}`, nil, 400, inventory.CodeInvalidField},
		{"assign missing extension", "POST", "/v1/numbers/%2B16505550101/assign", `{"extension_number":"9999"}`, nil, 404, inventory.CodeExtensionNotFound},
		{"assign missing extension id", "POST", "/v1/numbers/%2B16505550101/assign", `{"extension_id":"ext_99"}`, nil, 404, inventory.CodeExtensionNotFound},
		{"reassign unassigned", "POST", "/v1/numbers/%2B16505550101/reassign", `{"extension_id":"ext_1"}`, nil, 409, inventory.CodeNotAssigned},
		{"delete assigned", "DELETE", "/v1/numbers/%2B16505550100", nil, nil, 409, inventory.CodeAlreadyAssigned},

		{"bad cursor encoding", "GET", "/v1/numbers?cursor=!!!", nil, nil, 400, inventory.CodeInvalidField},
		{"bad cursor", "GET", "/v1/numbers?cursor=" + cursor("abc"), nil, nil, 400, inventory.CodeInvalidField},
		{"cursor of another status", "GET", "/v1/numbers?status=assigned&cursor=" + cursor("1000016505550100"), nil, nil, 400, inventory.CodeInvalidField},
		{"bad extension cursor", "GET", "/v1/extensions?cursor=" + cursor("zzz"), nil, nil, 400, inventory.CodeInvalidField},
		{"extension cursor of another q", "GET", "/v1/extensions?q=bob&cursor=" + cursor("#1001\x00ext_1"), nil, nil, 400, inventory.CodeInvalidField},
		{"bad audit cursor", "GET", "/v1/audit?cursor=" + cursor("x.1"), nil, nil, 400, inventory.CodeInvalidField},
		{"audit cursor out of range", "GET", "/v1/audit?cursor=" + cursor("99999999999999999999-0.1"), nil, nil, 400, inventory.CodeInvalidField},
		{"audit cursor before everything", "GET", "/v1/audit?cursor=" + cursor("1-0.1"), nil, nil, 200, ""},
		{"audit cursor with number", "GET", "/v1/audit?number=%2B16505550100&cursor=" + cursor("1-0.1"), nil, nil, 400, inventory.CodeInvalidField},
		{"audit bad number", "GET", "/v1/audit?number=garbage", nil, nil, 400, inventory.CodeInvalidPhoneNumber},
		{"audit unknown number", "GET", "/v1/audit?number=%2B16505550199", nil, nil, 404, inventory.CodeNumberNotFound},
		{"limit zero", "GET", "/v1/numbers?limit=0", nil, nil, 400, inventory.CodeInvalidField},
		{"limit negative", "GET", "/v1/extensions?limit=-1", nil, nil, 400, inventory.CodeInvalidField},
		{"limit too big", "GET", "/v1/audit?limit=1001", nil, nil, 400, inventory.CodeInvalidField},
		{"limit not a number", "GET", "/v1/numbers?limit=ten", nil, nil, 400, inventory.CodeInvalidField},
		{"bad status", "GET", "/v1/numbers?status=active", nil, nil, 400, inventory.CodeInvalidField},
		{"bad type", "GET", "/v1/numbers?type=mobile", nil, nil, 400, inventory.CodeInvalidField},
		{"bad q", "GET", "/v1/numbers?q=abc", nil, nil, 400, inventory.CodeInvalidField},
		{"unknown path", "GET", "/v1/nothing", nil, nil, 404, inventory.CodeNotFound},
		{"unknown object", "GET", "/v1/sites/site_99", nil, nil, 404, inventory.CodeSiteNotFound},
		{"unknown token", "DELETE", "/v1/tokens/tok_99", nil, nil, 404, inventory.CodeNotFound},
		{"wrong method", "PUT", "/v1/numbers", nil, nil, 405, CodeMethodNotAllowed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var r response
			if rd, ok := tc.body.(*strings.Reader); ok {
				r = e.doChunked(t, tc.method, tc.path, a.owner, rd)
			} else {
				r = e.do(t, tc.method, tc.path, a.owner, tc.body, tc.hdr...)
			}
			r.want(t, tc.status, tc.code)
		})
	}
	r := e.do(t, "PUT", "/v1/numbers", a.owner, nil)
	if got := r.header.Get("Allow"); got != "GET, HEAD" {
		t.Errorf("Allow %q, want GET, HEAD", got)
	}
}

// TestNumberSpellings reads and changes a number by every usual spelling
// of it in the path.
func TestNumberSpellings(t *testing.T) {
	e := newEnv(t, Config{})
	a := e.newTenant(t, "Acme", false, 1, 2, "+16505550100")
	for _, raw := range []string{
		url.PathEscape("+1 (650) 555-0100"),
		url.PathEscape("650.555.0100"),
		"%2B16505550100",
		"+16505550100",
		url.PathEscape("tel:+1-650-555-0100"),
		"16505550100",
		url.PathEscape("(650) 555-0100"),
		url.PathEscape("+1\u00a0650\u00a0555\u00a00100"),
	} {
		r := e.do(t, "GET", "/v1/numbers/"+raw, a.viewer, nil)
		r.want(t, http.StatusOK, "")
		var n inventory.Number
		r.decode(t, &n)
		if n.Number != "+16505550100" {
			t.Errorf("%s: number %s", raw, n.Number)
		}
	}
	r := e.do(t, "POST", "/v1/numbers/"+url.PathEscape("(650) 555-0100")+"/unassign", a.admin, nil)
	r.want(t, http.StatusOK, "")
	r = e.do(t, "POST", "/v1/numbers/"+url.PathEscape("tel:+1-650-555-0100")+"/assign", a.admin, `{"extension_number":"`+a.exts[1].ExtensionNumber+`"}`)
	r.want(t, http.StatusOK, "")
	r = e.do(t, "GET", "/v1/audit?number="+url.QueryEscape("650-555-0100"), a.viewer, nil)
	var page AuditPage
	r.decode(t, &page)
	if len(page.Entries) != 4 { // acquire, assign, unassign, assign
		t.Errorf("%d audit entries, want 4: %s", len(page.Entries), r.body)
	}
}

// TestNoContentLengthBodyCap checks a small configured cap.
func TestMaxBodyBytes(t *testing.T) {
	e := newEnv(t, Config{MaxBodyBytes: 64})
	a := e.newTenant(t, "Acme", false, 1, 0)
	e.do(t, "POST", "/v1/extensions", a.admin, `{"type":"room","name":"Small"}`).want(t, http.StatusCreated, "")
	e.do(t, "POST", "/v1/extensions", a.admin, `{"type":"room","name":"`+strings.Repeat("x", 64)+`"}`).want(t, http.StatusRequestEntityTooLarge, CodeBodyTooLarge)
	e.doChunked(t, "POST", "/v1/extensions", a.admin, strings.NewReader(`{"type":"room","name":"`+strings.Repeat("x", 64)+`"}`)).want(t, http.StatusRequestEntityTooLarge, CodeBodyTooLarge)
}
