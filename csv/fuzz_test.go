package csv

import (
	"bytes"
	stdcsv "encoding/csv"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/numberdesk/numberdesk/internal/inventory"
)

// FuzzDecode checks that decoding never panics, that the constructor fails
// with a coded header error or every data row yields one row result, and
// that the error report of those results parses back with one record per
// row. On input that encoding/csv parses strictly, the rows must match its
// records.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		"phone_number,extension_number,action\n+16502530000,1001,assign\n",
		"Phone Number;Ext;Action\r\n6502530000;1001;delete\r\n;;\r\n",
		"phone\temail\n+16502530000\tbob@example.com\n",
		"number,notes\n+16502530000,\"a,\"\"b\"\"\nc\"\n+16502530001,x,y\n",
		"\xEF\xBB\xBFphone_number\n=1+1\n\"unclosed",
		"\xFF\xFEp\x00h\x00o\x00n\x00e\x00\n\x00+\x001\x00",
		"\xFE\xFF\x00n\x00u\x00m\x00b\x00e\x00r\x00\r\x00\n",
		"a\"b,phone_number\n\"x\"y,1\r\r\n",
		"",
		"phone,number\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkExtensions(t, data)
		d, err := NewAssignmentDecoder(bytes.NewReader(data), testOptions)
		if err != nil {
			var e *inventory.Error
			if !errors.As(err, &e) {
				t.Fatalf("header error is not an *inventory.Error: %v", err)
			}
			return
		}
		var rows []AssignmentRow
		for {
			row, err := d.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("Next: %v", err)
			}
			if row.Line <= d.d.headerLine || len(rows) > 0 && row.Line <= rows[len(rows)-1].Line {
				t.Fatalf("row on line %d after line %d", row.Line, d.d.headerLine)
			}
			if len(row.Cells) > len(d.Header()) {
				t.Fatalf("row has %d cells, header %d", len(row.Cells), len(d.Header()))
			}
			if row.Err != nil && inventory.ErrorCode(row.Err) == inventory.CodeInternal {
				t.Fatalf("row error without a code: %v", row.Err)
			}
			rows = append(rows, row)
		}

		var report bytes.Buffer
		rw := NewReportWriter(&report, d.Header())
		for _, row := range rows {
			if err := rw.Write(row.Line, row.Cells, inventory.ErrorCode(row.Err), inventory.ErrorMessage(row.Err)); err != nil {
				t.Fatal(err)
			}
		}
		if err := rw.Flush(); err != nil {
			t.Fatal(err)
		}
		records, err := stdcsv.NewReader(&report).ReadAll()
		if err != nil {
			t.Fatalf("report does not parse: %v", err)
		}
		if len(records) != len(rows)+1 {
			t.Fatalf("report has %d records, want %d", len(records), len(rows)+1)
		}

		compareWithStdlib(t, data, d, rows)
	})
}

// checkExtensions decodes data as an extensions file and checks that every
// error carries a code.
func checkExtensions(t *testing.T, data []byte) {
	d, err := NewExtensionDecoder(bytes.NewReader(data), Options{})
	if err != nil {
		if inventory.ErrorCode(err) == inventory.CodeInternal {
			t.Fatalf("header error is not an *inventory.Error: %v", err)
		}
		return
	}
	for {
		row, err := d.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		if row.Err != nil && inventory.ErrorCode(row.Err) == inventory.CodeInternal {
			t.Fatalf("row error without a code: %v", row.Err)
		}
	}
}

// compareWithStdlib checks rows against the records of encoding/csv, when
// it parses the (transcoded) input without error.
func compareWithStdlib(t *testing.T, data []byte, d *AssignmentDecoder, rows []AssignmentRow) {
	src, err := newSource(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	text, err := io.ReadAll(src)
	if err != nil {
		t.Fatal(err)
	}
	if len(text) > MaxRecordBytes {
		return
	}
	r := stdcsv.NewReader(bytes.NewReader(text))
	r.Comma = rune(d.d.rr.comma)
	r.FieldsPerRecord = -1
	type want struct {
		Line  int
		Cells []string
		Shape bool // the row has the wrong number of fields
	}
	var wants, gots []want
	width := len(d.Header())
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return // not strict CSV: nothing to compare with
		}
		line, _ := r.FieldPos(0)
		if line <= d.d.headerLine || strings.Trim(strings.Join(rec, ""), " \t") == "" {
			continue
		}
		wants = append(wants, want{line, rec[:min(len(rec), width)], len(rec) != width})
	}
	for _, row := range rows {
		shape := row.Err != nil && strings.Contains(inventory.ErrorMessage(row.Err), "fields, the header has")
		gots = append(gots, want{row.Line, row.Cells, shape})
	}
	if diff := cmp.Diff(wants, gots); diff != "" {
		t.Fatalf("rows differ from encoding/csv (-want +got):\n%s", diff)
	}
}
