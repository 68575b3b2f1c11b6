// Package jobs is the contract between the processes that enqueue work and
// the workers that run it: Asynq task type names, payloads, constructors,
// queues and task ids.
//
// Type strings never change once shipped. Payloads carry ids, not data:
// the rows of an import chunk live in Redis, the task names the chunk.
// Every task has a TaskID derived from what it does, so enqueueing the
// same work twice is refused by Asynq (asynq.ErrTaskIDConflict) instead of
// running twice; handlers are idempotent on top of that.
package jobs
