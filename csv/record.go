package csv

import (
	"bytes"
	"errors"
	"io"
)

// MaxRecordBytes is the size of the longest record the decoder reads: a
// row together with the line breaks inside its quoted fields. A longer row
// is a row error; the decoder skips it without holding it in memory and goes
// on with the next one.
const MaxRecordBytes = 64 << 10

// errHeaderTooLong is returned by peekLine for a first line longer than
// MaxRecordBytes.
var errHeaderTooLong = errors.New("header line too long")

// parseState is where the record reader is within a field.
type parseState int

const (
	fieldStart    parseState = iota
	unquoted                 // inside a field that did not start with a quote
	quoted                   // inside a quoted field
	quoteInQuoted            // just after a quote inside a quoted field
)

// record is one CSV record as read: the unquoted bytes of its fields one
// after the other, and where each field ends. content and ends belong to the
// reader and are valid until its next read.
type record struct {
	line     int // physical line the record starts on, from 1
	content  []byte
	ends     []int
	tooLong  bool // longer than MaxRecordBytes; content and ends are empty
	unclosed bool // a quoted field ran to the end of the input
}

// blank reports whether every field of the record is empty or holds only
// spaces and tabs, as a blank line or a spreadsheet's ",,," row does.
func (rec *record) blank() bool {
	if rec.tooLong {
		return false
	}
	for _, c := range rec.content {
		if c != ' ' && c != '\t' {
			return false
		}
	}
	return true
}

// recordReader splits a UTF-8 byte stream into CSV records (RFC 4180, with
// lenient quotes) through a fixed-size buffer, so that its memory does not
// depend on the input: a record is held only up to MaxRecordBytes.
//
// A quote opens a quoted field only as the field's first byte. Inside a
// quoted field a doubled quote is a quote, and a quote followed by anything
// but a delimiter or the end of the line is kept as a literal quote and the
// rest of the field read as unquoted text. A quote inside an unquoted field
// is literal. CRLF and LF both end a line, and CRLF inside a quoted field
// reads as LF; a lone CR is data, except as the very last byte.
type recordReader struct {
	src   io.Reader
	buf   []byte
	pos   int // next unread byte of buf
	end   int // end of the read bytes in buf
	err   error
	line  int // physical line of buf[pos], from 1
	comma byte

	// stop marks the bytes that end a run of unquoted text, quoteStop those
	// that end a run of quoted text.
	stop      [256]bool
	quoteStop [256]bool

	// The record being read.
	content  []byte
	ends     []int
	tooLong  bool
	unclosed bool
}

// newRecordReader returns a reader of src with a read buffer of size bytes.
func newRecordReader(src io.Reader, size int) *recordReader {
	r := &recordReader{src: src, buf: make([]byte, size), line: 1}
	r.quoteStop['"'] = true
	r.quoteStop['\n'] = true
	r.quoteStop['\r'] = true
	r.setComma(',')
	return r
}

// setComma sets the field delimiter.
func (r *recordReader) setComma(c byte) {
	r.stop[r.comma] = false
	r.comma = c
	r.stop[c] = true
	r.stop['\n'] = true
	r.stop['\r'] = true
}

// fill moves the unread bytes to the front of the buffer and reads more
// after them. It reports whether it added any byte; when it did not, r.err
// says why.
func (r *recordReader) fill() bool {
	if r.err != nil {
		return false
	}
	if r.pos > 0 {
		r.end = copy(r.buf, r.buf[r.pos:r.end])
		r.pos = 0
	}
	for range 100 {
		n, err := r.src.Read(r.buf[r.end:])
		r.end += n
		if err != nil {
			r.err = err
		}
		if n > 0 {
			return true
		}
		if err != nil {
			return false
		}
	}
	r.err = io.ErrNoProgress
	return false
}

// peekLine skips lines that hold nothing but spaces, tabs and delimiters
// (of any kind) and returns the next line, without its line break and
// without consuming it. It returns io.EOF when no such line is left, and
// errHeaderTooLong when the line is longer than MaxRecordBytes.
func (r *recordReader) peekLine() ([]byte, error) {
	for {
		i := bytes.IndexByte(r.buf[r.pos:r.end], '\n')
		if i < 0 && r.end-r.pos <= MaxRecordBytes && r.fill() {
			continue
		}
		switch {
		case i >= 0:
		case r.end-r.pos > MaxRecordBytes:
			return nil, errHeaderTooLong
		case r.err != io.EOF:
			return nil, r.err
		case r.pos == r.end:
			return nil, io.EOF
		default: // the last line, without a line break
			i = r.end - r.pos
		}
		line := r.buf[r.pos : r.pos+i]
		if len(bytes.Trim(line, " \t\r,;")) > 0 {
			return bytes.TrimSuffix(line, []byte{'\r'}), nil
		}
		r.pos += i
		if r.pos < r.end { // the line break
			r.pos++
			r.line++
		}
	}
}

