package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/redis/go-redis/v9"
)

// Port order keys (under the account's hash tag):
//
//	nd:{acct:A}:ports        zset  port order ids by creation time (ms)
//	nd:{acct:A}:port:<id>    hash  the port order (see lua/port.lua): its
//	                               fields, numbers and history as JSON
//	nd:{acct:A}:portsopen    set   ids of the orders the sync polls
//	                               (submitted, pending, foc_confirmed)

func (k keys) ports() string         { return k.prefix + "ports" }
func (k keys) port(id string) string { return k.prefix + "port:" + id }
func (k keys) portsOpen() string     { return k.prefix + "portsopen" }

func (k keys) portKeys(id string) []string {
	return []string{k.meta, k.num, k.idx, k.audit, k.gone, k.site, k.ea, k.port(id), k.ports(), k.portsOpen()}
}

var scriptPort = loadScript("port.lua")

// MaxPort is the most numbers one port order takes.
const MaxPort = 1000

// Statuses of a port order and of its numbers.
const (
	PortSubmitted    = "submitted"
	PortPending      = "pending"
	PortFOCConfirmed = "foc_confirmed"
	PortCompleted    = "completed"
	PortException    = "exception"
	PortCancelled    = "cancelled"
)

// PortNumber is one number of a port order.
type PortNumber struct {
	Number    string `json:"number"`
	Status    string `json:"status"`
	Exception string `json:"exception,omitempty"` // the carrier's reason code
	// Result is where a completed number went: unassigned or reserved.
	Result string `json:"result,omitempty"`
}

// PortChange is one status of a port order's history.
type PortChange struct {
	Status string    `json:"status"`
	At     time.Time `json:"at"`
	Reason string    `json:"reason,omitempty"`
}

// PortOrder is a port-in order: numbers moving to this account from a
// losing carrier.
type PortOrder struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	// StatusVisible is false for countries other than the US and Canada:
	// their carriers report no progress, so the order shows submitted
	// until it completes (or needs the admin: exception).
	StatusVisible      bool         `json:"status_visible"`
	Country            string       `json:"country"`
	LosingCarrier      string       `json:"losing_carrier"`
	AccountNumber      string       `json:"account_number"`
	PINSet             bool         `json:"pin_set"` // the PIN itself is never shown
	RequestedFOCDate   string       `json:"requested_foc_date,omitempty"`
	FOCDate            *time.Time   `json:"foc_date"`
	Reserve            bool         `json:"reserve"`
	SiteID             string       `json:"site_id,omitempty"`
	EmergencyAddressID string       `json:"emergency_address_id,omitempty"`
	CarrierID          string       `json:"carrier_id,omitempty"`
	Submission         int          `json:"submission"`
	Exception          string       `json:"exception,omitempty"`
	Note               string       `json:"note,omitempty"`
	Actor              string       `json:"actor,omitempty"`
	CreatedAt          time.Time    `json:"created_at"`
	UpdatedAt          time.Time    `json:"updated_at"`
	Numbers            []PortNumber `json:"numbers"`
	History            []PortChange `json:"history"`

	pin string
}

// PIN returns the losing carrier's PIN (for the submission; never shown).
func (p PortOrder) PIN() string { return p.pin }

// Open reports whether the order can still change by itself.
func (p PortOrder) Open() bool {
	return p.Status == PortSubmitted || p.Status == PortPending || p.Status == PortFOCConfirmed
}

// PortSpec is what a port order asks for.
type PortSpec struct {
	Numbers            []NewNumber // distinct, all of Country
	Country            string
	LosingCarrier      string
	AccountNumber      string
	PIN                string
	RequestedFOCDate   string // YYYY-MM-DD or ""
	Reserve            bool
	SiteID             string
	EmergencyAddressID string
}

// StatusVisibleIn reports whether port status is visible for a country's
// numbers: only the US and Canada report it.
func StatusVisibleIn(country string) bool { return country == "US" || country == "CA" }

