package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// A number is in at most one account's inventory. The owner index
// (nd:owner:<bucket>, number -> "<account id> <claimed at ms>") enforces it
// across accounts, whose keys live in different Cluster slots: a number is
// claimed before the account's atomic step adds it and released after the
// step that removes it. A crash between the two leaves a stale claim; the
// owning account can still add the number, and another account takes the
// claim over once it is older than staleClaim and the owner's inventory
// does not hold the number.
const staleClaim = time.Minute

type claimState struct {
	ours  bool // the number is claimed by this account
	fresh bool // this call made the claim
}

var scriptClaim = redis.NewScript(`
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ' ' .. ARGV[3]) return 1 end
local owner = string.match(v, '^(%S+)')
if owner == ARGV[2] then return 0 end
if ARGV[4] == v then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ' ' .. ARGV[3]) return 1 end
return v`)

var scriptUnclaim = redis.NewScript(`
local v = redis.call('HGET', KEYS[1], ARGV[1])
if v and string.match(v, '^(%S+)') == ARGV[2] then redis.call('HDEL', KEYS[1], ARGV[1]) return 1 end
return 0`)

// claim claims every number for the account, pipelined.
func (s *Store) claim(ctx context.Context, accountID string, nums []NewNumber) ([]claimState, error) {
	now := strconv.FormatInt(s.now().UnixMilli(), 10)
	run := func(idx []int, takeover map[int]string) ([]any, error) {
		return s.evalEach(ctx, scriptClaim, len(idx), func(j int) ([]string, []any) {
			n := nums[idx[j]].Number
			return []string{ownerKey(n)}, []any{n, accountID, now, takeover[idx[j]]}
		})
	}
	all := make([]int, len(nums))
	for i := range all {
		all[i] = i
	}
	vals, err := run(all, nil)
	if err != nil {
		return nil, scriptError("claim numbers", err)
	}
	st := make([]claimState, len(nums))
	takeover := map[int]string{}
	var retry []int
	for i, v := range vals {
		switch v := v.(type) {
		case int64:
			st[i] = claimState{ours: true, fresh: v == 1}
		case string:
			if s.claimIsStale(ctx, nums[i].Number, v) {
				takeover[i] = v
				retry = append(retry, i)
			}
		}
	}
	if len(retry) > 0 {
		vals, err := run(retry, takeover)
		if err != nil {
			return nil, scriptError("claim numbers", err)
		}
		for j, i := range retry {
			if v, ok := vals[j].(int64); ok {
				st[i] = claimState{ours: true, fresh: v == 1}
			}
		}
	}
	return st, nil
}

// claimIsStale reports whether another account's claim is left over from
// an interrupted step: old, and the number is not in that inventory.
func (s *Store) claimIsStale(ctx context.Context, number, claim string) bool {
	owner, at, ok := strings.Cut(claim, " ")
	ms, err := strconv.ParseInt(at, 10, 64)
	if !ok || err != nil || s.now().Sub(time.UnixMilli(ms)) < staleClaim {
		return false
	}
	held, err := s.rdb.HExists(ctx, accountKeys(owner).num, number).Result()
	return err == nil && !held
}

// unclaim releases the account's claims on numbers, pipelined. A failure
// only leaves stale claims behind, which claim takes over later.
func (s *Store) unclaim(ctx context.Context, accountID string, numbers []string) {
	if len(numbers) == 0 {
		return
	}
	_, _ = s.evalEach(ctx, scriptUnclaim, len(numbers), func(j int) ([]string, []any) {
		return []string{ownerKey(numbers[j])}, []any{numbers[j], accountID}
	})
}

// evalEach runs a script n times in one pipeline (loading it first when
// Redis does not know it) and returns each reply.
func (s *Store) evalEach(ctx context.Context, sc *redis.Script, n int, call func(j int) ([]string, []any)) ([]any, error) {
	exec := func() ([]*redis.Cmd, error) {
		pipe := s.rdb.Pipeline()
		cmds := make([]*redis.Cmd, n)
		for j := 0; j < n; j++ {
			keys, args := call(j)
			cmds[j] = sc.EvalSha(ctx, pipe, keys, args...)
		}
		_, err := pipe.Exec(ctx)
		return cmds, err
	}
	cmds, err := exec()
	if err != nil && redis.HasErrorPrefix(err, "NOSCRIPT") {
		if err := sc.Load(ctx, s.rdb).Err(); err != nil {
			return nil, err
		}
		cmds, err = exec()
	}
	if err != nil {
		return nil, err
	}
	out := make([]any, n)
	for j, c := range cmds {
		out[j] = c.Val()
	}
	return out, nil
}

// freshClaims returns the numbers this call claimed.
func freshClaims(nums []NewNumber, st []claimState) []string {
	var out []string
	for i, c := range st {
		if c.fresh {
			out = append(out, nums[i].Number)
		}
	}
	return out
}

// Owner returns the id of the account whose inventory holds number, or ""
// when none does.
func (s *Store) Owner(ctx context.Context, number string) (string, error) {
	v, err := s.rdb.HGet(ctx, ownerKey(number), number).Result()
	if err == redis.Nil {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	owner, _, _ := strings.Cut(v, " ")
	if held, err := s.rdb.HExists(ctx, accountKeys(owner).num, number).Result(); err != nil || !held {
		return "", err
	}
	return owner, nil
}
