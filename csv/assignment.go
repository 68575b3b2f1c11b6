package csv

import (
	"errors"
	"io"
	"strings"

	"github.com/numberdesk/numberdesk/internal/inventory"
)

// Action is what a row of an assignments file asks for.
type Action string

// The actions of an assignments file.
const (
	ActionAssign   Action = "assign"
	ActionReassign Action = "reassign"
	ActionUnassign Action = "unassign"
	ActionDelete   Action = "delete"
)

var assignmentSchema = newSchema(
	column{name: "phone_number", aliases: []string{"phone", "number", "phone_no", "telephone", "telephone_number", "direct_number", "did"}, required: true},
	column{name: "extension_number", aliases: extensionAliases},
	column{name: "email", aliases: emailAliases},
	column{name: "action"},
)

// Aliases shared by both kinds of file.
var (
	extensionAliases = []string{"extension", "ext", "ext_no", "ext_number", "extension_no"}
	emailAliases     = []string{"email_address", "user_email"}
)

// AssignmentRow is one data row of an assignments file.
//
// When Err is nil the row is valid: PhoneNumber is in E.164, Action is one
// of the four actions, and assign and reassign rows have an ExtensionNumber
// or an Email. When Err is not nil the values are filled in as far as they
// could be read, as written but trimmed of spaces.
type AssignmentRow struct {
	// Line is the physical line of the file the row starts on, counting
	// from 1, so that the header is usually line 1 and the first data row
	// line 2. Line breaks inside quoted fields and blank lines count.
	Line int

	PhoneNumber     string
	ExtensionNumber string
	Email           string
	Action          Action

	// Cells are the row's fields as written, untrimmed, in the order of the
	// header's columns, for the error report. A row with more fields than
	// the header keeps only as many; a row that is too long has none.
	Cells []string

	// Err is nil or an *inventory.Error saying what is wrong with the row.
	Err error
}

// AssignmentDecoder reads the rows of an assignments file one at a time.
type AssignmentDecoder struct {
	d         *decoder[assignmentRecord]
	normalize func(string) (string, error)
}

// NewAssignmentDecoder reads the header of an assignments file from r and
// returns a decoder of its rows. opts.Normalize is required. A problem with
// the header (an empty file, a missing phone_number column, two columns for
// the same field) is an *inventory.Error with code missing_field or
// invalid_field; any other error is r's.
func NewAssignmentDecoder(r io.Reader, opts Options) (*AssignmentDecoder, error) {
	if opts.Normalize == nil {
		return nil, errors.New("csv: Options.Normalize is required for assignments")
	}
	d, err := newDecoder[assignmentRecord](r, assignmentSchema)
	if err != nil {
		return nil, err
	}
	return &AssignmentDecoder{d: d, normalize: opts.Normalize}, nil
}

// Header returns the header's fields as written.
func (d *AssignmentDecoder) Header() []string { return d.d.header }

// Next returns the next data row. A row that is not valid comes back with
// its Err set; decoding goes on after it. Next returns io.EOF after the last
// row, and any other error only when reading fails, after which the decoder
// returns that error again.
func (d *AssignmentDecoder) Next() (AssignmentRow, error) {
	raw, rec, err := d.d.next()
	if err != nil {
		return AssignmentRow{}, err
	}
	row := AssignmentRow{Line: raw.line, Cells: raw.cells, Err: raw.err}
	if raw.err != nil {
		return row, nil
	}
	row.PhoneNumber = strings.TrimSpace(rec.PhoneNumber)
	row.ExtensionNumber = strings.TrimSpace(rec.ExtensionNumber)
	row.Email = strings.TrimSpace(rec.Email)
	row.Err = d.check(&row, strings.TrimSpace(rec.Action))
	return row, nil
}

// check validates row, whose action is written as action, and normalises
// its phone number and action.
func (d *AssignmentDecoder) check(row *AssignmentRow, action string) error {
	if row.PhoneNumber == "" {
		return inventory.Errorf(inventory.CodeMissingField, "phone_number is empty")
	}
	var ok bool
	if row.Action, ok = parseAction(action); !ok {
		return inventory.Errorf(inventory.CodeInvalidAction,
			"unknown action %q: want assign, reassign, unassign or delete", action)
	}
	e164, err := d.normalize(row.PhoneNumber)
	if err != nil {
		return err
	}
	row.PhoneNumber = e164
	if err := checkExtensionNumber(row.ExtensionNumber); err != nil {
		return err
	}
	if err := checkEmail(row.Email); err != nil {
		return err
	}
	if (row.Action == ActionAssign || row.Action == ActionReassign) && row.ExtensionNumber == "" && row.Email == "" {
		return inventory.Errorf(inventory.CodeMissingField, "%s needs an extension_number or an email", row.Action)
	}
	return nil
}

// parseAction returns the action written as s, in any case; empty is
// assign.
func parseAction(s string) (Action, bool) {
	if s == "" {
		return ActionAssign, true
	}
	for _, a := range []Action{ActionAssign, ActionReassign, ActionUnassign, ActionDelete} {
		if strings.EqualFold(s, string(a)) {
			return a, true
		}
	}
	return "", false
}
