// Package worker runs Numberdesk's Asynq tasks: one handler per task type
// (jobs.Type...), registered on a ServeMux, behind logging and panic
// middleware.
//
// Handlers are idempotent: each writes an applied-marker in the same
// atomic Redis step as its effect, so a task re-run after a crash, a retry
// or an expired lease changes nothing twice. Domain errors and undecodable
// payloads are permanent and returned wrapped with asynq.SkipRetry.
package worker
