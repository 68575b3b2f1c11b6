package httpapi

import (
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/numberdesk/numberdesk/internal/inventory"
)

// schemaGen writes JSON Schemas (the 2020-12 dialect of OpenAPI 3.1) of Go
// types as encoding/json encodes them: named structs become components
// referenced by $ref, json tags name the properties, fields without
// omitempty are required, pointers are nullable, time.Time is a date-time
// string, and the domain's string types list their values as enums.
type schemaGen struct {
	names map[reflect.Type]string
	taken map[string]reflect.Type
	defs  map[string]any
}

func newSchemaGen() *schemaGen {
	return &schemaGen{names: map[reflect.Type]string{}, taken: map[string]reflect.Type{}, defs: map[string]any{}}
}

// enums are the values of the domain's string types.
var enums = map[reflect.Type][]string{
	reflect.TypeFor[inventory.Status]():        enumOf(inventory.Statuses),
	reflect.TypeFor[inventory.NumberType]():    {string(inventory.Toll), string(inventory.TollFree)},
	reflect.TypeFor[inventory.ExtensionType](): enumOf(inventory.ExtensionTypes),
	reflect.TypeFor[inventory.Role]():          {string(inventory.RoleOwner), string(inventory.RoleAdmin), string(inventory.RoleViewer)},
	reflect.TypeFor[inventory.Source]():        {string(inventory.SourceOrdered), string(inventory.SourcePorted)},
	reflect.TypeFor[inventory.Code]():          allCodes(),
}

// allCodes lists every code of the status table, sorted.
func allCodes() []string {
	out := make([]string, 0, len(statuses))
	for c := range statuses {
		out = append(out, string(c))
	}
	sort.Strings(out)
	return out
}

var timeType = reflect.TypeFor[time.Time]()

// schema returns the schema of t, registering named structs in g.defs.
func (g *schemaGen) schema(t reflect.Type) map[string]any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case enums[t] != nil:
		return map[string]any{"type": "string", "enum": enums[t]}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return nullable(g.schema(t.Elem()))
	case reflect.Struct:
		if t.Name() == "" {
			return g.object(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + g.define(t)}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "contentEncoding": "base64"}
		}
		return map[string]any{"type": "array", "items": g.schema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	}
	return map[string]any{} // any JSON value
}

// define registers a named struct under a unique component name.
func (g *schemaGen) define(t reflect.Type) string {
	if name, ok := g.names[t]; ok {
		return name
	}
	name := t.Name()
	if other, ok := g.taken[name]; ok && other != t {
		pkg := t.PkgPath()[strings.LastIndex(t.PkgPath(), "/")+1:]
		name = strings.ToUpper(pkg[:1]) + pkg[1:] + name
	}
	g.names[t], g.taken[name] = name, t
	g.defs[name] = map[string]any{} // placeholder while recursing
	g.defs[name] = g.object(t)
	return name
}

// object is the schema of a struct's fields, embedded structs flattened.
func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	required := []string{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if tag == "-" || (!f.IsExported() && !f.Anonymous) {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
				walk(f.Type)
				continue
			}
			if name == "" {
				name = f.Name
			}
			props[name] = g.schema(f.Type)
			if !strings.Contains(","+opts+",", ",omitempty,") && !strings.Contains(","+opts+",", ",omitzero,") {
				required = append(required, name)
			}
		}
	}
	walk(t)
	s := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}

// nullable lets a schema also be null.
func nullable(s map[string]any) map[string]any {
	if typ, ok := s["type"].(string); ok && s["enum"] == nil {
		out := map[string]any{}
		for k, v := range s {
			out[k] = v
		}
		out["type"] = []string{typ, "null"}
		return out
	}
	return map[string]any{"anyOf": []any{s, map[string]any{"type": "null"}}}
}
