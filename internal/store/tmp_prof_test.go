package store

import (
	"fmt"
	"os"
	"testing"

	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/redis/go-redis/v9"
)

func BenchmarkZZStats(b *testing.B) {
	f, nums, exts := benchAccount(b, 100_000, 20_000)
	prelude, _ := luaFS.ReadFile("lua/prelude.lua")
	body, _ := os.ReadFile("/tmp/apply_t.lua")
	sc := redis.NewScript(string(prelude) + "\n" + string(body))
	k := accountKeys(f.acct.ID)
	for i := 0; i < 5; i++ {
		args := []any{s0(f.s), "a", "s", 1000, "", 100, 0}
		for j := 0; j < 1000; j++ {
			args = append(args, nums[i*1000+j], "assign", "n:"+exts[(i*1000+j)%len(exts)])
		}
		v, err := sc.Run(ctx, f.s.rdb, []string{k.meta, k.num, k.idx, k.ext, k.extno, k.extemail, k.extnums, k.audit, k.gone, k.resv, k.meta, k.meta}, args...).Result()
		fmt.Println(v.([]any)[2], err)
	}
	_ = inventory.Toll
}

func s0(s *Store) string { return s.nowMS() }
