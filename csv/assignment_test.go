package csv

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/numberdesk/numberdesk/internal/inventory"
)

const (
	e164  = "+16502530000"
	e164b = "+16502530001"
)

func TestAssignmentHeaders(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []arow
	}{
		{"canonical", "phone_number,extension_number,email,action\n+16502530000,1001,,assign\n",
			[]arow{{2, e164, "1001", "", ActionAssign, []string{e164, "1001", "", "assign"}, ""}}},
		{"spaces and case", "Phone Number,Extension Number\n+16502530000,1001\n",
			[]arow{{2, e164, "1001", "", ActionAssign, []string{e164, "1001"}, ""}}},
		{"upper snake", "PHONE_NUMBER,EXTENSION_NUMBER\n+16502530000,1001\n",
			[]arow{{2, e164, "1001", "", ActionAssign, []string{e164, "1001"}, ""}}},
		{"kebab", "phone-number,extension-number,e-mail\n+16502530000,,bob@example.com\n",
			[]arow{{2, e164, "", "bob@example.com", ActionAssign, []string{e164, "", "bob@example.com"}, ""}}},
		{"padded", " Phone  Number ,\tExt. \n+16502530000,1001\n",
			[]arow{{2, e164, "1001", "", ActionAssign, []string{e164, "1001"}, ""}}},
		{"alias number ext", "Number,Ext,Action\n+16502530000,1001,Reassign\n",
			[]arow{{2, e164, "1001", "", ActionReassign, []string{e164, "1001", "Reassign"}, ""}}},
		{"alias phone extension email address", "phone,extension,Email Address\n+16502530000,,bob@example.com\n",
			[]arow{{2, e164, "", "bob@example.com", ActionAssign, []string{e164, "", "bob@example.com"}, ""}}},
		{"unknown and unnamed columns kept in cells", "notes,phone_number,,ext,Notes\nhi,+16502530000,x,1001,\n",
			[]arow{{2, e164, "1001", "", ActionAssign, []string{"hi", e164, "x", "1001", ""}, ""}}},
		{"phone column only", "phone_number,action\n+16502530000,delete\n",
			[]arow{{2, e164, "", "", ActionDelete, []string{e164, "delete"}, ""}}},
		{"header only", "phone_number,extension_number\n", nil},
		{"header only without newline", "phone_number", nil},
		{"blank lines before header", "\n \n,,\r\nphone_number,ext\n+16502530000,1001\n",
			[]arow{{5, e164, "1001", "", ActionAssign, []string{e164, "1001"}, ""}}},
		{"utf-8 bom", "\xEF\xBB\xBFphone_number,ext\n+16502530000,1001\n",
			[]arow{{2, e164, "1001", "", ActionAssign, []string{e164, "1001"}, ""}}},
		{"header cell with a line break", "\"Phone\nNumber\",ext\n+16502530000,1001\n",
			[]arow{{3, e164, "1001", "", ActionAssign, []string{e164, "1001"}, ""}}},
		{"quoted header", "\"phone_number\",\"ext\"\n+16502530000,1001\n",
			[]arow{{2, e164, "1001", "", ActionAssign, []string{e164, "1001"}, ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustDecodeAssignments(t, tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAssignmentHeaderErrors(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		code     inventory.Code
		contains string
	}{
		{"empty", "", inventory.CodeMissingField, "empty file"},
		{"only blank lines", "\n\r\n  \n,,;\n\t\n", inventory.CodeMissingField, "empty file"},
		{"only a bom", "\xEF\xBB\xBF", inventory.CodeMissingField, "empty file"},
		{"missing phone_number", "extension_number,action\n1001,assign\n", inventory.CodeMissingField, "phone_number"},
		{"wrong delimiter", "phone_number|extension_number\n+16502530000|1001\n", inventory.CodeMissingField, `no phone_number column (found "phone_number|extension_number")`},
		{"duplicate header", "phone_number,ext,Phone Number\n", inventory.CodeInvalidField, `two phone_number columns: "phone_number" and "Phone Number"`},
		{"duplicate through alias", "phone,number\n", inventory.CodeInvalidField, "two phone_number columns"},
		{"utf-16 without bom", "p\x00h\x00o\x00n\x00e\x00\n\x00", inventory.CodeInvalidField, "UTF-16 without a byte-order mark"},
		{"header too long", "phone_number," + strings.Repeat("x", MaxRecordBytes) + "\n", inventory.CodeInvalidField, "longer than"},
		{"quoted header too long", "phone_number,\"" + strings.Repeat("x\n", MaxRecordBytes/2) + "\"\n", inventory.CodeInvalidField, "longer than"},
		{"too many columns", "phone_number" + strings.Repeat(",", MaxColumns) + "\n", inventory.CodeInvalidField, "columns, more than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewAssignmentDecoder(strings.NewReader(tt.in), testOptions)
			if got := inventory.ErrorCode(err); got != tt.code {
				t.Fatalf("code = %q, want %q (err %v)", got, tt.code, err)
			}
			if msg := inventory.ErrorMessage(err); !strings.Contains(msg, tt.contains) {
				t.Errorf("message %q does not contain %q", msg, tt.contains)
			}
		})
	}
}

func TestNewAssignmentDecoderNeedsNormalize(t *testing.T) {
	if _, err := NewAssignmentDecoder(strings.NewReader("phone_number\n"), Options{}); err == nil {
		t.Fatal("no error without Options.Normalize")
	}
}

func TestDelimiters(t *testing.T) {
	one := func(line int, cells ...string) []arow {
		return []arow{{line, e164, "1001", "", ActionAssign, cells, ""}}
	}
	tests := []struct {
		name string
		in   string
		want []arow
	}{
		{"comma", "phone_number,ext\n+16502530000,1001\n", one(2, e164, "1001")},
		{"semicolon", "phone_number;ext\n+16502530000;1001\n", one(2, e164, "1001")},
		{"tab", "phone_number\text\n+16502530000\t1001\n", one(2, e164, "1001")},
		{"semicolon with commas in data", "Name;phone_number;ext\n\"Doe, Jane\";+16502530000;1001\n", one(2, "Doe, Jane", e164, "1001")},
		{"comma with semicolons in data", "name,phone_number,ext\na;b,+16502530000,1001\n", one(2, "a;b", e164, "1001")},
		{"required column decides", "phone_number;x,ext\n+16502530000;1001\n", []arow{{2, e164, "", "", ActionAssign, []string{e164, "1001"}, inventory.CodeMissingField}}},
		{"tie goes to comma", "phone_number\n+16502530000;1001\n", []arow{{2, "+16502530000;1001", "", "", ActionAssign, []string{"+16502530000;1001"}, inventory.CodeInvalidPhoneNumber}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustDecodeAssignments(t, tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLineEndingsAndQuotes(t *testing.T) {
	const header = "phone_number,ext,notes\n"
	row := func(line int, notes string) arow {
		return arow{line, e164, "1001", "", ActionAssign, []string{e164, "1001", notes}, ""}
	}
	tests := []struct {
		name string
		in   string
		want []arow
	}{
		{"lf", header + "+16502530000,1001,a\n+16502530000,1001,b\n", []arow{row(2, "a"), row(3, "b")}},
		{"crlf", "phone_number,ext,notes\r\n+16502530000,1001,a\r\n+16502530000,1001,b\r\n", []arow{row(2, "a"), row(3, "b")}},
		{"mixed", "phone_number,ext,notes\r\n+16502530000,1001,a\n+16502530000,1001,b\r\n", []arow{row(2, "a"), row(3, "b")}},
		{"no final newline", header + "+16502530000,1001,a", []arow{row(2, "a")}},
		{"final cr", header + "+16502530000,1001,a\r", []arow{row(2, "a")}},
		{"lone cr is data", header + "+16502530000,1001,a\rb\n", []arow{row(2, "a\rb")}},
		{"quoted fields", header + "\"+16502530000\",\"1001\",\"a\"\n", []arow{row(2, "a")}},
		{"quoted delimiter", header + "+16502530000,1001,\"a,b;c\td\"\n", []arow{row(2, "a,b;c\td")}},
		{"doubled quotes", header + "+16502530000,1001,\"say \"\"hi\"\"\"\n", []arow{row(2, `say "hi"`)}},
		{"quoted newline", header + "+16502530000,1001,\"a\nb\"\n+16502530000,1001,c\n", []arow{row(2, "a\nb"), row(4, "c")}},
		{"quoted crlf reads as lf", header + "+16502530000,1001,\"a\r\nb\"\r\n+16502530000,1001,c\r\n", []arow{row(2, "a\nb"), row(4, "c")}},
		{"quoted empty", header + "+16502530000,1001,\"\"\n", []arow{row(2, "")}},
		{"quoted at end of file", header + "+16502530000,1001,\"a\"", []arow{row(2, "a")}},
		{"bare quote", header + "+16502530000,1001,5\" speaker\n", []arow{row(2, `5" speaker`)}},
		{"stray quote after quoted field", header + "+16502530000,1001,\"a\"b\n+16502530000,1001,c\n", []arow{row(2, `a"b`), row(3, "c")}},
		{"spaces kept in cells, trimmed in values", header + " +16502530000 , 1001 , a \n", []arow{{2, e164, "1001", "", ActionAssign, []string{" +16502530000 ", " 1001 ", " a "}, ""}}},
		{"blank lines skipped", header + "\n+16502530000,1001,a\n\r\n,,\n , ,\t\n\"\",,\n+16502530000,1001,b\n\n", []arow{row(3, "a"), row(8, "b")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustDecodeAssignments(t, tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAssignmentRowErrors(t *testing.T) {
	const header = "phone_number,extension_number,email,action\n"
	tests := []struct {
		name string
		row  string
		want arow
	}{
		{"assign", "+16502530000,1001,,assign", arow{2, e164, "1001", "", ActionAssign, nil, ""}},
		{"empty action is assign", "+16502530000,,bob@example.com,", arow{2, e164, "", "bob@example.com", ActionAssign, nil, ""}},
		{"action any case", "+16502530000,1001,, ReAssign ", arow{2, e164, "1001", "", ActionReassign, nil, ""}},
		{"unassign needs nothing", "+16502530000,,,unassign", arow{2, e164, "", "", ActionUnassign, nil, ""}},
		{"delete needs nothing", "+16502530000,,,DELETE", arow{2, e164, "", "", ActionDelete, nil, ""}},
		{"national number normalised", "(650) 253-0001,1001,,", arow{2, e164b, "1001", "", ActionAssign, nil, ""}},
		{"phone empty", " ,1001,,assign", arow{2, "", "1001", "", "", nil, inventory.CodeMissingField}},
		{"unknown action", "+16502530000,1001,,move", arow{2, e164, "1001", "", "", nil, inventory.CodeInvalidAction}},
		{"invalid phone", "12345,1001,,", arow{2, "12345", "1001", "", ActionAssign, nil, inventory.CodeInvalidPhoneNumber}},
		{"assign without target", "+16502530000,,,assign", arow{2, e164, "", "", ActionAssign, nil, inventory.CodeMissingField}},
		{"reassign without target", "+16502530000,,,reassign", arow{2, e164, "", "", ActionReassign, nil, inventory.CodeMissingField}},
		{"extension not digits", "+16502530000,10a1,,", arow{2, e164, "10a1", "", ActionAssign, nil, inventory.CodeInvalidField}},
		{"extension too short", "+16502530000,1,,", arow{2, e164, "1", "", ActionAssign, nil, inventory.CodeInvalidField}},
		{"extension too long", "+16502530000,123456789,,", arow{2, e164, "123456789", "", ActionAssign, nil, inventory.CodeInvalidField}},
		{"bad email", "+16502530000,,bob@example,", arow{2, e164, "", "bob@example", ActionAssign, nil, inventory.CodeInvalidField}},
		{"too few fields", "+16502530000,1001", arow{2, "", "", "", "", nil, inventory.CodeInvalidField}},
		{"too many fields", "+16502530000,1001,,assign,extra", arow{2, "", "", "", "", nil, inventory.CodeInvalidField}},
		{"unclosed quote", "+16502530000,1001,,\"assign", arow{2, "", "", "", "", nil, inventory.CodeInvalidField}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, herr := decodeAssignments(t, strings.NewReader(header+tt.row+"\n"))
			if herr != nil {
				t.Fatal(herr)
			}
			if len(rows) != 1 {
				t.Fatalf("got %d rows, want 1", len(rows))
			}
			got := toARow(rows[0])
			got.Cells = nil
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("row (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRowShapeErrorsKeepCells(t *testing.T) {
	in := "phone_number,ext\n" +
		"+16502530000\n" +
		"+16502530000,1001,x,y\n" +
		"+16502530000,1001,\"unclosed\nquote"
	want := []arow{
		{2, "", "", "", "", []string{e164}, inventory.CodeInvalidField},
		{3, "", "", "", "", []string{e164, "1001"}, inventory.CodeInvalidField},
		{4, "", "", "", "", []string{e164, "1001"}, inventory.CodeInvalidField},
	}
	got := mustDecodeAssignments(t, in)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	rows, _ := decodeAssignments(t, strings.NewReader(in))
	for i, msg := range []string{"row has 1 fields, the header has 2", "row has 4 fields, the header has 2", "not closed"} {
		if got := inventory.ErrorMessage(rows[i].Err); !strings.Contains(got, msg) {
			t.Errorf("row %d: message %q does not contain %q", i, got, msg)
		}
	}
}

func TestTooLongRow(t *testing.T) {
	long := strings.Repeat("x", MaxRecordBytes)
	longQuoted := "\"" + strings.Repeat("line\n", MaxRecordBytes/4) + "\""
	in := "phone_number,notes\n" +
		"+16502530000," + long + "\n" + // line 2
		"+16502530000,ok\n" + // line 3
		"+16502530000," + longQuoted + "\n" + // lines 4 to 4+MaxRecordBytes/4
		"+16502530000,ok\n" +
		"+16502530000,\"" + long
	next := 4 + MaxRecordBytes/4 + 1
	want := []arow{
		{2, "", "", "", "", nil, inventory.CodeInvalidField},
		{3, e164, "", "", ActionUnassign, []string{e164, "ok"}, inventory.CodeMissingField},
		{4, "", "", "", "", nil, inventory.CodeInvalidField},
		{next, e164, "", "", ActionUnassign, []string{e164, "ok"}, inventory.CodeMissingField},
		{next + 1, "", "", "", "", nil, inventory.CodeInvalidField},
	}
	got := mustDecodeAssignments(t, in)
	for i := range got { // assign without a target: expected; make the row tell apart
		if got[i].Action == ActionAssign {
			got[i].Action = ActionUnassign
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	rows, _ := decodeAssignments(t, strings.NewReader(in))
	if msg := inventory.ErrorMessage(rows[0].Err); !strings.Contains(msg, "too long") {
		t.Errorf("message %q does not say too long", msg)
	}
	if msg := inventory.ErrorMessage(rows[4].Err); !strings.Contains(msg, "not closed") {
		t.Errorf("message %q does not name the unclosed quote", msg)
	}
}
