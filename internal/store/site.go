package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/redis/go-redis/v9"
)

// CreateEmergencyAddress validates and stores an emergency address.
func (s *Store) CreateEmergencyAddress(ctx context.Context, accountID string, a inventory.EmergencyAddress) (inventory.EmergencyAddress, error) {
	if err := a.Validate(); err != nil {
		return inventory.EmergencyAddress{}, err
	}
	k := accountKeys(accountID)
	a.ID = ""
	body, _ := json.Marshal(a)
	id, err := scriptCreate.Run(ctx, s.rdb, []string{k.meta, k.ea, k.ea}, "ea_", "ea_seq", string(body), "", "").Text()
	if err != nil {
		return inventory.EmergencyAddress{}, scriptError("create emergency address", err)
	}
	a.ID = id
	return a, nil
}

// EmergencyAddress returns one emergency address of the account.
func (s *Store) EmergencyAddress(ctx context.Context, accountID, id string) (inventory.EmergencyAddress, error) {
	var a inventory.EmergencyAddress
	err := s.getJSON(ctx, accountKeys(accountID).ea, id, &a, inventory.CodeEmergencyAddressNotFound, "emergency address")
	a.ID = id
	return a, err
}

// EmergencyAddresses lists the account's emergency addresses.
func (s *Store) EmergencyAddresses(ctx context.Context, accountID string) ([]inventory.EmergencyAddress, error) {
	var out []inventory.EmergencyAddress
	err := s.listJSON(ctx, accountKeys(accountID).ea, func(id, v string) error {
		var a inventory.EmergencyAddress
		if err := json.Unmarshal([]byte(v), &a); err != nil {
			return err
		}
		a.ID = id
		out = append(out, a)
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return idLess(out[i].ID, out[j].ID) })
	return out, err
}

// CreateSite stores a site; its emergency address must exist.
func (s *Store) CreateSite(ctx context.Context, accountID string, site inventory.Site) (inventory.Site, error) {
	switch {
	case strings.TrimSpace(site.Name) == "":
		return inventory.Site{}, inventory.Errorf(inventory.CodeMissingField, "name is required")
	case !inventory.ValidCountry(site.Country):
		return inventory.Site{}, inventory.Errorf(inventory.CodeInvalidField, "country %q is not an ISO 3166 alpha-2 code", site.Country)
	case site.EmergencyAddressID == "":
		return inventory.Site{}, inventory.Errorf(inventory.CodeMissingField, "emergency_address_id is required")
	}
	if err := inventory.ValidateText("name", site.Name); err != nil {
		return inventory.Site{}, err
	}
	k := accountKeys(accountID)
	site.ID = ""
	body, _ := json.Marshal(site)
	id, err := scriptCreate.Run(ctx, s.rdb, []string{k.meta, k.site, k.ea}, "site_", "site_seq", string(body),
		site.EmergencyAddressID, string(inventory.CodeEmergencyAddressNotFound)).Text()
	if err != nil {
		return inventory.Site{}, scriptError("create site", err)
	}
	site.ID = id
	return site, nil
}

// Site returns one site of the account.
func (s *Store) Site(ctx context.Context, accountID, id string) (inventory.Site, error) {
	var site inventory.Site
	err := s.getJSON(ctx, accountKeys(accountID).site, id, &site, inventory.CodeSiteNotFound, "site")
	site.ID = id
	return site, err
}

// Sites lists the account's sites.
func (s *Store) Sites(ctx context.Context, accountID string) ([]inventory.Site, error) {
	var out []inventory.Site
	err := s.listJSON(ctx, accountKeys(accountID).site, func(id, v string) error {
		var site inventory.Site
		if err := json.Unmarshal([]byte(v), &site); err != nil {
			return err
		}
		site.ID = id
		out = append(out, site)
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return idLess(out[i].ID, out[j].ID) })
	return out, err
}

func (s *Store) getJSON(ctx context.Context, key, id string, v any, code inventory.Code, what string) error {
	raw, err := s.rdb.HGet(ctx, key, id).Result()
	if err == redis.Nil {
		return inventory.Errorf(code, "%s %s not found", what, id)
	}
	if err != nil {
		return fmt.Errorf("read %s %s: %w", what, id, err)
	}
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		return fmt.Errorf("decode %s %s: %w", what, id, err)
	}
	return nil
}

func (s *Store) listJSON(ctx context.Context, key string, each func(id, v string) error) error {
	m, err := s.rdb.HGetAll(ctx, key).Result()
	if err != nil {
		return fmt.Errorf("list %s: %w", key, err)
	}
	for id, v := range m {
		if err := each(id, v); err != nil {
			return fmt.Errorf("decode %s %s: %w", key, id, err)
		}
	}
	return nil
}
