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

// Order keys (under the account's hash tag):
//
//	nd:{acct:A}:orders       zset  order ids by creation time (ms)
//	nd:{acct:A}:order:<id>   hash  the order (see lua/order.lua); expires
//	                               the store's retention after it finishes
//
// Licences held by open orders are the meta fields lic_toll_held and
// lic_tf_held: the sum of the pending lines of open orders, by type.

func (k keys) orders() string         { return k.prefix + "orders" }
func (k keys) order(id string) string { return k.prefix + "order:" + id }

func (k keys) orderKeys(id string) []string {
	return []string{k.meta, k.num, k.idx, k.audit, k.gone, k.resv, k.site, k.ea, k.order(id), k.orders()}
}

var scriptOrder = loadScript("order.lua")

// MaxOrder is the most numbers one order takes.
const MaxOrder = 1000

// OrderStatus is where an order stands.
type OrderStatus string

// The statuses of an order.
const (
	OrderPending    OrderStatus = "pending"
	OrderProcessing OrderStatus = "processing"
	OrderCompleted  OrderStatus = "completed"
	OrderPartial    OrderStatus = "partial"
	OrderFailed     OrderStatus = "failed"
)

// Open reports whether the order has not finished.
func (s OrderStatus) Open() bool { return s == OrderPending || s == OrderProcessing }

// Kinds of order lines.
const (
	LineBuy      = "buy"      // bought from the carrier
	LineActivate = "activate" // the account's reserved number, activated
)

// Statuses of order lines.
const (
	LinePending   = "pending"
	LineAcquired  = "acquired"
	LineActivated = "activated"
	LineFailed    = "failed"
)

// OrderLine is one number of an order.
type OrderLine struct {
	Number    string `json:"number"`
	Type      string `json:"type"`
	Country   string `json:"country"`
	AreaCode  string `json:"area_code"`
	Region    string `json:"region"`
	City      string `json:"city"`
	Kind      string `json:"kind"`   // LineBuy or LineActivate
	Status    string `json:"status"` // LinePending, LineAcquired, LineActivated or LineFailed
	ErrorCode string `json:"error_code,omitempty"`
	// ErrorMessage says in words why the line failed.
	ErrorMessage string `json:"error_message,omitempty"`
}

// Order is a number order: the numbers an admin selected from a search,
// bought from the carrier (or activated from the reserved pool) by the
// order:place job.
type Order struct {
	ID                 string      `json:"id"`
	Status             OrderStatus `json:"status"`
	SiteID             string      `json:"site_id,omitempty"`
	EmergencyAddressID string      `json:"emergency_address_id,omitempty"`
	Actor              string      `json:"actor,omitempty"`
	CreatedAt          time.Time   `json:"created_at"`
	UpdatedAt          time.Time   `json:"updated_at"`
	FinishedAt         *time.Time  `json:"finished_at,omitempty"`
	Acquired           int         `json:"acquired"`
	Activated          int         `json:"activated"`
	Failed             int         `json:"failed"`
	Numbers            []OrderLine `json:"numbers"`
}

// OrderSpec is what an order asks for.
type OrderSpec struct {
	// Numbers are the numbers, distinct, with what is known of them
	// (their type decides the licence pool).
	Numbers            []NewNumber
	SiteID             string
	EmergencyAddressID string
}

// CreateOrder records an order, pending, in one atomic step: every number
// not in the inventory is to be bought, every reserved number of the
// account to be activated, and each holds a licence of its type. When a
// pool is short the order is refused (license_exhausted,
// toll_free_license_required) and nothing is held; a number already active
// or porting in the inventory refuses it with number_exists.
func (s *Store) CreateOrder(ctx context.Context, accountID string, spec OrderSpec, actor Actor) (Order, error) {
	n := len(spec.Numbers)
	if n == 0 {
		return Order{}, inventory.Errorf(inventory.CodeMissingField, "an order needs at least one number")
	}
	if n > MaxOrder {
		return Order{}, inventory.Errorf(inventory.CodeInvalidField, "an order takes at most %d numbers, got %d", MaxOrder, n)
	}
	seen := make(map[string]bool, n)
	for _, nn := range spec.Numbers {
		if seen[nn.Number] {
			return Order{}, inventory.Errorf(inventory.CodeDuplicateRow, "%s is in the order twice", nn.Number)
		}
		seen[nn.Number] = true
		if !nn.Type.Valid() {
			return Order{}, inventory.Errorf(inventory.CodeInvalidField, "%s: type %q is not toll or toll_free", nn.Number, nn.Type)
		}
	}
	k := accountKeys(accountID)
	id := newID("ord_")
	args := []any{"create", s.nowMS(), id, actor.Name, actor.Source, spec.SiteID, spec.EmergencyAddressID, int64(s.retention.Seconds())}
	for _, nn := range spec.Numbers {
		args = append(args, nn.Number, string(nn.Type), nn.Country, nn.AreaCode, nn.Region, nn.City)
	}
	if err := scriptOrder.Run(ctx, s.rdb, k.orderKeys(id), args...).Err(); err != nil {
		return Order{}, scriptError("create order", err)
	}
	return s.Order(ctx, accountID, id)
}

