package store

import (
	"testing"
	"time"

	"github.com/numberdesk/numberdesk/internal/inventory"
)

func TestImportKeysExpireAfterRetention(t *testing.T) {
	s := New(newStore(t).Redis(), WithRetention(2*time.Hour))
	f := mustAccount(t, s, false, 10, 0)
	f.mustExt(t, "1001", 0)
	f.mustAcquire(t, 0, inventory.Toll, num(1))
	imp, err := s.CreateImport(ctx, f.acct.ID, "assignments", false, "a.csv", "test")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutChunk(ctx, f.acct.ID, imp.ID, 0, "rows"); err != nil {
		t.Fatal(err)
	}
	rows := []Row{{Number: num(1), Action: inventory.ActionAssign, Extension: ExtensionRef{Number: "1001"}}}
	if _, err := s.ApplyImportChunk(ctx, f.acct.ID, imp.ID, 0, rows, 0, false, testActor); err != nil {
		t.Fatal(err)
	}
	k := accountKeys(f.acct.ID)
	for _, key := range []string{k.imp(imp.ID), k.chunk(imp.ID, 0), k.batch(importChunkMarker(imp.ID, 0))} {
		ttl, err := s.Redis().TTL(ctx, key).Result()
		if err != nil || ttl <= time.Hour || ttl > 2*time.Hour {
			t.Errorf("%s expires in %v (%v), want about 2h", key, ttl, err)
		}
	}
	if _, err := s.CreateImport(ctx, f.acct.ID, "numbers", false, "", ""); inventory.ErrorCode(err) != inventory.CodeInvalidField {
		t.Errorf("unknown kind: %v", err)
	}
}