// next returns the next record that is not blank, or io.EOF.
func (r *recordReader) next() (record, error) {
	for {
		rec, err := r.readRecord()
		if err != nil || !rec.blank() {
			return rec, err
		}
	}
}

// readRecord returns the next record, blank or not, or io.EOF at the end
// of the input. Any other error is the source's and is permanent.
func (r *recordReader) readRecord() (record, error) {
	r.content = r.content[:0]
	r.ends = r.ends[:0]
	r.tooLong = false
	r.unclosed = false
	line := r.line
	size := 0 // bytes of input consumed by this record
	state := fieldStart
	for {
		if r.pos >= r.end && !r.fill() {
			if r.err != io.EOF {
				return record{}, r.err
			}
			if size == 0 {
				return record{}, io.EOF
			}
			r.unclosed = state == quoted
			r.endField()
			return r.finish(line), nil
		}
		if size > MaxRecordBytes {
			r.tooLong = true
		}
		switch state {
		case fieldStart:
			if r.buf[r.pos] == '"' {
				r.pos++
				size++
				state = quoted
				continue
			}
			state = unquoted
			fallthrough
		case unquoted:
			buf := r.buf[r.pos:r.end]
			i := 0
			for i < len(buf) && !r.stop[buf[i]] {
				i++
			}
			size += i
			r.add(buf[:i], size)
			r.pos += i
			if i == len(buf) {
				continue
			}
			c := buf[i]
			r.pos++
			size++
			switch c {
			case '\n':
				r.line++
				r.endField()
				return r.finish(line), nil
			case '\r':
				if !r.crlf() {
					r.add([]byte{'\r'}, size)
				}
			default: // the delimiter
				r.endField()
				state = fieldStart
			}
		case quoted:
			buf := r.buf[r.pos:r.end]
			i := 0
			for i < len(buf) && !r.quoteStop[buf[i]] {
				i++
			}
			size += i
			r.add(buf[:i], size)
			r.pos += i
			if i == len(buf) {
				continue
			}
			c := buf[i]
			r.pos++
			size++
			switch c {
			case '"':
				state = quoteInQuoted
			case '\n':
				r.line++
				r.add([]byte{'\n'}, size)
			case '\r':
				if !r.crlf() {
					r.add([]byte{'\r'}, size)
				}
			}
		case quoteInQuoted:
			switch c := r.buf[r.pos]; c {
			case '"': // a doubled quote
				r.pos++
				size++
				r.add([]byte{'"'}, size)
				state = quoted
			case r.comma:
				r.pos++
				size++
				r.endField()
				state = fieldStart
			case '\n':
				r.pos++
				r.line++
				r.endField()
				return r.finish(line), nil
			case '\r':
				r.pos++
				size++
				if !r.crlf() {
					r.add([]byte{'"', '\r'}, size)
					state = unquoted
				}
			default: // a stray quote: keep it, read on as unquoted text
				r.add([]byte{'"'}, size)
				state = unquoted
			}
		}
	}
}

// crlf reports whether the CR just read ends a line: it is followed by LF,
// which is left unread, or it is the last byte of the input.
func (r *recordReader) crlf() bool {
	if r.pos >= r.end && !r.fill() {
		return true
	}
	return r.buf[r.pos] == '\n'
}

// add appends field bytes to the record unless, at size bytes read, the
// record has grown too long.
func (r *recordReader) add(p []byte, size int) {
	if size > MaxRecordBytes {
		r.tooLong = true
	}
	if !r.tooLong {
		r.content = append(r.content, p...)
	}
}

// endField ends the current field.
func (r *recordReader) endField() {
	if !r.tooLong {
		r.ends = append(r.ends, len(r.content))
	}
}

// finish returns the record read, which started on line.
func (r *recordReader) finish(line int) record {
	rec := record{line: line, tooLong: r.tooLong, unclosed: r.unclosed}
	if !r.tooLong {
		rec.content = r.content
		rec.ends = r.ends
	}
	return rec
}