// CreatePort records a port order and adds its numbers to the inventory
// as porting (no licence), in one atomic step; a number already in this
// inventory (active, reserved, or in another open port order) refuses the
// whole order with number_exists, as does one in another inventory.
func (s *Store) CreatePort(ctx context.Context, accountID string, spec PortSpec, actor Actor) (PortOrder, error) {
	n := len(spec.Numbers)
	if n == 0 || n > MaxPort {
		return PortOrder{}, inventory.Errorf(inventory.CodeInvalidField, "a port order takes 1 to %d numbers, got %d", MaxPort, n)
	}
	claimed, err := s.claim(ctx, accountID, spec.Numbers)
	if err != nil {
		return PortOrder{}, scriptError("claim numbers", err)
	}
	var others []string
	for i, c := range claimed {
		if !c.ours {
			others = append(others, spec.Numbers[i].Number)
		}
	}
	if len(others) > 0 {
		s.unclaim(ctx, accountID, freshClaims(spec.Numbers, claimed))
		return PortOrder{}, inventory.Errorf(inventory.CodeNumberExists, "already in another inventory: %s", strings.Join(others[:min(5, len(others))], ", "))
	}
	k := accountKeys(accountID)
	id := newID("port_")
	bit := func(b bool) string {
		if b {
			return "1"
		}
		return "0"
	}
	fields, _ := json.Marshal(map[string]string{
		"country": spec.Country, "status_visible": bit(StatusVisibleIn(spec.Country)),
		"losing_carrier": spec.LosingCarrier, "account_number": spec.AccountNumber, "pin": spec.PIN,
		"requested_foc_date": spec.RequestedFOCDate, "reserve": bit(spec.Reserve),
	})
	args := []any{"create", s.nowMS(), id, actor.Name, actor.Source, s.auditCap, spec.SiteID, spec.EmergencyAddressID, string(fields)}
	for _, nn := range spec.Numbers {
		args = append(args, nn.Number, string(nn.Type), nn.Country, nn.AreaCode, nn.Region, nn.City)
	}
	if err := scriptPort.Run(ctx, s.rdb, k.portKeys(id), args...).Err(); err != nil {
		s.unclaim(ctx, accountID, freshClaims(spec.Numbers, claimed))
		return PortOrder{}, scriptError("create port order", err)
	}
	return s.Port(ctx, accountID, id)
}

// SetPortCarrierID records the carrier's id of a submission (once).
func (s *Store) SetPortCarrierID(ctx context.Context, accountID, id string, submission int, carrierID string) error {
	err := scriptPort.Run(ctx, s.rdb, accountKeys(accountID).portKeys(id), "carrier", s.nowMS(), id, submission, carrierID).Err()
	return scriptError("set port carrier id", err)
}

// PortUpdate is a port order's status as the carrier reports it.
type PortUpdate struct {
	Submission int
	Status     string
	Reason     string
	FOCDate    time.Time
}

// UpdatePort applies the carrier's status of a submission in one atomic
// step (see lua/port.lua): a status that is not news, or of an older
// submission, changes nothing. Numbers released by a cancellation are
// given back to the owner index.
func (s *Store) UpdatePort(ctx context.Context, accountID, id string, u PortUpdate, actor Actor) (PortOrder, error) {
	foc := ""
	if !u.FOCDate.IsZero() {
		foc = strconv.FormatInt(u.FOCDate.UnixMilli(), 10)
	}
	v, err := scriptPort.Run(ctx, s.rdb, accountKeys(accountID).portKeys(id), "update", s.nowMS(), id,
		strconv.Itoa(u.Submission), u.Status, u.Reason, foc, s.auditCap, actor.Name, actor.Source).Slice()
	if err != nil {
		return PortOrder{}, scriptError("update port order", err)
	}
	s.unclaimReleased(ctx, accountID, v)
	return s.Port(ctx, accountID, id)
}

// CancelPort cancels an order that is not yet foc_confirmed: its numbers
// leave the inventory. An order past that is refused with wrong_status.
func (s *Store) CancelPort(ctx context.Context, accountID, id string, actor Actor) (PortOrder, error) {
	v, err := scriptPort.Run(ctx, s.rdb, accountKeys(accountID).portKeys(id), "cancel", s.nowMS(), id, s.auditCap, actor.Name, actor.Source).Slice()
	if err != nil {
		return PortOrder{}, scriptError("cancel port order", err)
	}
	s.unclaimReleased(ctx, accountID, v)
	return s.Port(ctx, accountID, id)
}

func (s *Store) unclaimReleased(ctx context.Context, accountID string, v []any) {
	if len(v) == 2 {
		if rel, _ := v[1].(string); rel != "" {
			s.unclaim(ctx, accountID, strings.Split(rel, "\n"))
		}
	}
}

// PortPatch corrects an order in exception; nil fields stay.
type PortPatch struct {
	LosingCarrier    *string `json:"losing_carrier,omitempty"`
	AccountNumber    *string `json:"account_number,omitempty"`
	PIN              *string `json:"pin,omitempty"`
	RequestedFOCDate *string `json:"requested_foc_date,omitempty"`
}

