package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/redis/go-redis/v9"
)

// NewNumber is a number coming into the inventory with what is known of it.
type NewNumber struct {
	Number   string
	Type     inventory.NumberType
	Country  string
	AreaCode string
	Region   string
	City     string
}

// AcquireSpec says how numbers come into the inventory.
type AcquireSpec struct {
	Numbers []NewNumber
	// Status is unassigned (bought or ported: takes licences, the default),
	// reserved (held without a licence) or porting (a port-in has started).
	Status inventory.Status
	// SiteID is required with multiple sites; the numbers take the site's
	// emergency address. Without sites, EmergencyAddressID is required.
	SiteID             string
	EmergencyAddressID string
	Source             inventory.Source
	PortOrderID        string
}

// Acquire brings up to MaxBatch numbers into the account's inventory in one
// atomic step. With status unassigned every new number takes a licence of
// its type; when a pool is short the whole batch is refused
// (license_exhausted, toll_free_license_required) and nothing is taken. A
// number already in this or another inventory fails number_exists.
func (s *Store) Acquire(ctx context.Context, accountID string, spec AcquireSpec, actor Actor, opt BatchOptions) (BatchResult, error) {
	n := len(spec.Numbers)
	if n > MaxBatch {
		return BatchResult{}, fmt.Errorf("acquire: %d numbers, at most %d", n, MaxBatch)
	}
	if spec.Status == "" {
		spec.Status = inventory.StatusUnassigned
	}
	if spec.Source == "" {
		spec.Source = inventory.SourceOrdered
	}
	k := accountKeys(accountID)
	if opt.MarkerID != "" {
		if done, err := s.rdb.Get(ctx, k.batch(opt.MarkerID)).Result(); err == nil {
			return replayResult(done), nil
		}
	}
	res := BatchResult{Outcomes: make([]RowOutcome, n)}
	claimed, err := s.claim(ctx, accountID, spec.Numbers)
	if err != nil {
		return BatchResult{}, err
	}
	args := []any{s.nowMS(), actor.Name, actor.Source, s.auditCap, opt.flags(), int64(s.retention.Seconds()),
		string(spec.Status), spec.SiteID, spec.EmergencyAddressID, string(spec.Source), spec.PortOrderID}
	var sent []int
	for i, nn := range spec.Numbers {
		if !claimed[i].ours {
			res.Outcomes[i] = RowOutcome{Outcome: inventory.Outcome(inventory.CodeNumberExists), Message: "the number is in another inventory"}
			continue
		}
		sent = append(sent, i)
		args = append(args, nn.Number, string(nn.Type), nn.Country, nn.AreaCode, nn.Region, nn.City)
	}
	marker := k.meta
	if opt.MarkerID != "" {
		marker = k.batch(opt.MarkerID)
	}
	v, err := scriptAdd.Run(ctx, s.rdb, []string{k.meta, k.num, k.idx, k.audit, k.gone, k.site, k.ea, marker}, args...).Result()
	if err != nil {
		// Nothing was added: give back the claims this call made.
		s.unclaim(ctx, accountID, freshClaims(spec.Numbers, claimed))
		return BatchResult{}, scriptError("acquire", err)
	}
	replayed, out, err := outcomes(v)
	if err != nil {
		return BatchResult{}, err
	}
	if len(out) != len(sent) {
		return BatchResult{}, fmt.Errorf("acquire: %d outcomes for %d rows", len(out), len(sent))
	}
	res.Replayed = replayed
	var giveBack []string
	for j, i := range sent {
		res.Outcomes[i] = parseOutcome(out[j])
		if res.Outcomes[i].Outcome.Failed() && claimed[i].fresh {
			giveBack = append(giveBack, spec.Numbers[i].Number)
		}
	}
	s.unclaim(ctx, accountID, giveBack)
	return res, nil
}

func replayResult(joined string) BatchResult {
	res := BatchResult{Replayed: true}
	if joined == "" {
		return res
	}
	for _, o := range strings.Split(joined, "\n") {
		res.Outcomes = append(res.Outcomes, parseOutcome(o))
	}
	return res
}

// Row is one change to a number already in the inventory.
type Row struct {
	Number string
	Action inventory.Action
	// Extension names the target of assign and reassign.
	Extension ExtensionRef
}

// ExtensionRef names an extension by id, extension number or user email.
type ExtensionRef struct {
	ID     string
	Number string
	Email  string
}

