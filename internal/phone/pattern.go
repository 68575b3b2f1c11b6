package phone

import (
	"regexp/syntax"
	"slices"
)

// maxNationalLength bounds national significant numbers: libphonenumber
// accepts at most 17 digits.
const maxNationalLength = 17

// prefixLengths is what a national-number pattern allows, by the first one
// or two digits of a number: element 1+d holds the lengths (bit n set for n
// digits) of matching numbers starting with digit d, element 11+10*d0+d1
// those of matching numbers starting with d0 d1. Element 0 is unused.
type prefixLengths [111]uint32

// index returns the element of prefixLengths describing national number nsn
// (at least one digit).
func prefixIndex(nsn string) int {
	d0 := int(nsn[0] - '0')
	if len(nsn) == 1 {
		return 1 + d0
	}
	return 11 + 10*d0 + int(nsn[1]-'0')
}

// analysePattern walks the compiled program of a libphonenumber
// national-number pattern (a Go-compatible regular expression matched
// against the whole national number) and reports, by first digits, which
// lengths a matching number can have. It errs on the side of allowing: an
// empty-width assertion is treated as always true, so the result is a
// superset of what the pattern matches.
func analysePattern(pattern string) (prefixLengths, error) {
	var out prefixLengths
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return out, err
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return out, err
	}
	m := newNFA(prog)
	root := m.closure([]uint32{uint32(prog.Start)})
	for d0 := range 10 {
		s1 := m.step(root, rune('0'+d0))
		out[1+d0] = m.lengths(s1, 1)
		for d1 := range 10 {
			out[11+10*d0+d1] = m.lengths(m.step(s1, rune('0'+d1)), 2)
		}
	}
	return out, nil
}

// nfa simulates a compiled regular expression on digit strings.
type nfa struct {
	prog *syntax.Prog
	seen []uint32 // generation marks, one per instruction
	gen  uint32
	memo map[string]uint32 // state → lengths of the matches that can follow
}

func newNFA(prog *syntax.Prog) *nfa {
	return &nfa{prog: prog, seen: make([]uint32, len(prog.Inst)), memo: make(map[string]uint32)}
}

// closure returns the instructions reachable from pcs without consuming
// input that consume a rune or match.
func (m *nfa) closure(pcs []uint32) []uint32 {
	m.gen++
	var out []uint32
	stack := append([]uint32(nil), pcs...)
	for len(stack) > 0 {
		pc := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if m.seen[pc] == m.gen {
			continue
		}
		m.seen[pc] = m.gen
		inst := &m.prog.Inst[pc]
		switch inst.Op {
		case syntax.InstAlt, syntax.InstAltMatch:
			stack = append(stack, inst.Out, inst.Arg)
		case syntax.InstCapture, syntax.InstNop, syntax.InstEmptyWidth:
			stack = append(stack, inst.Out)
		case syntax.InstFail:
		default: // InstMatch and the rune instructions.
			out = append(out, pc)
		}
	}
	return out
}

// step returns the state after consuming r (any digit when r is -1).
func (m *nfa) step(state []uint32, r rune) []uint32 {
	var next []uint32
	for _, pc := range state {
		inst := &m.prog.Inst[pc]
		if inst.Op == syntax.InstMatch {
			continue
		}
		if r >= 0 {
			if inst.MatchRune(r) {
				next = append(next, inst.Out)
			}
			continue
		}
		for d := '0'; d <= '9'; d++ {
			if inst.MatchRune(d) {
				next = append(next, inst.Out)
				break
			}
		}
	}
	return m.closure(next)
}

// lengths returns the lengths n ≥ consumed (bit n) at which a match can end,
// starting from state after consumed digits.
func (m *nfa) lengths(state []uint32, consumed int) uint32 {
	return m.remaining(state, maxNationalLength-consumed) << consumed
}

// remaining returns the numbers of further digits (bit n for n digits, up
// to limit) after which a match can end, starting from state.
func (m *nfa) remaining(state []uint32, limit int) uint32 {
	if len(state) == 0 || limit < 0 {
		return 0
	}
	slices.Sort(state)
	key := make([]byte, 0, 4*len(state)+1)
	key = append(key, byte(limit))
	for _, pc := range state {
		key = append(key, byte(pc), byte(pc>>8), byte(pc>>16), byte(pc>>24))
	}
	if mask, ok := m.memo[string(key)]; ok {
		return mask
	}
	var mask uint32
	for _, pc := range state {
		if m.prog.Inst[pc].Op == syntax.InstMatch {
			mask = 1
			break
		}
	}
	mask |= m.remaining(m.step(state, -1), limit-1) << 1
	m.memo[string(key)] = mask
	return mask
}
