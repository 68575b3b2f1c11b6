package httpapi

import (
	"net/http"
	"reflect"
	"strings"

	"github.com/numberdesk/numberdesk/internal/inventory"
)

// route is one row of the route table: everything the router, the
// authentication, the OpenAPI document and the tests need to know.
type route struct {
	Method  string
	Pattern string // a ServeMux pattern path: "/v1/numbers/{number}"
	Summary string
	// Role is the least role that may call the route; "" needs no token.
	Role inventory.Role
	// Query documents the query parameters; call.query refuses others.
	Query []param
	// Errors lists the statuses the route answers with besides those every
	// route of its kind has (see responses in openapi.go).
	Errors []int
	// Upload documents a streamed file body (the import upload) instead of
	// a JSON one.
	Upload bool
	handler
}

// param is a documented query parameter.
type param struct {
	Name, Description string
	Enum              []string
}

// handler is the typed part of a route: what it decodes and encodes.
type handler struct {
	status      int          // success status
	in, out     reflect.Type // request and response body types; nil for none
	contentType string       // response content type when not JSON
	serve       func(c *call) error
}

// jsonIn is a route that decodes a JSON body into In and answers Out.
func jsonIn[In, Out any](status int, fn func(c *call, in In) (Out, error)) handler {
	return handler{
		status: status, in: reflect.TypeFor[In](), out: reflect.TypeFor[Out](),
		serve: func(c *call) error {
			var in In
			if err := c.decode(&in); err != nil {
				return err
			}
			out, err := fn(c, in)
			if err != nil {
				return err
			}
			return c.writeJSON(status, out)
		},
	}
}

// jsonOut is a route without a request body that answers Out.
func jsonOut[Out any](status int, fn func(c *call) (Out, error)) handler {
	return handler{
		status: status, out: reflect.TypeFor[Out](),
		serve: func(c *call) error {
			out, err := fn(c)
			if err != nil {
				return err
			}
			return c.writeJSON(status, out)
		},
	}
}

// noContent is a route without bodies that answers 204.
func noContent(fn func(c *call) error) handler {
	return handler{
		status: http.StatusNoContent,
		serve: func(c *call) error {
			if err := fn(c); err != nil {
				return err
			}
			c.w.WriteHeader(http.StatusNoContent)
			return nil
		},
	}
}

// raw is a route that writes its own body of the given content type.
func raw(contentType string, h http.Handler) handler {
	return handler{
		status: http.StatusOK, contentType: contentType,
		serve: func(c *call) error { h.ServeHTTP(c.w, c.r); return nil },
	}
}

// pathParams returns the wildcard names of a pattern, in order.
func (rt route) pathParams() []string {
	var names []string
	for _, seg := range strings.Split(rt.Pattern, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") && seg != "{$}" {
			names = append(names, strings.TrimSuffix(strings.Trim(seg, "{}"), "..."))
		}
	}
	return names
}

// key is the route's ServeMux pattern and metrics label: "GET /v1/numbers".
func (rt route) key() string { return rt.Method + " " + rt.Pattern }

// hasQuery reports whether name is a documented query parameter.
func (rt route) hasQuery(name string) bool {
	for _, p := range rt.Query {
		if p.Name == name {
			return true
		}
	}
	return false
}

// Query parameters shared by listings.
var (
	qLimit  = param{Name: "limit", Description: "Page size, 1 to 1000 (default 100)."}
	qCursor = param{Name: "cursor", Description: "The next_cursor of the previous page; omit for the first page."}
)

const (
	none   inventory.Role = ""
	viewer                = inventory.RoleViewer
	admin                 = inventory.RoleAdmin
)

