package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
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

// Apply applies up to MaxBatch rows (assign, reassign, unassign, delete,
// activate and the port-in transitions) in one atomic step and returns each
// row's outcome. Rows apply in order; a number given twice sees the first
// row's effect.
//
// The step is an optimistic transaction (see plan.go): it WATCHes the
// account's numbers, fields and audit stream, reads what the rows depend
// on, plans every outcome and write in Go, and commits them in one
// MULTI/EXEC, which Redis refuses when any watched key changed meanwhile;
// the batch is then planned again. One that keeps losing that race fails
// with conflict after applyAttempts.
func (s *Store) Apply(ctx context.Context, accountID string, rows []Row, actor Actor, opt BatchOptions) (BatchResult, error) {
	if len(rows) > MaxBatch {
		return BatchResult{}, fmt.Errorf("apply: %d rows, at most %d", len(rows), MaxBatch)
	}
	k := accountKeys(accountID)
	o := commitOptions{BatchOptions: opt, actor: actor, auditCap: s.auditCap, ttl: s.retention}
	watch := []string{k.meta, k.num, k.audit}
	if opt.MarkerID != "" {
		o.marker = k.batch(opt.MarkerID)
		watch = append(watch, o.marker)
	}
	if opt.ImportID != "" {
		o.progress = ImportKey(accountID, opt.ImportID)
	}
	// A big batch resolves its extension refs before taking its turn (the
	// commit checks the extensions' version, so they need not be read
	// again); a small one reads them with the rest, saving a round trip.
	refs := newSnapshot(rows)
	for try := 0; len(rows) >= preResolveRows; try++ {
		err := readRefs(ctx, s.rdb, k, refs)
		if err == nil {
			break
		}
		if !errors.Is(err, errRefsMoved) || try == applyAttempts {
			return BatchResult{}, fmt.Errorf("apply: %w", err)
		}
	}
	// This process's steps on one account take turns: run side by side,
	// each would void the others' WATCH.
	defer s.lockAccount(accountID)()
	for attempt := 1; ; attempt++ {
		var (
			joined   string
			replayed bool
		)
		// run is one attempt: read, plan, commit. watchKeys, when set, are
		// to be watched by the first read pipeline itself.
		run := func(tx *redis.Tx, watchKeys []string) (execed bool, err error) {
			snap := *refs
			done, last, err := readState(ctx, tx, k, &snap, o.marker, watchKeys)
			if err != nil {
				return false, err
			}
			if done != nil {
				joined, replayed = *done, true
				return false, nil
			}
			now := s.now().UnixMilli()
			p := makePlan(rows, &snap, strconv.FormatInt(now, 10))
			if err := nameAssignees(ctx, tx, k, p); err != nil {
				return false, err
			}
			o.auditID = nextAuditID(last, now)
			if s.beforeCommit != nil {
				s.beforeCommit()
			}
			if _, err := tx.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
				p.commit(ctx, pipe, k, o)
				return nil
			}); err != nil {
				return true, err
			}
			joined = strings.Join(p.outcomes, "\n")
			return true, nil
		}
		var err error
		if c, ok := s.rdb.(*redis.Client); ok {
			// One node (or Sentinel): the WATCH goes out with the reads,
			// a round trip saved. EXEC ends a WATCH; without one, UNWATCH
			// before the connection goes back to the pool.
			err = c.Watch(ctx, func(tx *redis.Tx) error {
				execed, err := run(tx, watch)
				if !execed {
					tx.Unwatch(ctx)
				}
				return err
			})
		} else {
			// A Cluster client sends the WATCH first, to the keys' node.
			err = s.rdb.Watch(ctx, func(tx *redis.Tx) error {
				_, err := run(tx, nil)
				return err
			}, watch...)
		}
		if err == nil {
			res, err := s.batchResult(ctx, accountID, rows, opt, replayed, joined)
			res.Attempts = attempt
			return res, err
		}
		if !errors.Is(err, redis.TxFailedErr) {
			return BatchResult{}, fmt.Errorf("apply: %w", err)
		}
		if attempt == applyAttempts {
			return BatchResult{}, inventory.Errorf(inventory.CodeConflict, "the numbers kept changing while the batch was applied; try again")
		}
		// A watched key changed: back off a little and plan again.
		select {
		case <-ctx.Done():
			return BatchResult{}, ctx.Err()
		case <-time.After(time.Duration(rand.IntN(attempt*1000)) * time.Microsecond):
		}
	}
}

