package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/redis/go-redis/v9"
)

// A batch step (Apply) is an optimistic transaction. It WATCHes the
// account's inventory, fields and audit stream (and the batch's marker),
// reads a snapshot of everything the rows depend on (the numbers' records,
// the extension refs, the sites flag, the extensions' version and the
// licence counters), decides each row's outcome and works out every write
// here in Go, then commits the writes in one MULTI/EXEC. Redis refuses the
// EXEC when a watched key changed after the WATCH; nothing is written and
// the batch is planned again from a fresh snapshot. So the rules are
// checked against exactly the state the writes land on, as in a Lua
// script, without paying Lua's per-string cost for a thousand rows (the
// bulk importer's hot path: README, Benchmarks).

// snapshot is the state a batch's plan depends on, as read.
type snapshot struct {
	// recs are the records of the rows' distinct numbers, in the order of
	// nums; ok is false for a number not in the inventory.
	nums []string
	recs []optString
	// Extension refs: extension numbers and (lower-case) emails with the
	// extension ids they map to, ids given directly, and the extension
	// records read by id. refsMeta are the account fields (the first
	// refFields of metaFields) the refs were resolved under.
	extNos, extEmails, direct []string
	noIDs, emailIDs           []optString
	extIDs                    []string
	extRecs                   []optString
	refsMeta                  []optString
	// meta holds the account fields in metaFields order.
	meta []optString
}

// optString is a value that may be missing.
type optString struct {
	v  string
	ok bool
}

// metaFields are the account fields a plan reads: the sites flag and the
// extensions' version (ext_ver, bumped by every change to the extensions),
// which the extension refs are resolved under (the first refFields), then
// the licence counters. The commit watches the whole hash.
var metaFields = []string{"multiple_sites", "ext_ver",
	"lic_toll_total", "lic_toll_used", "lic_tf_total", "lic_tf_used", "lic_toll_held", "lic_tf_held"}

// refFields is how many of metaFields the extension refs depend on.
const refFields = 2

// numState is a number's state as a batch sees it while its rows apply.
type numState struct {
	present                       bool // false: not in the inventory, or released by an earlier row
	status, ext, audit, rsv, port string
	rest                          string // the fields no transition changes, joined
	typ, site, country            string // from rest
	lastLine                      int    // 1-based audit line of the number's newest change, 0 for none
}

// parseRecord splits a number record into its changing head and the rest.
func parseRecord(rec string) numState {
	st := numState{present: true}
	f := [5]string{}
	r := rec
	for i := range f {
		var ok bool
		f[i], r, ok = strings.Cut(r, sep)
		if !ok {
			break
		}
	}
	st.status, st.ext, st.audit, st.rsv, st.port = f[0], f[1], f[2], f[3], f[4]
	st.rest = r
	st.typ, r, _ = strings.Cut(st.rest, sep)
	st.site, r, _ = strings.Cut(r, sep)
	st.country, _, _ = strings.Cut(r, sep)
	return st
}

// extRef is a row's extension, resolved.
type extRef struct {
	id   string
	ok   bool
	site string
}

// plan is what a batch does: each row's outcome and the writes.
type plan struct {
	outcomes                 []string
	nok, nunchanged, nfailed int
	lines                    []string // audit rows
	lineNum                  []string // the number each audit row changed
	states                   map[string]*numState
	resv                     []string
	lic                      map[inventory.NumberType]int64
	tfTotal                  int64 // toll-free licences in all
	links                    []string
	linked                   map[string]bool // final state of each link member
	// assignees are the extension ids whose numbers outcomes name
	// (already_assigned); the outcomes hold a placeholder until filled.
	assignees map[string][]int
}