// routes is the route table.
func (a *api) routes() []route {
	conflict := []int{http.StatusConflict}
	rules := []int{http.StatusConflict, http.StatusUnprocessableEntity}
	return []route{
		{Method: "GET", Pattern: "/healthz", Summary: "The process is up.", Role: none,
			handler: jsonOut(http.StatusOK, a.healthz)},
		{Method: "GET", Pattern: "/readyz", Summary: "Redis answers: the API can serve.", Role: none,
			Errors: []int{http.StatusServiceUnavailable}, handler: jsonOut(http.StatusOK, a.readyz)},
		{Method: "GET", Pattern: "/metrics", Summary: "Prometheus metrics.", Role: none,
			handler: raw("text/plain", a.metrics.handler())},
		{Method: "GET", Pattern: "/openapi.json", Summary: "This API's OpenAPI 3.1 document.", Role: none,
			handler: raw("application/json", http.HandlerFunc(a.serveOpenAPI))},

		{Method: "GET", Pattern: "/v1/account", Summary: "The account: licences in use and numbers by status.", Role: viewer,
			handler: jsonOut(http.StatusOK, a.getAccount)},

		{Method: "POST", Pattern: "/v1/tokens", Summary: "Create a token; its secret is shown once. Admins cannot create owner tokens.", Role: admin,
			handler: jsonIn(http.StatusCreated, a.createToken)},
		{Method: "GET", Pattern: "/v1/tokens", Summary: "List the account's tokens (never their secrets).", Role: viewer,
			handler: jsonOut(http.StatusOK, a.listTokens)},
		{Method: "DELETE", Pattern: "/v1/tokens/{id}", Summary: "Revoke a token at once. Admins cannot revoke owner tokens.", Role: admin,
			handler: noContent(a.revokeToken)},

		{Method: "POST", Pattern: "/v1/emergency-addresses", Summary: "Create an emergency address.", Role: admin,
			handler: jsonIn(http.StatusCreated, a.createEmergencyAddress)},
		{Method: "GET", Pattern: "/v1/emergency-addresses", Summary: "List the emergency addresses.", Role: viewer,
			handler: jsonOut(http.StatusOK, a.listEmergencyAddresses)},
		{Method: "GET", Pattern: "/v1/emergency-addresses/{id}", Summary: "An emergency address.", Role: viewer,
			handler: jsonOut(http.StatusOK, a.getEmergencyAddress)},

		{Method: "POST", Pattern: "/v1/sites", Summary: "Create a site with its emergency address.", Role: admin,
			Errors: []int{http.StatusNotFound}, handler: jsonIn(http.StatusCreated, a.createSite)},
		{Method: "GET", Pattern: "/v1/sites", Summary: "List the sites.", Role: viewer,
			handler: jsonOut(http.StatusOK, a.listSites)},
		{Method: "GET", Pattern: "/v1/sites/{id}", Summary: "A site.", Role: viewer,
			handler: jsonOut(http.StatusOK, a.getSite)},

		{Method: "POST", Pattern: "/v1/extensions", Summary: "Create an extension; its extension number is allocated when not given.", Role: admin,
			Errors: append([]int{http.StatusNotFound}, rules...), handler: jsonIn(http.StatusCreated, a.createExtension)},
		{Method: "GET", Pattern: "/v1/extensions", Summary: "List or search extensions.", Role: viewer,
			Query:   []param{{Name: "q", Description: "Matches the start of the extension number, the name, a word of the name or the email, ignoring case."}, qLimit, qCursor},
			handler: jsonOut(http.StatusOK, a.listExtensions)},
		{Method: "GET", Pattern: "/v1/extensions/{id}", Summary: "An extension.", Role: viewer,
			handler: jsonOut(http.StatusOK, a.getExtension)},

		{Method: "GET", Pattern: "/v1/numbers", Summary: "List numbers: porting, then reserved, then assigned and unassigned together, each in numeric order.", Role: viewer,
			Query: []param{
				{Name: "status", Description: "Only numbers of this status.", Enum: enumOf(inventory.Statuses)},
				{Name: "site_id", Description: "Only numbers of this site."},
				{Name: "type", Description: "Only numbers of this type.", Enum: []string{string(inventory.Toll), string(inventory.TollFree)}},
				{Name: "q", Description: "Only numbers containing these digits."},
				qLimit, qCursor,
			},
			handler: jsonOut(http.StatusOK, a.listNumbers)},
		{Method: "GET", Pattern: "/v1/numbers/{number}", Summary: "A number of the inventory.", Role: viewer,
			handler: jsonOut(http.StatusOK, a.getNumber)},
		{Method: "POST", Pattern: "/v1/numbers/{number}/assign", Summary: "Assign an unassigned number to an extension.", Role: admin,
			Errors: rules, handler: jsonIn(http.StatusOK, a.assignNumber)},
		{Method: "POST", Pattern: "/v1/numbers/{number}/reassign", Summary: "Move an assigned number to another extension.", Role: admin,
			Errors: rules, handler: jsonIn(http.StatusOK, a.reassignNumber)},
		{Method: "POST", Pattern: "/v1/numbers/{number}/unassign", Summary: "Make an assigned number unassigned.", Role: admin,
			Errors: conflict, handler: jsonOut(http.StatusOK, a.unassignNumber)},
		{Method: "DELETE", Pattern: "/v1/numbers/{number}", Summary: "Release an unassigned or reserved number; its licence is freed, its history kept.", Role: admin,
			Errors: conflict, handler: noContent(a.deleteNumber)},

		{Method: "POST", Pattern: "/v1/numbers/search", Summary: "Search numbers to order: the carrier's available numbers, or the account's reserved numbers (reserved_only). Every result meets every filter; an empty result suggests a number request.", Role: viewer,
			Errors: []int{http.StatusServiceUnavailable}, handler: jsonIn(http.StatusOK, a.searchNumbers)},

		{Method: "POST", Pattern: "/v1/orders", Summary: "Order numbers: licences are held at once for the whole order (or it is refused); a job buys them from the carrier, or activates the account's reserved ones.", Role: admin,
			Errors: append([]int{http.StatusNotFound, http.StatusServiceUnavailable}, rules...), handler: jsonIn(http.StatusAccepted, a.createOrder)},
		{Method: "GET", Pattern: "/v1/orders", Summary: "The most recent orders (at most 100), newest first.", Role: viewer,
			Query: []param{qLimit}, handler: jsonOut(http.StatusOK, a.listOrders)},
		{Method: "GET", Pattern: "/v1/orders/{id}", Summary: "An order and each number's result.", Role: viewer,
			handler: jsonOut(http.StatusOK, a.getOrder)},

		{Method: "POST", Pattern: "/v1/number-requests", Summary: "Ask the carrier for numbers a search did not find (also toll-free vanity numbers); a job forwards it.", Role: admin,
			Errors: []int{http.StatusServiceUnavailable}, handler: jsonIn(http.StatusAccepted, a.createNumberRequest)},
		{Method: "GET", Pattern: "/v1/number-requests", Summary: "The most recent number requests (at most 100), newest first.", Role: viewer,
			Query: []param{qLimit}, handler: jsonOut(http.StatusOK, a.listNumberRequests)},
		{Method: "GET", Pattern: "/v1/number-requests/{id}", Summary: "A number request and its history.", Role: viewer,
			handler: jsonOut(http.StatusOK, a.getNumberRequest)},

		{Method: "POST", Pattern: "/v1/port-orders", Summary: "Port numbers in from another carrier: they are porting in the inventory (no licence) until the port completes; a job submits the order.", Role: admin,
			Errors: append([]int{http.StatusNotFound, http.StatusServiceUnavailable}, rules...), handler: jsonIn(http.StatusAccepted, a.createPort)},
		{Method: "GET", Pattern: "/v1/port-orders", Summary: "The most recent port orders (at most 100), newest first. Status shows only for US and Canadian numbers (status_visible).", Role: viewer,
			Query: []param{{Name: "status", Description: "Only port orders of this status.", Enum: portStatuses}, qLimit}, handler: jsonOut(http.StatusOK, a.listPorts)},
		{Method: "GET", Pattern: "/v1/port-orders/{id}", Summary: "A port order: its status and each number's, the exception reason, the history.", Role: viewer,
			handler: jsonOut(http.StatusOK, a.getPort)},
		{Method: "PATCH", Pattern: "/v1/port-orders/{id}", Summary: "Correct a port order in exception (losing carrier, account number, PIN, FOC date); then resubmit it.", Role: admin,
			Errors: conflict, handler: jsonIn(http.StatusOK, a.patchPort)},
		{Method: "POST", Pattern: "/v1/port-orders/{id}/resubmit", Summary: "Submit a corrected port order in exception again.", Role: admin,
			Errors: []int{http.StatusConflict, http.StatusServiceUnavailable}, handler: jsonOut(http.StatusOK, a.resubmitPort)},
		{Method: "POST", Pattern: "/v1/port-orders/{id}/cancel", Summary: "Cancel a port order before foc_confirmed; its numbers leave the inventory.", Role: admin,
			Errors: []int{http.StatusConflict, http.StatusServiceUnavailable}, handler: jsonOut(http.StatusOK, a.cancelPort)},

		{Method: "POST", Pattern: "/v1/imports", Summary: "Import a CSV file (body text/csv, or the multipart/form-data field file; streamed): answers 202 once the file is in, while workers apply it in chunks.", Role: admin,
			Query: []param{qKind, qDryRun}, Errors: []int{http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusServiceUnavailable},
			Upload: true, handler: jsonOut(http.StatusAccepted, a.createImport)},
		{Method: "GET", Pattern: "/v1/imports", Summary: "The most recent imports (at most 100), newest first.", Role: viewer,
			Query: []param{qLimit}, handler: jsonOut(http.StatusOK, a.listImports)},
		{Method: "GET", Pattern: "/v1/imports/{id}", Summary: "An import and its progress.", Role: viewer,
			handler: jsonOut(http.StatusOK, a.getImport)},
		{Method: "GET", Pattern: "/v1/imports/{id}/errors.csv", Summary: "An import's error report: line, the row's own columns, error_code, error_message (formula cells neutralised).", Role: viewer,
			handler: csvOut(a.importErrors)},
		{Method: "POST", Pattern: "/v1/imports/{id}/cancel", Summary: "Cancel an import at the next chunk boundary; 409 when it has finished.", Role: admin,
			Errors: conflict, handler: jsonOut(http.StatusOK, a.cancelImport)},

		{Method: "GET", Pattern: "/v1/catalog/regions", Summary: "The states, provinces or regions of a country, and its toll-free codes.", Role: viewer,
			Query:   []param{{Name: "country", Description: "ISO 3166 alpha-2 (US, CA, GB, DE, PL, AU); default: the account's country."}},
			handler: jsonOut(http.StatusOK, a.listRegions)},
		{Method: "GET", Pattern: "/v1/catalog/area-codes", Summary: "Area codes with their main cities: of a country, of one state, matching an area code or city prefix.", Role: viewer,
			Query: []param{
				{Name: "country", Description: "ISO 3166 alpha-2; default: the account's country."},
				{Name: "state", Description: "Only this region (a code of /v1/catalog/regions)."},
				{Name: "q", Description: "The start of an area code or of a city name, ignoring case."},
			},
			handler: jsonOut(http.StatusOK, a.listAreaCodes)},

		{Method: "GET", Pattern: "/v1/audit", Summary: "Changes of numbers, newest first: of one number, or of the whole account.", Role: viewer,
			Query:  []param{{Name: "number", Description: "Only this number's history (any spelling; no cursor: up to limit entries)."}, qLimit, qCursor},
			Errors: []int{http.StatusNotFound}, handler: jsonOut(http.StatusOK, a.listAudit)},

		{Method: "GET", Pattern: "/v1/reserved", Summary: "Reserved numbers and their monthly fees per country (reserved numbers, number-days, rate, currency, amount) and per currency: a past month's statement, or the current month as an estimate to date.", Role: viewer,
			Query: []param{qMonth}, handler: jsonOut(http.StatusOK, a.getReserved)},
	}
}

func enumOf[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}
