package jobs

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
)

// TypeOrderPlace buys an order's numbers from the carrier and brings them
// into the inventory (or activates the account's reserved ones).
const TypeOrderPlace = "order:place"

// TypeRequestForward files a number request with the carrier.
const TypeRequestForward = "request:forward"

// OrderPayload names an order; the order itself is in Redis.
type OrderPayload struct {
	AccountID string `json:"account_id"`
	OrderID   string `json:"order_id"`
}

// RequestPayload names a number request; the request is in Redis.
type RequestPayload struct {
	AccountID string `json:"account_id"`
	RequestID string `json:"request_id"`
}

// OrderMaxRetry is how often an order:place task is retried (the carrier
// down for hours); the last attempt gives up and releases the licences.
const OrderMaxRetry = 20

// NewOrderTask returns the task that places an order: one per order, ever
// (TaskID "order:<id>").
func NewOrderTask(p OrderPayload) (*asynq.Task, error) {
	body, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	return asynq.NewTask(TypeOrderPlace, body,
		asynq.Queue(QueueOrders),
		asynq.TaskID("order:"+p.OrderID),
		asynq.MaxRetry(OrderMaxRetry),
		asynq.Timeout(5*time.Minute),
		asynq.Retention(24*time.Hour),
	), nil
}

// ParseOrder decodes an order:place payload.
func ParseOrder(t *asynq.Task) (OrderPayload, error) {
	var p OrderPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return p, fmt.Errorf("decode %s payload: %w", t.Type(), err)
	}
	if p.AccountID == "" || p.OrderID == "" {
		return p, fmt.Errorf("%s payload %s: account_id and order_id are required", t.Type(), t.Payload())
	}
	return p, nil
}

// NewRequestTask returns the task that forwards a number request: one per
// request (TaskID "request:<id>").
func NewRequestTask(p RequestPayload) (*asynq.Task, error) {
	body, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	return asynq.NewTask(TypeRequestForward, body,
		asynq.Queue(QueueOrders),
		asynq.TaskID("request:"+p.RequestID),
		asynq.MaxRetry(OrderMaxRetry),
		asynq.Timeout(time.Minute),
		asynq.Retention(24*time.Hour),
	), nil
}

// ParseRequest decodes a request:forward payload.
func ParseRequest(t *asynq.Task) (RequestPayload, error) {
	var p RequestPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return p, fmt.Errorf("decode %s payload: %w", t.Type(), err)
	}
	if p.AccountID == "" || p.RequestID == "" {
		return p, fmt.Errorf("%s payload %s: account_id and request_id are required", t.Type(), t.Payload())
	}
	return p, nil
}
