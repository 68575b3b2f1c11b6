package httpapi

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/store"
)

// The web portal: server-rendered pages (html/template, embedded, no CDN)
// for account admins, on the same handler as the API. A session starts by
// signing in with an API token; its cookie is HttpOnly, SameSite=Strict
// and Secure under TLS, and every form carries the session's CSRF token.
// Viewers see every page and change nothing. Actions call the API's own
// handlers, so the rules, codes and messages are the API's.

//go:embed portal/*.html portal/static/*
var portalFS embed.FS

const (
	sessionCookie = "nd_session"
	langCookie    = "nd_lang"
	// signinCSRFCookie holds the sign-in form's CSRF token (double submit:
	// there is no session yet).
	signinCSRFCookie = "nd_signin"
)

// portalPages are the page templates, each with the layout.
var portalPages = func() map[string]*template.Template {
	layout := template.Must(template.New("layout.html").Funcs(portalFuncs).ParseFS(portalFS, "portal/layout.html"))
	pages := map[string]*template.Template{}
	names, _ := fs.Glob(portalFS, "portal/*.html")
	for _, n := range names {
		base := strings.TrimPrefix(n, "portal/")
		if base == "layout.html" {
			continue
		}
		pages[strings.TrimSuffix(base, ".html")] = template.Must(template.Must(layout.Clone()).ParseFS(portalFS, n))
	}
	return pages
}()

var portalFuncs = template.FuncMap{
	"t":      translate,
	"tf":     translateStatus,
	"phone":  displayNumber,
	"date":   func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") },
	"money":  formatMinor,
	"pct":    func(done, total int64) int64 { return percent(done, total) },
	"escape": url.PathEscape,
	"add":    func(a, b int) int { return a + b },
}

// portalSession is the signed-in user of a portal request.
type portalSession struct {
	cookie string
	store.Session
}

// page is what every page template gets.
type page struct {
	Lang     string
	Nav      string
	Title    string
	Account  inventory.Account
	Token    store.Token
	CanWrite bool
	CSRF     string
	Flash    string
	Path     string
	Data     any
}

// portalRoutes registers the portal's pages on mux.
func (a *api) portalRoutes(mux *http.ServeMux) {
	static, _ := fs.Sub(portalFS, "portal/static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", staticFiles(http.FileServerFS(static))))
	mux.HandleFunc("GET /{$}", a.portalHome)
	mux.HandleFunc("GET /signin", a.signinPage)
	mux.HandleFunc("POST /signin", a.signin)
	mux.HandleFunc("GET /lang/{lang}", a.setLang)
	for pattern, h := range map[string]func(http.ResponseWriter, *http.Request, *portalSession){
		"POST /signout":                   a.signout,
		"GET /numbers":                    a.numbersPage,
		"POST /numbers/{number}/assign":   a.portalAssign,
		"POST /numbers/{number}/reassign": a.portalReassign,
		"POST /numbers/{number}/unassign": a.portalUnassign,
		"POST /numbers/{number}/delete":   a.portalDelete,
		"GET /numbers/add":                a.addPage,
		"POST /orders":                    a.portalOrder,
		"GET /orders/{id}":                a.orderPage,
		"POST /emergency-addresses":       a.portalAddEA,
		"POST /number-requests":           a.portalTicket,
		"GET /port-orders/{id}":           a.portPage,
		"GET /bulk":                       a.bulkPage,
		"POST /bulk":                      a.portalUpload,
		"GET /bulk/template.csv":          a.bulkTemplate,
		"GET /imports/{id}":               a.importPage,
		"GET /imports/{id}/progress":      a.importProgress,
		"GET /imports/{id}/errors.csv":    a.portalImportErrors,
		"GET /extensions":                 a.extensionsPage,
		"POST /extensions":                a.portalAddExtension,
		"GET /extensions/suggest":         a.suggestExtensions,
	} {
		mux.Handle(pattern, a.signedIn(h))
	}
}

