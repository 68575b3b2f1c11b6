package main

import (
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/nyaruka/phonenumbers"
)

// plan answers numbering-plan questions about sample numbers with
// libphonenumber, caching the answers per national-number prefix.
type plan struct {
	lengths map[int][]int // possible national-number lengths per calling code
	cache   map[string]sample
}

// sample is what a valid geographic number under a prefix says about the
// prefix: the country it belongs to and its area code (national destination
// code). A prefix without such a number has ok false.
type sample struct {
	Country string
	NDC     string
	ok      bool
}

func newPlan() (*plan, error) {
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		return nil, err
	}
	lengths := make(map[int][]int)
	for _, m := range coll.GetMetadata() {
		cc := int(m.GetCountryCode())
		for _, l := range m.GetGeneralDesc().GetPossibleLength() {
			if !slices.Contains(lengths[cc], int(l)) {
				lengths[cc] = append(lengths[cc], int(l))
			}
		}
	}
	for _, ls := range lengths {
		slices.Sort(ls)
	}
	return &plan{lengths: lengths, cache: make(map[string]sample)}, nil
}

// sample finds valid fixed-line numbers of calling code cc whose national
// number starts with prefix, trying deterministic pseudo-random completions
// of every possible length, and reports their country and area code. When
// the area code is longer than the prefix, the prefix spans several area
// codes (DE 212 holds Solingen's 212 and Haan's 2129): a few more samples are
// drawn and the shortest area code, then the smallest, wins.
func (p *plan) sample(cc int, prefix string) sample {
	key := strconv.Itoa(cc) + "/" + prefix
	if s, ok := p.cache[key]; ok {
		return s
	}
	h := fnv.New64a()
	h.Write([]byte(key))
	rng := rand.New(rand.NewPCG(h.Sum64(), 1))
	var best sample
	found := 0
	for _, length := range p.lengths[cc] {
		if length <= len(prefix) {
			continue
		}
		for range 40 {
			nsn := []byte(prefix)
			for len(nsn) < length {
				nsn = append(nsn, byte('0'+rng.IntN(10)))
			}
			got, ok := geographic(cc, string(nsn))
			if !ok {
				continue
			}
			found++
			if !best.ok || len(got.NDC) < len(best.NDC) || len(got.NDC) == len(best.NDC) && got.NDC < best.NDC {
				best = got
			}
			if len(best.NDC) <= len(prefix) || found >= 20 {
				p.cache[key] = best
				return best
			}
		}
	}
	p.cache[key] = best
	return best
}

// geographic reports the country and area code of +cc nsn when it is a valid
// fixed-line number with an area code.
func geographic(cc int, nsn string) (sample, bool) {
	if nsn[0] == '0' {
		return sample{}, false
	}
	v, err := strconv.ParseUint(nsn, 10, 64)
	if err != nil {
		return sample{}, false
	}
	n := &phonenumbers.PhoneNumber{}
	n.CountryCode = new(int32(cc))
	n.NationalNumber = new(v)
	if !phonenumbers.IsValidNumber(n) {
		return sample{}, false
	}
	switch phonenumbers.GetNumberType(n) {
	case phonenumbers.FIXED_LINE, phonenumbers.FIXED_LINE_OR_MOBILE:
	default:
		return sample{}, false
	}
	l := phonenumbers.GetLengthOfGeographicalAreaCode(n)
	if l == 0 {
		// Countries without a trunk prefix, such as Poland, have no area
		// codes for libphonenumber; their fixed-line numbers still start
		// with a geographic national destination code.
		l = phonenumbers.GetLengthOfNationalDestinationCode(n)
	}
	if l == 0 {
		return sample{}, false
	}
	return sample{Country: phonenumbers.GetRegionCodeForNumber(n), NDC: nsn[:l], ok: true}, true
}