// applyArgs lays out apply.lua's ARGV: the header, the distinct extension
// refs (numbers, emails, ids), then the rows' numbers, actions and ref
// positions, each a contiguous run the script can unpack straight into
// HMGET.
func applyArgs(rows []Row, now string, actor Actor, auditCap int64, opt BatchOptions, ttl int64) []any {
	// refs[k] holds the distinct refs of kind k (numbers, emails, ids) and
	// at[k] their 1-based position within the kind.
	var refs [3][]string
	var at [3]map[string]int
	kind := make([]int8, len(rows))
	idx := make([]int, len(rows))
	for i, r := range rows {
		k, v := int8(-1), ""
		switch {
		case r.Extension.ID != "":
			k, v = 2, r.Extension.ID
		case r.Extension.Number != "":
			k, v = 0, r.Extension.Number
		case r.Extension.Email != "":
			k, v = 1, strings.ToLower(r.Extension.Email)
		}
		kind[i] = k
		if k < 0 {
			continue
		}
		if at[k] == nil {
			at[k] = map[string]int{}
		}
		p, ok := at[k][v]
		if !ok {
			refs[k] = append(refs[k], v)
			p = len(refs[k])
			at[k][v] = p
		}
		idx[i] = p
	}
	nos, emails, ids := refs[0], refs[1], refs[2]
	offset := [3]int{0, len(nos), len(nos) + len(emails)}
	args := make([]any, 0, 11+len(nos)+len(emails)+len(ids)+3*len(rows))
	args = append(args, now, actor.Name, actor.Source, auditCap, opt.flags(), ttl, opt.PreFailed,
		len(rows), len(nos), len(emails), len(ids))
	for _, l := range [][]string{nos, emails, ids} {
		for _, v := range l {
			args = append(args, v)
		}
	}
	for _, r := range rows {
		args = append(args, r.Number)
	}
	for _, r := range rows {
		args = append(args, string(r.Action))
	}
	for i := range rows {
		p := 0 // no ref
		if kind[i] >= 0 {
			p = offset[kind[i]] + idx[i]
		}
		args = append(args, strconv.Itoa(p))
	}
	return args
}

// Apply applies up to MaxBatch rows (assign, reassign, unassign, delete,
// activate and the port-in transitions) in one atomic step and returns each
// row's outcome. Rows apply in order; a number given twice sees the first
// row's effect.
func (s *Store) Apply(ctx context.Context, accountID string, rows []Row, actor Actor, opt BatchOptions) (BatchResult, error) {
	if len(rows) > MaxBatch {
		return BatchResult{}, fmt.Errorf("apply: %d rows, at most %d", len(rows), MaxBatch)
	}
	k := accountKeys(accountID)
	marker, progress := k.meta, k.meta
	if opt.MarkerID != "" {
		marker = k.batch(opt.MarkerID)
	}
	if opt.ImportID != "" {
		progress = ImportKey(accountID, opt.ImportID)
	}
	args := applyArgs(rows, s.nowMS(), actor, s.auditCap, opt, int64(s.retention.Seconds()))
	v, err := scriptApply.Run(ctx, s.rdb, []string{k.meta, k.num, k.idx, k.ext, k.extno, k.extemail, k.extlinks, k.audit, k.gone, k.resv, marker, progress}, args...).Result()
	if err != nil {
		return BatchResult{}, scriptError("apply", err)
	}
	replayed, out, err := outcomes(v)
	if err != nil {
		return BatchResult{}, err
	}
	if len(out) != len(rows) {
		return BatchResult{}, fmt.Errorf("apply: %d outcomes for %d rows", len(out), len(rows))
	}
	res := BatchResult{Replayed: replayed, Outcomes: make([]RowOutcome, len(rows))}
	var released []string
	for i, o := range out {
		res.Outcomes[i] = parseOutcome(o)
		a := rows[i].Action
		if !opt.DryRun && res.Outcomes[i].Outcome == inventory.OutcomeOK && (a == inventory.ActionDelete || a == inventory.ActionPortCancel) {
			released = append(released, rows[i].Number)
		}
	}
	s.unclaim(ctx, accountID, released)
	return res, nil
}

// apply1 applies one row and returns its error.
func (s *Store) apply1(ctx context.Context, accountID string, row Row, actor Actor) error {
	res, err := s.Apply(ctx, accountID, []Row{row}, actor, BatchOptions{})
	if err != nil {
		return err
	}
	return res.Outcomes[0].Err()
}

