package httpapi

import (
	"encoding/json"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/numberdesk/numberdesk/internal/inventory"
)

// openAPIDocument builds the OpenAPI 3.1 document of the route table.
func openAPIDocument(table []route) ([]byte, error) {
	g := newSchemaGen()
	problem := g.schema(reflect.TypeFor[Problem]())
	paths := map[string]map[string]any{}
	for _, rt := range table {
		item := paths[rt.Pattern]
		if item == nil {
			item = map[string]any{}
			paths[rt.Pattern] = item
		}
		item[strings.ToLower(rt.Method)] = operation(g, rt, problem)
	}
	doc := map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":   "Numberdesk API",
			"version": "1",
			"description": "The intake API of Numberdesk, the phone-number inventory of a business phone system. " +
				"Send Authorization: Bearer <token>; every request sees only the token's account. " +
				"Errors are application/problem+json documents with a stable code. " +
				"Request bodies are JSON (at most 1 MB by default) and unknown fields are refused. " +
				"Each token is rate limited per API process (429 with Retry-After).",
		},
		"paths": paths,
		"components": map[string]any{
			"schemas": g.defs,
			"securitySchemes": map[string]any{
				"bearer": map[string]any{"type": "http", "scheme": "bearer", "description": "An account token: nd_<account>_<secret>."},
			},
		},
	}
	return json.MarshalIndent(doc, "", "  ")
}

// operation documents one route.
func operation(g *schemaGen, rt route, problem map[string]any) map[string]any {
	op := map[string]any{
		"operationId": operationID(rt),
		"summary":     rt.Summary,
		"tags":        []string{tag(rt.Pattern)},
	}
	var params []any
	for _, name := range rt.pathParams() {
		desc := "The object's id."
		if name == "number" {
			desc = "A phone number of the account, URL-encoded (%2B16505550100). Any common spelling " +
				"(+1 (650) 555-0100, 650.555.0100, tel:+1-650-555-0100) is normalised to E.164, " +
				"national numbers as dialled in the account's country."
		}
		params = append(params, map[string]any{"name": name, "in": "path", "required": true, "description": desc, "schema": map[string]any{"type": "string"}})
	}
	for _, q := range rt.Query {
		s := map[string]any{"type": "string"}
		switch {
		case q.Name == "limit":
			s = map[string]any{"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}
		case q.Enum != nil:
			s["enum"] = q.Enum
		}
		params = append(params, map[string]any{"name": q.Name, "in": "query", "required": false, "description": q.Description, "schema": s})
	}
	if params != nil {
		op["parameters"] = params
	}
	if rt.Upload {
		file := map[string]any{"type": "string", "contentMediaType": "text/csv"}
		op["requestBody"] = map[string]any{
			"required":    true,
			"description": "The CSV file, streamed: the raw body, or the multipart field file.",
			"content": map[string]any{
				"text/csv":                 map[string]any{"schema": file},
				"application/octet-stream": map[string]any{"schema": file},
				"multipart/form-data": map[string]any{"schema": map[string]any{
					"type": "object", "required": []string{"file"},
					"properties": map[string]any{"file": file},
				}},
			},
		}
	}
	if rt.in != nil {
		op["requestBody"] = map[string]any{
			"required":    true,
			"description": "JSON; unknown fields are refused.",
			"content":     map[string]any{"application/json": map[string]any{"schema": g.schema(rt.in)}},
		}
	}
	if rt.Role == none {
		op["security"] = []any{}
	} else {
		op["security"] = []any{map[string]any{"bearer": []string{}}}
		op["description"] = "Needs a token of role " + string(rt.Role) + " or above."
	}
	responses := map[string]any{}
	ok := map[string]any{"description": http.StatusText(rt.status)}
	switch {
	case rt.out != nil:
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": g.schema(rt.out)}}
	case rt.contentType != "":
		ok["content"] = map[string]any{rt.contentType: map[string]any{}}
	}
	responses[strconv.Itoa(rt.status)] = ok
	for _, status := range errorStatuses(rt) {
		responses[strconv.Itoa(status)] = map[string]any{
			"description": http.StatusText(status),
			"content":     map[string]any{"application/problem+json": map[string]any{"schema": problem}},
		}
	}
	op["responses"] = responses
	return op
}

// errorStatuses are the error statuses a route can answer: those of every
// route of its kind, then its own.
func errorStatuses(rt route) []int {
	set := map[int]bool{http.StatusInternalServerError: true}
	if rt.Role != none {
		set[http.StatusUnauthorized] = true
		set[http.StatusTooManyRequests] = true
		if rank(rt.Role) > rank(inventory.RoleViewer) {
			set[http.StatusForbidden] = true
		}
	}
	for _, p := range rt.pathParams() {
		set[http.StatusNotFound] = true
		if p == "number" {
			set[http.StatusBadRequest] = true
		}
	}
	if len(rt.Query) > 0 {
		set[http.StatusBadRequest] = true
	}
	if rt.in != nil {
		set[http.StatusBadRequest] = true
		set[http.StatusRequestEntityTooLarge] = true
		set[http.StatusUnsupportedMediaType] = true
	}
	for _, s := range rt.Errors {
		set[s] = true
	}
	out := make([]int, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Ints(out)
	return out
}

// operationID is "get_v1_numbers_number" for GET /v1/numbers/{number}.
func operationID(rt route) string {
	r := strings.NewReplacer("/", "_", "{", "", "}", "", "-", "_", ".", "_")
	return strings.ToLower(rt.Method) + r.Replace(rt.Pattern)
}

// tag groups operations by their first path segment after /v1.
func tag(pattern string) string {
	p := strings.TrimPrefix(pattern, "/v1")
	seg, _, _ := strings.Cut(strings.TrimPrefix(p, "/"), "/")
	if p == pattern {
		return "service"
	}
	return seg
}

func (a *api) serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(a.openapi)
}
