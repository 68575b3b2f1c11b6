package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/numberdesk/numberdesk/internal/inventory"
)

// Codes of the HTTP API alone, beside the domain codes of package inventory.
const (
	CodeInvalidJSON          inventory.Code = "invalid_json"
	CodeUnknownField         inventory.Code = "unknown_field"
	CodeBodyTooLarge         inventory.Code = "body_too_large"
	CodeUnsupportedMediaType inventory.Code = "unsupported_media_type"
	CodeMethodNotAllowed     inventory.Code = "method_not_allowed"
	CodeRateLimited          inventory.Code = "rate_limited"
	CodeUnavailable          inventory.Code = "unavailable"
	// CodeCarrierUnavailable: the carrier did not answer (a search).
	CodeCarrierUnavailable inventory.Code = "carrier_unavailable"
)

// statuses maps every error code to its HTTP status. It is the only place
// that does: handlers return errors carrying codes, never statuses.
//
// Invalid input is 400; a state conflict (the number's status, a taken
// extension number) is 409; a request that is well formed but refused by a
// rule of the account (licences, sites) is 422: retrying it changes nothing
// until the account changes.
var statuses = map[inventory.Code]int{
	// Malformed requests.
	CodeInvalidJSON:                        http.StatusBadRequest,
	CodeUnknownField:                       http.StatusBadRequest,
	inventory.CodeInvalidPhoneNumber:       http.StatusBadRequest,
	inventory.CodeMissingField:             http.StatusBadRequest,
	inventory.CodeInvalidField:             http.StatusBadRequest,
	inventory.CodeInvalidAction:            http.StatusBadRequest,
	inventory.CodeDuplicateRow:             http.StatusBadRequest,
	inventory.CodeUnauthorized:             http.StatusUnauthorized,
	inventory.CodeForbidden:                http.StatusForbidden,
	CodeMethodNotAllowed:                   http.StatusMethodNotAllowed,
	CodeBodyTooLarge:                       http.StatusRequestEntityTooLarge,
	CodeUnsupportedMediaType:               http.StatusUnsupportedMediaType,
	CodeRateLimited:                        http.StatusTooManyRequests,
	inventory.CodeNotFound:                 http.StatusNotFound,
	inventory.CodeAccountNotFound:          http.StatusNotFound,
	inventory.CodeNumberNotFound:           http.StatusNotFound,
	inventory.CodeExtensionNotFound:        http.StatusNotFound,
	inventory.CodeSiteNotFound:             http.StatusNotFound,
	inventory.CodeEmergencyAddressNotFound: http.StatusNotFound,
	// State conflicts.
	inventory.CodeAlreadyAssigned: http.StatusConflict,
	inventory.CodeNotAssigned:     http.StatusConflict,
	inventory.CodeNumberNotActive: http.StatusConflict,
	inventory.CodeWrongStatus:     http.StatusConflict,
	inventory.CodeNumberExists:    http.StatusConflict,
	inventory.CodeExtensionExists: http.StatusConflict,
	inventory.CodeConflict:        http.StatusConflict,
	// Rules of the account.
	inventory.CodeLicenseExhausted:         http.StatusUnprocessableEntity,
	inventory.CodeTollFreeLicenseRequired:  http.StatusUnprocessableEntity,
	inventory.CodeSiteRequired:             http.StatusUnprocessableEntity,
	inventory.CodeSiteMismatch:             http.StatusUnprocessableEntity,
	inventory.CodeEmergencyAddressRequired: http.StatusUnprocessableEntity,
	// Failures of the service.
	inventory.CodeInternal: http.StatusInternalServerError,
	CodeUnavailable:        http.StatusServiceUnavailable,
	CodeCarrierUnavailable: http.StatusServiceUnavailable,
}

// StatusOf returns the HTTP status of an error code. A code missing from the
// table is a domain refusal the table has not learnt yet: 422, not a 500.
func StatusOf(code inventory.Code) int {
	if s, ok := statuses[code]; ok {
		return s
	}
	return http.StatusUnprocessableEntity
}

// Problem is an RFC 9457 problem document, the body of every error response.
type Problem struct {
	// Type is a URI naming the problem: "urn:numberdesk:problem:<code>".
	Type string `json:"type"`
	// Title is the HTTP status text.
	Title string `json:"title"`
	// Status is the HTTP status.
	Status int `json:"status"`
	// Detail says what went wrong in this request.
	Detail string `json:"detail"`
	// Code is the stable, machine-readable error code.
	Code inventory.Code `json:"code"`
	// RequestID is the request's X-Request-ID, for support.
	RequestID string `json:"request_id,omitempty"`
}

// apiError returns an *inventory.Error with a code and message.
func apiError(code inventory.Code, msg string) error {
	return &inventory.Error{Code: code, Message: msg}
}

// writeProblem writes err as a problem document. Errors without a code are
// internal: they are logged, and the client sees only the request id.
func (a *api) writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	code := inventory.ErrorCode(err)
	status := StatusOf(code)
	detail := inventory.ErrorMessage(err)
	reqID := requestID(r.Context())
	if status >= 500 {
		level := slog.LevelError
		switch {
		case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
			level = slog.LevelInfo // the client went away
		case status != http.StatusInternalServerError:
			level = slog.LevelWarn // unavailable: said where it was found
		}
		a.log.Log(r.Context(), level, "request failed", "request_id", reqID, "err", err.Error())
		if code == inventory.CodeInternal {
			detail = "internal error; quote request id " + reqID + " to support"
		}
	}
	if detail == "" {
		detail = string(code)
	}
	writeProblemDoc(w, Problem{
		Type: "urn:numberdesk:problem:" + string(code), Title: http.StatusText(status),
		Status: status, Detail: detail, Code: code, RequestID: reqID,
	})
}

func writeProblemDoc(w http.ResponseWriter, p Problem) {
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Del("Content-Length")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}
