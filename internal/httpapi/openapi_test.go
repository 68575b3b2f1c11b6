package httpapi

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestOpenAPI checks the served document: OpenAPI 3.1, every route of the
// table with its parameters and responses, and every $ref resolving.
func TestOpenAPI(t *testing.T) {
	e := newEnv(t, Config{})
	r := e.do(t, "GET", "/openapi.json", "", nil)
	r.want(t, http.StatusOK, "")
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("content type %q", ct)
	}
	var doc map[string]any
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if doc["openapi"] != "3.1.0" {
		t.Fatalf("openapi %v, want 3.1.0", doc["openapi"])
	}
	paths := doc["paths"].(map[string]any)
	var want, got []string
	for _, rt := range e.api.table {
		want = append(want, rt.key())
		item, ok := paths[rt.Pattern].(map[string]any)
		if !ok {
			t.Errorf("%s: path missing", rt.key())
			continue
		}
		op, ok := item[strings.ToLower(rt.Method)].(map[string]any)
		if !ok {
			t.Errorf("%s: operation missing", rt.key())
			continue
		}
		if op["summary"] == "" || op["operationId"] == "" {
			t.Errorf("%s: no summary or operationId", rt.key())
		}
		// Parameters: the pattern's wildcards and the documented query.
		var params []string
		for _, p := range asList(op["parameters"]) {
			pm := p.(map[string]any)
			params = append(params, pm["in"].(string)+":"+pm["name"].(string))
		}
		var wantParams []string
		for _, n := range rt.pathParams() {
			wantParams = append(wantParams, "path:"+n)
		}
		for _, q := range rt.Query {
			wantParams = append(wantParams, "query:"+q.Name)
		}
		if diff := cmp.Diff(wantParams, params); diff != "" {
			t.Errorf("%s: parameters (-want +got):\n%s", rt.key(), diff)
		}
		// Responses: success with its body, every error as a problem.
		res := op["responses"].(map[string]any)
		var codes []string
		for c := range res {
			codes = append(codes, c)
		}
		sort.Strings(codes)
		wantCodes := []string{strconv.Itoa(rt.status)}
		for _, s := range errorStatuses(rt) {
			wantCodes = append(wantCodes, strconv.Itoa(s))
		}
		sort.Strings(wantCodes)
		if diff := cmp.Diff(wantCodes, codes); diff != "" {
			t.Errorf("%s: responses (-want +got):\n%s", rt.key(), diff)
		}
		ok200 := res[strconv.Itoa(rt.status)].(map[string]any)
		if (rt.out != nil || rt.contentType != "") != (ok200["content"] != nil) {
			t.Errorf("%s: success content %v", rt.key(), ok200["content"])
		}
		if (rt.in != nil || rt.Upload) != (op["requestBody"] != nil) {
			t.Errorf("%s: requestBody %v", rt.key(), op["requestBody"])
		}
		for _, s := range errorStatuses(rt) {
			content := res[strconv.Itoa(s)].(map[string]any)["content"].(map[string]any)
			if _, ok := content["application/problem+json"]; !ok {
				t.Errorf("%s: %d is not a problem document", rt.key(), s)
			}
		}
		secured := len(asList(op["security"])) > 0
		if secured != (rt.Role != none) {
			t.Errorf("%s: security %v, role %q", rt.key(), op["security"], rt.Role)
		}
	}
	for p, item := range paths {
		for m := range item.(map[string]any) {
			got = append(got, strings.ToUpper(m)+" "+p)
		}
	}
	sort.Strings(want)
	sort.Strings(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("operations (-want +got):\n%s", diff)
	}

	// Every $ref resolves.
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				name, found := strings.CutPrefix(ref, "#/components/schemas/")
				if _, ok := schemas[name]; !found || !ok {
					t.Errorf("dangling $ref %s", ref)
				}
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)

	// The generator reads the Go types: spot-check the number.
	var number map[string]any
	b, _ := json.Marshal(schemas["Number"])
	_ = json.Unmarshal(b, &number)
	props := number["properties"].(map[string]any)
	checks := map[string]string{
		"status":         `{"enum":["porting","reserved","unassigned","assigned"],"type":"string"}`,
		"acquired_at":    `{"format":"date-time","type":"string"}`,
		"assignee":       `{"anyOf":[{"$ref":"#/components/schemas/Assignee"},{"type":"null"}]}`,
		"reserved_since": `{"format":"date-time","type":["string","null"]}`,
	}
	for name, want := range checks {
		got, _ := json.Marshal(props[name])
		if string(got) != want {
			t.Errorf("Number.%s: %s, want %s", name, got, want)
		}
	}
	req, _ := json.Marshal(number["required"])
	if strings.Contains(string(req), "reserved_since") || !strings.Contains(string(req), `"number"`) {
		t.Errorf("Number required %s", req)
	}
	// Embedded structs are flattened: a created token has the token's
	// fields and its secret.
	ct, _ := json.Marshal(schemas["CreatedToken"])
	for _, f := range []string{`"id"`, `"role"`, `"token"`} {
		if !strings.Contains(string(ct), f) {
			t.Errorf("CreatedToken lacks %s: %s", f, ct)
		}
	}
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}
