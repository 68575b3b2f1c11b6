package httpapi

import (
	"strconv"
	"strings"
	"time"

	"github.com/numberdesk/numberdesk/internal/inventory"
)

// authorize authenticates the bearer token of a route that needs one,
// applies the token's rate limit and checks its role against the route's.
func (a *api) authorize(c *call) error {
	if c.route.Role == none {
		return nil
	}
	auth := c.r.Header.Get("Authorization")
	scheme, secret, _ := strings.Cut(auth, " ")
	secret = strings.TrimSpace(secret)
	if auth == "" || !strings.EqualFold(scheme, "Bearer") || secret == "" {
		c.w.Header().Set("WWW-Authenticate", `Bearer realm="numberdesk"`)
		return apiError(inventory.CodeUnauthorized, "send a token: Authorization: Bearer <token>")
	}
	tok, err := a.store.LookupToken(c.r.Context(), secret)
	if err != nil {
		if inventory.ErrorCode(err) == inventory.CodeUnauthorized {
			c.w.Header().Set("WWW-Authenticate", `Bearer realm="numberdesk", error="invalid_token"`)
			return apiError(inventory.CodeUnauthorized, "the token is not valid (unknown or revoked)")
		}
		return err
	}
	c.token = tok
	info := requestInfoFrom(c.r.Context())
	info.accountID, info.tokenID = tok.AccountID, tok.ID
	if ok, wait := a.limiter.allow(tok.AccountID+"/"+tok.ID, time.Now()); !ok {
		secs := retryAfter(wait)
		c.w.Header().Set("Retry-After", strconv.Itoa(secs))
		return apiError(CodeRateLimited, "too many requests with this token; retry in "+strconv.Itoa(secs)+"s")
	}
	if rank(tok.Role) < rank(c.route.Role) {
		return apiError(inventory.CodeForbidden, "a "+string(tok.Role)+" token may not do this; it needs "+string(c.route.Role)+" or above")
	}
	return nil
}

// rank orders the roles: viewer < admin < owner.
func rank(r inventory.Role) int {
	switch r {
	case inventory.RoleViewer:
		return 1
	case inventory.RoleAdmin:
		return 2
	case inventory.RoleOwner:
		return 3
	}
	return 0
}
