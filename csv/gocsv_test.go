package csv

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/numberdesk/numberdesk/internal/inventory"
)

// TestGocsvTagsMatchSchema checks that every canonical column of a schema
// is the csv tag of a field of its record type, and the other way round.
func TestGocsvTagsMatchSchema(t *testing.T) {
	header := func(s *schema) *feed {
		cols := make([]int, len(s.columns))
		for i := range cols {
			cols[i] = i
		}
		proj, names := s.gocsvColumns(cols)
		return newFeed(nil, len(names), proj, names)
	}
	t.Run("assignments", func(t *testing.T) {
		um, err := newUnmarshaller[assignmentRecord](header(assignmentSchema))
		if err != nil {
			t.Fatal(err)
		}
		if len(um.MismatchedStructFields) > 0 {
			t.Errorf("fields without a column: %v", um.MismatchedStructFields)
		}
	})
	t.Run("extensions", func(t *testing.T) {
		um, err := newUnmarshaller[extensionRecord](header(extensionSchema))
		if err != nil {
			t.Fatal(err)
		}
		if len(um.MismatchedStructFields) > 0 {
			t.Errorf("fields without a column: %v", um.MismatchedStructFields)
		}
	})
}

// TestGocsvLoneEmptyField checks a row whose only mapped cell is empty,
// which written alone would be a blank line to encoding/csv.
func TestGocsvLoneEmptyField(t *testing.T) {
	got := mustDecodeAssignments(t, "notes,phone_number\nhello,\n")
	want := []arow{{2, "", "", "", "", []string{"hello", ""}, inventory.CodeMissingField}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}

// TestGocsvValuesAreCells checks that gocsv gets each cell exactly as the
// record reader read it, whatever it holds.
func TestGocsvValuesAreCells(t *testing.T) {
	in := "Name;Type;Notes\r\n" +
		"\"Jane\r\r\nDoe, \"\"J\"\"\";user;\"a\rb\"\r\n" + // CR CRLF in quotes: CR LF in the cell
		"\"x\r\";room;\"\"\"\"\n" + // CR before the closing quote
		"\"a\"b;\"\r\n\";c\r\n" // stray quote; quoted CRLF is LF
	want := []string{"Jane\r\nDoe, \"J\"", "user", "x\r", "room", `a"b`, "\n"}
	got := gocsvValues(t, []byte(in))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
}

// FuzzGocsvValues checks, for any input, that the values gocsv fills in are
// the cells of their columns as read.
func FuzzGocsvValues(f *testing.F) {
	for _, seed := range []string{
		"type,name,site\nuser,\"a,\"\"b\"\"\r\r\nc\",x\n",
		"Name;Type\n\"\r\";\"\n\"\n",
		"type\tname\n\"a\"b\t\"\"\"\"\n",
		"notes,type,x,name\nhi,,y,\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		gocsvValues(t, data)
	})
}

// gocsvValues decodes data as an extensions file and checks that the
// values of each well-formed row are its cells. It returns the name and
// type values.
func gocsvValues(t *testing.T, data []byte) []string {
	t.Helper()
	d, err := newDecoder[extensionRecord](bytes.NewReader(data), extensionSchema)
	if err != nil {
		return nil
	}
	var out []string
	for {
		raw, rec, err := d.next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("next: %v", err)
		}
		if raw.err != nil {
			if rec != nil {
				t.Fatalf("line %d: malformed row decoded by gocsv", raw.line)
			}
			continue
		}
		got := []string{rec.ExtensionNumber, rec.Type, rec.Name, rec.Email, rec.Site}
		want := make([]string, len(got))
		for i, j := range d.cols {
			if j >= 0 {
				want[i] = raw.cells[j]
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("line %d: gocsv values differ from the cells (-want +got):\n%s\ninput %q", raw.line, diff, strings.ToValidUTF8(string(data), "?"))
		}
		out = append(out, rec.Name, rec.Type)
	}
}
