package csv

import (
	stdcsv "encoding/csv"
	"errors"
	"fmt"
	"io"

	"github.com/gocarina/gocsv"
	"github.com/numberdesk/numberdesk/internal/inventory"
)

// assignmentRecord is what gocsv fills from a data row of an assignments
// file. The tags are the canonical column names of assignmentSchema: the
// feed hands gocsv a header of canonical names, whatever the file's own.
type assignmentRecord struct {
	PhoneNumber     string `csv:"phone_number"`
	ExtensionNumber string `csv:"extension_number"`
	Email           string `csv:"email"`
	Action          string `csv:"action"`
}

// extensionRecord is what gocsv fills from a data row of an extensions
// file, as assignmentRecord.
type extensionRecord struct {
	ExtensionNumber string `csv:"extension_number"`
	Type            string `csv:"type"`
	Name            string `csv:"name"`
	Email           string `csv:"email"`
	Site            string `csv:"site"`
}

// errOutOfStep means that gocsv did not read exactly the one record the
// feed staged for it. It is a bug, never a property of the input.
var errOutOfStep = errors.New("gocsv read out of step with the record reader")

// feed is the adapter between the record reader and gocsv.
//
// gocsv's pull API, Unmarshaller.Read, reads through an *encoding/csv.Reader
// (this version of NewUnmarshaller takes no other reader), which has no size
// cap and only strict or lazy quotes. So the feed parses the file itself
// with the record reader, capped at MaxRecordBytes and with the decoder's
// own quote and blank-row rules, and gives gocsv, through that
// encoding/csv.Reader, only what it maps: first a header of the canonical
// names of the schema's columns that the file has, then, of each
// well-formed record (as many fields as the file's header), those columns'
// cells, written back as strict CSV. A malformed record is never staged:
// next returns it as a row error, which the decoder returns as that row's
// outcome without calling gocsv, so gocsv never sees an error, or a row
// wider or narrower than its header.
//
// Read serves the staged record and then io.EOF: encoding/csv asks its
// bufio.Reader for more bytes only when it has used up every line it holds,
// so it reads exactly the staged record per Unmarshaller.Read, and drained
// confirms it did.
type feed struct {
	rr    *recordReader
	width int      // fields in the file's header
	proj  []int    // header field of each column given to gocsv
	buf   []byte   // the staged record as CSV
	off   int      // bytes of buf read by encoding/csv
	out   []string // the cells to stage, reused
}

// newFeed returns a feed of the records of rr, whose header has width
// fields, that gives gocsv the header fields proj with the canonical names
// names, and stages that header.
func newFeed(rr *recordReader, width int, proj []int, names []string) *feed {
	f := &feed{rr: rr, width: width, proj: proj, out: make([]string, len(proj))}
	f.stage(names)
	return f
}

// newUnmarshaller returns an unmarshaller of the records of f into *T,
// reading the staged header, and checks that gocsv maps every column to a
// field of T.
func newUnmarshaller[T any](f *feed) (*gocsv.Unmarshaller, error) {
	cr := stdcsv.NewReader(f)
	cr.ReuseRecord = true // gocsv copies the values out before the next Read
	um, err := gocsv.NewUnmarshaller(cr, new(T))
	if errors.Is(err, io.EOF) || err == nil && !f.drained() {
		err = errOutOfStep
	}
	if err != nil {
		return nil, fmt.Errorf("csv: gocsv header: %w", err)
	}
	if len(um.MismatchedHeaders) > 0 {
		return nil, fmt.Errorf("csv: gocsv maps no field of %T to the columns %v", *new(T), um.MismatchedHeaders)
	}
	return um, nil
}

// gocsvColumns returns, for a header mapped by cols, the header fields that
// hold columns of s, in the order of s, and their canonical names: the
// header gocsv sees.
func (s *schema) gocsvColumns(cols []int) (proj []int, names []string) {
	for i, j := range cols {
		if j >= 0 {
			proj = append(proj, j)
			names = append(names, s.columns[i].name)
		}
	}
	return proj, names
}

// next reads the next record that is not blank. A well-formed record is
// staged for gocsv and comes back with its line and cells and a nil err; a
// malformed one comes back with err set to an *inventory.Error and is not
// staged. Errors returned are the record reader's: io.EOF or the source's.
func (f *feed) next() (rawRow, error) {
	rec, err := f.rr.next()
	if err != nil {
		return rawRow{}, err
	}
	row := rawRow{line: rec.line}
	switch {
	case rec.tooLong && rec.unclosed:
		row.err = inventory.Errorf(inventory.CodeInvalidField,
			"row is longer than %d bytes: a quoted field is not closed before the end of the file", MaxRecordBytes)
		return row, nil
	case rec.tooLong:
		row.err = inventory.Errorf(inventory.CodeInvalidField, "row is too long: longer than %d bytes", MaxRecordBytes)
		return row, nil
	}
	row.cells = cells(&rec, f.width)
	switch n := len(rec.ends); {
	case rec.unclosed:
		row.err = inventory.Errorf(inventory.CodeInvalidField, "a quoted field is not closed before the end of the file")
	case n != f.width:
		row.err = inventory.Errorf(inventory.CodeInvalidField, "row has %d fields, the header has %d", n, f.width)
	default:
		for k, j := range f.proj {
			f.out[k] = row.cells[j]
		}
		f.stage(f.out)
	}
	return row, nil
}

// needsQuotes marks the bytes that make a field need quotes in strict CSV.
var needsQuotes = [256]bool{'"': true, ',': true, '\n': true, '\r': true}

// stage writes fields as one record of strict, comma-delimited CSV for
// encoding/csv to read back exactly: fields with a quote, comma, CR or LF
// are quoted, and so is a lone empty field, which encoding/csv would skip
// as a blank line; and an LF that follows a CR inside a field is written as
// CR CRLF, because encoding/csv reads every CRLF, even in quotes, as LF.
func (f *feed) stage(fields []string) {
	b := f.buf[:0]
	for i, s := range fields {
		if i > 0 {
			b = append(b, ',')
		}
		quote := len(fields) == 1 && s == ""
		for j := 0; j < len(s) && !quote; j++ {
			quote = needsQuotes[s[j]]
		}
		if !quote {
			b = append(b, s...)
			continue
		}
		b = append(b, '"')
		for j := 0; j < len(s); j++ {
			switch c := s[j]; {
			case c == '"':
				b = append(b, '"', '"')
			case c == '\n' && j > 0 && s[j-1] == '\r':
				b = append(b, '\r', '\n')
			default:
				b = append(b, c)
			}
		}
		b = append(b, '"')
	}
	f.buf = append(b, '\n')
	f.off = 0
}

// Read implements io.Reader for the encoding/csv.Reader under gocsv: it
// returns the staged record, then io.EOF until the next one is staged.
func (f *feed) Read(p []byte) (int, error) {
	if f.off == len(f.buf) {
		return 0, io.EOF
	}
	n := copy(p, f.buf[f.off:])
	f.off += n
	return n, nil
}

// drained reports whether the staged record has been read in full.
func (f *feed) drained() bool { return f.off == len(f.buf) }
