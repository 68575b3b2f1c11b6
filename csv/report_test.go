package csv

import (
	stdcsv "encoding/csv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/numberdesk/numberdesk/internal/inventory"
)

func TestReportWriter(t *testing.T) {
	var b strings.Builder
	rw := NewReportWriter(&b, []string{"Phone Number", "ext", "=cmd"})
	rows := []struct {
		line  int
		cells []string
		code  inventory.Code
		msg   string
	}{
		{2, []string{"+16502530000", "1001", "x"}, inventory.CodeDuplicateRow, "also on line 1"},
		{3, []string{"=HYPERLINK(\"http://x\")", "@SUM(A1)", "-1"}, inventory.CodeInvalidPhoneNumber, `"=1+1" is not a phone number`},
		{4, []string{"\tx", "\rx", "a,b\n\"c\""}, inventory.CodeInvalidField, "=bad"},
		{5, []string{"short"}, inventory.CodeInvalidField, "row has 1 fields, the header has 3"},
		{6, []string{"a", "b", "c", "d"}, inventory.CodeInvalidField, "row has 4 fields, the header has 3"},
		{7, nil, inventory.CodeInvalidField, "row is too long"},
	}
	for _, r := range rows {
		if err := rw.Write(r.line, r.cells, r.code, r.msg); err != nil {
			t.Fatal(err)
		}
	}
	if err := rw.Flush(); err != nil {
		t.Fatal(err)
	}
	got, err := stdcsv.NewReader(strings.NewReader(b.String())).ReadAll()
	if err != nil {
		t.Fatalf("report does not parse: %v\n%s", err, b.String())
	}
	want := [][]string{
		{"line", "Phone Number", "ext", "'=cmd", "error_code", "error_message"},
		{"2", "'+16502530000", "1001", "x", "duplicate_row", "also on line 1"},
		{"3", "'=HYPERLINK(\"http://x\")", "'@SUM(A1)", "'-1", "invalid_phone_number", `"=1+1" is not a phone number`},
		{"4", "'\tx", "'\rx", "a,b\n\"c\"", "invalid_field", "'=bad"},
		{"5", "short", "", "", "invalid_field", "row has 1 fields, the header has 3"},
		{"6", "a", "b", "c", "invalid_field", "row has 4 fields, the header has 3"},
		{"7", "", "", "", "invalid_field", "row is too long"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
}

func TestEmptyReportHasHeader(t *testing.T) {
	var b strings.Builder
	rw := NewReportWriter(&b, []string{"phone_number"})
	if err := rw.Flush(); err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), "line,phone_number,error_code,error_message\n"; got != want {
		t.Errorf("report = %q, want %q", got, want)
	}
}