// Assign assigns an unassigned number to an extension. Assigning it to the
// extension that already has it changes nothing.
func (s *Store) Assign(ctx context.Context, accountID, number string, ext ExtensionRef, actor Actor) error {
	return s.apply1(ctx, accountID, Row{Number: number, Action: inventory.ActionAssign, Extension: ext}, actor)
}

// Reassign moves an assigned number to another extension.
func (s *Store) Reassign(ctx context.Context, accountID, number string, ext ExtensionRef, actor Actor) error {
	return s.apply1(ctx, accountID, Row{Number: number, Action: inventory.ActionReassign, Extension: ext}, actor)
}

// Unassign makes an assigned number unassigned.
func (s *Store) Unassign(ctx context.Context, accountID, number string, actor Actor) error {
	return s.apply1(ctx, accountID, Row{Number: number, Action: inventory.ActionUnassign}, actor)
}

// Delete releases an unassigned or reserved number from the inventory and
// frees its licence; its history is kept.
func (s *Store) Delete(ctx context.Context, accountID, number string, actor Actor) error {
	return s.apply1(ctx, accountID, Row{Number: number, Action: inventory.ActionDelete}, actor)
}

// Activate makes a reserved number unassigned, taking a licence.
func (s *Store) Activate(ctx context.Context, accountID, number string, actor Actor) error {
	return s.apply1(ctx, accountID, Row{Number: number, Action: inventory.ActionActivate}, actor)
}

// Number returns one number of the account's inventory.
func (s *Store) Number(ctx context.Context, accountID, number string) (inventory.Number, error) {
	k := accountKeys(accountID)
	rec, err := s.rdb.HGet(ctx, k.num, number).Result()
	if err == redis.Nil {
		return inventory.Number{}, inventory.Errorf(inventory.CodeNumberNotFound, "%s is not in the account's inventory", number)
	}
	if err != nil {
		return inventory.Number{}, fmt.Errorf("read number %s: %w", number, err)
	}
	nums, err := s.decodeNumbers(ctx, k, []string{number}, []string{rec})
	if err != nil {
		return inventory.Number{}, err
	}
	return nums[0], nil
}

// decodeNumbers turns records into numbers, resolving assignees.
func (s *Store) decodeNumbers(ctx context.Context, k keys, numbers, recs []string) ([]inventory.Number, error) {
	out := make([]inventory.Number, len(numbers))
	var extIDs []string
	seen := map[string]bool{}
	fields := make([][]string, len(numbers))
	for i, rec := range recs {
		f := strings.Split(rec, sep)
		for len(f) < numFields {
			f = append(f, "")
		}
		fields[i] = f
		if id := f[fExt]; id != "" && !seen[id] {
			seen[id] = true
			extIDs = append(extIDs, id)
		}
	}
	exts := map[string]inventory.Extension{}
	if len(extIDs) > 0 {
		vals, err := s.rdb.HMGet(ctx, k.ext, extIDs...).Result()
		if err != nil {
			return nil, fmt.Errorf("read assignees: %w", err)
		}
		for i, v := range vals {
			if rec, ok := v.(string); ok {
				exts[extIDs[i]] = parseExtension(extIDs[i], rec)
			}
		}
	}
	for i, f := range fields {
		n := inventory.Number{
			Number: numbers[i], Status: inventory.Status(f[fStatus]), Type: inventory.NumberType(f[fType]),
			Country: f[fCountry], AreaCode: f[fArea], Region: f[fRegion], City: f[fCity],
			SiteID: f[fSite], EmergencyAddressID: f[fEA], Source: inventory.Source(f[fSource]),
			AcquiredAt: msTime(f[fAcquired]), UpdatedAt: refTime(f[fAudit]), PortOrderID: f[fPort],
		}
		if f[fReserved] != "" {
			t := msTime(f[fReserved])
			n.ReservedSince = &t
		}
		if id := f[fExt]; id != "" {
			e := exts[id]
			n.Assignee = &inventory.Assignee{ExtensionID: id, ExtensionNumber: e.ExtensionNumber, Type: e.Type, Name: e.Name}
		}
		out[i] = n
	}
	return out, nil
}

// refTime is the time of an audit ref "<ms>-<seq>.<row>".
func refTime(ref string) time.Time {
	ms, _, _ := strings.Cut(ref, "-")
	return msTime(ms)
}

