package httpapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/phone"
	"github.com/numberdesk/numberdesk/internal/store"
)

// call is one request to a route, as its handler sees it.
type call struct {
	api   *api
	route *route
	w     http.ResponseWriter
	r     *http.Request
	// token is the caller's token (routes that need one): the account of
	// every lookup is token.AccountID and nothing else.
	token store.Token
}

func (c *call) ctx() context.Context { return c.r.Context() }

// account is the caller's account id.
func (c *call) account() string { return c.token.AccountID }

// actor names the caller in audit entries.
func (c *call) actor() store.Actor { return store.Actor{Name: c.token.Name, Source: "api"} }

// query returns a query parameter. Reading one the route does not document
// is a bug, caught by every test that reaches the handler.
func (c *call) query(name string) string {
	if !c.route.hasQuery(name) {
		panic("httpapi: route " + c.route.key() + " reads undocumented query parameter " + name)
	}
	return c.r.URL.Query().Get(name)
}

// number reads a phone number from the path wildcard or query parameter
// value v and normalises it to E.164, reading national spellings as dialled
// in the account's country.
func (c *call) number(v string) (string, error) {
	country, err := c.api.country(c.ctx(), c.account())
	if err != nil {
		return "", err
	}
	return phone.Normalize(v, country)
}

// limit reads the limit query parameter: 1 to 1000, default 100.
func (c *call) limit() (int, error) {
	v := c.query("limit")
	if v == "" {
		return 100, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1000 {
		return 0, apiError(inventory.CodeInvalidField, "limit must be a whole number from 1 to 1000, got "+strconv.Quote(v))
	}
	return n, nil
}

// cursor reads the cursor query parameter: the opaque form of a store
// cursor, as encodeCursor made it.
func (c *call) cursor() (string, error) {
	v := c.query("cursor")
	if v == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil || len(b) == 0 {
		return "", apiError(inventory.CodeInvalidField, "cursor is not valid: pass the next_cursor of the previous page")
	}
	return string(b), nil
}

// encodeCursor makes a store cursor opaque (and safe in a URL).
func encodeCursor(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// writeJSON writes v as the JSON response.
func (c *call) writeJSON(status int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	h := c.w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(body)+1))
	c.w.WriteHeader(status)
	_, _ = c.w.Write(append(body, '\n'))
	return nil
}

// country returns an account's home country, cached: it never changes.
func (a *api) country(ctx context.Context, accountID string) (string, error) {
	if v, ok := a.countries.Load(accountID); ok {
		return v.(string), nil
	}
	acct, err := a.store.Account(ctx, accountID)
	if err != nil {
		return "", err
	}
	a.countries.Store(accountID, acct.Country)
	return acct.Country, nil
}
