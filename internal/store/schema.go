package store

import (
	"strconv"
	"strings"
)

// Key schema. Every key of an account starts with "nd:{acct:<id>}:" so that
// the braces' hash tag puts all of them in one Redis Cluster slot, and every
// script names all the keys it touches in KEYS.
//
//	nd:accounts                 set     ids of all accounts (the only global key besides owners)
//	nd:owner:<00..ff>           hash    e164 -> account id: which inventory holds a number
//	nd:{acct:A}:meta            hash    name, country, multiple_sites, created_at,
//	                                    lic_toll_total, lic_toll_used, lic_tf_total, lic_tf_used,
//	                                    next_extno, ext_seq, site_seq, ea_seq, tok_seq,
//	                                    ext_ver (bumped by every change to ext, extno or extemail:
//	                                    Apply's commit checks it instead of each extension ref)
//	nd:{acct:A}:num             hash    e164 -> number record (fields joined by \x1f, below)
//	nd:{acct:A}:idx             zset    status index, member = e164, score (indexScore): porting
//	                                    10^15 + digits, reserved 2*10^15 + digits, and the active
//	                                    numbers interleaved: 3*10^15 + 2*digits (+1 when assigned).
//	                                    ZCOUNT counts porting, reserved and active numbers exactly
//	                                    (assigned: ZCARD of extlinks); ZRANGEBYSCORE pages a class in
//	                                    number order. Assign and unassign change a score by one,
//	                                    which Redis updates in place: the import's hottest write.
//	nd:{acct:A}:gone            hash    e164 -> newest audit ref of a released number (history kept)
//	nd:{acct:A}:resv            list    closed reserved intervals: e164 \x1f country \x1f start_ms \x1f end_ms
//	nd:{acct:A}:fees:<YYYY-MM>  string  the month's reserved-fee statement, JSON (fees.Statement), written
//	                                    once with SET NX after the month ends and kept (fees.go)
//	nd:{acct:A}:ext             hash    extension id -> extension record (below)
//	nd:{acct:A}:extno           hash    extension number -> extension id
//	nd:{acct:A}:extemail        hash    lower-case email -> extension id
//	nd:{acct:A}:extlinks        zset    extension links: members "<extension id>\x00<number>" (score 0, lex order)
//	nd:{acct:A}:extsearch       zset    lex index "term\x00id" (extension number, name, its words, email)
//	nd:{acct:A}:site            hash    site id -> JSON
//	nd:{acct:A}:ea              hash    emergency address id -> JSON
//	nd:{acct:A}:tok             hash    SHA-256 of a token (hex) -> token JSON
//	nd:{acct:A}:tokid           hash    token id -> SHA-256 (hex)
//	nd:{acct:A}:audit           stream  one entry per atomic step: a (actor), s (source),
//	                                    r (rows joined by \x1e; a row is number, action, before status,
//	                                    before extension id, after status, after extension id,
//	                                    previous audit ref of the number, joined by \x1f)
//	nd:{acct:A}:batch:<id>      string  applied-marker of a batch: its outcomes (expires)
//
// A number record is 14 fields: status, extension id, audit ref,
// reserved_since (ms), port order id, type, site id, country, area code,
// region, city, emergency address id, source, acquired_at (ms). A number's
// updated_at is the time of its newest audit ref.
// An extension record is 5 fields: extension number, type, name, email,
// site id.
//
// An audit ref is "<stream id>.<row>" (row counts from 1); a previous ref
// of the form ".<row>" points at an earlier row of the same entry. Following
// the refs from a number's record walks its history newest first; it ends
// where the capped stream was trimmed.

const (
	sep    = "\x1f"
	rowSep = "\x1e"
)

// Number record field positions (0-based in Go; Lua counts from 1). The
// fields that transitions change come first, so the hot script parses only
// those.
const (
	fStatus = iota
	fExt
	fAudit
	fReserved
	fPort
	fType
	fSite
	fCountry
	fArea
	fRegion
	fCity
	fEA
	fSource
	fAcquired
	numFields
)

// Extension record field positions.
const (
	eNumber = iota
	eType
	eName
	eEmail
	eSite
	extFields
)

// keys are the keys of one account.
type keys struct {
	meta, num, idx, gone, resv, ext, extno, extemail, extlinks, extsearch,
	site, ea, tok, tokid, audit, prefix string
}

func accountKeys(id string) keys {
	p := "nd:{acct:" + id + "}:"
	return keys{
		prefix: p,
		meta:   p + "meta", num: p + "num", idx: p + "idx", gone: p + "gone", resv: p + "resv",
		ext: p + "ext", extno: p + "extno", extemail: p + "extemail", extlinks: p + "extlinks",
		extsearch: p + "extsearch", site: p + "site", ea: p + "ea", tok: p + "tok", tokid: p + "tokid",
		audit: p + "audit",
	}
}

// batch returns the applied-marker key of a batch.
func (k keys) batch(id string) string { return k.prefix + "batch:" + id }

const accountsKey = "nd:accounts"

// ownerKey returns the bucket of the global owner index holding e164.
func ownerKey(e164 string) string {
	var h uint32 = 2166136261
	for i := 0; i < len(e164); i++ {
		h ^= uint32(e164[i])
		h *= 16777619
	}
	const hex = "0123456789abcdef"
	b := byte(h)
	return "nd:owner:" + string([]byte{hex[b>>4], hex[b&15]})
}

// The status index's classes: each status's range of scores [lo, hi).
// Assigned and unassigned numbers share the active range, in number order,
// told apart by the score's parity.
const rankUnit = 1_000_000_000_000_000 // 10^15

var statusRange = map[string][2]int64{
	"porting":    {rankUnit, 2 * rankUnit},
	"reserved":   {2 * rankUnit, 3 * rankUnit},
	"unassigned": {3 * rankUnit, 5 * rankUnit},
	"assigned":   {3 * rankUnit, 5 * rankUnit},
}

// indexScore is a number's score in the status index (prelude.lua's score
// is the same). E.164 digits are at most 15, so every score is below 2^53
// and exact as a double.
func indexScore(status, e164 string) int64 {
	d, _ := strconv.ParseInt(strings.TrimPrefix(e164, "+"), 10, 64)
	switch status {
	case "unassigned":
		return 3*rankUnit + 2*d
	case "assigned":
		return 3*rankUnit + 2*d + 1
	}
	return statusRange[status][0] + d
}

// activeStatus returns the status a score of the active range stands for.
func activeStatus(score int64) string {
	if (score-3*rankUnit)%2 == 1 {
		return "assigned"
	}
	return "unassigned"
}
