// Package csv decodes the CSV files of bulk imports, assignments and
// extensions, and writes their error reports.
//
// # Decoding
//
// A decoder reads a file of any size as a stream, one row at a time, with
// memory that does not grow with the file: NewAssignmentDecoder and
// NewExtensionDecoder read and check the header, and Next returns each data
// row until io.EOF. Every data row comes back exactly once, valid or with
// its Err set to an *inventory.Error, so that the caller can record an
// outcome for each; decoding stops only at the end of the input or when
// reading fails. Numbers given twice in a file are for the caller to find,
// across chunks, with Seen.
//
// An assignments file has the columns phone_number (required),
// extension_number or email (of a user) and action: assign (the default
// when empty or absent), reassign, unassign or delete. An extensions file
// has extension_number (optional: allocated when empty), type (required:
// user, call_queue, auto_receptionist, common_area or room, in any case and
// with spaces, as in "Call Queue"), name (required), email and site.
//
// # Headers
//
// Header names are compared by their letters and digits only, in any case,
// so "Phone Number", "PHONE_NUMBER" and "phone-number" are all phone_number.
// These aliases are accepted too:
//
//	phone_number      phone, number, phone_no, telephone, telephone_number,
//	                  direct_number, did (assignments only)
//	extension_number  extension, ext, ext_no, ext_number, extension_no
//	email             email_address, user_email (also e-mail, E-Mail)
//	type              extension_type (extensions only)
//	name              display_name, extension_name (extensions only)
//	site              site_name, location (extensions only)
//
// Other columns, named or not, are ignored, but kept in a row's Cells for
// the error report. A header error is an *inventory.Error returned by the
// constructor: "empty file" (missing_field) for a file without a non-blank
// line, a missing required column named in the message (missing_field), and
// two columns standing for the same field, such as phone and number
// (invalid_field).
//
// # Format
//
// The delimiter is a comma, a semicolon or a tab: the one that splits the
// header into the most known columns, with ties going to the comma. A
// header that has none of the required columns under any delimiter is an
// error naming them, never one giant column. The text is UTF-8, with or
// without a byte-order mark, or UTF-16 (little or big endian) with a
// byte-order mark, transcoded as it is read. Lines end in LF or CRLF.
// Quoted fields may hold delimiters, doubled quotes and line breaks; stray
// quotes are read as text. Blank lines, and rows whose fields are all empty
// or spaces (",,,"), are skipped. A row's Line is the physical line it
// starts on, the first line of the file being 1.
//
// A row with a different number of fields than the header, a row longer
// than MaxRecordBytes (which is skipped without being held in memory) and a
// quoted field left open at the end of the file are row errors with code
// invalid_field. The header may have at most MaxColumns columns.
//
// # gocsv
//
// Rows are mapped to structs by github.com/gocarina/gocsv, through its pull
// API, Unmarshaller.Read, one row per call: the whole file is never
// unmarshalled. Each kind of file has a record struct of plain string
// fields tagged with the canonical column names (`csv:"phone_number"`);
// trimming and every check stay in this package.
//
// gocsv is not given the file, though. Its Unmarshaller reads an
// encoding/csv.Reader (the only reader its constructor takes), which has no
// cap on the size of a record and whose quote handling (strict, or lazy,
// which takes a quote left open as a field) is not the one above; and gocsv
// exposes no raw cells. So the file is parsed by this package's own record
// reader, which keeps the memory flat and applies the rules above, and an
// adapter, feed, stands between it and gocsv: it gives gocsv first a header
// of the canonical names of the known columns the file has (after the
// alias, delimiter and duplicate handling), then those columns of each
// well-formed row, written back as strict comma-delimited CSV for gocsv's
// encoding/csv.Reader to read one row at a time. A malformed row (wrong
// field count, too long, quote left open) never reaches gocsv: it is
// returned as a row error right away. A row's Line and Cells come from the
// record reader, its values from gocsv.
//
// # Error report
//
// ReportWriter writes the error report of an import: line, the file's own
// columns, error_code and error_message, with cells neutralised against
// formula injection.
package csv