// staticFiles lets the portal's assets be cached for an hour.
func staticFiles(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		h.ServeHTTP(w, r)
	})
}

// signedIn wraps a page that needs a session: without one, GETs go to
// the sign-in page and other methods get 401. Every POST must carry the
// session's CSRF token (form field csrf, or header X-CSRF-Token), and a
// viewer may not POST (but may sign out).
func (a *api) signedIn(h func(http.ResponseWriter, *http.Request, *portalSession)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess, err := a.portalSession(r)
		if err != nil {
			if inventory.ErrorCode(err) != inventory.CodeUnauthorized {
				a.portalError(w, r, nil, err)
				return
			}
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			a.portalError(w, r, nil, err)
			return
		}
		// The bulk upload is a streamed multipart form: it checks the
		// CSRF token of its first field itself, before reading the file.
		upload := r.URL.Path == "/bulk" && strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data")
		if r.Method == http.MethodPost {
			if !upload && !sameToken(csrfOf(r), sess.CSRF) {
				a.portalError(w, r, sess, apiError(inventory.CodeForbidden, "the form is stale or forged (CSRF token missing or wrong); reload the page and try again"))
				return
			}
			if !sess.Token.Role.CanWrite() && r.URL.Path != "/signout" {
				a.portalError(w, r, sess, apiError(inventory.CodeForbidden, "a viewer may look but not change anything"))
				return
			}
		}
		info := requestInfoFrom(r.Context())
		info.accountID, info.tokenID = sess.Token.AccountID, sess.Token.ID
		h(w, r, sess)
	})
}

// csrfOf reads a request's CSRF token: the header X-CSRF-Token, or the
// form field csrf of a url-encoded form.
func csrfOf(r *http.Request) string {
	if v := r.Header.Get("X-CSRF-Token"); v != "" {
		return v
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		return ""
	}
	return r.PostFormValue("csrf")
}

func sameToken(a, b string) bool {
	return a != "" && b != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// portalSession reads the request's session.
func (a *api) portalSession(r *http.Request) (*portalSession, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, apiError(inventory.CodeUnauthorized, "not signed in")
	}
	s, err := a.store.Session(r.Context(), c.Value)
	if err != nil {
		return nil, err
	}
	return &portalSession{cookie: c.Value, Session: s}, nil
}

// lang is the request's language: en (default) or pl.
func lang(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil && c.Value == "pl" {
		return "pl"
	}
	return "en"
}

