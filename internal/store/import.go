package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/redis/go-redis/v9"
)

// Import keys (all under the account's hash tag):
//
//	nd:{acct:A}:imps               zset    import ids by creation time (ms)
//	nd:{acct:A}:imp:<id>           hash    the import record and its counters
//	nd:{acct:A}:imp:<id>:c:<n>     string  chunk n's rows (at most MaxBatch)
//	nd:{acct:A}:imp:<id>:e:<n>     string  chunk n's failed rows, for the error report
//	nd:{acct:A}:imp:<id>:r:<n>     string  marks chunk n as reported (written once)
//
// All of them expire after the store's retention (WithRetention).

// ImportStatus is where an import stands.
type ImportStatus string

// The statuses of an import.
const (
	ImportQueued    ImportStatus = "queued"
	ImportRunning   ImportStatus = "running"
	ImportCompleted ImportStatus = "completed"
	ImportFailed    ImportStatus = "failed"
	ImportCancelled ImportStatus = "cancelled"
)

// Import is a bulk import and its progress.
type Import struct {
	ID            string       `json:"id"`
	Kind          string       `json:"kind"`
	Status        ImportStatus `json:"status"`
	DryRun        bool         `json:"dry_run"`
	Filename      string       `json:"filename,omitempty"`
	Actor         string       `json:"actor,omitempty"`
	RowsTotal     int64        `json:"rows_total"`
	RowsDone      int64        `json:"rows_done"`
	RowsOK        int64        `json:"rows_ok"`
	RowsUnchanged int64        `json:"rows_unchanged"`
	RowsFailed    int64        `json:"rows_failed"`
	Chunks        int64        `json:"chunks"`
	ChunksDone    int64        `json:"chunks_done"`
	// Error is why a failed import failed (not its rows' errors).
	Error      string     `json:"error,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	StartedAt  *time.Time `json:"started_at,omitempty"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	// RowsPerSecond is rows done per second of running time.
	RowsPerSecond float64 `json:"rows_per_second"`
}

func (k keys) imports() string               { return k.prefix + "imps" }
func (k keys) imp(id string) string          { return k.prefix + "imp:" + id }
func (k keys) chunk(id string, n int) string { return k.prefix + "imp:" + id + ":c:" + strconv.Itoa(n) }
func (k keys) chunkErrors(id string, n int) string {
	return k.prefix + "imp:" + id + ":e:" + strconv.Itoa(n)
}
func (k keys) chunkReported(id string, n int) string {
	return k.prefix + "imp:" + id + ":r:" + strconv.Itoa(n)
}

// CreateImport records a new import, queued, with no rows yet.
func (s *Store) CreateImport(ctx context.Context, accountID, kind string, dryRun bool, filename, actor string) (Import, error) {
	if kind != "assignments" && kind != "extensions" {
		return Import{}, inventory.Errorf(inventory.CodeInvalidField, "kind %q is not assignments or extensions", kind)
	}
	k := accountKeys(accountID)
	id := newID("imp_")
	now := s.now()
	dry := "0"
	if dryRun {
		dry = "1"
	}
	ttl := s.retention
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, k.imp(id), "kind", kind, "status", string(ImportQueued), "dry_run", dry,
			"filename", filename, "actor", actor, "created_at", now.UnixMilli(),
			"rows_total", 0, "rows_done", 0, "rows_ok", 0, "rows_unchanged", 0, "rows_failed", 0,
			"chunks", 0, "chunks_done", 0, "intake_done", 0)
		p.Expire(ctx, k.imp(id), ttl)
		p.ZAdd(ctx, k.imports(), redis.Z{Score: float64(now.UnixMilli()), Member: id})
		p.ZRemRangeByScore(ctx, k.imports(), "-inf", "("+strconv.FormatInt(now.Add(-ttl).UnixMilli(), 10))
		return nil
	})
	if err != nil {
		return Import{}, fmt.Errorf("create import: %w", err)
	}
	return s.Import(ctx, accountID, id)
}

// PutChunk stores chunk n of an import (its encoded rows).
// It also records when the intake last made progress (see StalledIntake).
func (s *Store) PutChunk(ctx context.Context, accountID, importID string, n int, rows string) error {
	k := accountKeys(accountID)
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, k.chunk(importID, n), rows, s.retention)
		p.HSet(ctx, k.imp(importID), "intake_at", s.now().UnixMilli())
		return nil
	})
	return err
}

