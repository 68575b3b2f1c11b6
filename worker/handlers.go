package worker

import (
	"context"
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
			h.Logger.Log(ctx, level, "task", "type", t.Type(), "task_id", id, "result", result, "seconds", time.Since(start).Seconds(), "error", err)
		}()
		return next.ProcessTask(ctx, t)
	})
}

// permanent marks an error as not worth retrying.
func permanent(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
}
