package scheduler

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"github.com/robfig/cron/v3"
)

// Entry is one line of the cron table.
type Entry struct {
	// Name identifies the entry in TaskIDs, Redis and metrics ("fees:monthly").
	Name string
	// Spec is a cron spec in UTC: five fields ("5 0 1 * *"), or a
	// descriptor ("@hourly", "@every 5m").
	Spec string
	// Task builds the task of the window that starts at window.
	Task func(window time.Time) (*asynq.Task, error)
	// CatchUp enqueues every window missed while no scheduler ran (at most
	// MaxCatchUp); without it only the latest missed window runs.
	CatchUp bool
}

// MaxCatchUp bounds how many missed windows of one entry are enqueued.
const MaxCatchUp = 1000

// Enqueuer puts tasks on the queue (an *asynq.Client).
type Enqueuer interface {
	EnqueueContext(ctx context.Context, task *asynq.Task, opts ...asynq.Option) (*asynq.TaskInfo, error)
}

// Config configures a Scheduler.
type Config struct {
	// Redis holds the leader lock and the last windows.
	Redis   redis.UniversalClient
	Queue   Enqueuer
	Entries []Entry
	Logger  *slog.Logger
	// LockTTL is how long the leader lock lives without renewal (default
	// 15 s); the leader renews it every LockTTL/3.
	LockTTL time.Duration
	// Runs, when set, counts enqueue attempts by entry and result.
	Runs RunCounter
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// RunCounter counts scheduler runs (a Prometheus CounterVec fits).
type RunCounter interface {
	Inc(entry, result string)
}

const (
	leaderKey = "nd:scheduler:leader"
	lastKey   = "nd:scheduler:last"
)

// Scheduler is the cron table and its leader election.
type Scheduler struct {
	cfg       Config
	id        string
	schedules []cron.Schedule
	cron      *cron.Cron

	mu     sync.Mutex
	leader bool
}

var parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Parse parses a cron spec as the scheduler does; "@every" schedules come
// back aligned to fixed multiples of their interval.
func Parse(spec string) (cron.Schedule, error) {
	s, err := parser.Parse(spec)
	if err != nil {
		return nil, err
	}
	if every, ok := s.(cron.ConstantDelaySchedule); ok {
		return aligned{every.Delay}, nil
	}
	return s, nil
}

// aligned fires at the multiples of d (counted from Go's zero time, as
// time.Truncate does), whoever computes it.
type aligned struct{ d time.Duration }

func (a aligned) Next(t time.Time) time.Time {
	return t.Truncate(a.d).Add(a.d)
}

// New validates the table and returns a Scheduler.
func New(cfg Config) (*Scheduler, error) {
	if cfg.Redis == nil || cfg.Queue == nil {
		return nil, errors.New("scheduler: Redis and Queue are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.LockTTL <= 0 {
		cfg.LockTTL = 15 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	s := &Scheduler{cfg: cfg, id: hex.EncodeToString(b[:])}
	seen := map[string]bool{}
	for _, e := range cfg.Entries {
		if e.Name == "" || e.Task == nil || seen[e.Name] {
			return nil, fmt.Errorf("scheduler: entry %q needs a unique name and a task", e.Name)
		}
		seen[e.Name] = true
		sched, err := Parse(e.Spec)
		if err != nil {
			return nil, fmt.Errorf("scheduler: %s schedule %q: %w", e.Name, e.Spec, err)
		}
		s.schedules = append(s.schedules, sched)
	}
	return s, nil
}

// Run runs the cron table until ctx is done.
func (s *Scheduler) Run(ctx context.Context) error {
	s.cron = cron.New(cron.WithLocation(time.UTC), cron.WithParser(parser))
	for i := range s.cfg.Entries {
		i := i
		s.cron.Schedule(s.schedules[i], cron.FuncJob(func() { s.tick(ctx, i) }))
	}
	s.campaign(ctx)
	s.cron.Start()
	renew := time.NewTicker(s.cfg.LockTTL / 3)
	defer renew.Stop()
	for {
		select {
		case <-ctx.Done():
			<-s.cron.Stop().Done()
			s.resign()
			return nil
		case <-renew.C:
			s.campaign(ctx)
		}
	}
}

// Leader reports whether this scheduler holds the lock.
func (s *Scheduler) Leader() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.leader
}

var scriptRenew = redis.NewScript(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
return 0`)

var scriptResign = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`)

// campaign takes or renews the leader lock; a new leader catches up on
// every entry at once.
func (s *Scheduler) campaign(ctx context.Context) {
	n, err := scriptRenew.Run(ctx, s.cfg.Redis, []string{leaderKey}, s.id, s.cfg.LockTTL.Milliseconds()).Int()
	if err != nil {
		s.cfg.Logger.Warn("scheduler: leader lock", "err", err.Error())
		n = 0
	}
	s.mu.Lock()
	was := s.leader
	s.leader = n == 1
	s.mu.Unlock()
	if s.leader && !was {
		s.cfg.Logger.Info("scheduler: leading", "id", s.id)
		for i := range s.cfg.Entries {
			s.tick(ctx, i)
		}
	}
}

func (s *Scheduler) resign() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = scriptResign.Run(ctx, s.cfg.Redis, []string{leaderKey}, s.id).Err()
}

var scriptAdvance = redis.NewScript(`
local cur = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if tonumber(ARGV[2]) > cur then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return 1`)

// tick enqueues the due windows of entry i when this scheduler leads.
func (s *Scheduler) tick(ctx context.Context, i int) {
	if !s.Leader() {
		return
	}
	if err := s.enqueueDue(ctx, i); err != nil && ctx.Err() == nil {
		s.cfg.Logger.Error("scheduler: enqueue", "entry", s.cfg.Entries[i].Name, "err", err.Error())
	}
}

// EnqueueDue enqueues every due window of every entry now, leader or not
// (TaskIDs keep windows unique). Tests and one-off runs use it.
func (s *Scheduler) EnqueueDue(ctx context.Context) error {
	var errs []error
	for i := range s.cfg.Entries {
		errs = append(errs, s.enqueueDue(ctx, i))
	}
	return errors.Join(errs...)
}

func (s *Scheduler) enqueueDue(ctx context.Context, i int) error {
	e, sched := s.cfg.Entries[i], s.schedules[i]
	now := s.cfg.Now().UTC()
	v, err := s.cfg.Redis.HGet(ctx, lastKey, e.Name).Result()
	if err != nil && err != redis.Nil {
		return err
	}
	var due []time.Time
	if ms, perr := strconv.ParseInt(v, 10, 64); perr == nil {
		for w := sched.Next(time.UnixMilli(ms).UTC()); !w.After(now) && len(due) < MaxCatchUp; w = sched.Next(w) {
			due = append(due, w)
		}
	} else {
		// Never run: the window that has just begun, if one has.
		if w := sched.Next(now.Add(-time.Second)); !w.After(now) {
			due = append(due, w)
		}
	}
	if !e.CatchUp && len(due) > 1 {
		due = due[len(due)-1:]
	}
	if len(due) == 0 && err == redis.Nil {
		// Remember "now" so that the first window after it is due.
		return scriptAdvance.Run(ctx, s.cfg.Redis, []string{lastKey}, e.Name, now.UnixMilli()).Err()
	}
	for _, w := range due {
		task, err := e.Task(w)
		if err != nil {
			s.count(e.Name, "error")
			return fmt.Errorf("build %s task for %s: %w", e.Name, w.Format(time.RFC3339), err)
		}
		_, err = s.cfg.Queue.EnqueueContext(ctx, task, asynq.TaskID(TaskID(e.Name, w)))
		switch {
		case errors.Is(err, asynq.ErrTaskIDConflict):
			s.count(e.Name, "duplicate")
		case err != nil:
			s.count(e.Name, "error")
			return fmt.Errorf("enqueue %s for %s: %w", e.Name, w.Format(time.RFC3339), err)
		default:
			s.count(e.Name, "enqueued")
			s.cfg.Logger.Info("scheduler: enqueued", "entry", e.Name, "window", w.Format(time.RFC3339))
		}
		if err := scriptAdvance.Run(ctx, s.cfg.Redis, []string{lastKey}, e.Name, w.UnixMilli()).Err(); err != nil {
			return err
		}
	}
	return nil
}

// TaskID is the task id of an entry's window.
func TaskID(entry string, window time.Time) string {
	return entry + ":" + window.UTC().Format(time.RFC3339)
}

func (s *Scheduler) count(entry, result string) {
	if s.cfg.Runs != nil {
		s.cfg.Runs.Inc(entry, result)
	}
}
