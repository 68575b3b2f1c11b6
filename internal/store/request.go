package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/redis/go-redis/v9"
)

// Number request keys (under the account's hash tag):
//
//	nd:{acct:A}:requests       zset  request ids by creation time (ms)
//	nd:{acct:A}:request:<id>   hash  the request: its fields, status,
//	                                 carrier_id, reason, history (JSON)

func (k keys) requests() string         { return k.prefix + "requests" }
func (k keys) request(id string) string { return k.prefix + "request:" + id }

var scriptRequest = loadScript("request.lua")

// Statuses of a number request.
const (
	RequestOpen      = "open"      // recorded, not yet with the carrier
	RequestSubmitted = "submitted" // the carrier has it
	RequestFulfilled = "fulfilled" // the carrier will provide the numbers
	RequestRejected  = "rejected"  // the carrier refused it (see Reason)
)

// NumberRequest is a ticket asking the carrier for numbers a search did
// not find (the portal's "Create ticket"), including toll-free vanity
// numbers.
type NumberRequest struct {
	ID        string `json:"id"`
	Country   string `json:"country"`
	Type      string `json:"type"`
	State     string `json:"state,omitempty"`
	AreaCode  string `json:"area_code,omitempty"`
	City      string `json:"city,omitempty"`
	Quantity  int    `json:"quantity"`
	Vanity    string `json:"vanity,omitempty"`
	Status    string `json:"status"`
	CarrierID string `json:"carrier_id,omitempty"`
	// Reason is the carrier's reason code of a rejection.
	Reason    string          `json:"reason,omitempty"`
	Actor     string          `json:"actor,omitempty"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
	History   []RequestChange `json:"history"`
}

// RequestChange is one status of a request's history.
type RequestChange struct {
	Status string    `json:"status"`
	At     time.Time `json:"at"`
	Reason string    `json:"reason,omitempty"`
}

// CreateRequest records a number request, open.
func (s *Store) CreateRequest(ctx context.Context, accountID string, r NumberRequest, actor Actor) (NumberRequest, error) {
	k := accountKeys(accountID)
	if n, err := s.rdb.Exists(ctx, k.meta).Result(); err != nil || n == 0 {
		if err == nil {
			err = inventory.Errorf(inventory.CodeAccountNotFound, "account %s not found", accountID)
		}
		return NumberRequest{}, err
	}
	r.ID = newID("req_")
	now := s.now().UnixMilli()
	hist, _ := json.Marshal([]map[string]any{{"status": RequestOpen, "at": now}})
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, k.request(r.ID), "id", r.ID, "country", r.Country, "type", r.Type, "state", r.State,
			"area_code", r.AreaCode, "city", r.City, "quantity", r.Quantity, "vanity", r.Vanity,
			"status", RequestOpen, "actor", actor.Name, "created_at", now, "updated_at", now, "history", string(hist))
		p.ZAdd(ctx, k.requests(), redis.Z{Score: float64(now), Member: r.ID})
		return nil
	})
	if err != nil {
		return NumberRequest{}, fmt.Errorf("create number request: %w", err)
	}
	return s.Request(ctx, accountID, r.ID)
}

// SetRequestStatus moves a request to a later status (with the carrier's
// id and reason when given); a status not later than the current one
// changes nothing.
func (s *Store) SetRequestStatus(ctx context.Context, accountID, id, status, carrierID, reason string) error {
	err := scriptRequest.Run(ctx, s.rdb, []string{accountKeys(accountID).request(id)}, s.nowMS(), status, carrierID, reason).Err()
	return scriptError("set number request status", err)
}

// Request returns a number request.
func (s *Store) Request(ctx context.Context, accountID, id string) (NumberRequest, error) {
	m, err := s.rdb.HGetAll(ctx, accountKeys(accountID).request(id)).Result()
	if err != nil {
		return NumberRequest{}, err
	}
	if m["status"] == "" {
		return NumberRequest{}, inventory.Errorf(inventory.CodeNotFound, "number request %s not found", id)
	}
	return decodeRequest(m)
}

func decodeRequest(m map[string]string) (NumberRequest, error) {
	q, _ := strconv.Atoi(m["quantity"])
	r := NumberRequest{
		ID: m["id"], Country: m["country"], Type: m["type"], State: m["state"], AreaCode: m["area_code"],
		City: m["city"], Quantity: q, Vanity: m["vanity"], Status: m["status"], CarrierID: m["carrier_id"],
		Reason: m["reason"], Actor: m["actor"], CreatedAt: msTime(m["created_at"]), UpdatedAt: msTime(m["updated_at"]),
	}
	var hist []struct {
		Status string `json:"status"`
		At     int64  `json:"at"`
		Reason string `json:"reason"`
	}
	if err := json.Unmarshal([]byte(m["history"]), &hist); err != nil {
		return NumberRequest{}, fmt.Errorf("number request %s: decode history: %w", r.ID, err)
	}
	for _, h := range hist {
		r.History = append(r.History, RequestChange{Status: h.Status, At: time.UnixMilli(h.At).UTC(), Reason: h.Reason})
	}
	return r, nil
}

// Requests returns the account's most recent number requests, newest first
// (at most limit, at most 100).
func (s *Store) Requests(ctx context.Context, accountID string, limit int) ([]NumberRequest, error) {
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	k := accountKeys(accountID)
	out := []NumberRequest{}
	err := s.newest(ctx, k.requests(), k.request, limit, func(m map[string]string) error {
		r, err := decodeRequest(m)
		out = append(out, r)
		return err
	})
	return out, err
}