// StalledIntake is how long an upload may go without storing a chunk
// before its import is failed: the API process that read it went away
// (a client that disconnects fails its import at once).
const StalledIntake = 10 * time.Minute

// failStalled fails an import whose intake stopped making progress, and
// returns it as it now stands.
func (s *Store) failStalled(ctx context.Context, accountID string, im Import, m map[string]string) Import {
	if m["intake_done"] == "1" || (im.Status != ImportQueued && im.Status != ImportRunning) {
		return im
	}
	last := msTime(m["created_at"])
	if at := m["intake_at"]; at != "" {
		last = msTime(at)
	}
	if s.now().Sub(last) < StalledIntake {
		return im
	}
	reason := "the upload stopped before the end of the file (the API process reading it went away); rows of the chunks stored before are applied"
	if err := s.FailImport(ctx, accountID, im.ID, reason); err != nil {
		return im
	}
	if fresh, err := s.Import(ctx, accountID, im.ID); err == nil {
		return fresh
	}
	return im
}

// Chunk returns chunk n of an import.
func (s *Store) Chunk(ctx context.Context, accountID, importID string, n int) (string, error) {
	v, err := s.rdb.Get(ctx, accountKeys(accountID).chunk(importID, n)).Result()
	if err == redis.Nil {
		return "", inventory.Errorf(inventory.CodeNotFound, "chunk %d of import %s is gone (expired?)", n, importID)
	}
	return v, err
}

// FinishIntake records that the upload is complete: rows and chunks in
// all. An import whose chunks were all reported meanwhile completes now.
func (s *Store) FinishIntake(ctx context.Context, accountID, importID string, rows, chunks int64) error {
	k := accountKeys(accountID)
	err := scriptImportState.Run(ctx, s.rdb, []string{k.imp(importID)}, "intake", s.nowMS(), rows, chunks).Err()
	return scriptError("finish intake", err)
}

// FailImport marks an import failed with a reason (an upload that broke
// off, a file that could not be read).
func (s *Store) FailImport(ctx context.Context, accountID, importID, reason string) error {
	k := accountKeys(accountID)
	err := scriptImportState.Run(ctx, s.rdb, []string{k.imp(importID)}, "fail", s.nowMS(), reason, 0).Err()
	return scriptError("fail import", err)
}

// CancelImport stops an import at the next chunk boundary: chunks not yet
// started are skipped. A finished import cannot be cancelled (conflict).
func (s *Store) CancelImport(ctx context.Context, accountID, importID string) (Import, error) {
	k := accountKeys(accountID)
	if err := scriptImportState.Run(ctx, s.rdb, []string{k.imp(importID)}, "cancel", s.nowMS(), 0, 0).Err(); err != nil {
		return Import{}, scriptError("cancel import", err)
	}
	return s.Import(ctx, accountID, importID)
}

// ChunkWork is what a worker needs to apply a chunk.
type ChunkWork struct {
	// Run is false when the chunk must not run: the import was cancelled
	// or failed, or the chunk was already reported.
	Run    bool
	Kind   string
	DryRun bool
	Actor  string
	// Rows are the chunk's encoded rows.
	Rows string
}

// StartChunk marks a queued import running and returns chunk n with what
// applying it needs, in one round trip; Run is false when the chunk must
// not run. A chunk whose rows are gone (expired) is not_found.
func (s *Store) StartChunk(ctx context.Context, accountID, importID string, n int) (ChunkWork, error) {
	k := accountKeys(accountID)
	v, err := scriptImportState.Run(ctx, s.rdb, []string{k.imp(importID), k.chunkReported(importID, n), k.chunkErrors(importID, n), k.chunk(importID, n)}, "start", s.nowMS(), 0, 0).Slice()
	if err != nil {
		return ChunkWork{}, scriptError("start chunk", err)
	}
	if len(v) != 5 {
		return ChunkWork{}, fmt.Errorf("start chunk: unexpected reply %v", v)
	}
	str := func(x any) string { s, _ := x.(string); return s }
	w := ChunkWork{Run: str(v[0]) == "1", Kind: str(v[1]), DryRun: str(v[2]) == "1", Actor: str(v[3]), Rows: str(v[4])}
	return w, nil
}

