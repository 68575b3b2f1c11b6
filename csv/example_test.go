package csv_test

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/numberdesk/numberdesk/csv"
	"github.com/numberdesk/numberdesk/internal/inventory"
)

// normalize stands in for the phone package in this example.
func normalize(s string) (string, error) {
	if len(s) == 12 && strings.HasPrefix(s, "+1") {
		return s, nil
	}
	return "", inventory.Errorf(inventory.CodeInvalidPhoneNumber, "%q is not a phone number", s)
}

// An import reads the rows one at a time, finds numbers given twice with a
// Seen set, and writes the failed rows to an error report (which here is
// printed once all rows are read, as it is buffered until Flush).
func ExampleNewAssignmentDecoder() {
	const file = "Phone Number;Ext;Action\n" +
		"+16502530000;1001;assign\n" +
		"+16502530001;;unassign\n" +
		"+16502530000;1002;assign\n" +
		"=1+1;1003;\n" +
		"+16502530002;1004;move\n"

	d, err := csv.NewAssignmentDecoder(strings.NewReader(file), csv.Options{Normalize: normalize})
	if err != nil {
		fmt.Println(err)
		return
	}
	var seen csv.Seen
	report := csv.NewReportWriter(os.Stdout, d.Header())
	for {
		row, err := d.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		if row.Err == nil {
			if first, dup := seen.Add(row.PhoneNumber, row.Line); dup {
				row.Err = inventory.Errorf(inventory.CodeDuplicateRow, "number also on line %d", first)
			}
		}
		if row.Err != nil {
			report.Write(row.Line, row.Cells, inventory.ErrorCode(row.Err), inventory.ErrorMessage(row.Err))
			continue
		}
		fmt.Printf("line %d: %s %s\n", row.Line, row.Action, row.PhoneNumber)
	}
	if err := report.Flush(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// line 2: assign +16502530000
	// line 3: unassign +16502530001
	// line,Phone Number,Ext,Action,error_code,error_message
	// 4,'+16502530000,1002,assign,duplicate_row,number also on line 2
	// 5,'=1+1,1003,,invalid_phone_number,"""=1+1"" is not a phone number"
	// 6,'+16502530002,1004,move,invalid_action,"unknown action ""move"": want assign, reassign, unassign or delete"
}
