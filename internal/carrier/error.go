package carrier

import (
	"errors"
	"fmt"
)

// Error codes of Error.Code.
const (
	CodeInvalid     = "invalid"     // the request is malformed or breaks a rule
	CodeNotFound    = "not_found"   // no such port order
	CodeConflict    = "conflict"    // the idempotency key was used for another request, or the state forbids it
	CodeUnavailable = "unavailable" // the carrier failed or could not be reached
)

// Error is a failed carrier operation.
type Error struct {
	Op        string // the operation, e.g. "place order"
	Status    int    // HTTP status, 0 when there was no response
	Code      string // one of the Code constants, or the carrier's own code
	Message   string // what the carrier said, or a body excerpt
	Retryable bool   // whether trying again may succeed
	Attempts  int    // how many attempts the client made (0 in process)
	Err       error  // the underlying error, if any
}

// Error implements the error interface.
func (e *Error) Error() string {
	s := "carrier: " + e.Op
	if e.Status != 0 {
		s += fmt.Sprintf(": status %d", e.Status)
	}
	if e.Code != "" {
		s += ": " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	if e.Attempts > 1 {
		s += fmt.Sprintf(" (after %d attempts)", e.Attempts)
	}
	return s
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns a non-retryable *Error for operation op.
func Errorf(op, code, format string, args ...any) *Error {
	return &Error{Op: op, Code: code, Message: fmt.Sprintf(format, args...)}
}

// IsRetryable reports whether err is a carrier error worth retrying.
func IsRetryable(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Retryable
}

// ErrorCode returns the Code of the *Error in err's chain, or "".
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
