package worker

import (
	"context"
	"fmt"
	"strings"

	"github.com/hibiken/asynq"
	"github.com/numberdesk/numberdesk/internal/importer"
	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/store"
	"github.com/numberdesk/numberdesk/jobs"
)

// importAssignments and importExtensions return the chunk's rows with the
// code of each failed row ("unchanged" for unchanged rows).

// ImportChunk applies one chunk of an import: the rows valid at intake go
// to the store's batch step (which writes the chunk's applied-marker, the
// outcomes and the import's counters in one atomic step), then the chunk's
// failed rows are stored for the error report and the chunk is counted
// done. A cancelled import's remaining chunks are skipped.
func (h *Handlers) ImportChunk(ctx context.Context, t *asynq.Task) error {
	p, err := jobs.ParseImportChunk(t)
	if err != nil {
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	work, err := h.Store.StartChunk(ctx, p.AccountID, p.ImportID, p.Chunk)
	if code := inventory.ErrorCode(err); code == inventory.CodeNotFound {
		return h.failImport(ctx, p, err) // the import or its rows expired
	}
	if err != nil {
		return err
	}
	if !work.Run {
		return nil // cancelled, failed, or done by an earlier run
	}
	imp := store.Import{ID: p.ImportID, Kind: work.Kind, DryRun: work.DryRun, Actor: work.Actor}
	raw := work.Rows
	actor := store.Actor{Name: imp.Actor, Source: "import:" + imp.ID}
	var rows []importer.ChunkRow
	switch imp.Kind {
	case "assignments":
		rows, err = h.importAssignments(ctx, p, imp, raw, actor)
	case "extensions":
		rows, err = h.importExtensions(ctx, p, imp, raw)
	default:
		err = inventory.Errorf(inventory.CodeInvalidField, "import %s has unknown kind %q", imp.ID, imp.Kind)
	}
	if err != nil {
		return h.failImport(ctx, p, err)
	}
	var failed []importer.ChunkRow
	tally := map[string]int{}
	for _, r := range rows {
		switch r.Code {
		case "":
			tally["ok"]++
		case string(inventory.OutcomeUnchanged):
			tally["unchanged"]++
		default:
			tally["failed"]++
			failed = append(failed, r)
		}
	}
	if err := h.Store.ReportChunk(ctx, p.AccountID, p.ImportID, p.Chunk, importer.EncodeFailed(failed)); err != nil {
		return h.failImport(ctx, p, err)
	}
	for result, n := range tally {
		h.Metrics.ImportRows.WithLabelValues(imp.Kind, result).Add(float64(n))
	}
	return nil
}

// failImport decides what an error means for the import: a domain error
// (or the last retry of any error) fails the import for good; other
// errors are retried.
func (h *Handlers) failImport(ctx context.Context, p jobs.ImportChunkPayload, err error) error {
	retry, _ := asynq.GetRetryCount(ctx)
	max, _ := asynq.GetMaxRetry(ctx)
	if inventory.ErrorCode(err) == inventory.CodeInternal && retry < max {
		return fmt.Errorf("import %s chunk %d: %w", p.ImportID, p.Chunk, err)
	}
	reason := fmt.Sprintf("chunk %d failed: %v", p.Chunk, err)
	ferr := h.Store.FailImport(context.WithoutCancel(ctx), p.AccountID, p.ImportID, reason)
	if ferr != nil && inventory.ErrorCode(ferr) != inventory.CodeNotFound { // not found: the import expired
		return ferr
	}
	return permanent(err)
}

func (h *Handlers) importAssignments(ctx context.Context, p jobs.ImportChunkPayload, imp store.Import, raw string, actor store.Actor) ([]importer.ChunkRow, error) {
	rows := importer.DecodeChunk(raw, importer.AssignmentFields)
	var (
		batch []store.Row
		sent  []int
	)
	for i, r := range rows {
		if r.Code != "" {
			continue
		}
		sr := store.Row{Number: r.Fields[0], Action: inventory.Action(r.Fields[1])}
		if sr.Action.NeedsExtension() {
			sr.Extension = store.ExtensionRef{Number: r.Fields[2], Email: r.Fields[3]}
			if sr.Extension.Number != "" {
				sr.Extension.Email = ""
			}
		}
		batch = append(batch, sr)
		sent = append(sent, i)
	}
	res, err := h.Store.ApplyImportChunk(ctx, p.AccountID, p.ImportID, p.Chunk, batch, len(rows)-len(batch), imp.DryRun, actor)
	if err != nil {
		return nil, err
	}
	if res.Attempts > 1 {
		h.Metrics.Replans.Add(float64(res.Attempts - 1))
	}
	for j, i := range sent {
		switch o := res.Outcomes[j]; {
		case o.Outcome.Failed():
			rows[i].Code, rows[i].Message = string(o.Outcome), o.Message
		case o.Outcome == inventory.OutcomeUnchanged:
			rows[i].Code = string(inventory.OutcomeUnchanged)
		}
	}
	return rows, nil
}

func (h *Handlers) importExtensions(ctx context.Context, p jobs.ImportChunkPayload, imp store.Import, raw string) ([]importer.ChunkRow, error) {
	rows := importer.DecodeChunk(raw, importer.ExtensionFields)
	sites, err := h.siteIndex(ctx, p.AccountID)
	if err != nil {
		return nil, err
	}
	var (
		batch []inventory.Extension
		sent  []int
	)
	for i, r := range rows {
		if r.Code != "" {
			continue
		}
		site := ""
		if name := strings.TrimSpace(r.Fields[4]); name != "" {
			id, ok := sites[strings.ToLower(name)]
			if !ok {
				rows[i].Code, rows[i].Message = string(inventory.CodeSiteNotFound), "no site named "+name
				continue
			}
			site = id
		}
		batch = append(batch, inventory.Extension{ExtensionNumber: r.Fields[0], Type: inventory.ExtensionType(r.Fields[1]), Name: r.Fields[2], Email: r.Fields[3], SiteID: site})
		sent = append(sent, i)
	}
	res, _, err := h.Store.CreateImportExtensions(ctx, p.AccountID, p.ImportID, p.Chunk, batch, len(rows)-len(batch), imp.DryRun)
	if err != nil {
		return nil, err
	}
	for j, i := range sent {
		if e := res[j].Err; e != nil {
			rows[i].Code, rows[i].Message = string(inventory.ErrorCode(e)), inventory.ErrorMessage(e)
		}
	}
	return rows, nil
}

// siteIndex maps site ids and lower-case site names to site ids.
func (h *Handlers) siteIndex(ctx context.Context, accountID string) (map[string]string, error) {
	sites, err := h.Store.Sites(ctx, accountID)
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, 2*len(sites))
	for _, s := range sites {
		m[strings.ToLower(s.Name)] = s.ID
		m[strings.ToLower(s.ID)] = s.ID
	}
	return m, nil
}
