package store

// Reserved-number fees. The store reads an account's reserved intervals
// and feeds them to package fees, which does the arithmetic (days,
// proration, rounding). fees is a domain package like inventory: it imports
// only the standard library and knows no technology, so the store may
// import it and dependencies still point inward (DESIGN.md §2).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/numberdesk/numberdesk/internal/fees"
	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/redis/go-redis/v9"
)

// feePage is how many index entries, records or closed intervals one read
// of the fee computation takes (a variable for tests).
var feePage = 5000

// feeListPipeline is how many pages of closed intervals one round trip asks for.
const feeListPipeline = 8

// feeRunWorkers bounds how many accounts RunFees computes at once.
const feeRunWorkers = 4

// fees returns the key of the account's stored statement of month m.
func (k keys) fees(m fees.Month) string { return k.prefix + "fees:" + m.String() }

// Statement returns the account's reserved-number fees for month m, priced
// with schedule (nil: fees.DefaultSchedule()), as seen at now:
//
//   - the month of now (begun, not over): an estimate to date, with
//     Estimate true and open intervals counted through the day of now. It
//     is computed on every call and never stored;
//   - a month that is over: the account's statement of that month. The
//     first call computes and stores it (see CloseMonth); every later call
//     returns the stored one, whatever changed since, or whatever schedule
//     it is given;
//   - a month that has not begun: invalid_field.
func (s *Store) Statement(ctx context.Context, accountID string, m fees.Month, schedule fees.Schedule, now time.Time) (fees.Statement, error) {
	switch {
	case now.Before(m.Start()):
		return fees.Statement{}, inventory.Errorf(inventory.CodeInvalidField, "month %s has not begun", m)
	case now.Before(m.End()):
		acc, err := s.accumulate(ctx, accountKeys(accountID), m, now, nil)
		if err != nil {
			return fees.Statement{}, fmt.Errorf("estimate fees of %s for %s: %w", accountID, m, err)
		}
		return acc.Statement(defaultSchedule(schedule))
	}
	st, _, err := s.closeMonth(ctx, accountID, m, schedule)
	return st, err
}

// CloseMonth returns the statement of month m, which must be over by the
// store's clock (else invalid_field), and whether this call wrote it.
//
// A month's statement is computed once and stored (key
// nd:{acct:A}:fees:<YYYY-MM>, JSON) with SET NX: a later or concurrent call
// returns the stored statement, so every call gives the identical
// statement. Its AsOf is the end of the month (a closed month counts its
// open intervals through its last day), so the computation itself depends
// only on the intervals and the schedule.
func (s *Store) CloseMonth(ctx context.Context, accountID string, m fees.Month, schedule fees.Schedule) (fees.Statement, bool, error) {
	if s.now().Before(m.End()) {
		return fees.Statement{}, false, inventory.Errorf(inventory.CodeInvalidField, "month %s is not over yet: its statement is written after it ends", m)
	}
	return s.closeMonth(ctx, accountID, m, schedule)
}

func (s *Store) closeMonth(ctx context.Context, accountID string, m fees.Month, schedule fees.Schedule) (fees.Statement, bool, error) {
	k := accountKeys(accountID)
	key := k.fees(m)
	pipe := s.rdb.Pipeline()
	stored := pipe.Get(ctx, key)
	exists := pipe.HExists(ctx, k.meta, "name")
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return fees.Statement{}, false, fmt.Errorf("read statement %s of %s: %w", m, accountID, err)
	}
	if b, err := stored.Bytes(); err == nil {
		st, err := decodeStatement(b)
		return st, false, err
	}
	if !exists.Val() {
		return fees.Statement{}, false, inventory.Errorf(inventory.CodeAccountNotFound, "account %s not found", accountID)
	}
	acc, err := s.accumulate(ctx, k, m, m.End(), nil)
	if err != nil {
		return fees.Statement{}, false, fmt.Errorf("compute statement %s of %s: %w", m, accountID, err)
	}
	st, err := acc.Statement(defaultSchedule(schedule))
	if err != nil {
		return fees.Statement{}, false, fmt.Errorf("statement %s of %s: %w", m, accountID, err)
	}
	b, err := json.Marshal(st)
	if err != nil {
		return fees.Statement{}, false, err
	}
	written, err := s.rdb.SetNX(ctx, key, b, 0).Result()
	if err != nil {
		return fees.Statement{}, false, fmt.Errorf("store statement %s of %s: %w", m, accountID, err)
	}
	if !written {
		// A concurrent run stored it first: theirs is the statement.
		if b, err = s.rdb.Get(ctx, key).Bytes(); err != nil {
			return fees.Statement{}, false, fmt.Errorf("read statement %s of %s: %w", m, accountID, err)
		}
	}
	// Return what is stored, decoded, so a fresh and a stored statement
	// are the same value.
	st, err = decodeStatement(b)
	return st, written, err
}