// PatchPort corrects an order in exception (wrong_status otherwise).
func (s *Store) PatchPort(ctx context.Context, accountID, id string, p PortPatch) (PortOrder, error) {
	body, _ := json.Marshal(p)
	if err := scriptPort.Run(ctx, s.rdb, accountKeys(accountID).portKeys(id), "patch", s.nowMS(), id, string(body)).Err(); err != nil {
		return PortOrder{}, scriptError("correct port order", err)
	}
	return s.Port(ctx, accountID, id)
}

// ResubmitPort makes an order in exception submitted again, as a new
// submission (wrong_status otherwise).
func (s *Store) ResubmitPort(ctx context.Context, accountID, id string) (PortOrder, error) {
	if err := scriptPort.Run(ctx, s.rdb, accountKeys(accountID).portKeys(id), "resubmit", s.nowMS(), id).Err(); err != nil {
		return PortOrder{}, scriptError("resubmit port order", err)
	}
	return s.Port(ctx, accountID, id)
}

// Port returns a port order.
func (s *Store) Port(ctx context.Context, accountID, id string) (PortOrder, error) {
	m, err := s.rdb.HGetAll(ctx, accountKeys(accountID).port(id)).Result()
	if err != nil {
		return PortOrder{}, err
	}
	if m["status"] == "" {
		return PortOrder{}, inventory.Errorf(inventory.CodeNotFound, "port order %s not found", id)
	}
	return decodePort(m)
}

func decodePort(m map[string]string) (PortOrder, error) {
	sub, _ := strconv.Atoi(m["submission"])
	p := PortOrder{
		ID: m["id"], Status: m["status"], StatusVisible: m["status_visible"] == "1", Country: m["country"],
		LosingCarrier: m["losing_carrier"], AccountNumber: m["account_number"], PINSet: m["pin"] != "",
		RequestedFOCDate: m["requested_foc_date"], Reserve: m["reserve"] == "1", SiteID: m["site_id"],
		EmergencyAddressID: m["emergency_address_id"], CarrierID: m["carrier_id"], Submission: sub,
		Exception: m["reason"], Note: m["note"], Actor: m["actor"],
		CreatedAt: msTime(m["created_at"]), UpdatedAt: msTime(m["updated_at"]), pin: m["pin"],
	}
	if f := m["foc_date"]; f != "" {
		t := msTime(f)
		p.FOCDate = &t
	}
	if err := json.Unmarshal([]byte(m["numbers"]), &p.Numbers); err != nil {
		return PortOrder{}, fmt.Errorf("port order %s: decode numbers: %w", p.ID, err)
	}
	var hist []struct {
		Status string `json:"status"`
		At     int64  `json:"at"`
		Reason string `json:"reason"`
	}
	if err := json.Unmarshal([]byte(m["history"]), &hist); err != nil {
		return PortOrder{}, fmt.Errorf("port order %s: decode history: %w", p.ID, err)
	}
	for _, h := range hist {
		p.History = append(p.History, PortChange{Status: h.Status, At: time.UnixMilli(h.At).UTC(), Reason: h.Reason})
	}
	return p, nil
}

// Ports returns the account's most recent port orders, newest first (at
// most limit, at most 100), of one status when status is not "".
func (s *Store) Ports(ctx context.Context, accountID, status string, limit int) ([]PortOrder, error) {
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	k := accountKeys(accountID)
	out := []PortOrder{}
	// A status filter reads further back than limit orders.
	scan := limit
	if status != "" {
		scan = 1000
	}
	err := s.newest(ctx, k.ports(), k.port, scan, func(m map[string]string) error {
		if (status != "" && m["status"] != status) || len(out) == limit {
			return nil
		}
		p, err := decodePort(m)
		out = append(out, p)
		return err
	})
	return out, err
}

// OpenPorts returns the ids of the account's port orders that the sync
// polls.
func (s *Store) OpenPorts(ctx context.Context, accountID string) ([]string, error) {
	return s.rdb.SMembers(ctx, accountKeys(accountID).portsOpen()).Result()
}

// PortCounts counts the account's port orders by status (the newest
// 10,000), for metrics.
func (s *Store) PortCounts(ctx context.Context, accountID string) (map[string]int, error) {
	k := accountKeys(accountID)
	ids, err := s.rdb.ZRevRange(ctx, k.ports(), 0, 9999).Result()
	if err != nil {
		return nil, err
	}
	p := s.rdb.Pipeline()
	cmds := make([]*redis.StringCmd, len(ids))
	for i, id := range ids {
		cmds[i] = p.HGet(ctx, k.port(id), "status")
	}
	if _, err := p.Exec(ctx); err != nil && err != redis.Nil {
		return nil, err
	}
	counts := map[string]int{}
	for _, c := range cmds {
		if st := c.Val(); st != "" {
			counts[st]++
		}
	}
	return counts, nil
}