// StartOrder moves a pending order to processing and returns it; an order
// already processing or finished is returned as it is.
func (s *Store) StartOrder(ctx context.Context, accountID, id string) (Order, error) {
	k := accountKeys(accountID)
	if err := scriptOrder.Run(ctx, s.rdb, k.orderKeys(id), "start", s.nowMS(), id).Err(); err != nil {
		return Order{}, scriptError("start order", err)
	}
	return s.Order(ctx, accountID, id)
}

// FinishOrder applies the carrier's answer to an open order in one atomic
// step: failures maps each buy line's number to why the carrier did not
// sell it (absent: sold). Sold numbers come into the inventory unassigned
// with the order's site and emergency address, reserved numbers are
// activated, each held licence is used or given back, and the order gets
// its final status. A finished order is returned unchanged: finishing is
// idempotent.
func (s *Store) FinishOrder(ctx context.Context, accountID, id string, failures map[string]string, actor Actor) (Order, error) {
	o, err := s.Order(ctx, accountID, id)
	if err != nil {
		return Order{}, err
	}
	if !o.Status.Open() {
		return o, nil
	}
	k := accountKeys(accountID)
	args := []any{"finish", s.nowMS(), id, actor.Name, actor.Source, s.auditCap, int64(s.retention.Seconds())}
	var sold []NewNumber
	for _, l := range o.Numbers {
		if l.Kind != LineBuy {
			continue
		}
		code, failed := failures[l.Number]
		if !failed {
			sold = append(sold, NewNumber{Number: l.Number})
		}
		args = append(args, l.Number, code)
	}
	// A sold number is claimed for this account before the step adds it;
	// one another inventory holds fails number_exists.
	if len(sold) > 0 {
		claimed, err := s.claim(ctx, accountID, sold)
		if err != nil {
			return Order{}, scriptError("claim numbers", err)
		}
		for i, c := range claimed {
			if !c.ours {
				for j := 7; j < len(args); j += 2 {
					if args[j] == sold[i].Number {
						args[j+1] = string(inventory.CodeNumberExists)
					}
				}
			}
		}
	}
	if err := scriptOrder.Run(ctx, s.rdb, k.orderKeys(id), args...).Err(); err != nil {
		return Order{}, scriptError("finish order", err)
	}
	return s.Order(ctx, accountID, id)
}

// AbandonOrder finishes an open order that cannot be placed (its task
// could not be queued): every line fails with code and every held licence
// is given back.
func (s *Store) AbandonOrder(ctx context.Context, accountID, id, code string, actor Actor) (Order, error) {
	o, err := s.Order(ctx, accountID, id)
	if err != nil {
		return Order{}, err
	}
	if !o.Status.Open() {
		return o, nil
	}
	args := []any{"finish", s.nowMS(), id, actor.Name, actor.Source, s.auditCap, int64(s.retention.Seconds())}
	for _, l := range o.Numbers {
		args = append(args, l.Number, code)
	}
	if err := scriptOrder.Run(ctx, s.rdb, accountKeys(accountID).orderKeys(id), args...).Err(); err != nil {
		return Order{}, scriptError("abandon order", err)
	}
	return s.Order(ctx, accountID, id)
}

// Order returns an order.
func (s *Store) Order(ctx context.Context, accountID, id string) (Order, error) {
	m, err := s.rdb.HGetAll(ctx, accountKeys(accountID).order(id)).Result()
	if err != nil {
		return Order{}, err
	}
	if m["status"] == "" {
		return Order{}, inventory.Errorf(inventory.CodeNotFound, "order %s not found", id)
	}
	return decodeOrder(m)
}

