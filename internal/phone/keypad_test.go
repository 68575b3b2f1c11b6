package phone

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/numberdesk/numberdesk/internal/inventory"
)

func TestKeypad(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"YKI", "954"},
		{"yki", "954"},
		{"ABCDEFGHIJKLMNOPQRSTUVWXYZ", "22233344455566677778889999"},
		{"abcdefghijklmnopqrstuvwxyz", "22233344455566677778889999"},
		{"0123456789", "0123456789"},
		{"FLOWERS", "3569377"},
		{"4u2C", "4822"},
	}
	for _, tt := range tests {
		got, err := Keypad(tt.in)
		if err != nil {
			t.Errorf("Keypad(%q): %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Keypad(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestKeypadErrors(t *testing.T) {
	for _, in := range []string{"Y-KI", "954 ", "ÄB", "*", "+1", "ｙ"} {
		got, err := Keypad(in)
		var e *inventory.Error
		if !errors.As(err, &e) || e.Code != inventory.CodeInvalidField {
			t.Errorf("Keypad(%q) = %q, %v; want an *inventory.Error with code %s", in, got, err, inventory.CodeInvalidField)
		}
	}
}