// decodeStatement decodes a stored statement.
func decodeStatement(b []byte) (fees.Statement, error) {
	var st fees.Statement
	if err := json.Unmarshal(b, &st); err != nil {
		return fees.Statement{}, fmt.Errorf("decode stored statement: %w", err)
	}
	return st, nil
}

// defaultSchedule returns s, or the default schedule when s is nil.
func defaultSchedule(s fees.Schedule) fees.Schedule {
	if s == nil {
		return fees.DefaultSchedule()
	}
	return s
}

// AccountStatement is one account's share of a fee run.
type AccountStatement struct {
	AccountID string `json:"account_id"`
	// Written is true when this run stored the statement, false when an
	// earlier or concurrent run had.
	Written   bool           `json:"written"`
	Statement fees.Statement `json:"statement"`
}

// FeeRun is what RunFees did.
type FeeRun struct {
	Month fees.Month `json:"month"`
	// Written counts the statements this run stored; Existing those that
	// were stored already; Failed the accounts whose statement failed.
	Written  int `json:"written"`
	Existing int `json:"existing"`
	Failed   int `json:"failed"`
	// Accounts holds every account's statement, by account id.
	Accounts []AccountStatement `json:"accounts"`
}

// RunFees writes month m's statement of every account (CloseMonth), a few
// accounts at a time. Running it again, or twice at once, writes nothing
// twice and gives identical statements. An account that fails does not
// stop the others: the error names each failed account (at most ten) and
// the FeeRun counts them.
func (s *Store) RunFees(ctx context.Context, m fees.Month, schedule fees.Schedule) (FeeRun, error) {
	run := FeeRun{Month: m, Accounts: []AccountStatement{}}
	if s.now().Before(m.End()) {
		return run, inventory.Errorf(inventory.CodeInvalidField, "month %s is not over yet: its fee run comes after it ends", m)
	}
	ids, err := s.AccountIDs(ctx)
	if err != nil {
		return run, fmt.Errorf("fee run %s: list accounts: %w", m, err)
	}
	sort.Strings(ids)
	schedule = defaultSchedule(schedule)
	results := make([]AccountStatement, len(ids))
	errs := make([]error, len(ids))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(feeRunWorkers, len(ids)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				st, written, err := s.closeMonth(ctx, ids[i], m, schedule)
				results[i], errs[i] = AccountStatement{AccountID: ids[i], Written: written, Statement: st}, err
			}
		}()
	}
	for i := range ids {
		next <- i
	}
	close(next)
	wg.Wait()
	var failed []error
	for i, r := range results {
		switch {
		case errs[i] != nil:
			run.Failed++
			if len(failed) < 10 {
				failed = append(failed, fmt.Errorf("account %s: %w", r.AccountID, errs[i]))
			}
			continue
		case r.Written:
			run.Written++
		default:
			run.Existing++
		}
		run.Accounts = append(run.Accounts, r)
	}
	if run.Failed > 0 {
		return run, fmt.Errorf("fee run %s: %d of %d accounts failed: %w", m, run.Failed, len(ids), errors.Join(failed...))
	}
	return run, nil
}

