// Package scheduler enqueues periodic tasks on a robfig/cron table.
//
// Several schedulers may run (one per host, for availability). A Redis
// leader lock lets one of them enqueue at a time, and every task carries a
// TaskID made of its entry's name and its window (the activation time it
// stands for), so a window is enqueued once even when two schedulers both
// believe they lead for a moment. Windows of "@every" schedules are fixed
// multiples of the interval (time.Truncate), so all schedulers agree on them. The last enqueued
// window of each entry is kept in Redis: an entry with CatchUp enqueues the
// windows it missed while no scheduler ran.
package scheduler
