package csv

import (
	stdcsv "encoding/csv"
	"io"
	"strconv"

	"github.com/numberdesk/numberdesk/internal/inventory"
)

// ReportWriter writes an import's error report: a CSV file, comma
// delimited and UTF-8, with the columns line, the imported file's own
// columns, error_code and error_message, one row per failed data row.
//
// Every cell taken from the imported file, and the message, is neutralised
// against formula injection (OWASP "CSV Injection"): a cell that starts with
// =, +, -, @, a tab or a carriage return gets a single quote (') in front,
// so that a spreadsheet shows it as text instead of running it. This also
// prefixes phone numbers written in E.164, such as '+16502530000: the report
// is for people and spreadsheets, and the line column leads back to the
// original row.
type ReportWriter struct {
	w           *stdcsv.Writer
	header      []string
	record      []string
	wroteHeader bool
}

// NewReportWriter returns a writer of an error report to w for a file with
// the given header, as returned by a decoder's Header method. The report's
// header row is written with the first row, or by Flush for an empty
// report.
func NewReportWriter(w io.Writer, header []string) *ReportWriter {
	return &ReportWriter{
		w:      stdcsv.NewWriter(w),
		header: header,
		record: make([]string, 0, len(header)+3),
	}
}

// Write adds the report row for the data row on line with the given cells
// and error. The row has one cell for each header column: missing cells are
// left empty and cells beyond the header's are dropped.
func (rw *ReportWriter) Write(line int, cells []string, code inventory.Code, message string) error {
	if err := rw.writeHeader(); err != nil {
		return err
	}
	rec := append(rw.record[:0], strconv.Itoa(line))
	for i := range rw.header {
		cell := ""
		if i < len(cells) {
			cell = cells[i]
		}
		rec = append(rec, neutralize(cell))
	}
	rec = append(rec, neutralize(string(code)), neutralize(message))
	return rw.w.Write(rec)
}

// Flush writes any buffered data, and the header row if no row was written,
// to the underlying writer.
func (rw *ReportWriter) Flush() error {
	if err := rw.writeHeader(); err != nil {
		return err
	}
	rw.w.Flush()
	return rw.w.Error()
}

func (rw *ReportWriter) writeHeader() error {
	if rw.wroteHeader {
		return nil
	}
	rw.wroteHeader = true
	rec := append(rw.record[:0], "line")
	for _, name := range rw.header {
		rec = append(rec, neutralize(name))
	}
	rec = append(rec, "error_code", "error_message")
	return rw.w.Write(rec)
}

// neutralize returns s with a single quote in front if a spreadsheet could
// take it for a formula.
func neutralize(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
