package csv

import (
	"io"
	"strings"

	"github.com/numberdesk/numberdesk/internal/inventory"
)

var extensionSchema = newSchema(
	column{name: "extension_number", aliases: extensionAliases},
	column{name: "type", aliases: []string{"extension_type"}, required: true},
	column{name: "name", aliases: []string{"display_name", "extension_name"}, required: true},
	column{name: "email", aliases: emailAliases},
	column{name: "site", aliases: []string{"site_name", "location"}},
)

// extensionTypes are the extension types, by their normalised spelling.
var extensionTypes = map[string]string{
	"user":             "user",
	"callqueue":        "call_queue",
	"autoreceptionist": "auto_receptionist",
	"commonarea":       "common_area",
	"room":             "room",
}

// ExtensionRow is one data row of an extensions file.
//
// When Err is nil the row is valid: Type is one of user, call_queue,
// auto_receptionist, common_area and room, Name is set, ExtensionNumber is
// empty (to be allocated) or 2 to 8 digits, and Email is empty or looks like
// an address. When Err is not nil the values are filled in as far as they
// could be read, as written but trimmed of spaces.
type ExtensionRow struct {
	// Line is the physical line of the file the row starts on, counting
	// from 1, as in AssignmentRow.
	Line int

	ExtensionNumber string
	Type            string
	Name            string
	Email           string
	Site            string

	// Cells are the row's fields as written, as in AssignmentRow.
	Cells []string

	// Err is nil or an *inventory.Error saying what is wrong with the row.
	Err error
}

// ExtensionDecoder reads the rows of an extensions file one at a time.
type ExtensionDecoder struct {
	d *decoder[extensionRecord]
}

// NewExtensionDecoder reads the header of an extensions file from r and
// returns a decoder of its rows. The header needs a type and a name column.
// Header problems are reported as by NewAssignmentDecoder. opts is not used
// yet.
func NewExtensionDecoder(r io.Reader, opts Options) (*ExtensionDecoder, error) {
	d, err := newDecoder[extensionRecord](r, extensionSchema)
	if err != nil {
		return nil, err
	}
	return &ExtensionDecoder{d: d}, nil
}

// Header returns the header's fields as written.
func (d *ExtensionDecoder) Header() []string { return d.d.header }

// Next returns the next data row, as AssignmentDecoder.Next does.
func (d *ExtensionDecoder) Next() (ExtensionRow, error) {
	raw, rec, err := d.d.next()
	if err != nil {
		return ExtensionRow{}, err
	}
	row := ExtensionRow{Line: raw.line, Cells: raw.cells, Err: raw.err}
	if raw.err != nil {
		return row, nil
	}
	row.ExtensionNumber = strings.TrimSpace(rec.ExtensionNumber)
	row.Type = strings.TrimSpace(rec.Type)
	row.Name = strings.TrimSpace(rec.Name)
	row.Email = strings.TrimSpace(rec.Email)
	row.Site = strings.TrimSpace(rec.Site)
	row.Err = checkExtension(&row)
	return row, nil
}

// checkExtension validates row and normalises its type.
func checkExtension(row *ExtensionRow) error {
	if row.Type == "" {
		return inventory.Errorf(inventory.CodeMissingField, "type is empty")
	}
	t, ok := extensionTypes[typeKey(row.Type)]
	if !ok {
		return inventory.Errorf(inventory.CodeInvalidField,
			"unknown type %q: want user, call_queue, auto_receptionist, common_area or room", row.Type)
	}
	row.Type = t
	if row.Name == "" {
		return inventory.Errorf(inventory.CodeMissingField, "name is empty")
	}
	if err := checkExtensionNumber(row.ExtensionNumber); err != nil {
		return err
	}
	return checkEmail(row.Email)
}

// typeKey returns an extension type without case, spaces, underscores and
// hyphens: "Call Queue" and "call_queue" both become "callqueue".
func typeKey(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '_', '-':
			return -1
		}
		return r
	}, strings.ToLower(s))
}
