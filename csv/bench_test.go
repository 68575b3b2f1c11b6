package csv

import (
	"bytes"
	"io"
	"testing"
)

// generated returns an assignments file of n data rows.
func generated(n int) []byte {
	b := []byte("phone_number,extension_number,action\n")
	for i := range n {
		b = appendRow(b, i)
	}
	return b
}

// BenchmarkDecodeAssignments decodes a 100,000-row file held in memory and
// reports rows per second.
func BenchmarkDecodeAssignments(b *testing.B) {
	const n = 100_000
	data := generated(n)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		d, err := NewAssignmentDecoder(bytes.NewReader(data), testOptions)
		if err != nil {
			b.Fatal(err)
		}
		rows := 0
		for {
			row, err := d.Next()
			if err == io.EOF {
				break
			}
			if err != nil || row.Err != nil {
				b.Fatal(err, row.Err)
			}
			rows++
		}
		if rows != n {
			b.Fatalf("%d rows, want %d", rows, n)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkDecodeMillionRowsStreamed decodes a million rows made by a
// reader as they are read, and reports rows per second and the peak heap in
// use.
func BenchmarkDecodeMillionRowsStreamed(b *testing.B) {
	const n = 1_000_000
	h := newHeapPeak()
	for b.Loop() {
		if ok := decodeGenerated(b, n, h); ok != n {
			b.Fatalf("%d valid rows, want %d", ok, n)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(h.MB(), "peak-heap-MB")
}

// BenchmarkSeen adds a million distinct numbers to a Seen set.
func BenchmarkSeen(b *testing.B) {
	const n = 1_000_000
	numbers := make([]string, n)
	for i := range numbers {
		numbers[i] = string(appendRow(nil, i)[:12])
	}
	b.ReportAllocs()
	for b.Loop() {
		s := NewSeen(n)
		for i, num := range numbers {
			s.Add(num, i+2)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "adds/s")
}