// makePlan applies rows to the snapshot. now is the step's time (ms).
func makePlan(rows []Row, snap *snapshot, now string) *plan {
	p := &plan{
		outcomes: make([]string, len(rows)),
		states:   make(map[string]*numState, len(snap.nums)),
		lines:    make([]string, 0, len(rows)),
		lineNum:  make([]string, 0, len(rows)),
		links:    make([]string, 0, len(rows)),
		linked:   make(map[string]bool, len(rows)),
		lic:      map[inventory.NumberType]int64{inventory.Toll: 0, inventory.TollFree: 0},
	}
	for i, n := range snap.nums {
		st := &numState{}
		if snap.recs[i].ok {
			*st = parseRecord(snap.recs[i].v)
		}
		p.states[n] = st
	}
	meta := func(i int) int64 {
		n, _ := strconv.ParseInt(snap.meta[i].v, 10, 64)
		return n
	}
	multi := snap.meta[0].v == "1"
	p.tfTotal = meta(4)
	refs := resolveRefs(snap, multi)
	free := func(ty inventory.NumberType) int64 {
		if ty == inventory.TollFree {
			return meta(4) - meta(5) - meta(7) - p.lic[ty]
		}
		return meta(2) - meta(3) - meta(6) - p.lic[ty]
	}
	link := func(id, num string, on bool) {
		m := id + "\x00" + num
		if _, seen := p.linked[m]; !seen {
			p.links = append(p.links, m)
		}
		p.linked[m] = on
	}
	for i, r := range rows {
		num := r.Number
		s := p.states[num]
		res := ""
		switch {
		case !s.present:
			res = string(inventory.CodeNumberNotFound)
		default:
			res = p.applyRow(i, r, s, refs, multi, free, link, now)
		}
		p.outcomes[i] = res
		switch res {
		case "ok", "reserved":
			p.nok++
		case "unchanged":
			p.nunchanged++
		default:
			p.nfailed++
		}
	}
	return p
}

// applyRow applies one row to its number's state and returns the outcome.
func (p *plan) applyRow(i int, r Row, s *numState, refs func(ExtensionRef) extRef, multi bool,
	free func(inventory.NumberType) int64, link func(id, num string, on bool), now string) string {
	num := r.Number
	before, beforeExt := s.status, s.ext
	res := ""
	switch act := r.Action; act {
	case inventory.ActionAssign, inventory.ActionReassign:
		t := refs(r.Extension)
		switch {
		case !t.ok:
			res = string(inventory.CodeExtensionNotFound)
		case before == "porting" || before == "reserved":
			res = string(inventory.CodeNumberNotActive)
		case act == inventory.ActionAssign && before == "assigned":
			if beforeExt == t.id {
				res = "unchanged"
			} else {
				res = p.alreadyAssigned(i, beforeExt)
			}
		case act == inventory.ActionReassign && before != "assigned":
			res = string(inventory.CodeNotAssigned)
		case act == inventory.ActionReassign && beforeExt == t.id:
			res = "unchanged"
		case multi && s.typ == string(inventory.Toll) && s.site != t.site:
			res = string(inventory.CodeSiteMismatch) + sep + s.site + sep + t.site
		default:
			if beforeExt != "" {
				link(beforeExt, num, false)
			}
			link(t.id, num, true)
			s.status, s.ext = "assigned", t.id
			res = "ok"
		}
	case inventory.ActionUnassign:
		if before != "assigned" {
			res = string(inventory.CodeNotAssigned)
		} else {
			link(beforeExt, num, false)
			s.status, s.ext = "unassigned", ""
			res = "ok"
		}
	case inventory.ActionDelete:
		switch before {
		case "assigned":
			res = p.alreadyAssigned(i, beforeExt)
		case "porting":
			res = string(inventory.CodeNumberNotActive)
		default:
			if before == "unassigned" {
				p.lic[inventory.NumberType(s.typ)]--
			} else {
				p.resv = append(p.resv, num+sep+s.country+sep+s.rsv+sep+now)
			}
			s.status = "released"
			res = "ok"
		}
	case inventory.ActionActivate, inventory.ActionPortComplete:
		from := "porting"
		if act == inventory.ActionActivate {
			from = "reserved"
		}
		switch {
		case before != from:
			switch {
			case before == "assigned" || before == "unassigned":
				res = "unchanged"
			case act == inventory.ActionActivate && before == "porting":
				res = string(inventory.CodeNumberNotActive)
			default:
				res = string(inventory.CodeWrongStatus)
			}
		default:
			ty := inventory.NumberType(s.typ)
			if free(ty) <= 0 {
				if act == inventory.ActionActivate {
					res = string(inventory.CodeLicenseExhausted)
					if ty == inventory.TollFree && p.tfTotal == 0 {
						res = string(inventory.CodeTollFreeLicenseRequired)
					}
				} else {
					s.status, s.rsv, s.port = "reserved", now, ""
					res = "reserved"
				}
			} else {
				p.lic[ty]++
				if before == "reserved" {
					p.resv = append(p.resv, num+sep+s.country+sep+s.rsv+sep+now)
				}
				s.status, s.rsv, s.port = "unassigned", "", ""
				res = "ok"
			}
		}
	case inventory.ActionPortReserve:
		switch before {
		case "reserved":
			res = "unchanged"
		case "porting":
			s.status, s.rsv, s.port = "reserved", now, ""
			res = "ok"
		default:
			res = string(inventory.CodeWrongStatus)
		}
	case inventory.ActionPortCancel:
		if before != "porting" {
			res = string(inventory.CodeWrongStatus)
		} else {
			s.status = "released"
			res = "ok"
		}
	default:
		res = string(inventory.CodeInvalidAction)
	}
	if res == "ok" || res == "reserved" {
		prev := s.audit
		if s.lastLine > 0 {
			prev = "." + strconv.Itoa(s.lastLine)
		}
		p.lines = append(p.lines, num+sep+string(r.Action)+sep+before+sep+beforeExt+sep+s.status+sep+s.ext+sep+prev)
		p.lineNum = append(p.lineNum, num)
		s.lastLine = len(p.lines)
		if s.status == "released" {
			s.present = false
		}
	}
	return res
}