func decodeOrder(m map[string]string) (Order, error) {
	o := Order{
		ID: m["id"], Status: OrderStatus(m["status"]), SiteID: m["site_id"],
		EmergencyAddressID: m["emergency_address_id"], Actor: m["actor"],
		CreatedAt: msTime(m["created_at"]), UpdatedAt: msTime(m["updated_at"]),
	}
	if f := m["finished_at"]; f != "" {
		t := msTime(f)
		o.FinishedAt = &t
	}
	if err := json.Unmarshal([]byte(m["lines"]), &o.Numbers); err != nil {
		return Order{}, fmt.Errorf("order %s: decode lines: %w", o.ID, err)
	}
	for i := range o.Numbers {
		l := &o.Numbers[i]
		switch l.Status {
		case LineAcquired:
			o.Acquired++
		case LineActivated:
			o.Activated++
		case LineFailed:
			o.Failed++
			l.ErrorMessage = orderLineMessage(l.ErrorCode)
		}
	}
	return o, nil
}

// orderLineMessage says why a line failed.
func orderLineMessage(code string) string {
	switch code {
	case "not_available":
		return "the carrier no longer offers this number (taken meanwhile); its licence was given back"
	case "duplicate_in_order":
		return "the number was on the order twice"
	case string(inventory.CodeNumberExists):
		return "the number is in another inventory"
	case string(inventory.CodeNumberNotFound):
		return "the reserved number was deleted before the order was placed"
	case string(inventory.CodeWrongStatus):
		return "the reserved number was activated some other way before the order was placed"
	case "carrier_unavailable":
		return "the carrier could not be reached; its licence was given back, order the number again"
	case "carrier_rejected":
		return "the carrier refused the order; its licence was given back"
	case "not_placed":
		return "the order could not be queued; its licence was given back, order the number again"
	}
	return "the carrier did not sell the number (" + code + "); its licence was given back"
}

// Orders returns the account's most recent orders, newest first (at most
// limit, at most 100).
func (s *Store) Orders(ctx context.Context, accountID string, limit int) ([]Order, error) {
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	k := accountKeys(accountID)
	out := []Order{}
	err := s.newest(ctx, k.orders(), k.order, limit, func(m map[string]string) error {
		o, err := decodeOrder(m)
		out = append(out, o)
		return err
	})
	return out, err
}

// newest reads the hashes of the newest ids of an index (a zset by time),
// newest first, skipping those that expired.
func (s *Store) newest(ctx context.Context, index string, key func(id string) string, limit int, each func(map[string]string) error) error {
	ids, err := s.rdb.ZRevRange(ctx, index, 0, int64(limit)-1).Result()
	if err != nil {
		return err
	}
	p := s.rdb.Pipeline()
	cmds := make([]*redis.MapStringStringCmd, len(ids))
	for i, id := range ids {
		cmds[i] = p.HGetAll(ctx, key(id))
	}
	if _, err := p.Exec(ctx); err != nil && err != redis.Nil {
		return err
	}
	for _, c := range cmds {
		if c.Val()["status"] == "" {
			continue
		}
		if err := each(c.Val()); err != nil {
			return err
		}
	}
	return nil
}

// heldByOrders sums the pending lines of the account's open orders by
// number type (for Check).
func (s *Store) heldByOrders(ctx context.Context, accountID string) (map[string]int64, error) {
	k := accountKeys(accountID)
	ids, err := s.rdb.ZRange(ctx, k.orders(), 0, -1).Result()
	if err != nil {
		return nil, err
	}
	held := map[string]int64{"toll": 0, "toll_free": 0}
	for _, id := range ids {
		o, err := s.Order(ctx, accountID, id)
		if inventory.ErrorCode(err) == inventory.CodeNotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		if !o.Status.Open() {
			continue
		}
		for _, l := range o.Numbers {
			held[l.Type]++
		}
	}
	return held, nil
}

// heldOK compares the meta's held counters with the open orders.
func heldOK(meta map[string]string, held map[string]int64) []string {
	var bad []string
	for field, ty := range map[string]string{"lic_toll_held": "toll", "lic_tf_held": "toll_free"} {
		got, _ := strconv.ParseInt(meta[field], 10, 64)
		if got != held[ty] {
			bad = append(bad, fmt.Sprintf("%s %d, open orders hold %d", field, got, held[ty]))
		}
	}
	return bad
}
