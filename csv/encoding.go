package csv

import (
	"bytes"
	"io"
	"unicode/utf16"
	"unicode/utf8"
)

// Byte-order marks recognised at the start of a file.
var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

// newSource returns r as a stream of UTF-8 bytes: it drops a UTF-8
// byte-order mark and transcodes UTF-16 (little or big endian, announced by
// its byte-order mark) as it is read. Input without a byte-order mark is
// taken to be UTF-8.
func newSource(r io.Reader) (io.Reader, error) {
	head := make([]byte, 3)
	n, err := io.ReadFull(r, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, err
	}
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, bomUTF8):
		return r, nil
	case bytes.HasPrefix(head, bomUTF16LE):
		return newUTF16Reader(io.MultiReader(bytes.NewReader(head[2:]), r), false), nil
	case bytes.HasPrefix(head, bomUTF16BE):
		return newUTF16Reader(io.MultiReader(bytes.NewReader(head[2:]), r), true), nil
	}
	return io.MultiReader(bytes.NewReader(head), r), nil
}

// utf16Reader transcodes a UTF-16 stream to UTF-8 with fixed-size buffers.
// Unpaired surrogates and a trailing odd byte become U+FFFD.
type utf16Reader struct {
	src       io.Reader
	bigEndian bool
	in        []byte // undecoded input is in[:n]
	n         int
	buf       []byte // decoded output; out is its unread part
	out       []byte
	err       error // sticky error of src, io.EOF included
}

func newUTF16Reader(src io.Reader, bigEndian bool) *utf16Reader {
	const size = 32 << 10
	return &utf16Reader{
		src:       src,
		bigEndian: bigEndian,
		in:        make([]byte, size),
		buf:       make([]byte, 0, size/2*3+utf8.UTFMax),
	}
}

// Read implements io.Reader.
func (u *utf16Reader) Read(p []byte) (int, error) {
	for stalls := 0; len(u.out) == 0; stalls++ {
		if u.err != nil {
			return 0, u.err
		}
		if stalls == 100 {
			return 0, io.ErrNoProgress
		}
		u.decode()
	}
	n := copy(p, u.out)
	u.out = u.out[n:]
	return n, nil
}

// decode reads one chunk of input and decodes every complete code unit in
// it, keeping a trailing odd byte or high surrogate for the next call.
func (u *utf16Reader) decode() {
	m, err := u.src.Read(u.in[u.n:])
	u.n += m
	if err != nil {
		u.err = err
	}
	out := u.buf[:0]
	i := 0
units:
	for ; i+1 < u.n; i += 2 {
		c := rune(u.unit(i))
		if utf16.IsSurrogate(c) {
			switch {
			case c >= 0xDC00: // a low surrogate without its high one
				c = utf8.RuneError
			case i+3 < u.n:
				if r := utf16.DecodeRune(c, rune(u.unit(i+2))); r != utf8.RuneError {
					c = r
					i += 2
				} else {
					c = utf8.RuneError
				}
			case u.err == nil: // the low surrogate is still to come
				break units
			default:
				c = utf8.RuneError
			}
		}
		out = utf8.AppendRune(out, c)
	}
	u.n = copy(u.in, u.in[i:u.n])
	if u.err != nil && u.n > 0 { // a trailing odd byte
		out = utf8.AppendRune(out, utf8.RuneError)
		u.n = 0
	}
	u.out = out
}

// unit returns the code unit at byte offset i of the input.
func (u *utf16Reader) unit(i int) uint16 {
	if u.bigEndian {
		return uint16(u.in[i])<<8 | uint16(u.in[i+1])
	}
	return uint16(u.in[i+1])<<8 | uint16(u.in[i])
}