// openInterval is a reserved number seen by the index scan: its digits and
// the start of its interval (ms).
type openInterval struct {
	digits uint64
	start  int64
}

// accumulate feeds the account's reserved intervals that may touch month m
// into a new accumulator, reading page by page:
//
//  1. open intervals: the reserved range of the status index, 5,000 at a
//     time, and the records' reserved_since and country (HMGET), each
//     page's records fetched in the same round trip as the next page of
//     the index;
//  2. closed intervals: the list resv, in pipelined LRANGE pages, read to
//     its end as it is then (intervals closed during step 1 included).
//
// A number seen open in step 1 and released or activated before step 2
// reads its closed interval is in both; that interval (same number, same
// start) is skipped in step 2, so each interval counts once however the
// reads interleave with transitions. afterOpen, when set, runs between the
// steps (tests).
func (s *Store) accumulate(ctx context.Context, k keys, m fees.Month, asOf time.Time, afterOpen func()) (*fees.Accumulator, error) {
	acc := fees.NewAccumulator(m, asOf)
	open, err := s.addOpen(ctx, k, acc)
	if err != nil {
		return nil, err
	}
	if afterOpen != nil {
		afterOpen()
	}
	if err := s.addClosed(ctx, k, acc, open); err != nil {
		return nil, err
	}
	return acc, nil
}

// addOpen adds the open intervals (numbers reserved now) and returns them
// sorted by digits. One goroutine reads the pages while this one adds the
// previous page, so Redis and the accumulator work at the same time.
func (s *Store) addOpen(ctx context.Context, k keys, acc *fees.Accumulator) ([]openInterval, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type page struct {
		members []string
		recs    []any
	}
	pages := make(chan page, 2)
	var readErr error
	go func() {
		defer close(pages)
		readErr = s.readOpen(ctx, k, func(members []string, recs []any) bool {
			select {
			case pages <- page{members, recs}:
				return true
			case <-ctx.Done():
				return false
			}
		})
	}()
	var open []openInterval
	var err error
	for p := range pages {
		if err != nil {
			continue // drain until the reader stops
		}
		for i, v := range p.recs {
			rec, ok := v.(string)
			if !ok {
				continue // released between the two reads: its interval is in resv
			}
			status, start, country := recordFields(rec)
			if status != "reserved" {
				continue // activated or released meanwhile: likewise
			}
			ms, perr := strconv.ParseInt(start, 10, 64)
			if perr != nil {
				err = fmt.Errorf("number %s: reserved_since %q: %w", p.members[i], start, perr)
				cancel()
				break
			}
			acc.Add(p.members[i], country, time.UnixMilli(ms), time.Time{})
			if d, ok := e164Digits(p.members[i]); ok {
				open = append(open, openInterval{digits: d, start: ms})
			}
		}
	}
	if err != nil {
		return nil, err
	}
	if readErr != nil {
		return nil, fmt.Errorf("read reserved numbers: %w", readErr)
	}
	// The index is in digit order already; sort in case a number is not
	// (E.164 numbers always are).
	if !slices.IsSortedFunc(open, cmpOpen) {
		slices.SortFunc(open, cmpOpen)
	}
	return open, nil
}

// readOpen pages through the reserved range of the status index and hands
// each page's members and records (HMGET) to each, until the range ends or
// each returns false. A page's records are read in the same round trip as
// the next page of the index.
func (s *Store) readOpen(ctx context.Context, k keys, each func(members []string, recs []any) bool) error {
	lo, hi := statusRange["reserved"][0], statusRange["reserved"][1]
	max := "(" + strconv.FormatInt(hi, 10)
	index := func(p redis.Cmdable, min string) *redis.StringSliceCmd {
		return p.ZRangeByScore(ctx, k.idx, &redis.ZRangeBy{Min: min, Max: max, Count: int64(feePage)})
	}
	members, err := index(s.rdb, strconv.FormatInt(lo, 10)).Result()
	if err != nil {
		return err
	}
	for len(members) > 0 {
		pipe := s.rdb.Pipeline()
		recs := pipe.HMGet(ctx, k.num, members...)
		var next *redis.StringSliceCmd
		if len(members) == feePage {
			// A reserved number's score is the class's base plus its
			// digits (indexScore): the next page starts after the last one's.
			last := members[len(members)-1]
			d, ok := e164Digits(last)
			if !ok {
				return fmt.Errorf("status index member %q is not an E.164 number", last)
			}
			next = index(pipe, "("+strconv.FormatInt(lo+int64(d), 10))
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return err
		}
		if !each(members, recs.Val()) {
			return nil
		}
		members = nil
		if next != nil {
			members = next.Val()
		}
	}
	return nil
}

