package importer

import (
	"context"
	"io"

	"github.com/numberdesk/numberdesk/csv"
	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/store"
)

// EncodeFailed encodes a chunk's failed rows for store.ReportChunk.
func EncodeFailed(rows []ChunkRow) string {
	for i := range rows {
		rows[i].Fields = nil
	}
	return EncodeRows(rows)
}

// WriteReport streams an import's error report as CSV: the line, the row's
// own columns, error_code and error_message, chunk by chunk in line order,
// with formula cells neutralised. Chunks not yet done are not in it.
func WriteReport(ctx context.Context, st *store.Store, accountID string, imp store.Import, w io.Writer) error {
	header, err := st.ImportHeader(ctx, accountID, imp.ID)
	if err != nil {
		return err
	}
	rw := csv.NewReportWriter(w, header)
	for n := 0; n < int(imp.Chunks); n++ {
		raw, err := st.ChunkErrors(ctx, accountID, imp.ID, n)
		if err != nil {
			return err
		}
		for _, r := range DecodeChunk(raw, 0) {
			if err := rw.Write(r.Line, r.Cells, inventory.Code(r.Code), r.Message); err != nil {
				return err
			}
		}
	}
	return rw.Flush()
}
