package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/hibiken/asynq"
	"github.com/numberdesk/numberdesk/csv"
	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/phone"
	"github.com/numberdesk/numberdesk/internal/store"
	"github.com/numberdesk/numberdesk/jobs"
)

// Enqueuer puts tasks on the queue (an *asynq.Client).
type Enqueuer interface {
	EnqueueContext(ctx context.Context, task *asynq.Task, opts ...asynq.Option) (*asynq.TaskInfo, error)
}

// Intake turns uploads into stored chunks and chunk tasks.
type Intake struct {
	Store *store.Store
	Queue Enqueuer
}

// Spec describes one upload.
type Spec struct {
	Account  inventory.Account
	Kind     string // "assignments" or "extensions"
	DryRun   bool
	Filename string
	Actor    string
}

// Kinds are the import kinds.
var Kinds = []string{"assignments", "extensions"}

// Start reads the upload's header, creates the import and returns it with
// a function that reads the rest of the upload into chunks. A bad header,
// an empty file or an unknown kind is an *inventory.Error before anything
// is created. The caller runs the function (in the request, while the
// client is still sending) and reports its error.
func (in *Intake) Start(ctx context.Context, spec Spec, body io.Reader) (store.Import, func() (store.Import, error), error) {
	var rows func(emit func(ChunkRow) error) error
	var header []string
	switch spec.Kind {
	case "assignments":
		country := spec.Account.Country
		dec, err := csv.NewAssignmentDecoder(body, csv.Options{Normalize: func(s string) (string, error) { return phone.Normalize(s, country) }})
		if err != nil {
			return store.Import{}, nil, err
		}
		header = dec.Header()
		rows = func(emit func(ChunkRow) error) error { return assignmentRows(dec, emit) }
	case "extensions":
		dec, err := csv.NewExtensionDecoder(body, csv.Options{})
		if err != nil {
			return store.Import{}, nil, err
		}
		header = dec.Header()
		rows = func(emit func(ChunkRow) error) error { return extensionRows(dec, emit) }
	default:
		return store.Import{}, nil, inventory.Errorf(inventory.CodeInvalidField, "kind %q is not one of %s", spec.Kind, strings.Join(Kinds, ", "))
	}
	imp, err := in.Store.CreateImport(ctx, spec.Account.ID, spec.Kind, spec.DryRun, spec.Filename, spec.Actor)
	if err != nil {
		return store.Import{}, nil, err
	}
	if err := in.Store.SetImportHeader(ctx, spec.Account.ID, imp.ID, header); err != nil {
		return store.Import{}, nil, err
	}
	run := func() (store.Import, error) {
		n, chunks, err := in.chunk(ctx, spec.Account.ID, imp.ID, rows)
		if err != nil {
			reason := "the upload could not be read: " + err.Error()
			bg := context.WithoutCancel(ctx)
			_ = in.Store.FailImport(bg, spec.Account.ID, imp.ID, reason)
			// Record the chunks stored so far: the error report covers
			// those that ran before the failure stopped the rest.
			_ = in.Store.FinishIntake(bg, spec.Account.ID, imp.ID, n, chunks)
			return store.Import{}, err
		}
		if err := in.Store.FinishIntake(ctx, spec.Account.ID, imp.ID, n, chunks); err != nil {
			return store.Import{}, err
		}
		return in.Store.Import(ctx, spec.Account.ID, imp.ID)
	}
	return imp, run, nil
}

// chunk stores rows in chunks of store.MaxBatch and enqueues each.
func (in *Intake) chunk(ctx context.Context, accountID, importID string, rows func(func(ChunkRow) error) error) (int64, int64, error) {
	var (
		b      strings.Builder
		inBuf  int
		total  int64
		chunks int64
	)
	flush := func() error {
		if inBuf == 0 {
			return nil
		}
		n := int(chunks)
		if err := in.Store.PutChunk(ctx, accountID, importID, n, b.String()); err != nil {
			return err
		}
		task, err := jobs.NewImportChunkTask(jobs.ImportChunkPayload{AccountID: accountID, ImportID: importID, Chunk: n})
		if err != nil {
			return err
		}
		if _, err := in.Queue.EnqueueContext(ctx, task); err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
			return fmt.Errorf("enqueue chunk %d: %w", n, err)
		}
		chunks++
		b.Reset()
		inBuf = 0
		return nil
	}
	err := rows(func(r ChunkRow) error {
		encodeRow(&b, r)
		inBuf++
		total++
		if inBuf == store.MaxBatch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	return total - int64(inBuf), chunks, err // the rows of the chunks stored
}

func rowError(err error) (string, string) {
	if err == nil {
		return "", ""
	}
	return string(inventory.ErrorCode(err)), inventory.ErrorMessage(err)
}

func assignmentRows(dec *csv.AssignmentDecoder, emit func(ChunkRow) error) error {
	seen := csv.NewSeen(0)
	for {
		row, err := dec.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		code, msg := rowError(row.Err)
		if code == "" {
			if first, dup := seen.Add(row.PhoneNumber, row.Line); dup {
				code, msg = string(inventory.CodeDuplicateRow), "the number is also on line "+strconv.Itoa(first)
			}
		}
		if err := emit(ChunkRow{Line: row.Line, Code: code, Message: msg,
			Fields: []string{row.PhoneNumber, string(row.Action), row.ExtensionNumber, row.Email}, Cells: row.Cells}); err != nil {
			return err
		}
	}
}

func extensionRows(dec *csv.ExtensionDecoder, emit func(ChunkRow) error) error {
	for {
		row, err := dec.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		code, msg := rowError(row.Err)
		if err := emit(ChunkRow{Line: row.Line, Code: code, Message: msg,
			Fields: []string{row.ExtensionNumber, row.Type, row.Name, row.Email, row.Site}, Cells: row.Cells}); err != nil {
			return err
		}
	}
}
