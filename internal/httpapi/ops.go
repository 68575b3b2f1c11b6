package httpapi

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/numberdesk/numberdesk/internal/inventory"
)

// OpsPrefix is where the operators' pages live (Asynqmon at
// OpsPrefix+"/queues"). They are not part of the API and its OpenAPI
// document, and need the operator token, never an account's.
const OpsPrefix = "/ops"

// serveOps serves the operators' pages behind the operator token: as a
// bearer token, or as the password of HTTP basic auth (what a browser
// asks for). Without an operator token configured the pages do not exist.
func (a *api) serveOps(w http.ResponseWriter, r *http.Request) {
	if a.ops == nil || a.operatorToken == "" {
		a.writeProblem(w, r, apiError(inventory.CodeNotFound, "no such path: "+r.URL.Path+" (operator pages need --operator-token)"))
		return
	}
	if !a.operator(r) {
		w.Header().Set("WWW-Authenticate", `Basic realm="numberdesk operators", charset="UTF-8"`)
		a.writeProblem(w, r, apiError(inventory.CodeUnauthorized, "operator pages need the operator token (basic auth password, or Authorization: Bearer)"))
		return
	}
	a.ops.ServeHTTP(w, r)
}

// operator reports whether r carries the operator token.
func (a *api) operator(r *http.Request) bool {
	secret := ""
	if _, pass, ok := r.BasicAuth(); ok {
		secret = pass
	} else if scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
		secret = strings.TrimSpace(tok)
	}
	return secret != "" && subtle.ConstantTimeCompare([]byte(secret), []byte(a.operatorToken)) == 1
}
