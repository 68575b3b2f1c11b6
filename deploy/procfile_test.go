package deploy

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// procLine is one process type of the Procfile.
type procLine struct {
	name string
	line int
	args []string // the command, split into words
}

var procLineRE = regexp.MustCompile(`^([A-Za-z0-9_-]+):\s*(\S.*)$`)

// readProcfile reads the repository's Procfile: "name: command" lines,
// comments (#) and blank lines.
func readProcfile(tb testing.TB) []procLine {
	tb.Helper()
	f, err := os.Open(filepath.Join(repoRoot(tb), "Procfile"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var procs []procLine
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		m := procLineRE.FindStringSubmatch(line)
		if m == nil {
			tb.Errorf("Procfile:%d: want name: command, got %q", n, line)
			continue
		}
		args, err := splitWords(m[2])
		if err != nil {
			tb.Errorf("Procfile:%d: %v", n, err)
			continue
		}
		procs = append(procs, procLine{name: m[1], line: n, args: args})
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return procs
}

func TestProcfile(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range readProcfile(t) {
		if seen[p.name] {
			t.Errorf("Procfile:%d: process type %s given twice", p.line, p.name)
		}
		seen[p.name] = true
	}
	for _, want := range []string{"api", "worker", "scheduler", "carrier"} {
		if !seen[want] {
			t.Errorf("Procfile: no %s process", want)
		}
	}
}