// ReportChunk stores chunk n's failed rows and counts the chunk as done,
// once; the import completes when every chunk of a finished intake is
// done. skipped chunks (cancelled imports) store no errors.
func (s *Store) ReportChunk(ctx context.Context, accountID, importID string, n int, failed string) error {
	k := accountKeys(accountID)
	err := scriptImportState.Run(ctx, s.rdb, []string{k.imp(importID), k.chunkReported(importID, n), k.chunkErrors(importID, n), k.chunk(importID, n)},
		"report", s.nowMS(), failed, int64(s.retention.Seconds())).Err()
	return scriptError("report chunk", err)
}

// ChunkErrors returns chunk n's failed rows as ReportChunk stored them.
func (s *Store) ChunkErrors(ctx context.Context, accountID, importID string, n int) (string, error) {
	v, err := s.rdb.Get(ctx, accountKeys(accountID).chunkErrors(importID, n)).Result()
	if err == redis.Nil {
		return "", nil
	}
	return v, err
}

var scriptImportState = redis.NewScript(`
-- KEYS: 1 import hash, [2 chunk reported marker, 3 chunk errors, 4 chunk rows]
-- (a script names every key it touches: start passes all four)
-- ARGV: 1 op, 2 now_ms, 3.. op arguments
local op, now = ARGV[1], ARGV[2]
local st = redis.call('HGET', KEYS[1], 'status')
if not st then return redis.error_reply('not_found import not found') end
local ttl = redis.call('PTTL', KEYS[1])
local function finished() return st == 'completed' or st == 'failed' or st == 'cancelled' end
local function maybe_complete()
  local f = redis.call('HMGET', KEYS[1], 'intake_done', 'chunks', 'chunks_done', 'status')
  if f[1] == '1' and tonumber(f[3]) >= tonumber(f[2]) and (f[4] == 'running' or f[4] == 'queued') then
    redis.call('HSET', KEYS[1], 'status', 'completed', 'finished_at', now)
    if redis.call('HEXISTS', KEYS[1], 'started_at') == 0 then redis.call('HSET', KEYS[1], 'started_at', now) end
  end
end
if op == 'intake' then
  redis.call('HSET', KEYS[1], 'intake_done', '1', 'rows_total', ARGV[3], 'chunks', ARGV[4])
  maybe_complete()
  return 1
elseif op == 'fail' then
  if finished() then return 0 end
  redis.call('HSET', KEYS[1], 'status', 'failed', 'error', ARGV[3], 'finished_at', now)
  return 1
elseif op == 'cancel' then
  if st == 'cancelled' then return 1 end
  if finished() then return redis.error_reply('conflict the import is ' .. st) end
  redis.call('HSET', KEYS[1], 'status', 'cancelled', 'finished_at', now)
  return 1
elseif op == 'start' then
  local f = redis.call('HMGET', KEYS[1], 'kind', 'dry_run', 'actor')
  if finished() or redis.call('EXISTS', KEYS[2]) == 1 then return { '0', f[1], f[2], f[3], '' } end
  local rows = redis.call('GET', KEYS[4])
  if not rows then return redis.error_reply('not_found the rows of this chunk are gone (expired)') end
  if st == 'queued' then redis.call('HSET', KEYS[1], 'status', 'running', 'started_at', now) end
  return { '1', f[1], f[2], f[3], rows }
elseif op == 'report' then
  if redis.call('SET', KEYS[2], '1', 'NX', 'PX', ttl) then
    if ARGV[3] ~= '' then redis.call('SET', KEYS[3], ARGV[3], 'PX', ttl) end
    redis.call('HINCRBY', KEYS[1], 'chunks_done', 1)
    redis.call('DEL', KEYS[4])
    maybe_complete()
  end
  return 1
end
return redis.error_reply('invalid_field unknown op ' .. op)`)

// Import returns an import with its progress.
func (s *Store) Import(ctx context.Context, accountID, importID string) (Import, error) {
	m, err := s.rdb.HGetAll(ctx, accountKeys(accountID).imp(importID)).Result()
	if err != nil {
		return Import{}, fmt.Errorf("read import %s: %w", importID, err)
	}
	if m["status"] == "" {
		return Import{}, inventory.Errorf(inventory.CodeNotFound, "import %s not found", importID)
	}
	return s.failStalled(ctx, accountID, parseImport(importID, m, s.now()), m), nil
}

