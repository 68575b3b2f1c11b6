package httpapi

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/numberdesk/numberdesk/internal/inventory"
)

// portalClient is a cookie-keeping client that does not follow redirects.
func (e *env) portalClient(tb testing.TB) *http.Client {
	tb.Helper()
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// get fetches a page and returns its status and body.
func get(tb testing.TB, c *http.Client, u string) (int, string) {
	tb.Helper()
	res, err := c.Get(u)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func post(tb testing.TB, c *http.Client, u string, form url.Values) *http.Response {
	tb.Helper()
	res, err := c.PostForm(u, form)
	if err != nil {
		tb.Fatal(err)
	}
	res.Body.Close()
	return res
}

// signIn signs c in with token through the sign-in form and returns the
// session's CSRF token.
func (e *env) signIn(tb testing.TB, c *http.Client, token string) string {
	tb.Helper()
	_, body := get(tb, c, e.srv.URL+"/signin")
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		tb.Fatalf("sign-in form without csrf: %s", body)
	}
	res := post(tb, c, e.srv.URL+"/signin", url.Values{"csrf": {m[1]}, "token": {token}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/numbers" {
		tb.Fatalf("sign in: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	var sess *http.Cookie
	for _, ck := range res.Cookies() {
		if ck.Name == sessionCookie {
			sess = ck
		}
	}
	if sess == nil || !sess.HttpOnly || sess.SameSite != http.SameSiteStrictMode {
		tb.Fatalf("session cookie %+v: want HttpOnly and SameSite=Strict", sess)
	}
	_, page := get(tb, c, e.srv.URL+"/numbers")
	m = csrfRE.FindStringSubmatch(page)
	if m == nil {
		tb.Fatalf("numbers page without csrf")
	}
	return m[1]
}

func TestPortalSessions(t *testing.T) {
	e := newEnv(t, Config{})
	a := e.newTenant(t, "Acme", false, 1, 1, "+16505550101", "+16505550102")
	c := e.portalClient(t)

	// Not signed in: pages go to the sign-in form, posts are refused.
	res, _ := c.Get(e.srv.URL + "/numbers?tab=unassigned")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/signin?next=%2Fnumbers%3Ftab%3Dunassigned" {
		t.Errorf("anonymous page: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if res := post(t, c, e.srv.URL+"/numbers/%2B16505550102/delete", url.Values{}); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous post: %d", res.StatusCode)
	}
	// A bad token, a forged sign-in form.
	_, body := get(t, c, e.srv.URL+"/signin")
	csrf := csrfRE.FindStringSubmatch(body)[1]
	if res := post(t, c, e.srv.URL+"/signin", url.Values{"csrf": {csrf}, "token": {"nd_nope_x"}}); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("bad token: %d", res.StatusCode)
	}
	if res := post(t, c, e.srv.URL+"/signin", url.Values{"csrf": {"forged"}, "token": {a.admin}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("forged sign-in form: %d", res.StatusCode)
	}

	token := e.signIn(t, c, a.admin)
	// Without the CSRF token a post changes nothing.
	if res := post(t, c, e.srv.URL+"/numbers/%2B16505550102/delete", url.Values{}); res.StatusCode != http.StatusForbidden {
		t.Errorf("post without csrf: %d", res.StatusCode)
	}
	if res := post(t, c, e.srv.URL+"/numbers/%2B16505550102/delete", url.Values{"csrf": {token + "x"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("post with a wrong csrf: %d", res.StatusCode)
	}
	if n, err := e.st.Number(ctx, a.acct.ID, "+16505550102"); err != nil || n.Status != inventory.StatusUnassigned {
		t.Fatalf("a refused post changed the number: %+v %v", n, err)
	}
	// With it, the action runs and the next page says so; a refused
	// action says why.
	res = post(t, c, e.srv.URL+"/numbers/%2B16505550102/assign", url.Values{"csrf": {token}, "extension": {"9999"}, "back": {"/numbers?tab=unassigned"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/numbers?tab=unassigned" {
		t.Errorf("assign: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if _, page := get(t, c, e.srv.URL+"/numbers?tab=unassigned"); !strings.Contains(page, "extension_not_found") {
		t.Errorf("no flash of the refused assign")
	}
	res = post(t, c, e.srv.URL+"/numbers/%2B16505550102/assign", url.Values{"csrf": {token}, "extension": {a.exts[0].ExtensionNumber + " · " + a.exts[0].Name}, "back": {"//evil.example/"}})
	if res.Header.Get("Location") != "/numbers" {
		t.Errorf("an off-site back link was followed: %s", res.Header.Get("Location"))
	}
	if n, _ := e.st.Number(ctx, a.acct.ID, "+16505550102"); n.Status != inventory.StatusAssigned {
		t.Errorf("assign through the portal: %+v", n)
	}
	// By a user's email too.
	post(t, c, e.srv.URL+"/numbers/%2B16505550102/unassign", url.Values{"csrf": {token}})
	post(t, c, e.srv.URL+"/numbers/%2B16505550102/assign", url.Values{"csrf": {token}, "extension": {strings.ToUpper(a.exts[0].Email)}})
	if n, _ := e.st.Number(ctx, a.acct.ID, "+16505550102"); n.Status != inventory.StatusAssigned || n.Assignee.ExtensionID != a.exts[0].ID {
		t.Errorf("assign by email through the portal: %+v", n)
	}
	if _, page := get(t, c, e.srv.URL+"/numbers"); !strings.Contains(page, "650-555-0102") {
		t.Errorf("the assigned tab lacks the number")
	}

	// A viewer sees and cannot change.
	v := e.portalClient(t)
	vt := e.signIn(t, v, a.viewer)
	_, page := get(t, v, e.srv.URL+"/numbers?tab=assigned")
	if strings.Contains(page, "/unassign") || !strings.Contains(page, "viewer-note") {
		t.Errorf("viewer page offers changes")
	}
	if res := post(t, v, e.srv.URL+"/numbers/%2B16505550102/unassign", url.Values{"csrf": {vt}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("viewer post: %d", res.StatusCode)
	}
	if n, _ := e.st.Number(ctx, a.acct.ID, "+16505550102"); n.Status != inventory.StatusAssigned {
		t.Errorf("a viewer changed the number")
	}

	// Revoking the token ends its sessions; signing out ends one.
	if err := e.st.RevokeToken(ctx, a.acct.ID, a.tokenIDs[2]); err != nil {
		t.Fatal(err)
	}
	if res, _ := v.Get(e.srv.URL + "/numbers"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("revoked token's session: %d", res.StatusCode)
	}
	if res := post(t, c, e.srv.URL+"/signout", url.Values{"csrf": {token}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("sign out: %d", res.StatusCode)
	}
	if res, _ := c.Get(e.srv.URL + "/numbers"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("signed-out session: %d", res.StatusCode)
	}
}

// TestPortalPagesRender renders every page for an admin in both languages.
func TestPortalPagesRender(t *testing.T) {
	e := newEnv(t, Config{})
	a := e.newTenant(t, "Acme", true, 2, 2, "+16505550101", "+16505550102")
	c := e.portalClient(t)
	e.signIn(t, c, a.owner)
	for _, lang := range []string{"en", "pl"} {
		if res, _ := c.Get(e.srv.URL + "/lang/" + lang + "?back=/numbers"); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("lang: %d", res.StatusCode)
		}
		for _, p := range []string{"/numbers", "/numbers?tab=unassigned", "/numbers?tab=ported", "/numbers?tab=reserved&month=2026-01", "/numbers?tab=reserved&month=bad",
			"/numbers/add", "/numbers/add?search=1&area_code=512&prefix=YKI", "/numbers/add?search=1&type=toll_free&area_code=888", "/bulk", "/extensions?q=acme",
			"/bulk/template.csv?kind=extensions"} {
			status, body := get(t, c, e.srv.URL+p)
			if status != http.StatusOK {
				t.Errorf("%s %s: %d", lang, p, status)
			}
			if lang == "pl" && strings.HasSuffix(p, "numbers") && !strings.Contains(body, "Numery telefonów") {
				t.Errorf("Polish page in English")
			}
		}
		if status, _ := get(t, c, e.srv.URL+"/orders/ord_nope"); status != http.StatusNotFound {
			t.Errorf("missing order: %d", status)
		}
	}
}

// TestPortalText: every word a template asks for exists in English and
// Polish.
func TestPortalText(t *testing.T) {
	keyRE := regexp.MustCompile(`\bt \$?[a-zA-Z.]*Lang "([a-z_]+)"`)
	names, _ := fs.Glob(portalFS, "portal/*.html")
	used := map[string]bool{}
	for _, n := range names {
		b, _ := fs.ReadFile(portalFS, n)
		for _, m := range keyRE.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
		}
	}
	for _, v := range append(append([]string{}, numbersTabs...), "toll", "toll_free", "user", "call_queue", "auto_receptionist", "common_area", "room",
		"submitted", "pending", "foc_confirmed", "completed", "exception", "cancelled", "acquired", "activated", "failed", "processing", "partial",
		"open", "fulfilled", "rejected", "queued", "running") {
		used[v] = true
	}
	if len(used) < 50 {
		t.Fatalf("found only %d keys: the pattern is wrong", len(used))
	}
	for k := range used {
		for _, lang := range []string{"en", "pl"} {
			if _, ok := portalText[lang][k]; !ok {
				t.Errorf("%s has no %q", lang, k)
			}
		}
	}
}

func TestDisplayHelpers(t *testing.T) {
	for in, want := range map[string]string{"+16509541234": "+1 650-954-1234", "+442079460000": "+44 20 7946 0000", "+48221234567": "+48 22 123 4567", "junk": "junk"} {
		if got := displayNumber(in); got != want {
			t.Errorf("displayNumber(%q) = %q, want %q", in, got, want)
		}
	}
	if got := formatMinor(12345, "USD"); got != "123.45 USD" {
		t.Errorf("formatMinor: %q", got)
	}
	if percent(5, 0) != 0 || percent(1, 3) != 33 || percent(9, 3) != 100 {
		t.Errorf("percent")
	}
}

func TestLocalPath(t *testing.T) {
	for s, want := range map[string]bool{
		"/numbers?tab=reserved": true, "/": true, "": false, "numbers": false, "//evil.example/": false,
		"/\\evil.example/": false, "/\t/evil.example/": false, "/\n": false, "https://evil.example/": false,
	} {
		if got := localPath(s); got != want {
			t.Errorf("localPath(%q) = %v, want %v", s, got, want)
		}
	}
	e := newEnv(t, Config{})
	c := e.portalClient(t)
	for _, back := range []string{"/%5Cevil.example/", "/%09/evil.example/", "//evil.example/"} {
		res, _ := c.Get(e.srv.URL + "/lang/pl?back=" + back)
		if loc := res.Header.Get("Location"); loc != "/" {
			t.Errorf("lang back=%s: Location %q, want /", back, loc)
		}
	}
}

// TestPortalViewerAddPage: a viewer may search but gets no form that
// changes anything.
func TestPortalViewerAddPage(t *testing.T) {
	e := newEnv(t, Config{})
	a := e.newTenant(t, "Acme", false, 1, 0)
	c := e.portalClient(t)
	e.signIn(t, c, a.viewer)
	_, page := get(t, c, e.srv.URL+"/numbers/add?search=1&area_code=512&prefix=46")
	if !strings.Contains(page, `id="results"`) || strings.Contains(page, "order-form") || strings.Contains(page, "add-ea") {
		t.Errorf("viewer's Add page offers changes or shows no results")
	}
	_, page = get(t, c, e.srv.URL+"/bulk")
	if strings.Contains(page, "upload-form") {
		t.Errorf("viewer's Bulk page offers an upload")
	}
}