func cmpOpen(a, b openInterval) int {
	switch {
	case a.digits < b.digits:
		return -1
	case a.digits > b.digits:
		return 1
	case a.start < b.start:
		return -1
	case a.start > b.start:
		return 1
	}
	return 0
}

// addClosed adds the closed intervals of the list resv, skipping those
// addOpen counted while they were still open.
func (s *Store) addClosed(ctx context.Context, k keys, acc *fees.Accumulator, open []openInterval) error {
	n, err := s.rdb.LLen(ctx, k.resv).Result()
	if err != nil {
		return fmt.Errorf("read closed reserved intervals: %w", err)
	}
	for at := int64(0); ; {
		// Pages known to exist are asked for together; past the length
		// read above, one page at a time until a short one.
		pages := int64(1)
		if at < n {
			pages = min(feeListPipeline, (n-at+int64(feePage)-1)/int64(feePage))
		}
		pipe := s.rdb.Pipeline()
		cmds := make([]*redis.StringSliceCmd, pages)
		for i := range cmds {
			from := at + int64(i*feePage)
			cmds[i] = pipe.LRange(ctx, k.resv, from, from+int64(feePage)-1)
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return fmt.Errorf("read closed reserved intervals: %w", err)
		}
		for _, c := range cmds {
			entries := c.Val()
			for _, e := range entries {
				if err := addClosedEntry(acc, e, open); err != nil {
					return err
				}
			}
			at += int64(len(entries))
			if len(entries) < feePage {
				return nil
			}
		}
	}
}

// addClosedEntry adds one entry of resv: e164 \x1f country \x1f start_ms \x1f end_ms.
func addClosedEntry(acc *fees.Accumulator, e string, open []openInterval) error {
	number, rest, _ := strings.Cut(e, sep)
	country, rest, _ := strings.Cut(rest, sep)
	startS, endS, _ := strings.Cut(rest, sep)
	start, err1 := strconv.ParseInt(startS, 10, 64)
	end, err2 := strconv.ParseInt(endS, 10, 64)
	if err1 != nil || err2 != nil {
		return fmt.Errorf("closed reserved interval %q: want number, country, start_ms and end_ms", e)
	}
	if d, ok := e164Digits(number); ok {
		if _, found := slices.BinarySearchFunc(open, openInterval{digits: d, start: start}, cmpOpen); found {
			return nil // counted as open: it closed after the index was read
		}
	}
	acc.Add(number, country, time.UnixMilli(start), time.UnixMilli(end))
	return nil
}

// recordFields returns a number record's status, reserved_since and
// country without splitting the whole record.
func recordFields(rec string) (status, reserved, country string) {
	for i := 0; i <= fCountry; i++ {
		f, rest, _ := strings.Cut(rec, sep)
		switch i {
		case fStatus:
			status = f
		case fReserved:
			reserved = f
		case fCountry:
			country = f
		}
		rec = rest
	}
	return status, reserved, country
}

// e164Digits returns the digits of an E.164 number ("+" and up to 15
// digits, the first not 0) as an integer, which tells numbers apart.
func e164Digits(number string) (uint64, bool) {
	if len(number) < 2 || len(number) > 16 || number[0] != '+' || number[1] == '0' {
		return 0, false
	}
	var d uint64
	for i := 1; i < len(number); i++ {
		c := number[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d = d*10 + uint64(c-'0')
	}
	return d, true
}
