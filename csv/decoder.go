package csv

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/gocarina/gocsv"
	"github.com/numberdesk/numberdesk/internal/inventory"
)

// Options configure a decoder.
type Options struct {
	// Normalize turns a phone number as written in the file into E.164. It
	// returns an *inventory.Error (code invalid_phone_number) for a number
	// it rejects; the decoder passes that error on as the row's error.
	// NewAssignmentDecoder requires it; NewExtensionDecoder does not use it.
	Normalize func(string) (string, error)
}

// readBufferSize is the size of a decoder's read buffer. It holds a whole
// first line of MaxRecordBytes while the delimiter is detected.
const readBufferSize = 2 * MaxRecordBytes

// decoder is what both kinds of decoder share: it reads the header, maps
// the columns of a schema and returns each data row's cells together with
// the record of type T that gocsv made of them (see feed).
type decoder[T any] struct {
	rr         *recordReader
	feed       *feed
	um         *gocsv.Unmarshaller
	header     []string
	cols       []int // header field of each schema column, or -1
	headerLine int
	err        error // sticky: io.EOF, the source's error or gocsv's
}

// rawRow is a data row before its values are checked.
type rawRow struct {
	line  int
	cells []string
	err   error // *inventory.Error for a row that has the wrong shape
}

// newDecoder reads the header of r. Problems with the header are
// *inventory.Error values; other errors are the reader's.
func newDecoder[T any](r io.Reader, s *schema) (*decoder[T], error) {
	src, err := newSource(r)
	if err != nil {
		return nil, fmt.Errorf("read header: %w", err)
	}
	rr := newRecordReader(src, readBufferSize)
	line, err := rr.peekLine()
	switch {
	case err == io.EOF:
		return nil, inventory.Errorf(inventory.CodeMissingField, "empty file")
	case err == errHeaderTooLong:
		return nil, inventory.Errorf(inventory.CodeInvalidField, "header is longer than %d bytes", MaxRecordBytes)
	case err != nil:
		return nil, fmt.Errorf("read header: %w", err)
	}
	if bytes.IndexByte(line, 0) >= 0 {
		return nil, inventory.Errorf(inventory.CodeInvalidField,
			"header holds NUL bytes: the file looks like UTF-16 without a byte-order mark; save it as UTF-8")
	}
	rr.setComma(s.detectDelimiter(line))
	rec, err := rr.readRecord()
	switch {
	case err != nil:
		return nil, fmt.Errorf("read header: %w", err)
	case rec.tooLong:
		return nil, inventory.Errorf(inventory.CodeInvalidField, "header is longer than %d bytes", MaxRecordBytes)
	case len(rec.ends) > MaxColumns:
		return nil, inventory.Errorf(inventory.CodeInvalidField, "header has %d columns, more than %d", len(rec.ends), MaxColumns)
	}
	header := cells(&rec, len(rec.ends))
	cols, err := s.mapColumns(header)
	if err != nil {
		return nil, err
	}
	proj, names := s.gocsvColumns(cols)
	f := newFeed(rr, len(header), proj, names)
	um, err := newUnmarshaller[T](f)
	if err != nil {
		return nil, err
	}
	return &decoder[T]{rr: rr, feed: f, um: um, header: header, cols: cols, headerLine: rec.line}, nil
}

// next returns the next data row and, for a well-formed one, the record
// gocsv made of it; io.EOF after the last row; or the source's error.
func (d *decoder[T]) next() (rawRow, *T, error) {
	if d.err != nil {
		return rawRow{}, nil, d.err
	}
	row, err := d.feed.next()
	if err != nil {
		if err != io.EOF {
			err = fmt.Errorf("read csv: %w", err)
		}
		d.err = err
		return rawRow{}, nil, err
	}
	if row.err != nil { // never given to gocsv
		return row, nil, nil
	}
	v, err := d.um.Read()
	if errors.Is(err, io.EOF) || err == nil && !d.feed.drained() {
		err = errOutOfStep // never io.EOF: that would end the file early
	}
	if err != nil {
		d.err = fmt.Errorf("read csv: line %d: gocsv: %w", row.line, err)
		return rawRow{}, nil, d.err
	}
	return row, v.(*T), nil
}

// cells returns the first limit fields of rec as strings that share one
// allocation.
func cells(rec *record, limit int) []string {
	n := min(len(rec.ends), limit)
	if n == 0 {
		return nil
	}
	s := string(rec.content[:rec.ends[n-1]])
	out := make([]string, n)
	start := 0
	for i, end := range rec.ends[:n] {
		out[i] = s[start:end]
		start = end
	}
	return out
}