// alreadyAssigned returns the outcome of a row whose number is assigned to
// extension id, and notes that the outcome names that extension's number.
func (p *plan) alreadyAssigned(row int, id string) string {
	if p.assignees == nil {
		p.assignees = map[string][]int{}
	}
	p.assignees[id] = append(p.assignees[id], row)
	return string(inventory.CodeAlreadyAssigned) + sep + id
}

// resolveRefs returns a function resolving a row's extension ref against
// the snapshot: ids given directly must exist, and with multiple sites the
// extension's site is needed.
func resolveRefs(snap *snapshot, multi bool) func(ExtensionRef) extRef {
	byNo := make(map[string]optString, len(snap.extNos))
	for i, n := range snap.extNos {
		byNo[n] = snap.noIDs[i]
	}
	byEmail := make(map[string]optString, len(snap.extEmails))
	for i, e := range snap.extEmails {
		byEmail[e] = snap.emailIDs[i]
	}
	recs := make(map[string]optString, len(snap.extIDs))
	for i, id := range snap.extIDs {
		recs[id] = snap.extRecs[i]
	}
	return func(r ExtensionRef) extRef {
		var id optString
		direct := false
		switch {
		case r.ID != "":
			id, direct = optString{r.ID, true}, true
		case r.Number != "":
			id = byNo[r.Number]
		case r.Email != "":
			id = byEmail[strings.ToLower(r.Email)]
		}
		if !id.ok {
			return extRef{}
		}
		t := extRef{id: id.v, ok: true}
		if direct || multi {
			rec := recs[id.v]
			if !rec.ok {
				return extRef{}
			}
			t.site = extSite(rec.v)
		}
		return t
	}
}

// extSite returns the site of an extension record.
func extSite(rec string) string {
	f := strings.SplitN(rec, sep, extFields)
	if len(f) < extFields {
		return ""
	}
	return f[eSite]
}

// commitOptions are what a commit writes besides the plan's changes.
type commitOptions struct {
	BatchOptions
	marker, progress string // keys
	auditID          string // the audit entry's stream id
	actor            Actor
	auditCap         int64
	ttl              time.Duration
}