// lockAccount takes this process's turn on an account's batch steps and
// returns the function that gives it back.
func (s *Store) lockAccount(accountID string) func() {
	v, _ := s.turns.LoadOrStore(accountID, &sync.Mutex{})
	m := v.(*sync.Mutex)
	m.Lock()
	return m.Unlock
}

// preResolveRows is the size from which a batch resolves its extension
// refs before taking its turn on the account.
const preResolveRows = 100

// applyAttempts is how many times Apply plans a batch whose state keeps
// changing under it before giving up.
const applyAttempts = 50

// batchResult turns the committed outcomes into a BatchResult and gives
// released numbers back to the owner index.
func (s *Store) batchResult(ctx context.Context, accountID string, rows []Row, opt BatchOptions, replayed bool, joined string) (BatchResult, error) {
	var out []string
	if joined != "" {
		out = strings.Split(joined, "\n")
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

// newSnapshot lists what a batch's rows depend on: their distinct numbers
// and extension refs (numbers, lower-case emails, ids given directly).
func newSnapshot(rows []Row) *snapshot {
	snap := &snapshot{}
	seen := make(map[string]bool, len(rows))
	seenRef := map[string]bool{}
	for _, r := range rows {
		if !seen[r.Number] {
			seen[r.Number] = true
			snap.nums = append(snap.nums, r.Number)
		}
		e := r.Extension
		switch {
		case e.ID != "":
			if !seenRef["i"+e.ID] {
				seenRef["i"+e.ID] = true
				snap.direct = append(snap.direct, e.ID)
			}
		case e.Number != "":
			if !seenRef["n"+e.Number] {
				seenRef["n"+e.Number] = true
				snap.extNos = append(snap.extNos, e.Number)
			}
		case e.Email != "":
			if m := strings.ToLower(e.Email); !seenRef["e"+m] {
				seenRef["e"+m] = true
				snap.extEmails = append(snap.extEmails, m)
			}
		}
	}
	return snap
}

// errRefsMoved reports extensions that changed while their refs were read.
var errRefsMoved = errors.New("the extensions changed while their refs were read")

// queueRefs queues on p the reads that resolve the snapshot's extension
// refs: the account fields they hold for (sites flag, extensions'
// version), the ids of extension numbers and emails, and the records of
// ids given directly. The function it returns, called once p has run,
// stores the results and returns the ids whose records are still needed
// (with multiple sites, every target's site).
func queueRefs(ctx context.Context, p redis.Pipeliner, k keys, snap *snapshot) func() []string {
	meta := p.HMGet(ctx, k.meta, metaFields[:refFields]...)
	var nos, mails, recs *redis.SliceCmd
	if len(snap.extNos) > 0 {
		nos = p.HMGet(ctx, k.extno, snap.extNos...)
	}
	if len(snap.extEmails) > 0 {
		mails = p.HMGet(ctx, k.extemail, snap.extEmails...)
	}
	if len(snap.direct) > 0 {
		recs = p.HMGet(ctx, k.ext, snap.direct...)
	}
	return func() []string {
		snap.refsMeta = optStrings(meta, refFields)
		snap.noIDs = optStrings(nos, len(snap.extNos))
		snap.emailIDs = optStrings(mails, len(snap.extEmails))
		snap.extIDs = snap.direct
		snap.extRecs = optStrings(recs, len(snap.direct))
		if snap.refsMeta[0].v != "1" {
			return nil
		}
		seen := make(map[string]bool, len(snap.direct))
		for _, id := range snap.direct {
			seen[id] = true
		}
		var more []string
		for _, l := range [][]optString{snap.noIDs, snap.emailIDs} {
			for _, v := range l {
				if v.ok && !seen[v.v] {
					seen[v.v] = true
					more = append(more, v.v)
				}
			}
		}
		return more
	}
}

// readMoreExtensions reads the records of more extensions into the
// snapshot, with the account fields, which must not have moved since
// the refs were read (errRefsMoved).
func readMoreExtensions(ctx context.Context, pipe func(context.Context, func(redis.Pipeliner) error) ([]redis.Cmder, error), k keys, snap *snapshot, ids []string) error {
	var meta, recs *redis.SliceCmd
	if _, err := pipe(ctx, func(p redis.Pipeliner) error {
		meta = p.HMGet(ctx, k.meta, metaFields[:refFields]...)
		recs = p.HMGet(ctx, k.ext, ids...)
		return nil
	}); err != nil {
		return fmt.Errorf("read extensions: %w", err)
	}
	if !slices.Equal(optStrings(meta, refFields), snap.refsMeta) {
		return errRefsMoved
	}
	snap.extIDs = append(slices.Clip(snap.extIDs), ids...)
	snap.extRecs = append(slices.Clip(snap.extRecs), optStrings(recs, len(ids))...)
	return nil
}

// readRefs resolves the snapshot's extension refs in transactions of
// their own (consistent reads), before the batch takes its turn.
func readRefs(ctx context.Context, rdb redis.UniversalClient, k keys, snap *snapshot) error {
	var finish func() []string
	if _, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		finish = queueRefs(ctx, p, k, snap)
		return nil
	}); err != nil {
		return fmt.Errorf("read extension refs: %w", err)
	}
	if more := finish(); len(more) > 0 {
		return readMoreExtensions(ctx, rdb.TxPipelined, k, snap, more)
	}
	return nil
}

