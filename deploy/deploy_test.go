package deploy

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

// metricKind is how a metric is exposed: a histogram has no series of its
// own name, only _bucket, _sum and _count.
type metricKind int

const (
	counter metricKind = iota
	gauge
	histogram
)

// knownMetrics lists every metric the alert rules and the dashboard may
// query, and the dashboard must show each of them. A name outside it is a
// typo or a metric nobody exports yet: add it here together with its code.
var knownMetrics = map[string]metricKind{
	// worker/metrics.go
	"numberdesk_job_duration_seconds": histogram, // {type}
	"numberdesk_jobs_total":           counter,   // {type, result}
	"numberdesk_import_rows_total":    counter,   // {kind, result}: ok, unchanged, failed
	"numberdesk_import_replans_total": counter,   // chunks planned again (optimistic commit refused)
	// inventory gauges
	"numberdesk_numbers":     gauge, // {status}
	"numberdesk_port_orders": gauge, // {status}
	// carrier client
	"numberdesk_carrier_request_duration_seconds": histogram, // {op, outcome}: ok, error, timeout, unreachable
	// internal/httpapi/metrics.go
	"numberdesk_http_request_duration_seconds": histogram, // {route, code}
	// scheduler
	"numberdesk_scheduler_runs_total": counter, // {entry, result}
	// asynq's queue collector (github.com/hibiken/asynq/x/metrics)
	"asynq_queue_size":            gauge,   // {queue}
	"asynq_tasks_enqueued_total":  gauge,   // {queue, state}: a gauge despite its name
	"asynq_queue_latency_seconds": gauge,   // {queue}
	"asynq_tasks_processed_total": counter, // {queue}
	"asynq_tasks_failed_total":    counter, // {queue}
	// Prometheus, per scrape target
	"up": gauge,
}

// checkMetric reports whether a series name used in a query is exported:
// a known counter or gauge, or a known histogram's _bucket, _sum or _count.
func checkMetric(name string) error {
	if kind, ok := knownMetrics[name]; ok {
		if kind == histogram {
			return fmt.Errorf("%s is a histogram: query %[1]s_bucket, %[1]s_sum or %[1]s_count", name)
		}
		return nil
	}
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		if base, ok := strings.CutSuffix(name, suffix); ok && knownMetrics[base] == histogram {
			return nil
		}
	}
	return fmt.Errorf("unknown metric %s (not in knownMetrics: a typo, or add it there)", name)
}

// checkQuery checks a PromQL expression: balanced, naming at least one
// metric, and only known ones. It returns the metrics it names.
func checkQuery(expr string) ([]string, error) {
	names, err := metricNames(expr)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, errors.New("queries no metric")
	}
	var errs []error
	for _, n := range names {
		errs = append(errs, checkMetric(n))
	}
	return names, errors.Join(errs...)
}

// repoRoot returns the directory of go.mod above the test's directory.
func repoRoot(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// mustReadYAML decodes the YAML file at path (relative to the repository
// root) into v.
func mustReadYAML(tb testing.TB, path string, v any) {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(tb), path))
	if err != nil {
		tb.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
}

// splitWords splits a command line as a shell would for these files:
// words separated by blanks, single and double quotes grouping, a
// backslash escaping the next character outside single quotes. ${VAR:-x}
// stays one word, unexpanded.
func splitWords(s string) ([]string, error) {
	var (
		words []string
		cur   strings.Builder
		in    bool // inside a word
		quote rune
	)
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case quote == '\'':
			if r == '\'' {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '\\' && i+1 < len(rs):
			i++
			cur.WriteRune(rs[i])
			in = true
		case quote == '"':
			if r == '"' {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, in = r, true
		case r == ' ' || r == '\t':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unclosed %c in %q", quote, s)
	}
	if in {
		words = append(words, cur.String())
	}
	return words, nil
}

func TestSplitWords(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{`numberdesk worker --metrics-addr ${A:-127.0.0.1:9101}`, []string{"numberdesk", "worker", "--metrics-addr", "${A:-127.0.0.1:9101}"}},
		{`x --s "@every 5m" --f '5 0 1 * *'`, []string{"x", "--s", "@every 5m", "--f", "5 0 1 * *"}},
		{`  a\ b  "c""d" `, []string{"a b", "cd"}},
		{``, nil},
	} {
		got, err := splitWords(tc.in)
		if err != nil {
			t.Errorf("splitWords(%q): %v", tc.in, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("splitWords(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
	if _, err := splitWords(`a "b`); err == nil {
		t.Error(`splitWords("a \"b"): no error for an unclosed quote`)
	}
}
