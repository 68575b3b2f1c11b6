package phone

import "github.com/numberdesk/numberdesk/internal/inventory"

// keypadDigits maps A-Z to their keys on a phone keypad (ITU E.161).
const keypadDigits = "22233344455566677778889999"

// Keypad converts letters to the digits of their keys on a phone keypad
// (ITU E.161: ABC=2 DEF=3 GHI=4 JKL=5 MNO=6 PQRS=7 TUV=8 WXYZ=9), ignoring
// case; digits pass through. Keypad("YKI") is "954". Anything else is an
// *inventory.Error with code invalid_field. The empty string converts to
// itself.
func Keypad(s string) (string, error) {
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if b != nil {
				b = append(b, c)
			}
			continue
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		case c >= 'A' && c <= 'Z':
		default:
			return "", inventory.Errorf(inventory.CodeInvalidField, "%s: only letters A-Z and digits have keypad digits", quoteInput(s))
		}
		if b == nil {
			b = make([]byte, i, len(s))
			copy(b, s[:i])
		}
		b = append(b, keypadDigits[c-'A'])
	}
	if b == nil {
		return s, nil
	}
	return string(b), nil
}
