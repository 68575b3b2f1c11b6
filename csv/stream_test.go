package csv

import (
	"io"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/numberdesk/numberdesk/internal/inventory"
)

// rowGenerator is an io.Reader that makes an assignments file of rows data
// rows as it is read, so that no file is ever in memory.
type rowGenerator struct {
	rows    int // data rows left to make
	i       int
	pending []byte
}

func newRowGenerator(rows int) *rowGenerator {
	return &rowGenerator{rows: rows, pending: []byte("phone_number,extension_number,action\n")}
}

func (g *rowGenerator) Read(p []byte) (int, error) {
	for len(g.pending) < len(p) && g.i < g.rows {
		g.pending = appendRow(g.pending, g.i)
		g.i++
	}
	if len(g.pending) == 0 {
		return 0, io.EOF
	}
	n := copy(p, g.pending)
	g.pending = g.pending[:copy(g.pending, g.pending[n:])]
	return n, nil
}

// appendRow appends data row i of a generated assignments file.
func appendRow(b []byte, i int) []byte {
	b = append(b, "+1"...)
	b = strconv.AppendInt(b, int64(2000000000+i), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(1000+i%9000), 10)
	return append(b, ",assign\n"...)
}

// heapPeak samples the heap in use and keeps the largest sample.
type heapPeak struct {
	base, peak uint64
	ms         runtime.MemStats
}

func newHeapPeak() *heapPeak {
	runtime.GC()
	h := &heapPeak{}
	runtime.ReadMemStats(&h.ms)
	h.base = h.ms.HeapInuse
	h.peak = h.base
	return h
}

func (h *heapPeak) sample() {
	runtime.ReadMemStats(&h.ms)
	h.peak = max(h.peak, h.ms.HeapInuse)
}

// MB returns the peak heap in use, in MB.
func (h *heapPeak) MB() float64 { return float64(h.peak) / 1e6 }

// decodeGenerated decodes n generated rows, sampling the heap, and returns
// the number of valid rows.
func decodeGenerated(tb testing.TB, n int, h *heapPeak) int {
	tb.Helper()
	d, err := NewAssignmentDecoder(newRowGenerator(n), testOptions)
	if err != nil {
		tb.Fatal(err)
	}
	ok := 0
	for i := 0; ; i++ {
		row, err := d.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
		if row.Err == nil {
			ok++
		}
		if i%50_000 == 0 {
			h.sample()
		}
	}
	h.sample()
	return ok
}

// TestDecodeMemoryIsFlat decodes a million generated rows and checks that
// the heap stays small: the decoder holds one row at a time.
func TestDecodeMemoryIsFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	const n = 1_000_000
	h := newHeapPeak()
	if ok := decodeGenerated(t, n, h); ok != n {
		t.Fatalf("%d valid rows, want %d", ok, n)
	}
	t.Logf("peak heap in use for %d rows: %.1f MB (%.1f MB before)", n, h.MB(), float64(h.base)/1e6)
	if h.peak-h.base > 32<<20 {
		t.Errorf("heap grew by %.1f MB decoding %d rows", float64(h.peak-h.base)/1e6, n)
	}
}

var xs = []byte(strings.Repeat("x", 64<<10))

// endlessLine reads as n bytes of x, with no line break, sampling the heap
// as it goes.
type endlessLine struct {
	n    int
	read int
	h    *heapPeak
}

func (e *endlessLine) Read(p []byte) (int, error) {
	if e.n == 0 {
		return 0, io.EOF
	}
	p = p[:min(len(p), e.n, len(xs))]
	copy(p, xs)
	e.n -= len(p)
	if e.read += len(p); e.read >= 8<<20 {
		e.read = 0
		e.h.sample()
	}
	return len(p), nil
}

// TestHugeLine decodes a 100 MB row with no line break: it is one row error,
// and the decoder never holds it.
func TestHugeLine(t *testing.T) {
	h := newHeapPeak()
	for _, prefix := range []string{"+16502530000,", "+16502530000,\""} {
		in := io.MultiReader(strings.NewReader("phone_number,notes\n"+prefix), &endlessLine{n: 100 << 20, h: h})
		rows, herr := decodeAssignments(t, in)
		if herr != nil {
			t.Fatal(herr)
		}
		if len(rows) != 1 || rows[0].Line != 2 || inventory.ErrorCode(rows[0].Err) != inventory.CodeInvalidField {
			t.Fatalf("rows = %+v, want one invalid_field row on line 2", rows)
		}
	}
	t.Logf("peak heap in use: %.1f MB (%.1f MB before)", h.MB(), float64(h.base)/1e6)
	if h.peak-h.base > 8<<20 {
		t.Errorf("heap grew by %.1f MB reading a 100 MB line", float64(h.peak-h.base)/1e6)
	}
}
