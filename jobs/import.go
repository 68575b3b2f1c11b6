package jobs

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
)

// TypeImportChunk applies one chunk (at most 1,000 rows) of a bulk import.
const TypeImportChunk = "import:chunk"

// ImportChunkPayload names the chunk; its rows are in Redis.
type ImportChunkPayload struct {
	AccountID string `json:"account_id"`
	ImportID  string `json:"import_id"`
	Chunk     int    `json:"chunk"`
}

// ImportChunkTaskID is the task id of a chunk: one task per chunk, ever.
func ImportChunkTaskID(importID string, chunk int) string {
	return fmt.Sprintf("%s:%d", importID, chunk)
}

// NewImportChunkTask returns the task that applies a chunk.
func NewImportChunkTask(p ImportChunkPayload) (*asynq.Task, error) {
	body, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	return asynq.NewTask(TypeImportChunk, body,
		asynq.Queue(QueueImports),
		asynq.TaskID(ImportChunkTaskID(p.ImportID, p.Chunk)),
		asynq.MaxRetry(10),
		asynq.Timeout(2*time.Minute),
		asynq.Retention(24*time.Hour),
	), nil
}

// ParseImportChunk decodes a chunk task's payload.
func ParseImportChunk(t *asynq.Task) (ImportChunkPayload, error) {
	var p ImportChunkPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return p, fmt.Errorf("decode %s payload: %w", TypeImportChunk, err)
	}
	if p.AccountID == "" || p.ImportID == "" || p.Chunk < 0 {
		return p, fmt.Errorf("%s payload %s: account_id, import_id and chunk are required", TypeImportChunk, t.Payload())
	}
	return p, nil
}
