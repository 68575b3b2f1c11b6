package jobs

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
)

// Task types of porting.
const (
	// TypePortSubmit sends a port order to the carrier (idempotent: the
	// port order's id and submission count are the idempotency key).
	TypePortSubmit = "port:submit"
	// TypePortSync fans out one port:poll per open port order of every
	// account; the scheduler enqueues it.
	TypePortSync = "port:sync"
	// TypePortPoll reads one port order's status from the carrier and
	// applies the change in one atomic step.
	TypePortPoll = "port:poll"
)

// PortPayload names a port order (and, for port:submit, which submission).
type PortPayload struct {
	AccountID   string `json:"account_id"`
	PortOrderID string `json:"port_order_id"`
	// Submission counts the order's submissions: 1, then one more per
	// resubmit after an exception.
	Submission int `json:"submission,omitempty"`
}

// SyncPayload names the scheduler window of a port:sync.
type SyncPayload struct {
	Window time.Time `json:"window"`
}

// NewPortSubmitTask returns the task that submits a port order: one per
// submission (TaskID "port:submit:<id>:<n>").
func NewPortSubmitTask(p PortPayload) (*asynq.Task, error) {
	body, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	return asynq.NewTask(TypePortSubmit, body,
		asynq.Queue(QueuePorting),
		asynq.TaskID(fmt.Sprintf("port:submit:%s:%d", p.PortOrderID, p.Submission)),
		asynq.MaxRetry(OrderMaxRetry),
		asynq.Timeout(time.Minute),
		asynq.Retention(24*time.Hour),
	), nil
}

// NewPortPollTask returns the task that polls a port order in a sync
// window: one per order and window (TaskID "port:poll:<id>:<window>").
func NewPortPollTask(p PortPayload, window time.Time) (*asynq.Task, error) {
	body, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	return asynq.NewTask(TypePortPoll, body,
		asynq.Queue(QueuePorting),
		asynq.TaskID(fmt.Sprintf("port:poll:%s:%d", p.PortOrderID, window.Unix())),
		asynq.MaxRetry(3),
		asynq.Timeout(time.Minute),
		asynq.Retention(time.Hour),
	), nil
}

// NewPortSyncTask returns the fan-out task of a sync window.
func NewPortSyncTask(window time.Time) (*asynq.Task, error) {
	body, err := json.Marshal(SyncPayload{Window: window.UTC()})
	if err != nil {
		return nil, err
	}
	return asynq.NewTask(TypePortSync, body,
		asynq.Queue(QueuePeriodic),
		asynq.MaxRetry(3),
		asynq.Timeout(5*time.Minute),
		asynq.Retention(time.Hour),
	), nil
}

// ParsePort decodes a port:submit or port:poll payload.
func ParsePort(t *asynq.Task) (PortPayload, error) {
	var p PortPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return p, fmt.Errorf("decode %s payload: %w", t.Type(), err)
	}
	if p.AccountID == "" || p.PortOrderID == "" {
		return p, fmt.Errorf("%s payload %s: account_id and port_order_id are required", t.Type(), t.Payload())
	}
	return p, nil
}

// ParseSync decodes a port:sync payload.
func ParseSync(t *asynq.Task) (SyncPayload, error) {
	var p SyncPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return p, fmt.Errorf("decode %s payload: %w", t.Type(), err)
	}
	return p, nil
}
