package csv

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/numberdesk/numberdesk/internal/inventory"
)

// testNormalize stands in for the phone package: it accepts + and 8 to 15
// digits, and 10-digit US national numbers, ignoring spaces, dashes, dots
// and parentheses.
func testNormalize(s string) (string, error) {
	var digits [16]byte
	n, plus, clean := 0, false, true
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			if n == len(digits) {
				return "", inventory.Errorf(inventory.CodeInvalidPhoneNumber, "%q is too long", s)
			}
			digits[n] = c
			n++
		case c == '+' && i == 0:
			plus = true
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')':
			clean = false
		default:
			return "", inventory.Errorf(inventory.CodeInvalidPhoneNumber, "%q is not a phone number", s)
		}
	}
	switch {
	case plus && n >= 8 && n <= 15 && clean:
		return s, nil
	case plus && n >= 8 && n <= 15:
		return "+" + string(digits[:n]), nil
	case !plus && n == 10:
		return "+1" + string(digits[:n]), nil
	}
	return "", inventory.Errorf(inventory.CodeInvalidPhoneNumber, "%q is not a phone number", s)
}

var testOptions = Options{Normalize: testNormalize}

// arow is an AssignmentRow as tests compare it.
type arow struct {
	Line   int
	Phone  string
	Ext    string
	Email  string
	Action Action
	Cells  []string
	Code   inventory.Code
}

func toARow(r AssignmentRow) arow {
	return arow{r.Line, r.PhoneNumber, r.ExtensionNumber, r.Email, r.Action, r.Cells, inventory.ErrorCode(r.Err)}
}

// decodeAssignments decodes all of in. It fails the test on an error that
// is not a header error, and returns the header error's code and message.
func decodeAssignments(tb testing.TB, in io.Reader) ([]AssignmentRow, *inventory.Error) {
	tb.Helper()
	d, err := NewAssignmentDecoder(in, testOptions)
	if err != nil {
		var e *inventory.Error
		if !errors.As(err, &e) {
			tb.Fatalf("NewAssignmentDecoder: %v", err)
		}
		return nil, e
	}
	var rows []AssignmentRow
	for {
		row, err := d.Next()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			tb.Fatalf("Next: %v", err)
		}
		rows = append(rows, row)
	}
}

func mustDecodeAssignments(tb testing.TB, in string) []arow {
	tb.Helper()
	rows, herr := decodeAssignments(tb, strings.NewReader(in))
	if herr != nil {
		tb.Fatalf("header error: %v", herr)
	}
	var out []arow
	for _, r := range rows {
		out = append(out, toARow(r))
	}
	return out
}