// render writes a page.
func (a *api) render(w http.ResponseWriter, r *http.Request, sess *portalSession, status int, name string, p page) {
	p.Lang, p.Path = lang(r), r.URL.RequestURI()
	if sess != nil {
		p.Token, p.CanWrite, p.CSRF = sess.Token, sess.Token.Role.CanWrite(), sess.CSRF
		if p.Flash == "" {
			p.Flash = sess.Flash
		}
		if p.Account.ID == "" {
			if acct, err := a.store.Account(r.Context(), sess.Token.AccountID); err == nil {
				p.Account = acct
			}
		}
	}
	var buf bytes.Buffer
	if err := portalPages[name].ExecuteTemplate(&buf, "layout.html", p); err != nil {
		a.log.Error("render page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// portalError shows an error page with the API's status for its code.
func (a *api) portalError(w http.ResponseWriter, r *http.Request, sess *portalSession, err error) {
	code := inventory.ErrorCode(err)
	status := StatusOf(code)
	msg := inventory.ErrorMessage(err)
	if status >= 500 {
		a.log.Error("portal request failed", "request_id", requestID(r.Context()), "err", err.Error())
		msg = "internal error; quote request id " + requestID(r.Context()) + " to support"
	}
	a.render(w, r, sess, status, "error", page{Title: http.StatusText(status), Data: map[string]string{"Code": string(code), "Message": msg}})
}

// back redirects to the page the form came from (a local path only),
// leaving a flash message.
func (a *api) back(w http.ResponseWriter, r *http.Request, sess *portalSession, fallback, msg string) {
	if msg != "" {
		if err := a.store.SetFlash(r.Context(), sess.cookie, msg); err != nil {
			a.log.Warn("set flash", "err", err)
		}
	}
	to := r.PostFormValue("back")
	if !localPath(to) {
		to = fallback
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// problemText is an error as the portal shows it in a flash.
func problemText(err error) string {
	code := inventory.ErrorCode(err)
	if code == inventory.CodeInternal || code == "" {
		return "Something went wrong on our side; try again."
	}
	return inventory.ErrorMessage(err) + " (" + string(code) + ")"
}

// apiCall makes a call of the API route key for the session, so that the
// portal runs the API's own handlers.
func (a *api) apiCall(w http.ResponseWriter, r *http.Request, sess *portalSession, key string) *call {
	for i := range a.table {
		if a.table[i].key() == key {
			return &call{api: a, route: &a.table[i], w: w, r: r, token: sess.Token}
		}
	}
	panic("httpapi: no route " + key)
}

func (a *api) portalHome(w http.ResponseWriter, r *http.Request) {
	if _, err := a.portalSession(r); err == nil {
		http.Redirect(w, r, "/numbers", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

func (a *api) signinPage(w http.ResponseWriter, r *http.Request) {
	a.showSignin(w, r, http.StatusOK, "")
}

func (a *api) showSignin(w http.ResponseWriter, r *http.Request, status int, msg string) {
	csrf := randomCSRF()
	http.SetCookie(w, &http.Cookie{Name: signinCSRFCookie, Value: csrf, Path: "/signin", HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode, MaxAge: 3600})
	next := r.URL.Query().Get("next")
	if r.Method == http.MethodPost {
		next = r.PostFormValue("next")
	}
	a.render(w, r, nil, status, "signin", page{Title: "Sign in", CSRF: csrf, Flash: msg, Data: map[string]string{"Next": next}})
}

func (a *api) signin(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(signinCSRFCookie)
	if err != nil || !sameToken(r.PostFormValue("csrf"), c.Value) {
		a.showSignin(w, r, http.StatusForbidden, translate(lang(r), "csrf_failed"))
		return
	}
	cookie, _, err := a.store.CreateSession(r.Context(), strings.TrimSpace(r.PostFormValue("token")))
	if err != nil {
		status := http.StatusUnauthorized
		if inventory.ErrorCode(err) != inventory.CodeUnauthorized {
			status = StatusOf(inventory.ErrorCode(err))
		}
		a.showSignin(w, r, status, translate(lang(r), "signin_failed"))
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: cookie, Path: "/", HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode, MaxAge: int(store.SessionTTL.Seconds())})
	http.SetCookie(w, &http.Cookie{Name: signinCSRFCookie, Value: "", Path: "/signin", MaxAge: -1})
	next := r.PostFormValue("next")
	if !localPath(next) || strings.HasPrefix(next, "/signin") {
		next = "/numbers"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (a *api) signout(w http.ResponseWriter, r *http.Request, sess *portalSession) {
	if err := a.store.DeleteSession(r.Context(), sess.cookie); err != nil {
		a.portalError(w, r, sess, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

func (a *api) setLang(w http.ResponseWriter, r *http.Request) {
	l := r.PathValue("lang")
	if l != "pl" {
		l = "en"
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode})
	to := r.URL.Query().Get("back")
	if !localPath(to) {
		to = "/"
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// localPath reports whether s is a path of this site that is safe to
// redirect to: it starts with one slash, and has no backslash, control
// character, scheme or host (which browsers would read as another site).
func localPath(s string) bool {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") {
		return false
	}
	for _, r := range s {
		if r == '\\' || r < 0x20 || r == 0x7f {
			return false
		}
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "" && u.Host == ""
}

// randomCSRF returns a new random token.
func randomCSRF() string {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}
