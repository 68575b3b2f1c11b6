package deploy

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// promqlKeywords are the words of PromQL that are not metric names when
// they are not followed by "(": aggregation operators (written before
// "by (...)"), binary and set operators, modifiers.
var promqlKeywords = map[string]bool{
	"sum": true, "min": true, "max": true, "avg": true, "group": true, "stddev": true,
	"stdvar": true, "count": true, "count_values": true, "bottomk": true, "topk": true,
	"quantile": true, "limitk": true, "limit_ratio": true,
	"and": true, "or": true, "unless": true, "atan2": true,
	"bool": true, "offset": true, "by": true, "without": true, "on": true, "ignoring": true,
	"group_left": true, "group_right": true, "inf": true, "nan": true,
}

// labelListKeywords are followed by a parenthesised list of label names.
var labelListKeywords = map[string]bool{
	"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true,
}

// metricNames returns the metric names a PromQL expression selects, in
// order of first use, by a small lexer rather than a parser: it skips
// strings, label matchers {…}, ranges […], label lists of by/without/on/
// ignoring/group_left/group_right, functions (a name before "("), keywords,
// numbers, durations and Grafana variables ($__rate_interval). It fails
// when brackets do not balance.
func metricNames(expr string) ([]string, error) {
	var (
		names []string
		seen  = map[string]bool{}
		stack []byte // open brackets
	)
	isIdentStart := func(c byte) bool { return c == '_' || c == ':' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
	isIdent := func(c byte) bool { return isIdentStart(c) || '0' <= c && c <= '9' }
	nextNonSpace := func(i int) int {
		for i < len(expr) && strings.IndexByte(" \t\r\n", expr[i]) >= 0 {
			i++
		}
		return i
	}
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case c == '"' || c == '\'' || c == '`':
			j := i + 1
			for ; j < len(expr) && expr[j] != c; j++ {
				if expr[j] == '\\' && c != '`' {
					j++
				}
			}
			if j >= len(expr) {
				return nil, fmt.Errorf("unclosed string at offset %d", i)
			}
			i = j + 1
		case c == '#':
			for i < len(expr) && expr[i] != '\n' {
				i++
			}
		case c == '(' || c == '[' || c == '{':
			stack = append(stack, c)
			i++
			if c != '(' {
				// Label matchers and ranges: skip to the close, minding strings.
				closer := byte(']')
				if c == '{' {
					closer = '}'
				}
				for i < len(expr) && expr[i] != closer {
					if q := expr[i]; q == '"' || q == '\'' || q == '`' {
						j := i + 1
						for ; j < len(expr) && expr[j] != q; j++ {
							if expr[j] == '\\' && q != '`' {
								j++
							}
						}
						i = j
					}
					i++
				}
			}
		case c == ')' || c == ']' || c == '}':
			open := map[byte]byte{')': '(', ']': '[', '}': '{'}[c]
			if len(stack) == 0 || stack[len(stack)-1] != open {
				return nil, fmt.Errorf("unbalanced %q at offset %d", c, i)
			}
			stack = stack[:len(stack)-1]
			i++
		case c == '$':
			i++
			for i < len(expr) && isIdent(expr[i]) {
				i++
			}
		case '0' <= c && c <= '9' || c == '.':
			for i < len(expr) && (isIdent(expr[i]) || expr[i] == '.') {
				i++
			}
		case isIdentStart(c):
			j := i
			for j < len(expr) && isIdent(expr[j]) {
				j++
			}
			word := expr[i:j]
			k := nextNonSpace(j)
			switch {
			case labelListKeywords[word] && k < len(expr) && expr[k] == '(':
				end := strings.IndexByte(expr[k:], ')')
				if end < 0 {
					return nil, fmt.Errorf("unclosed label list after %s", word)
				}
				j = k + end + 1
			case k < len(expr) && expr[k] == '(':
				// a function or an aggregation: its argument follows
			case promqlKeywords[strings.ToLower(word)]:
			default:
				if !seen[word] {
					seen[word] = true
					names = append(names, word)
				}
			}
			i = j
		default:
			i++
		}
	}
	if len(stack) > 0 {
		return nil, fmt.Errorf("unclosed %q", stack[len(stack)-1])
	}
	return names, nil
}

func TestMetricNames(t *testing.T) {
	for _, tc := range []struct {
		expr string
		want []string
	}{
		{`up`, []string{"up"}},
		{`max by (queue) (asynq_queue_latency_seconds) > 60`, []string{"asynq_queue_latency_seconds"}},
		{`sum by (type, le) (rate(numberdesk_job_duration_seconds_bucket{type=~"import:.*"}[$__rate_interval]))`,
			[]string{"numberdesk_job_duration_seconds_bucket"}},
		{"sum without (instance) (rate(a_total[5m] offset 1h)) / on (kind) group_left (x) sum(b_total)\nand c unless d or e",
			[]string{"a_total", "b_total", "c", "d", "e"}},
		{`absent(x_total{entry="port-sync",result="ok"}) or vector(0) == bool 1e3`, []string{"x_total"}},
		{`histogram_quantile(0.99, sum by (op, le) (rate(m_bucket{op="a\"}b"}[5m:1m])))`, []string{"m_bucket"}},
		{`sum(x) by (job)`, []string{"x"}},
		{`{__name__="x"}`, nil},
	} {
		got, err := metricNames(tc.expr)
		if err != nil {
			t.Errorf("metricNames(%q): %v", tc.expr, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("metricNames(%q) (-want +got):\n%s", tc.expr, diff)
		}
	}
	for _, bad := range []string{`sum(rate(x[5m])`, `x{a="b"`, `rate(x[5m]))`, `x{a="b}`} {
		if _, err := metricNames(bad); err == nil {
			t.Errorf("metricNames(%q): no error", bad)
		}
	}
}

func TestCheckQuery(t *testing.T) {
	for expr, wantErr := range map[string]string{
		`rate(numberdesk_jobs_total[5m])`:                          "",
		`rate(numberdesk_http_request_duration_seconds_count[5m])`: "",
		`rate(numberdesk_job_total[5m])`:                           "unknown metric numberdesk_job_total",
		`numberdesk_job_duration_seconds`:                          "is a histogram",
		`numberdesk_jobs_total_count`:                              "unknown metric numberdesk_jobs_total_count",
		`vector(1)`:                                                "queries no metric",
	} {
		_, err := checkQuery(expr)
		switch {
		case wantErr == "" && err != nil:
			t.Errorf("checkQuery(%q): %v", expr, err)
		case wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)):
			t.Errorf("checkQuery(%q) = %v, want an error containing %q", expr, err, wantErr)
		}
	}
}
