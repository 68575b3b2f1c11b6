package csv

import (
	"runtime"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSeen(t *testing.T) {
	type add struct {
		number string
		line   int
	}
	type result struct {
		First int
		Dup   bool
	}
	adds := []add{
		{"+16502530000", 2},
		{"+16502530001", 3},
		{"+16502530000", 4},  // duplicate
		{"+4930123456", 5},   // other length
		{"+1650253000", 6},   // a prefix is another number
		{"not e164", 7},      // stored as a string
		{"not e164", 8},      // duplicate string
		{"+06502530000", 9},  // leading zero: a string, not +6502530000
		{"+6502530000", 10},  // differs from the above
		{"+16502530001", 11}, // duplicate
	}
	want := []result{{2, false}, {3, false}, {2, true}, {5, false}, {6, false}, {7, false}, {7, true}, {9, false}, {10, false}, {3, true}}
	var s Seen // the zero value is ready
	var got []result
	for _, a := range adds {
		first, dup := s.Add(a.number, a.line)
		got = append(got, result{first, dup})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Add results (-want +got):\n%s", diff)
	}
	if s.Len() != 7 {
		t.Errorf("Len = %d, want 7", s.Len())
	}
}

// TestSeenMemory checks that a million numbers take well under 60 MB.
func TestSeenMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	const n = 1_000_000
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s := NewSeen(0)
	buf := []byte("+1")
	for i := range n {
		s.Add(string(strconv.AppendInt(buf[:2], int64(2000000000+i*7), 10)), i+2)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	mb := float64(after.HeapAlloc-before.HeapAlloc) / 1e6
	t.Logf("Seen with %d numbers: %.1f MB", s.Len(), mb)
	if mb > 50 {
		t.Errorf("Seen with %d numbers takes %.1f MB, want under 50", n, mb)
	}
	runtime.KeepAlive(s)
}