// readState reads, inside the batch's WATCH (sent first in the same
// pipeline when watchKeys are given), what its plan depends on:
// the marker (when the batch has one; done is its outcomes when set), the
// records of the rows' numbers, the account's fields and the audit
// stream's newest id (last), and the extension refs unless they were
// resolved before under the same account fields. Reads inside the WATCH
// need not be consistent with each other: a change to a watched key
// after the WATCH voids the commit.
func readState(ctx context.Context, tx *redis.Tx, k keys, snap *snapshot, marker string, watchKeys []string) (done *string, last string, err error) {
	var (
		mark       *redis.StringCmd
		recs, meta *redis.SliceCmd
		top        *redis.XMessageSliceCmd
		finish     func() []string
	)
	resolved := snap.refsMeta != nil
	_, err = tx.Pipelined(ctx, func(p redis.Pipeliner) error {
		if len(watchKeys) > 0 {
			p.Do(ctx, append([]any{"WATCH"}, anySlice(watchKeys)...)...)
		}
		if marker != "" {
			mark = p.Get(ctx, marker)
		}
		top = p.XRevRangeN(ctx, k.audit, "+", "-", 1)
		if len(snap.nums) > 0 {
			recs = p.HMGet(ctx, k.num, snap.nums...)
		}
		meta = p.HMGet(ctx, k.meta, metaFields...)
		if !resolved {
			finish = queueRefs(ctx, p, k, snap)
		}
		return nil
	})
	if err != nil && err != redis.Nil {
		return nil, "", fmt.Errorf("read: %w", err)
	}
	if mark != nil {
		if v, err := mark.Result(); err == nil {
			return &v, "", nil
		}
	}
	if msgs := top.Val(); len(msgs) > 0 {
		last = msgs[0].ID
	}
	snap.recs = optStrings(recs, len(snap.nums))
	snap.meta = optStrings(meta, len(metaFields))
	var more []string
	switch {
	case !resolved:
		more = finish()
	case !slices.Equal(snap.meta[:refFields], snap.refsMeta):
		// The extensions changed since the refs were resolved: resolve
		// them again.
		if _, err := tx.Pipelined(ctx, func(p redis.Pipeliner) error {
			finish = queueRefs(ctx, p, k, snap)
			return nil
		}); err != nil {
			return nil, "", fmt.Errorf("read extension refs: %w", err)
		}
		more = finish()
	}
	if len(more) > 0 {
		if err := readMoreExtensions(ctx, tx.Pipelined, k, snap, more); err != nil {
			if errors.Is(err, errRefsMoved) {
				return nil, "", redis.TxFailedErr // plan again
			}
			return nil, "", err
		}
	}
	if !slices.Equal(snap.meta[:refFields], snap.refsMeta) {
		return nil, "", redis.TxFailedErr // the extensions keep changing: plan again
	}
	return nil, last, nil
}