func msTime(s string) time.Time {
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// NumberFilter selects numbers of a listing. Zero fields match everything.
type NumberFilter struct {
	Status inventory.Status
	SiteID string
	Type   inventory.NumberType
	// Q matches numbers containing these digits (a leading + is ignored).
	Q string
	// Limit is the page size, 1 to 1000 (default 100).
	Limit int
	// Cursor continues a previous listing.
	Cursor string
}

// maxScan bounds how many index entries one listing page examines when
// filters leave most of them out; the page then ends short with a cursor.
const maxScan = 20_000

// ListNumbers pages through the account's numbers in status order, and in
// numeric order within a status. It returns the cursor of the next page,
// or "" at the end. A page can hold fewer than Limit numbers and still have
// a cursor when filters are selective: keep following it.
func (s *Store) ListNumbers(ctx context.Context, accountID string, f NumberFilter) ([]inventory.Number, string, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	if f.Limit > 1000 {
		return nil, "", inventory.Errorf(inventory.CodeInvalidField, "limit must be at most 1000")
	}
	if f.Status != "" && !f.Status.Valid() {
		return nil, "", inventory.Errorf(inventory.CodeInvalidField, "status %q is not one of assigned, unassigned, reserved, porting", f.Status)
	}
	if f.Type != "" && !f.Type.Valid() {
		return nil, "", inventory.Errorf(inventory.CodeInvalidField, "type %q is not toll or toll_free", f.Type)
	}
	q := strings.TrimPrefix(strings.TrimSpace(f.Q), "+")
	for i := 0; i < len(q); i++ {
		if q[i] < '0' || q[i] > '9' {
			return nil, "", inventory.Errorf(inventory.CodeInvalidField, "q must be digits of a phone number")
		}
	}
	k := accountKeys(accountID)
	lo, hi := int64(rankUnit), int64(5*rankUnit)
	if f.Status != "" {
		lo = statusRank[string(f.Status)] * rankUnit
		hi = lo + rankUnit
	}
	min := strconv.FormatInt(lo, 10)
	if f.Cursor != "" {
		c, err := strconv.ParseInt(f.Cursor, 10, 64)
		if err != nil || c < lo || c >= hi {
			return nil, "", inventory.Errorf(inventory.CodeInvalidField, "cursor is not valid for this listing")
		}
		min = "(" + f.Cursor
	}
	max := "(" + strconv.FormatInt(hi, 10)
	filtered := f.SiteID != "" || f.Type != "" || q != ""
	batch := int64(f.Limit)
	if filtered {
		batch = 500
	}
	var page []inventory.Number
	var next string
	scanned := 0
	for {
		zs, err := s.rdb.ZRangeByScoreWithScores(ctx, k.idx, &redis.ZRangeBy{Min: min, Max: max, Count: batch}).Result()
		if err != nil {
			return nil, "", fmt.Errorf("list numbers: %w", err)
		}
		if len(zs) == 0 {
			return nonNil(page), "", nil
		}
		members := make([]string, len(zs))
		for i, z := range zs {
			members[i] = z.Member.(string)
		}
		vals, err := s.rdb.HMGet(ctx, k.num, members...).Result()
		if err != nil {
			return nil, "", fmt.Errorf("list numbers: %w", err)
		}
		var nums, recs []string
		var scores []float64
		for i, v := range vals {
			rec, ok := v.(string)
			if !ok {
				continue
			}
			nums, recs, scores = append(nums, members[i]), append(recs, rec), append(scores, zs[i].Score)
		}
		decoded, err := s.decodeNumbers(ctx, k, nums, recs)
		if err != nil {
			return nil, "", err
		}
		for i, n := range decoded {
			if (f.SiteID == "" || n.SiteID == f.SiteID) && (f.Type == "" || n.Type == f.Type) && (q == "" || strings.Contains(n.Number[1:], q)) {
				page = append(page, n)
			}
			next = strconv.FormatInt(int64(scores[i]), 10)
			if len(page) == f.Limit {
				return page, next, nil
			}
		}
		scanned += len(zs)
		if int64(len(zs)) < batch {
			return nonNil(page), "", nil
		}
		next = strconv.FormatInt(int64(zs[len(zs)-1].Score), 10)
		if scanned >= maxScan {
			return nonNil(page), next, nil
		}
		min = "(" + next
	}
}

func nonNil(n []inventory.Number) []inventory.Number {
	if n == nil {
		return []inventory.Number{}
	}
	return n
}
