package store

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"
)

// Check walks every key of an account and verifies the store's invariants:
// each number is in the status index exactly once with the score of its
// status; the index holds no other member; licences in use equal the active
// numbers of each type, licences held equal the lines of open orders, and
// neither exceeds the totals; every assigned number's extension exists and lists
// it, and every extension lists only numbers assigned to it; extension
// number and email indexes agree with the extension records; every number
// is claimed by the account in the owner index. It returns all violations
// found (nil when none). Tests of every package run it at their end.
func (s *Store) Check(ctx context.Context, accountID string) error {
	k := accountKeys(accountID)
	var problems []string
	bad := func(format string, args ...any) {
		if len(problems) < 50 {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}
	meta, err := s.rdb.HGetAll(ctx, k.meta).Result()
	if err != nil {
		return err
	}
	nums := map[string][]string{}
	if err := s.scanHash(ctx, k.num, func(f, v string) {
		r := strings.Split(v, sep)
		if len(r) != numFields {
			bad("number %s: record has %d fields, want %d", f, len(r), numFields)
			return
		}
		nums[f] = r
	}); err != nil {
		return err
	}
	// Status index.
	indexed := map[string]bool{}
	var cursor uint64
	for {
		zs, next, err := s.rdb.ZScan(ctx, k.idx, cursor, "", 5000).Result()
		if err != nil {
			return err
		}
		for i := 0; i+1 < len(zs); i += 2 {
			m := zs[i]
			score, _ := strconv.ParseFloat(zs[i+1], 64)
			indexed[m] = true
			r, ok := nums[m]
			if !ok {
				bad("index holds %s, which has no record", m)
				continue
			}
			want := indexScore(r[fStatus], m)
			if int64(score) != want {
				bad("number %s: index score %.0f, want %d for status %s", m, score, want, r[fStatus])
			}
		}
		cursor = next
		if cursor == 0 {
			break
		}
	}
	used := map[string]int64{"toll": 0, "toll_free": 0}
	porting := map[string][]string{} // port order id -> its porting numbers
	for n, r := range nums {
		if !indexed[n] {
			bad("number %s is missing from the status index", n)
		}
		switch r[fStatus] {
		case "assigned":
			if r[fExt] == "" {
				bad("number %s is assigned to no extension", n)
			}
			fallthrough
		case "unassigned":
			used[r[fType]]++
			if r[fStatus] == "unassigned" && r[fExt] != "" {
				bad("number %s is unassigned but names extension %s", n, r[fExt])
			}
		case "porting", "reserved":
			if r[fExt] != "" {
				bad("number %s is %s but names extension %s", n, r[fStatus], r[fExt])
			}
			if r[fStatus] == "porting" && r[fPort] != "" {
				porting[r[fPort]] = append(porting[r[fPort]], n)
			}
		default:
			bad("number %s has status %q", n, r[fStatus])
		}
	}
	if got := meta["lic_toll_used"]; got != strconv.FormatInt(used["toll"], 10) {
		bad("phone-number licences used %s, active toll numbers %d", got, used["toll"])
	}
	if got := meta["lic_tf_used"]; got != strconv.FormatInt(used["toll_free"], 10) {
		bad("toll-free licences used %s, active toll-free numbers %d", got, used["toll_free"])
	}
	for id, ns := range porting {
		st, err := s.rdb.HGet(ctx, k.port(id), "status").Result()
		if err != nil && err != redis.Nil {
			return err
		}
		if st != PortSubmitted && st != PortPending && st != PortFOCConfirmed && st != PortException {
			bad("numbers %v are porting in port order %q, which is %q", ns, id, st)
		}
	}
	held, err := s.heldByOrders(ctx, accountID)
	if err != nil {
		return err
	}
	for _, p := range heldOK(meta, held) {
		bad("%s", p)
	}
	for _, pool := range [][3]string{{"lic_toll_used", "lic_toll_held", "lic_toll_total"}, {"lic_tf_used", "lic_tf_held", "lic_tf_total"}} {
		u, _ := strconv.ParseInt(meta[pool[0]], 10, 64)
		h, _ := strconv.ParseInt(meta[pool[1]], 10, 64)
		t, _ := strconv.ParseInt(meta[pool[2]], 10, 64)
		if u+h > t {
			bad("%s %d + %s %d exceeds %s %d", pool[0], u, pool[1], h, pool[2], t)
		}
	}
	// Extensions and their links.
	exts := map[string][]string{}
	if err := s.scanHash(ctx, k.ext, func(id, v string) { exts[id] = strings.Split(v, sep) }); err != nil {
		return err
	}
	links := map[string]map[string]bool{}
	var lcursor uint64
	for {
		ms, next, err := s.rdb.ZScan(ctx, k.extlinks, lcursor, "", 5000).Result()
		if err != nil {
			return err
		}
		for i := 0; i < len(ms); i += 2 {
			id, n, ok := strings.Cut(ms[i], "\x00")
			if !ok {
				bad("extension link %q has no separator", ms[i])
				continue
			}
			if links[id] == nil {
				links[id] = map[string]bool{}
			}
			links[id][n] = true
		}
		lcursor = next
		if lcursor == 0 {
			break
		}
	}
	for n, r := range nums {
		if r[fStatus] != "assigned" {
			continue
		}
		if _, ok := exts[r[fExt]]; !ok {
			bad("number %s is assigned to missing extension %s", n, r[fExt])
		}
		if !links[r[fExt]][n] {
			bad("extension %s does not list its number %s", r[fExt], n)
		}
	}
	for id, set := range links {
		for n := range set {
			if r, ok := nums[n]; !ok || r[fStatus] != "assigned" || r[fExt] != id {
				bad("extension %s lists %s, which is not assigned to it", id, n)
			}
		}
	}
	if err := s.scanHash(ctx, k.extno, func(no, id string) {
		if e, ok := exts[id]; !ok || e[eNumber] != no {
			bad("extension number %s points at %s, which does not have it", no, id)
		}
	}); err != nil {
		return err
	}
	if err := s.scanHash(ctx, k.extemail, func(email, id string) {
		if e, ok := exts[id]; !ok || e[eEmail] != email {
			bad("email %s points at %s, which does not have it", email, id)
		}
	}); err != nil {
		return err
	}
	nExtno, _ := s.rdb.HLen(ctx, k.extno).Result()
	if int(nExtno) != len(exts) {
		bad("%d extension numbers indexed for %d extensions", nExtno, len(exts))
	}
	// Owner index, pipelined in slices.
	all := make([]string, 0, len(nums))
	for n := range nums {
		all = append(all, n)
	}
	sort.Strings(all)
	for i := 0; i < len(all); i += 5000 {
		part := all[i:min(i+5000, len(all))]
		pipe := s.rdb.Pipeline()
		for _, n := range part {
			pipe.HGet(ctx, ownerKey(n), n)
		}
		cmds, _ := pipe.Exec(ctx)
		for j, c := range cmds {
			v, _ := c.(interface{ Val() string })
			if v == nil || !strings.HasPrefix(v.Val(), accountID+" ") {
				bad("number %s is not claimed by the account in the owner index", part[j])
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("account %s breaks %d invariant(s):\n  %s", accountID, len(problems), strings.Join(problems, "\n  "))
	}
	return nil
}

func (s *Store) scanHash(ctx context.Context, key string, each func(field, value string)) error {
	var cursor uint64
	for {
		kv, next, err := s.rdb.HScan(ctx, key, cursor, "", 5000).Result()
		if err != nil {
			return fmt.Errorf("scan %s: %w", key, err)
		}
		for i := 0; i+1 < len(kv); i += 2 {
			each(kv[i], kv[i+1])
		}
		cursor = next
		if cursor == 0 {
			return nil
		}
	}
}
