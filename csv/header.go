package csv

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"

	"github.com/numberdesk/numberdesk/internal/inventory"
)

// MaxColumns is the most columns a header may have.
const MaxColumns = 1024

// delimiters are the field delimiters the decoder detects, in the order
// that breaks ties.
var delimiters = []byte{',', ';', '\t'}

// column is a column the decoder knows.
type column struct {
	name     string   // canonical name, as documented
	aliases  []string // other names accepted for it
	required bool     // the header must have it
}

// schema is the set of columns of one kind of file.
type schema struct {
	columns []column
	byName  map[string]int // normalised name or alias → index in columns
}

func newSchema(columns ...column) *schema {
	s := &schema{columns: columns, byName: make(map[string]int)}
	for i, c := range columns {
		for _, name := range append([]string{c.name}, c.aliases...) {
			s.byName[normalizeHeader(name)] = i
		}
	}
	return s
}

// normalizeHeader returns the letters and digits of a header name, in lower
// case: "Phone Number", "PHONE_NUMBER" and "phone-number" all become
// "phonenumber".
func normalizeHeader(name string) string {
	var b strings.Builder
	for _, r := range name {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// lookup returns the index of the column a header name stands for, or -1.
func (s *schema) lookup(name string) int {
	if i, ok := s.byName[normalizeHeader(name)]; ok {
		return i
	}
	return -1
}

// score counts the required and all columns of s that the header names
// stand for.
func (s *schema) score(names []string) (required, known int) {
	seen := make([]bool, len(s.columns))
	for _, name := range names {
		if i := s.lookup(name); i >= 0 && !seen[i] {
			seen[i] = true
			known++
			if s.columns[i].required {
				required++
			}
		}
	}
	return required, known
}

// detectDelimiter returns the delimiter that splits the header line into
// the most required columns, then the most known columns; ties go to the
// earlier delimiter in delimiters, so comma.
func (s *schema) detectDelimiter(line []byte) byte {
	best, bestRequired, bestKnown := delimiters[0], -1, -1
	for _, d := range delimiters {
		required, known := s.score(splitLine(line, d))
		if required > bestRequired || required == bestRequired && known > bestKnown {
			best, bestRequired, bestKnown = d, required, known
		}
	}
	return best
}

// splitLine splits one line into fields with the quoting rules of the
// record reader.
func splitLine(line []byte, comma byte) []string {
	r := newRecordReader(bytes.NewReader(line), len(line)+1)
	r.setComma(comma)
	rec, err := r.readRecord()
	if err != nil {
		return nil
	}
	return cells(&rec, len(rec.ends))
}

// mapColumns returns, for each column of s, the index of the header field
// that holds it, or -1. A missing required column or two fields standing for
// the same column is an *inventory.Error.
func (s *schema) mapColumns(header []string) ([]int, error) {
	cols := make([]int, len(s.columns))
	for i := range cols {
		cols[i] = -1
	}
	for j, name := range header {
		i := s.lookup(name)
		if i < 0 {
			continue
		}
		if k := cols[i]; k >= 0 {
			return nil, inventory.Errorf(inventory.CodeInvalidField,
				"header has two %s columns: %q and %q", s.columns[i].name, header[k], name)
		}
		cols[i] = j
	}
	var missing []string
	for i, c := range s.columns {
		if c.required && cols[i] < 0 {
			missing = append(missing, c.name)
		}
	}
	if len(missing) == 0 {
		return cols, nil
	}
	return nil, inventory.Errorf(inventory.CodeMissingField, "header has no %s column (found %s)",
		strings.Join(missing, " or "), quoteNames(header))
}

// quoteNames lists header names for a message, shortened.
func quoteNames(names []string) string {
	const maxNames, maxLen = 8, 40
	var b strings.Builder
	for i, name := range names {
		if i == maxNames {
			fmt.Fprintf(&b, ", … %d more", len(names)-maxNames)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		if r := []rune(name); len(r) > maxLen {
			name = string(r[:maxLen]) + "…"
		}
		fmt.Fprintf(&b, "%q", name)
	}
	return b.String()
}
