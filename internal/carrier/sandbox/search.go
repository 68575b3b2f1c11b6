package sandbox

import (
	"context"
	"encoding/json"
	"hash/fnv"
	"math/rand/v2"
	"strconv"

	"github.com/numberdesk/numberdesk/internal/carrier"
)

// MaxConsecutive is the largest Query.Consecutive the sandbox accepts.
const MaxConsecutive = carrier.MaxConsecutive

// searchBudget bounds the lines one search examines, so that a query no
// number can satisfy still answers quickly; the search then returns what
// it found.
const searchBudget = 4 << 20

// Search implements carrier.Carrier.
func (s *Carrier) Search(ctx context.Context, q carrier.Query) ([]carrier.Available, error) {
	areas, err := s.num.areasFor(&q)
	if err != nil {
		return nil, err
	}
	blockN := max(q.Consecutive, 1)
	var groups [][]carrier.Available
	count, budget := 0, searchBudget
	for _, a := range areas {
		if a.empty() {
			continue
		}
		var sold map[string]bool
		lines := a.lines()
		lineDigits := a.subLen - 3
		bs := a.blockSize()
		for exch := 200; exch <= 999; exch++ {
			if err := ctx.Err(); err != nil {
				return nil, &carrier.Error{Op: "search", Code: carrier.CodeUnavailable, Err: err}
			}
			if !a.exchangeValid(exch) {
				continue
			}
			p := a.placeOf(exch)
			if !a.tollFree && !matchPlace(&q, p) {
				continue
			}
			lo, hi, ok := lineRange(strconv.Itoa(exch), q.Prefix, lineDigits, lines)
			if !ok {
				continue
			}
			var run []carrier.Available
			prev := -2
			for block := lo / bs; block*bs < hi; block++ {
				if !a.blockOpen(exch, block) {
					continue
				}
				for line := max(lo, block*bs); line < min(hi, (block+1)*bs); line++ {
					budget--
					if !a.lineOpen(exch, line) {
						continue
					}
					if sold == nil {
						if sold, err = s.soldIn(ctx, a); err != nil {
							return nil, err
						}
					}
					num := a.number(exch, line)
					if sold[num] {
						continue
					}
					if line != prev+1 {
						run = run[:0]
					}
					prev = line
					run = append(run, carrier.Available{Number: num, Country: q.Country, Type: q.Type, Region: p.region, City: p.city, AreaCode: a.code})
					if len(run) == blockN {
						groups = append(groups, run)
						count += blockN
						run, prev = nil, -2
						if count+blockN > q.Limit {
							return s.arrange(q, groups), nil
						}
					}
				}
				if budget <= 0 {
					return s.arrange(q, groups), nil
				}
			}
		}
	}
	return s.arrange(q, groups), nil
}

// lineRange returns the lines [lo, hi) of an exchange whose subscriber
// digits (exch followed by lineDigits digits) start with prefix, and false
// when none do.
func lineRange(exch, prefix string, lineDigits, lines int) (lo, hi int, ok bool) {
	if len(prefix) <= len(exch) {
		return 0, lines, exch[:len(prefix)] == prefix
	}
	if exch != prefix[:len(exch)] {
		return 0, 0, false
	}
	rest := prefix[len(exch):]
	if len(rest) > lineDigits {
		return 0, 0, false
	}
	v, _ := strconv.Atoi(rest)
	scale := 1
	for range lineDigits - len(rest) {
		scale *= 10
	}
	return v * scale, (v + 1) * scale, true
}

// arrange flattens the result groups: in ascending order for a sequential
// search, else shuffled (blocks kept whole) by a generator seeded with the
// sandbox's seed and the query, so the same search gives the same answer.
func (s *Carrier) arrange(q carrier.Query, groups [][]carrier.Available) []carrier.Available {
	if !q.Sequential {
		h := fnv.New64a()
		b, _ := json.Marshal(q)
		h.Write(b)
		r := rand.New(rand.NewPCG(uint64(s.cfg.Seed), h.Sum64()))
		r.Shuffle(len(groups), func(i, j int) { groups[i], groups[j] = groups[j], groups[i] })
	}
	out := make([]carrier.Available, 0, len(groups)*max(q.Consecutive, 1))
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}