// optStrings reads an HMGET reply (nil when not sent) as n optional values.
func optStrings(c *redis.SliceCmd, n int) []optString {
	out := make([]optString, n)
	if c == nil {
		return out
	}
	for i, v := range c.Val() {
		if s, ok := v.(string); ok && i < n {
			out[i] = optString{s, true}
		}
	}
	return out
}

// nameAssignees fills the extension numbers into already_assigned outcomes
// (the plan names the assignee's extension id). The names are not checked
// at commit: they only word the message.
func nameAssignees(ctx context.Context, tx *redis.Tx, k keys, p *plan) error {
	if len(p.assignees) == 0 {
		return nil
	}
	ids := make([]string, 0, len(p.assignees))
	for id := range p.assignees {
		ids = append(ids, id)
	}
	got, err := tx.HMGet(ctx, k.ext, ids...).Result()
	if err != nil {
		return fmt.Errorf("read assignees: %w", err)
	}
	for i, id := range ids {
		name := id
		if rec, ok := got[i].(string); ok {
			name, _, _ = strings.Cut(rec, sep)
		}
		for _, row := range p.assignees[id] {
			p.outcomes[row] = string(inventory.CodeAlreadyAssigned) + sep + name
		}
	}
	return nil
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
		r := statusRange[string(f.Status)]
		lo, hi = r[0], r[1]
	}
	// Assigned and unassigned numbers share the active range: the score's
	// parity picks them out, before any record is read.
	byParity := f.Status == inventory.StatusAssigned || f.Status == inventory.StatusUnassigned
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
	switch {
	case filtered:
		batch = 500
	case byParity:
		batch = int64(2 * f.Limit)
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
		var members []string
		var memberScores []float64
		// examined is how many of zs this round looks at: without other
		// filters, no more than the page still needs.
		examined := len(zs)
		for i, z := range zs {
			if byParity && activeStatus(int64(z.Score)) != string(f.Status) {
				continue
			}
			members, memberScores = append(members, z.Member.(string)), append(memberScores, z.Score)
			if !filtered && len(page)+len(members) == f.Limit {
				examined = i + 1
				break
			}
		}
		var vals []any
		if len(members) > 0 {
			if vals, err = s.rdb.HMGet(ctx, k.num, members...).Result(); err != nil {
				return nil, "", fmt.Errorf("list numbers: %w", err)
			}
		}
		var nums, recs []string
		var scores []float64
		for i, v := range vals {
			rec, ok := v.(string)
			if !ok {
				continue
			}
			nums, recs, scores = append(nums, members[i]), append(recs, rec), append(scores, memberScores[i])
		}
		decoded, err := s.decodeNumbers(ctx, k, nums, recs)
		if err != nil {
			return nil, "", err
		}
		for i, n := range decoded {
			if (f.Status == "" || n.Status == f.Status) && (f.SiteID == "" || n.SiteID == f.SiteID) && (f.Type == "" || n.Type == f.Type) && (q == "" || strings.Contains(n.Number[1:], q)) {
				page = append(page, n)
			}
			next = strconv.FormatInt(int64(scores[i]), 10)
			if len(page) == f.Limit {
				return page, next, nil
			}
		}
		scanned += examined
		if examined == len(zs) && int64(len(zs)) < batch {
			return nonNil(page), "", nil
		}
		next = strconv.FormatInt(int64(zs[examined-1].Score), 10)
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
