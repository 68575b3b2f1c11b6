package store

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/redis/go-redis/v9"
)

// AccountSpec describes a new account.
type AccountSpec struct {
	Name             string
	Country          string
	MultipleSites    bool
	PhoneLicenses    int64
	TollFreeLicenses int64
}

// Validate checks the spec's fields.
func (a AccountSpec) Validate() error {
	switch {
	case strings.TrimSpace(a.Name) == "":
		return inventory.Errorf(inventory.CodeMissingField, "name is required")
	case !inventory.ValidCountry(a.Country):
		return inventory.Errorf(inventory.CodeInvalidField, "country %q is not an ISO 3166 alpha-2 code such as US", a.Country)
	case a.PhoneLicenses < 0 || a.TollFreeLicenses < 0:
		return inventory.Errorf(inventory.CodeInvalidField, "licence counts cannot be negative")
	}
	return inventory.ValidateText("name", a.Name)
}

func newID(prefix string) string {
	var b [10]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return prefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// CreateAccount creates an account with its licences.
func (s *Store) CreateAccount(ctx context.Context, spec AccountSpec) (inventory.Account, error) {
	if err := spec.Validate(); err != nil {
		return inventory.Account{}, err
	}
	id := newID("a")
	k := accountKeys(id)
	now := s.now().UTC()
	// The registry entry goes first: an entry without an account is skipped
	// by readers, while an account missing from the registry would be lost
	// to the scheduled runs.
	if err := s.rdb.SAdd(ctx, accountsKey, id).Err(); err != nil {
		return inventory.Account{}, fmt.Errorf("create account: %w", err)
	}
	multi := "0"
	if spec.MultipleSites {
		multi = "1"
	}
	// A fresh random id cannot collide; the fields go in one MULTI.
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, k.meta, "name", spec.Name,
			"country", spec.Country, "multiple_sites", multi, "created_at", now.UnixMilli(),
			"lic_toll_total", spec.PhoneLicenses, "lic_toll_used", 0,
			"lic_tf_total", spec.TollFreeLicenses, "lic_tf_used", 0,
			"next_extno", 1000)
		return nil
	})
	if err != nil {
		return inventory.Account{}, fmt.Errorf("create account %s: %w", id, err)
	}
	return s.Account(ctx, id)
}

// AccountIDs returns the ids of every account.
func (s *Store) AccountIDs(ctx context.Context) ([]string, error) {
	return s.rdb.SMembers(ctx, accountsKey).Result()
}

// Account returns an account with its licences and counts by status.
func (s *Store) Account(ctx context.Context, id string) (inventory.Account, error) {
	k := accountKeys(id)
	pipe := s.rdb.Pipeline()
	meta := pipe.HGetAll(ctx, k.meta)
	// Porting, reserved and active numbers are ranges of the status index;
	// the assigned ones are the extension links (one per assigned number).
	counts := make(map[string]*redis.IntCmd, 3)
	for _, st := range []string{"porting", "reserved", "unassigned"} {
		r := statusRange[st]
		counts[st] = pipe.ZCount(ctx, k.idx, strconv.FormatInt(r[0], 10), "("+strconv.FormatInt(r[1], 10))
	}
	assigned := pipe.ZCard(ctx, k.extlinks)
	if _, err := pipe.Exec(ctx); err != nil {
		return inventory.Account{}, fmt.Errorf("read account %s: %w", id, err)
	}
	m := meta.Val()
	if m["name"] == "" {
		return inventory.Account{}, inventory.Errorf(inventory.CodeAccountNotFound, "account %s not found", id)
	}
	n := func(f string) int64 { v, _ := strconv.ParseInt(m[f], 10, 64); return v }
	return inventory.Account{
		ID: id, Name: m["name"], Country: m["country"], MultipleSites: m["multiple_sites"] == "1",
		Licenses: inventory.Licenses{
			PhoneNumber: inventory.License{Total: n("lic_toll_total"), Used: n("lic_toll_used"), Held: n("lic_toll_held")},
			TollFree:    inventory.License{Total: n("lic_tf_total"), Used: n("lic_tf_used"), Held: n("lic_tf_held")},
		},
		Numbers: inventory.Counts{
			Assigned: assigned.Val(), Unassigned: counts["unassigned"].Val() - assigned.Val(),
			Reserved: counts["reserved"].Val(), Porting: counts["porting"].Val(),
		},
		CreatedAt: time.UnixMilli(n("created_at")).UTC(),
	}, nil
}

// SetLicenses sets an account's licence totals. A total below what is in
// use or held by open orders is refused with license_exhausted.
func (s *Store) SetLicenses(ctx context.Context, id string, phone, tollFree int64) error {
	k := accountKeys(id)
	err := s.rdb.Watch(ctx, func(tx *redis.Tx) error {
		m, err := tx.HMGet(ctx, k.meta, "name", "lic_toll_used", "lic_tf_used", "lic_toll_held", "lic_tf_held").Result()
		if err != nil {
			return err
		}
		if m[0] == nil {
			return inventory.Errorf(inventory.CodeAccountNotFound, "account %s not found", id)
		}
		used := func(v any) int64 { s, _ := v.(string); n, _ := strconv.ParseInt(s, 10, 64); return n }
		if phone < used(m[1])+used(m[3]) || tollFree < used(m[2])+used(m[4]) {
			return inventory.Errorf(inventory.CodeLicenseExhausted, "licence totals cannot go below the licences in use or held by open orders")
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.HSet(ctx, k.meta, "lic_toll_total", phone, "lic_tf_total", tollFree)
			return nil
		})
		return err
	}, k.meta)
	return err
}
