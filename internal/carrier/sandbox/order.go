package sandbox

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/redis/go-redis/v9"

	"github.com/numberdesk/numberdesk/internal/carrier"
)

// Reasons of failed order lines.
const (
	ReasonNotAvailable = "not_available"      // the sandbox does not offer the number, or sold it already
	ReasonDuplicate    = "duplicate_in_order" // the number is on the order twice
)

// orderScript sells the numbers of an order in one step, or returns the
// stored answer when the order key was seen before.
//
// KEYS[1] order, KEYS[2] owner hash, KEYS[2+i] the sold set of number i.
// ARGV[1] request JSON, ARGV[2] owner tag, ARGV[1+2i] number i,
// ARGV[2+2i] its failure reason decided before ("" to sell it).
var orderScript = redis.NewScript(`
local stored = redis.call('GET', KEYS[1])
if stored then return stored end
local lines = {}
local n = (#ARGV - 2) / 2
for i = 1, n do
  local num, reason = ARGV[1 + 2*i], ARGV[2 + 2*i]
  if reason == '' and redis.call('HEXISTS', KEYS[2], num) == 1 then reason = 'not_available' end
  if reason == '' then
    redis.call('HSET', KEYS[2], num, ARGV[2])
    redis.call('SADD', KEYS[2 + i], num)
    lines[i] = {number = num, status = 'acquired'}
  else
    lines[i] = {number = num, status = 'failed', reason = reason}
  end
end
local out = '{"numbers":' .. ARGV[1] .. ',"lines":' .. cjson.encode(lines) .. '}'
redis.call('SET', KEYS[1], out)
return out
`)

// PlaceOrder implements carrier.Carrier. A number is sold when the sandbox
// offers it and has not sold it (or accepted it for porting); otherwise
// its line fails with ReasonNotAvailable.
func (s *Carrier) PlaceOrder(ctx context.Context, key string, numbers []string) ([]carrier.OrderLine, error) {
	op := "place order " + key
	if key == "" {
		return nil, carrier.Errorf(op, carrier.CodeInvalid, "idempotency key is required")
	}
	if len(numbers) == 0 || len(numbers) > 10000 {
		return nil, carrier.Errorf(op, carrier.CodeInvalid, "want 1 to 10000 numbers, got %d", len(numbers))
	}
	req, _ := json.Marshal(numbers)
	keys := []string{keyOrder(key), keyOwner()}
	args := []any{string(req), "order:" + key}
	seen := make(map[string]bool, len(numbers))
	for _, n := range numbers {
		reason := ""
		a, _, _, ok := s.num.locate(n)
		switch {
		case seen[n]:
			reason = ReasonDuplicate
		case !ok:
			reason = ReasonNotAvailable
		}
		seen[n] = true
		sold := keySold("none")
		if ok {
			sold = keySold(a.prefix())
		}
		keys = append(keys, sold)
		args = append(args, n, reason)
	}
	raw, err := orderScript.Run(ctx, s.cfg.Redis, keys, args...).Text()
	if err != nil {
		return nil, storeError(op, err)
	}
	var stored struct {
		Numbers []string            `json:"numbers"`
		Lines   []carrier.OrderLine `json:"lines"`
	}
	if err := json.Unmarshal([]byte(raw), &stored); err != nil {
		return nil, &carrier.Error{Op: op, Code: carrier.CodeUnavailable, Err: err}
	}
	if !slices.Equal(stored.Numbers, numbers) {
		return nil, carrier.Errorf(op, carrier.CodeConflict, "idempotency key was used for other numbers")
	}
	return stored.Lines, nil
}
