package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/numberdesk/numberdesk/internal/carrier"
	"github.com/numberdesk/numberdesk/internal/phone"
)

// Reasons of rejected number requests.
const (
	ReasonQuantityTooLarge = "quantity_too_large" // more than MaxRequestQuantity numbers
	ReasonVanityTooLong    = "vanity_too_long"    // more than 7 keypad digits
)

// MaxRequestQuantity is the largest number request the sandbox fulfils.
const MaxRequestQuantity = 10

// ForwardRequest implements carrier.Carrier. A request is fulfilled when
// it asks for at most MaxRequestQuantity numbers and its vanity, if any,
// has at most 7 keypad digits; otherwise it is rejected with a reason.
func (s *Carrier) ForwardRequest(ctx context.Context, key string, req carrier.NumberRequest) (carrier.RequestStatus, error) {
	op := "forward request " + key
	if key == "" {
		return carrier.RequestStatus{}, carrier.Errorf(op, carrier.CodeInvalid, "idempotency key is required")
	}
	if _, ok := s.num.country[strings.ToUpper(req.Country)]; !ok {
		return carrier.RequestStatus{}, carrier.Errorf(op, carrier.CodeInvalid, "country %q: not served", req.Country)
	}
	if req.Type != carrier.TypeToll && req.Type != carrier.TypeTollFree {
		return carrier.RequestStatus{}, carrier.Errorf(op, carrier.CodeInvalid, "type %q: want toll or toll_free", req.Type)
	}
	if req.Quantity < 1 {
		return carrier.RequestStatus{}, carrier.Errorf(op, carrier.CodeInvalid, "quantity %d: want at least 1", req.Quantity)
	}
	vanity, err := phone.Keypad(req.Vanity)
	if err != nil {
		return carrier.RequestStatus{}, carrier.Errorf(op, carrier.CodeInvalid, "vanity: %v", err)
	}
	st := carrier.RequestStatus{ID: idFor("req", key), Status: carrier.RequestFulfilled}
	switch {
	case req.Quantity > MaxRequestQuantity:
		st.Status, st.Reason = carrier.RequestRejected, ReasonQuantityTooLarge
	case len(vanity) > 7:
		st.Status, st.Reason = carrier.RequestRejected, ReasonVanityTooLong
	}
	data, _ := json.Marshal(st)
	ok, err := s.cfg.Redis.SetNX(ctx, keyRequest(key), data, 0).Result()
	if err != nil {
		return carrier.RequestStatus{}, storeError(op, err)
	}
	if ok {
		return st, nil
	}
	stored, err := s.cfg.Redis.Get(ctx, keyRequest(key)).Bytes()
	if err != nil && !errors.Is(err, redis.Nil) {
		return carrier.RequestStatus{}, storeError(op, err)
	}
	st = carrier.RequestStatus{}
	if err := json.Unmarshal(stored, &st); err != nil {
		return carrier.RequestStatus{}, &carrier.Error{Op: op, Code: carrier.CodeUnavailable, Err: err}
	}
	return st, nil
}
