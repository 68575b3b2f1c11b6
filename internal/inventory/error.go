package inventory

import (
	"errors"
	"fmt"
)

// Code is a stable, machine-readable error code. Codes are part of the public
// contract: the HTTP API returns them in problem documents and import error
// reports carry them in their error_code column. A code never changes meaning.
type Code string

// The error codes of the public contract.
const (
	CodeInvalidPhoneNumber       Code = "invalid_phone_number"
	CodeNumberNotFound           Code = "number_not_found"
	CodeNumberNotActive          Code = "number_not_active"
	CodeAlreadyAssigned          Code = "already_assigned"
	CodeNotAssigned              Code = "not_assigned"
	CodeWrongStatus              Code = "wrong_status"
	CodeNumberExists             Code = "number_exists"
	CodeExtensionNotFound        Code = "extension_not_found"
	CodeExtensionExists          Code = "extension_exists"
	CodeSiteNotFound             Code = "site_not_found"
	CodeSiteRequired             Code = "site_required"
	CodeSiteMismatch             Code = "site_mismatch"
	CodeEmergencyAddressNotFound Code = "emergency_address_not_found"
	CodeEmergencyAddressRequired Code = "emergency_address_required"
	CodeDuplicateRow             Code = "duplicate_row"
	CodeInvalidAction            Code = "invalid_action"
	CodeMissingField             Code = "missing_field"
	CodeInvalidField             Code = "invalid_field"
	CodeLicenseExhausted         Code = "license_exhausted"
	CodeTollFreeLicenseRequired  Code = "toll_free_license_required"
	CodeAccountNotFound          Code = "account_not_found"
	CodeNotFound                 Code = "not_found"
	CodeConflict                 Code = "conflict"
	CodeUnauthorized             Code = "unauthorized"
	CodeForbidden                Code = "forbidden"
	CodeInternal                 Code = "internal"
)

// Error is a domain error: a Code with a human-readable message.
type Error struct {
	Code    Code
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Message == "" {
		return string(e.Code)
	}
	return string(e.Code) + ": " + e.Message
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, or
// CodeInternal when err is not nil but carries no code, or "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// ErrorMessage returns the message of the first *Error in err's chain, or
// err.Error() for other errors.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	if err == nil {
		return ""
	}
	return err.Error()
}
