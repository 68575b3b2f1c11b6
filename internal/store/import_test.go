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

func TestStalledIntakeFails(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	rdb := newStore(t).Redis()
	s := New(rdb, WithClock(func() time.Time { return now }))
	f := mustAccount(t, s, false, 10, 0)
	imp, err := s.CreateImport(ctx, f.acct.ID, "assignments", false, "a.csv", "test")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutChunk(ctx, f.acct.ID, imp.ID, 0, "rows"); err != nil {
		t.Fatal(err)
	}
	now = now.Add(StalledIntake - time.Second)
	if got, _ := s.Import(ctx, f.acct.ID, imp.ID); got.Status != ImportQueued {
		t.Fatalf("before the limit: %s", got.Status)
	}
	now = now.Add(2 * time.Second)
	got, err := s.Import(ctx, f.acct.ID, imp.ID)
	if err != nil || got.Status != ImportFailed || got.Error == "" {
		t.Fatalf("after the limit: %+v %v", got, err)
	}
	list, _ := s.Imports(ctx, f.acct.ID, 10)
	if len(list) != 1 || list[0].Status != ImportFailed {
		t.Errorf("list: %+v", list)
	}
	// A finished intake is never failed for being old.
	done, _ := s.CreateImport(ctx, f.acct.ID, "assignments", false, "b.csv", "test")
	if err := s.FinishIntake(ctx, f.acct.ID, done.ID, 0, 0); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Hour)
	if got, _ := s.Import(ctx, f.acct.ID, done.ID); got.Status != ImportCompleted {
		t.Errorf("finished intake: %s", got.Status)
	}
}