// commit queues the plan's writes on a MULTI pipeline: the audit entry,
// the records and their status index, released numbers, closed reserved
// intervals, extension links, licence counters, then the progress counters
// and the applied-marker. A dry run writes only the last two.
func (p *plan) commit(ctx context.Context, tx redis.Pipeliner, k keys, o commitOptions) {
	// A batch that writes nothing still runs EXEC, so that its outcomes
	// too hold for the state as it is at the commit.
	tx.Exists(ctx, k.meta)
	if !o.DryRun && len(p.lines) > 0 {
		id := o.auditID
		tx.XAdd(ctx, &redis.XAddArgs{Stream: k.audit, MaxLen: o.auditCap, Approx: true, ID: id,
			Values: []any{"a", o.actor.Name, "s", o.actor.Source, "r", strings.Join(p.lines, rowSep)}})
		// Each number's record points at its newest audit row; a number
		// changed twice in one batch keeps the later row (which links the
		// earlier).
		set := make([]any, 0, 2*len(p.lineNum))
		idx := make([]any, 0, 2+2*len(p.lineNum))
		idx = append(idx, "ZADD", k.idx)
		var del []string
		var gone []any
		for a, num := range p.lineNum {
			s := p.states[num]
			if s.lastLine != a+1 {
				continue
			}
			ref := id + "." + strconv.Itoa(s.lastLine)
			if !s.present {
				del = append(del, num)
				gone = append(gone, num, ref)
				continue
			}
			set = append(set, num, s.status+sep+s.ext+sep+ref+sep+s.rsv+sep+s.port+sep+s.rest)
			idx = append(idx, strconv.FormatInt(indexScore(s.status, num), 10), num)
		}
		if len(set) > 0 {
			tx.HSet(ctx, k.num, set...)
			tx.Do(ctx, idx...)
		}
		if len(del) > 0 {
			tx.HDel(ctx, k.num, del...)
			tx.ZRem(ctx, k.idx, anySlice(del)...)
			tx.HSet(ctx, k.gone, gone...)
		}
		if len(p.resv) > 0 {
			tx.RPush(ctx, k.resv, anySlice(p.resv)...)
		}
		add := make([]any, 0, 2+2*len(p.links))
		add = append(add, "ZADD", k.extlinks)
		var rem []any
		for _, m := range p.links {
			if p.linked[m] {
				add = append(add, "0", m)
			} else {
				rem = append(rem, m)
			}
		}
		if len(rem) > 0 {
			tx.ZRem(ctx, k.extlinks, rem...)
		}
		if len(add) > 2 {
			tx.Do(ctx, add...)
		}
		if d := p.lic[inventory.Toll]; d != 0 {
			tx.HIncrBy(ctx, k.meta, "lic_toll_used", d)
		}
		if d := p.lic[inventory.TollFree]; d != 0 {
			tx.HIncrBy(ctx, k.meta, "lic_tf_used", d)
		}
	}
	if o.ImportID != "" {
		tx.HIncrBy(ctx, o.progress, "rows_done", int64(len(p.outcomes)+o.PreFailed))
		tx.HIncrBy(ctx, o.progress, "rows_ok", int64(p.nok))
		tx.HIncrBy(ctx, o.progress, "rows_unchanged", int64(p.nunchanged))
		tx.HIncrBy(ctx, o.progress, "rows_failed", int64(p.nfailed+o.PreFailed))
	}
	if o.MarkerID != "" {
		tx.Set(ctx, o.marker, strings.Join(p.outcomes, "\n"), o.ttl)
	}
}

// nextAuditID returns a stream id after last ("" for an empty stream) at
// now (ms), as XADD's "*" would.
func nextAuditID(last string, now int64) string {
	ms, seq := int64(0), int64(0)
	if last != "" {
		a, b, _ := strings.Cut(last, "-")
		ms, _ = strconv.ParseInt(a, 10, 64)
		seq, _ = strconv.ParseInt(b, 10, 64)
	}
	if now > ms {
		return strconv.FormatInt(now, 10) + "-0"
	}
	return strconv.FormatInt(ms, 10) + "-" + strconv.FormatInt(seq+1, 10)
}

func anySlice(v []string) []any {
	out := make([]any, len(v))
	for i, s := range v {
		out[i] = s
	}
	return out
}
