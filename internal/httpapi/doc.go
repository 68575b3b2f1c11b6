// Package httpapi is Numberdesk's intake API: JSON over HTTP, authenticated
// with account tokens, scoped to the token's account.
//
// One route table (routes.go) drives both the request router (a plain
// net/http ServeMux with Go 1.22 patterns) and the OpenAPI 3.1 document
// served at GET /openapi.json, whose schemas are generated from the Go types
// the handlers decode and encode: a route cannot exist undocumented.
//
// Every request passes, in order: a request id (X-Request-ID, echoed or
// generated) and a structured log line; panic recovery; a duration
// histogram labelled with the route pattern; for /v1 routes, bearer-token
// authentication (401), a per-token rate limit (429 with Retry-After) and
// the route's least role (403). Handlers use only the token's account:
// another account's object is 404 exactly like a missing one.
//
// Errors are RFC 9457 problem documents (application/problem+json) with a
// stable code; StatusOf maps every code to its HTTP status in one table.
//
// The rate limiter is in-process: with several API processes behind a load
// balancer each enforces the limit on its own share of a token's requests.
package httpapi