func parseImport(id string, m map[string]string, now time.Time) Import {
	n := func(f string) int64 { v, _ := strconv.ParseInt(m[f], 10, 64); return v }
	t := func(f string) *time.Time {
		if m[f] == "" {
			return nil
		}
		v := msTime(m[f])
		return &v
	}
	im := Import{
		ID: id, Kind: m["kind"], Status: ImportStatus(m["status"]), DryRun: m["dry_run"] == "1",
		Filename: m["filename"], Actor: m["actor"], Error: m["error"],
		RowsTotal: n("rows_total"), RowsDone: n("rows_done"), RowsOK: n("rows_ok"),
		RowsUnchanged: n("rows_unchanged"), RowsFailed: n("rows_failed"),
		Chunks: n("chunks"), ChunksDone: n("chunks_done"),
		CreatedAt: msTime(m["created_at"]), StartedAt: t("started_at"), FinishedAt: t("finished_at"),
	}
	if m["intake_done"] != "1" && im.RowsTotal < im.RowsDone {
		im.RowsTotal = im.RowsDone // still uploading: the total so far
	}
	if im.StartedAt != nil {
		end := now
		if im.FinishedAt != nil {
			end = *im.FinishedAt
		}
		if secs := end.Sub(*im.StartedAt).Seconds(); secs > 0 {
			im.RowsPerSecond = float64(im.RowsDone) / secs
		}
	}
	return im
}

// Imports lists the account's imports of the retention period, newest
// first.
func (s *Store) Imports(ctx context.Context, accountID string, limit int) ([]Import, error) {
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	k := accountKeys(accountID)
	ids, err := s.rdb.ZRevRange(ctx, k.imports(), 0, int64(limit)-1).Result()
	if err != nil {
		return nil, fmt.Errorf("list imports: %w", err)
	}
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.MapStringStringCmd, len(ids))
	for i, id := range ids {
		cmds[i] = pipe.HGetAll(ctx, k.imp(id))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("list imports: %w", err)
	}
	out := []Import{}
	now := s.now()
	for i, c := range cmds {
		if m := c.Val(); m["status"] != "" {
			out = append(out, s.failStalled(ctx, accountID, parseImport(ids[i], m, now), m))
		}
	}
	return out, nil
}

// importChunkMarker names the applied-marker of an import's chunk.
func importChunkMarker(importID string, n int) string {
	return importID + ":" + strconv.Itoa(n)
}

// ApplyImportChunk applies an import chunk's rows (assignments) with the
// chunk's applied-marker and progress counters in the same atomic step.
func (s *Store) ApplyImportChunk(ctx context.Context, accountID, importID string, n int, rows []Row, preFailed int, dryRun bool, actor Actor) (BatchResult, error) {
	return s.Apply(ctx, accountID, rows, actor, BatchOptions{MarkerID: importChunkMarker(importID, n), ImportID: importID, PreFailed: preFailed, DryRun: dryRun})
}

// CreateImportExtensions creates an import chunk's extensions with the
// chunk's applied-marker and progress counters in the same atomic step.
func (s *Store) CreateImportExtensions(ctx context.Context, accountID, importID string, n int, exts []inventory.Extension, preFailed int, dryRun bool) ([]ExtensionResult, bool, error) {
	return s.CreateExtensions(ctx, accountID, exts, BatchOptions{MarkerID: importChunkMarker(importID, n), ImportID: importID, PreFailed: preFailed, DryRun: dryRun})
}

// SetImportHeader stores the upload's header row, for the error report.
func (s *Store) SetImportHeader(ctx context.Context, accountID, importID string, header []string) error {
	return s.rdb.HSet(ctx, accountKeys(accountID).imp(importID), "header", strings.Join(header, sep)).Err()
}

// ImportHeader returns the upload's header row.
func (s *Store) ImportHeader(ctx context.Context, accountID, importID string) ([]string, error) {
	v, err := s.rdb.HGet(ctx, accountKeys(accountID).imp(importID), "header").Result()
	if err == redis.Nil || v == "" {
		return nil, nil
	}
	return strings.Split(v, sep), err
}
