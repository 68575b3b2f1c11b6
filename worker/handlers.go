package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/hibiken/asynq"
	"github.com/numberdesk/numberdesk/internal/carrier"
	"github.com/numberdesk/numberdesk/internal/fees"
	"github.com/numberdesk/numberdesk/internal/store"
	"github.com/numberdesk/numberdesk/jobs"
)

// Handlers holds what the task handlers need.
type Handlers struct {
	Store *store.Store
	// Carrier buys numbers and forwards number requests (orders and
	// requests are retried while it is nil).
	Carrier carrier.Carrier
	// Queue takes the tasks handlers enqueue (port:sync's polls).
	Queue   Enqueuer
	Logger  *slog.Logger
	Metrics *Metrics
	// Fees prices the fees:monthly run (nil: fees.DefaultSchedule()).
	Fees fees.Schedule
}

// Mux returns the ServeMux with every task type registered, behind the
// logging, metrics and panic middleware.
func (h *Handlers) Mux() *asynq.ServeMux {
	mux := asynq.NewServeMux()
	mux.Use(h.middleware)
	mux.HandleFunc(jobs.TypeImportChunk, h.ImportChunk)
	mux.HandleFunc(jobs.TypeOrderPlace, h.PlaceOrder)
	mux.HandleFunc(jobs.TypeRequestForward, h.ForwardRequest)
	mux.HandleFunc(jobs.TypeFeesMonthly, h.FeesMonthly)
	mux.HandleFunc(jobs.TypePortSubmit, h.PortSubmit)
	mux.HandleFunc(jobs.TypePortPoll, h.PortPoll)
	mux.HandleFunc(jobs.TypePortSync, h.PortSync)
	return mux
}

// Enqueuer puts tasks on the queue (an *asynq.Client).
type Enqueuer interface {
	EnqueueContext(ctx context.Context, task *asynq.Task, opts ...asynq.Option) (*asynq.TaskInfo, error)
}

// middleware logs each task, observes its duration and result, and turns a
// panic into an error (retried) instead of a dead worker.
func (h *Handlers) middleware(next asynq.Handler) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) (err error) {
		start := time.Now()
		id, _ := asynq.GetTaskID(ctx)
		defer func() {
			if r := recover(); r != nil {
				h.Logger.Error("task panicked", "type", t.Type(), "task_id", id, "panic", r, "stack", string(debug.Stack()))
				err = fmt.Errorf("panic: %v", r)
			}
			result := "ok"
			switch {
			case err == nil:
			case errors.Is(err, asynq.SkipRetry):
				result = "failed"
			default:
				result = "retry"
			}
			h.Metrics.JobDuration.WithLabelValues(t.Type()).Observe(time.Since(start).Seconds())
			h.Metrics.Jobs.WithLabelValues(t.Type(), result).Inc()
			level := slog.LevelDebug
			if err != nil {
				level = slog.LevelWarn
			}
			attrs := append([]any{"type", t.Type(), "task_id", id, "result", result, "seconds", time.Since(start).Seconds()}, payloadIDs(t)...)
			if err != nil {
				attrs = append(attrs, "error", err.Error())
			}
			h.Logger.Log(ctx, level, "task", attrs...)
		}()
		return next.ProcessTask(ctx, t)
	})
}

// payloadIDs returns the ids a task's payload names (account, import,
// order, port order, request) as log attributes.
func payloadIDs(t *asynq.Task) []any {
	var p struct {
		AccountID   string `json:"account_id"`
		ImportID    string `json:"import_id"`
		OrderID     string `json:"order_id"`
		PortOrderID string `json:"port_order_id"`
		RequestID   string `json:"request_id"`
	}
	if json.Unmarshal(t.Payload(), &p) != nil {
		return nil
	}
	var out []any
	for _, kv := range [][2]string{{"account_id", p.AccountID}, {"import_id", p.ImportID}, {"order_id", p.OrderID}, {"port_order_id", p.PortOrderID}, {"request_id", p.RequestID}} {
		if kv[1] != "" {
			out = append(out, kv[0], kv[1])
		}
	}
	return out
}

// permanent marks an error as not worth retrying.
func permanent(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
}
