package csv

// Seen is a set of phone numbers in E.164 remembering the line each was
// first seen on, for finding numbers given twice in one import. A number of
// the form +d… (1 to 18 digits, the first not 0) is stored as its digits'
// integer value, in 20 to 40 bytes an entry (at most 38 MB for a million);
// anything else is stored as a string. The zero value is an empty set ready
// to use. A Seen is not safe for concurrent use.
type Seen struct {
	numbers map[uint64]int32
	others  map[string]int32
}

// NewSeen returns an empty set with room for about n numbers.
func NewSeen(n int) *Seen {
	return &Seen{numbers: make(map[uint64]int32, n)}
}

// Add records that e164 is on line. If the set already holds e164, Add
// leaves it unchanged and returns the line it was first added with and true;
// otherwise it returns line and false.
func (s *Seen) Add(e164 string, line int) (firstLine int, dup bool) {
	if key, ok := e164Key(e164); ok {
		if s.numbers == nil {
			s.numbers = make(map[uint64]int32)
		}
		if first, ok := s.numbers[key]; ok {
			return int(first), true
		}
		s.numbers[key] = int32(line)
		return line, false
	}
	if s.others == nil {
		s.others = make(map[string]int32)
	}
	if first, ok := s.others[e164]; ok {
		return int(first), true
	}
	s.others[e164] = int32(line)
	return line, false
}

// Len returns the number of distinct numbers in the set.
func (s *Seen) Len() int {
	return len(s.numbers) + len(s.others)
}

// e164Key returns the digits of "+d…" as an integer. Because the first
// digit is not 0, different digit strings give different integers.
func e164Key(s string) (uint64, bool) {
	if len(s) < 2 || len(s) > 19 || s[0] != '+' || s[1] == '0' {
		return 0, false
	}
	var key uint64
	for i := 1; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		key = key*10 + uint64(c-'0')
	}
	return key, true
}
