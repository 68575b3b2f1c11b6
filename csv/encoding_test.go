package csv

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"
)

// encodeUTF16 returns s in UTF-16 with a byte-order mark.
func encodeUTF16(s string, bigEndian bool) []byte {
	units := utf16.Encode([]rune("\uFEFF" + s))
	out := make([]byte, 0, 2*len(units))
	for _, u := range units {
		if bigEndian {
			out = append(out, byte(u>>8), byte(u))
		} else {
			out = append(out, byte(u), byte(u>>8))
		}
	}
	return out
}

func TestEncodings(t *testing.T) {
	const text = "type,name,email\r\nuser,José 😀 Núñez,jose@example.com\r\nroom,\"Salle \"\"A\"\"\nétage 2\",\r\n"
	want := []erow{
		{2, "", "user", "José 😀 Núñez", "jose@example.com", "", ""},
		{3, "", "room", "Salle \"A\"\nétage 2", "", "", ""},
	}
	inputs := map[string][]byte{
		"utf-8":          []byte(text),
		"utf-8 bom":      append([]byte("\xEF\xBB\xBF"), text...),
		"utf-16le bom":   encodeUTF16(text, false),
		"utf-16be bom":   encodeUTF16(text, true),
		"utf-16le semis": encodeUTF16(strings.ReplaceAll(text, ",", ";"), false),
	}
	for name, in := range inputs {
		for rname, wrap := range map[string]func(io.Reader) io.Reader{
			"whole":    func(r io.Reader) io.Reader { return r },
			"one byte": iotest.OneByteReader,
			"half":     iotest.HalfReader,
		} {
			t.Run(name+"/"+rname, func(t *testing.T) {
				d, err := NewExtensionDecoder(wrap(bytes.NewReader(in)), Options{})
				if err != nil {
					t.Fatal(err)
				}
				var got []erow
				for {
					r, err := d.Next()
					if err == io.EOF {
						break
					}
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, erow{r.Line, r.ExtensionNumber, r.Type, r.Name, r.Email, r.Site, ""})
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("rows (-want +got):\n%s", diff)
				}
			})
		}
	}
}

func TestUTF16Decoding(t *testing.T) {
	tests := []struct {
		name string
		in   []byte // after the byte-order mark, little endian
		want string
	}{
		{"ascii", []byte("a\x00b\x00"), "ab"},
		{"surrogate pair", []byte{0x3D, 0xD8, 0x00, 0xDE}, "😀"},
		{"odd trailing byte", []byte("a\x00b"), "a\uFFFD"},
		{"lone high surrogate at end", []byte{'a', 0, 0x3D, 0xD8}, "a\uFFFD"},
		{"lone high surrogate", []byte{0x3D, 0xD8, 'a', 0}, "\uFFFDa"},
		{"lone low surrogate", []byte{0x00, 0xDE, 'a', 0}, "\uFFFDa"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, wrap := range []func(io.Reader) io.Reader{func(r io.Reader) io.Reader { return r }, iotest.OneByteReader} {
				src, err := newSource(wrap(bytes.NewReader(append([]byte{0xFF, 0xFE}, tt.in...))))
				if err != nil {
					t.Fatal(err)
				}
				got, err := io.ReadAll(src)
				if err != nil {
					t.Fatal(err)
				}
				if string(got) != tt.want {
					t.Errorf("got %q, want %q", got, tt.want)
				}
			}
		})
	}
}

func TestSourceReadError(t *testing.T) {
	boom := iotest.ErrReader(io.ErrClosedPipe)
	if _, err := NewAssignmentDecoder(boom, testOptions); err == nil {
		t.Fatal("no error for a failing reader")
	}
	// A reader that fails after the header and one row.
	r := io.MultiReader(strings.NewReader("phone_number,ext\n+16502530000,1001\n+1650"), boom)
	d, err := NewAssignmentDecoder(r, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	if row, err := d.Next(); err != nil || row.Err != nil {
		t.Fatalf("first row: %v, %v", row.Err, err)
	}
	for range 2 {
		if _, err := d.Next(); !errors.Is(err, io.ErrClosedPipe) {
			t.Fatalf("Next = %v, want the read error", err)
		}
	}
}
