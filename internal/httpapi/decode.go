package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/numberdesk/numberdesk/internal/inventory"
)

// decode reads the request's JSON body into v: the content type must be
// application/json, the body at most the configured size, one JSON value,
// with no fields v does not have.
func (c *call) decode(v any) error {
	ct := c.r.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
		if ct == "" {
			ct = "none"
		}
		return apiError(CodeUnsupportedMediaType, "the body must be JSON with Content-Type: application/json, got "+ct)
	}
	max := c.api.maxBody
	if c.r.ContentLength > max {
		return tooLarge(max)
	}
	dec := json.NewDecoder(http.MaxBytesReader(c.w, c.r.Body, max))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err, max)
	}
	if err := dec.Decode(&struct{}{}); err != io.EOF {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return tooLarge(max)
		}
		return apiError(CodeInvalidJSON, "the body must hold a single JSON object")
	}
	return nil
}

func tooLarge(max int64) error {
	return apiError(CodeBodyTooLarge, fmt.Sprintf("the body is larger than %d bytes", max))
}

// decodeError turns an encoding/json error into a coded error naming the
// field or offset at fault.
func decodeError(err error, max int64) error {
	var (
		mbe    *http.MaxBytesError
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &mbe):
		return tooLarge(max)
	case errors.Is(err, io.EOF):
		return apiError(CodeInvalidJSON, "the body is empty; send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apiError(CodeInvalidJSON, "the body ends in the middle of a JSON value")
	case errors.As(err, &syntax):
		return apiError(CodeInvalidJSON, fmt.Sprintf("the body is not valid JSON at byte %d: %s", syntax.Offset, strings.TrimPrefix(syntax.Error(), "json: ")))
	case errors.As(err, &typ):
		if typ.Field == "" {
			return apiError(CodeInvalidJSON, "the body must be a JSON object")
		}
		return apiError(inventory.CodeInvalidField, fmt.Sprintf("field %s must be %s, not %s", typ.Field, jsonKind(typ.Type.Kind().String()), typ.Value))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return apiError(CodeUnknownField, "the body has an unknown field "+strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return apiError(CodeInvalidJSON, "the body could not be read: "+err.Error())
}

// jsonKind names a Go kind in JSON terms.
func jsonKind(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"), strings.HasPrefix(kind, "float"):
		return "a number"
	case kind == "bool":
		return "true or false"
	case kind == "slice":
		return "an array"
	case kind == "struct", kind == "map":
		return "an object"
	}
	return "a " + kind
}
