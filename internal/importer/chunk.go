package importer

import (
	"strconv"
	"strings"
)

const (
	rowSep  = "\x1e"
	sep     = "\x1f"
	cellSep = "\x1d"
)

// ChunkRow is one row of a chunk.
type ChunkRow struct {
	Line    int
	Code    string // the row's error found at intake, "" when valid
	Message string
	// Fields are the kind's values: for assignments number, action,
	// extension number, email; for extensions extension number, type,
	// name, email, site.
	Fields []string
	// Cells are the row's original cells, for the error report.
	Cells []string
}

// cleanCell drops the separators of the chunk encoding from a cell.
var cleanCell = strings.NewReplacer(rowSep, " ", sep, " ", cellSep, " ", "\x1c", " ")

func encodeRow(b *strings.Builder, r ChunkRow) {
	if b.Len() > 0 {
		b.WriteString(rowSep)
	}
	b.WriteString(strconv.Itoa(r.Line))
	b.WriteString(sep)
	b.WriteString(r.Code)
	b.WriteString(sep)
	b.WriteString(cleanCell.Replace(r.Message))
	for _, f := range r.Fields {
		b.WriteString(sep)
		b.WriteString(cleanCell.Replace(f))
	}
	b.WriteString(sep)
	for i, c := range r.Cells {
		if i > 0 {
			b.WriteString(cellSep)
		}
		b.WriteString(cleanCell.Replace(c))
	}
}

// DecodeChunk decodes a stored chunk (or a chunk's failed rows) whose rows
// have nfields kind fields.
func DecodeChunk(s string, nfields int) []ChunkRow {
	if s == "" {
		return nil
	}
	recs := strings.Split(s, rowSep)
	out := make([]ChunkRow, 0, len(recs))
	for _, rec := range recs {
		f := strings.Split(rec, sep)
		for len(f) < 4+nfields {
			f = append(f, "")
		}
		line, _ := strconv.Atoi(f[0])
		r := ChunkRow{Line: line, Code: f[1], Message: f[2], Fields: f[3 : 3+nfields]}
		if c := f[3+nfields]; c != "" {
			r.Cells = strings.Split(c, cellSep)
		}
		out = append(out, r)
	}
	return out
}

// EncodeRows encodes rows as a chunk.
func EncodeRows(rows []ChunkRow) string {
	var b strings.Builder
	for _, r := range rows {
		encodeRow(&b, r)
	}
	return b.String()
}

// Field counts of the two kinds.
const (
	AssignmentFields = 4
	ExtensionFields  = 5
)
