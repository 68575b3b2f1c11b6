package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/numberdesk/numberdesk/internal/httpapi"
	"github.com/numberdesk/numberdesk/internal/importer"
	"github.com/numberdesk/numberdesk/internal/store"
)

// importUsage is the help of `numberdesk import`. Its exit codes are those
// runImport returns:
//
//	0 (exitOK)        accepted (without --wait), or completed with every row
//	                  ok or unchanged
//	1 (exitFailure)   the import failed or was cancelled, the server refused
//	                  the upload, or could not be reached
//	2 (exitUsage)     bad command line
//	3 (exitRowErrors) completed, and some rows failed: see the error report
const importUsage = `Usage: numberdesk import FILE --kind assignments|extensions [--dry-run] [--wait] [--json]
                         [--errors-out FILE] --url http://127.0.0.1:8080 --token nd_...

Uploads the CSV file FILE to the Numberdesk API as an import, with a progress
bar on stderr, and prints the import's id and status. With --wait it follows
the import until it ends, with a second progress bar (rows done, rows/s,
ETA), then prints a summary and where the error report is (--errors-out FILE
downloads it). --json prints only the import's final JSON on stdout.

Exit codes:
  0  accepted (without --wait), or completed with every row ok or unchanged
  1  the import failed or was cancelled, or the server refused the upload
  2  bad command line
  3  completed, but some rows failed: see the error report

Flags (each also as NUMBERDESK_<FLAG>, e.g. NUMBERDESK_URL, NUMBERDESK_TOKEN):
`

// importOptions is the command line of `numberdesk import`.
type importOptions struct {
	file      string
	kind      string
	dryRun    bool
	wait      bool
	json      bool
	url       string
	token     string
	errorsOut string
	poll      time.Duration
}

// runImport runs `numberdesk import`; see importUsage.
func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o importOptions
	fs := newFlags("import", stderr)
	fs.StringVar(&o.kind, "kind", "", "what FILE holds: assignments or extensions")
	fs.BoolVar(&o.dryRun, "dry-run", false, "check every row against the current state; change nothing")
	fs.BoolVar(&o.wait, "wait", false, "follow the import until it ends and print its summary")
	fs.BoolVar(&o.json, "json", false, "print only the import's (final) JSON on stdout")
	fs.StringVar(&o.url, "url", "http://127.0.0.1:8080", "base URL of the Numberdesk API")
	fs.StringVar(&o.token, "token", "", "API token (admin or owner)")
	fs.StringVar(&o.errorsOut, "errors-out", "", "with --wait: download the error report to this file")
	fs.DurationVar(&o.poll, "poll", 500*time.Millisecond, "with --wait: how often to ask for the import's progress")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), importUsage)
		fs.PrintDefaults()
	}
	files, err := parseWithArgs(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(files) != 1:
		return usagef("import takes one FILE, got %d (see numberdesk import -h)", len(files))
	case o.kind == "":
		return usagef("--kind is required (or NUMBERDESK_KIND): %s", strings.Join(importer.Kinds, " or "))
	case !slices.Contains(importer.Kinds, o.kind):
		return usagef("--kind %q: want %s", o.kind, strings.Join(importer.Kinds, " or "))
	case o.poll <= 0:
		return usagef("--poll %v: must be positive", o.poll)
	case o.errorsOut != "" && !o.wait:
		return usagef("--errors-out needs --wait: the report is complete once the import ends")
	}
	if err := required("token", o.token); err != nil {
		return err
	}
	if u, err := url.Parse(o.url); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usagef("--url %q: want the API's http(s) base URL, e.g. http://127.0.0.1:8080", o.url)
	}
	o.file = files[0]
	f, err := os.Open(o.file)
	if err != nil {
		return usagef("%v", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return usagef("%s is a directory, not a CSV file", o.file)
	}

	c := newAPIClient(o.url, o.token)
	tty := isTerminal(stderr)
	imp, raw, err := c.upload(ctx, f, fi.Size(), o, newMeter(stderr, tty))
	if err != nil {
		return err
	}
	if !o.wait {
		if o.json {
			_, err := stdout.Write(raw)
			return err
		}
		fmt.Fprintf(stdout, "%s %s\n", imp.ID, imp.Status)
		return nil
	}
	imp, raw, err = c.follow(ctx, imp, o.poll, newMeter(stderr, tty))
	if err != nil {
		return err
	}
	report := c.base + "/v1/imports/" + imp.ID + "/errors.csv"
	if o.errorsOut != "" {
		if err := c.download(ctx, report, o.errorsOut); err != nil {
			return err
		}
		report = o.errorsOut
	}
	if o.json {
		if _, err := stdout.Write(raw); err != nil {
			return err
		}
	} else {
		printSummary(stdout, imp, report, o.errorsOut != "")
	}
	return importOutcome(imp, report)
}

// parseWithArgs parses flags given before, between and after positional
// arguments (`import FILE --kind x` as well as `import --kind x FILE`),
// then fills the flags not given from the environment, and returns the
// positional arguments.
func parseWithArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, errHelp
			}
			return nil, usageError{err.Error()}
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	return pos, parseFlags(fs, nil)
}

// importOutcome is the error (and so the exit code) an import ended with.
func importOutcome(imp store.Import, report string) error {
	switch imp.Status {
	case store.ImportCompleted:
		if imp.RowsFailed > 0 {
			return exitError{exitRowErrors, fmt.Sprintf("%d of %d rows failed; error report: %s", imp.RowsFailed, imp.RowsTotal, report)}
		}
		return nil
	case store.ImportFailed:
		return exitError{exitFailure, fmt.Sprintf("import %s failed: %s", imp.ID, imp.Error)}
	}
	return exitError{exitFailure, fmt.Sprintf("import %s was %s after %d of %d rows", imp.ID, imp.Status, imp.RowsDone, imp.RowsTotal)}
}

// exitError is an error with its exit code.
type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return e.msg }

// ExitCode implements exitCoder.
func (e exitError) ExitCode() int { return e.code }

// printSummary prints how an import ended.
func printSummary(w io.Writer, imp store.Import, report string, downloaded bool) {
	secs := 0.0
	if imp.StartedAt != nil && imp.FinishedAt != nil {
		secs = imp.FinishedAt.Sub(*imp.StartedAt).Seconds()
	}
	dry := ""
	if imp.DryRun {
		dry = " (dry run: nothing was changed)"
	}
	fmt.Fprintf(w, "import %s %s%s: %d rows in %.1fs (%.0f rows/s)\n", imp.ID, imp.Status, dry, imp.RowsDone, secs, imp.RowsPerSecond)
	fmt.Fprintf(w, "  rows total      %d\n", imp.RowsTotal)
	fmt.Fprintf(w, "  rows ok         %d\n", imp.RowsOK)
	fmt.Fprintf(w, "  rows unchanged  %d\n", imp.RowsUnchanged)
	fmt.Fprintf(w, "  rows failed     %d\n", imp.RowsFailed)
	if imp.Error != "" {
		fmt.Fprintf(w, "  error           %s\n", imp.Error)
	}
	switch {
	case downloaded:
		fmt.Fprintf(w, "error report: %s (%d rows)\n", report, imp.RowsFailed)
	case imp.RowsFailed > 0:
		fmt.Fprintf(w, "error report: %s\n", report)
	}
}

// apiClient calls the Numberdesk API with a token.
type apiClient struct {
	base  string // without a trailing slash
	token string
	hc    *http.Client
}

func newAPIClient(base, token string) *apiClient {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.ExpectContinueTimeout = 2 * time.Second // refusals come before the upload
	return &apiClient{base: strings.TrimRight(base, "/"), token: token, hc: &http.Client{Transport: tr}}
}

// serverError is a refusal by the API: its status and problem document.
type serverError struct {
	what    string
	status  int
	problem httpapi.Problem
}

func (e *serverError) Error() string {
	if e.problem.Code == "" {
		return fmt.Sprintf("%s: %d %s", e.what, e.status, http.StatusText(e.status))
	}
	return fmt.Sprintf("%s: %d %s: %s", e.what, e.status, e.problem.Code, e.problem.Detail)
}

// temporary reports whether asking again may help.
func (e *serverError) temporary() bool {
	return e.status == http.StatusTooManyRequests || e.status >= 500
}

// send sends a request with the token and returns the body of a 2xx
// answer, or a *serverError.
func (c *apiClient) send(req *http.Request, what string) ([]byte, error) {
	req.Header.Set("Authorization", "Bearer "+c.token)
	res, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 16<<20))
	if err != nil {
		return nil, fmt.Errorf("%s: read the answer: %w", what, err)
	}
	if res.StatusCode/100 != 2 {
		e := &serverError{what: what, status: res.StatusCode}
		_ = json.Unmarshal(body, &e.problem)
		return nil, e
	}
	return body, nil
}

// upload sends the file as an import and returns the accepted import and
// its JSON, showing the upload's progress on m.
func (c *apiClient) upload(ctx context.Context, f *os.File, size int64, o importOptions, m *meter) (store.Import, []byte, error) {
	q := url.Values{"kind": {o.kind}}
	if o.dryRun {
		q.Set("dry_run", "true")
	}
	pr := &progressReader{r: f}
	req, err := http.NewRequestWithContext(ctx, "POST", c.base+"/v1/imports?"+q.Encode(), pr)
	if err != nil {
		return store.Import{}, nil, usagef("--url %q: %v", o.url, err)
	}
	req.ContentLength = size
	if size == 0 {
		req.Body = http.NoBody
	}
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": filepath.Base(o.file)}))
	req.Header.Set("Expect", "100-continue")

	start := time.Now()
	name := filepath.Base(o.file)
	answered := false
	show := func() {
		sent, took := pr.n.Load(), pr.elapsed(start)
		rate := megabytes(int64(float64(sent)/max(took.Seconds(), 1e-3))) + "/s"
		if pr.endNS.Load() == 0 {
			m.show("uploading "+name, ratio(sent, size), fmt.Sprintf("%s / %s  %s", megabytes(sent), megabytes(size), rate))
			return
		}
		// All sent; the server answers once it has read and stored every
		// row (its socket buffers hold the rest meanwhile).
		state := "the server is reading it"
		if answered {
			state = "the server took it in"
		}
		m.show("uploaded "+name, 1, fmt.Sprintf("%s in %.1fs (%s); %s: %.1fs",
			megabytes(sent), took.Seconds(), rate, state, time.Since(start).Seconds()))
	}
	stop := m.every(show)
	raw, err := c.send(req, "upload "+o.file)
	stop()
	if err != nil {
		m.done()
		return store.Import{}, nil, err
	}
	m.force, answered = true, true
	show()
	m.done()
	var imp store.Import
	if err := json.Unmarshal(raw, &imp); err != nil || imp.ID == "" {
		return store.Import{}, nil, fmt.Errorf("upload %s: the answer is not an import: %.200s", o.file, raw)
	}
	return imp, raw, nil
}

// follow polls the import until it ends, showing its progress on m, and
// returns it with its JSON. Failures that may pass (the network, 5xx,
// 429) are retried for a while.
func (c *apiClient) follow(ctx context.Context, imp store.Import, every time.Duration, m *meter) (store.Import, []byte, error) {
	defer m.done()
	const patience = 30 // failed polls in a row before giving up
	failures := 0
	page := c.base + "/v1/imports/" + imp.ID
	for {
		req, err := http.NewRequestWithContext(ctx, "GET", page, nil)
		if err != nil {
			return imp, nil, err
		}
		raw, err := c.send(req, "read import "+imp.ID)
		if ctx.Err() != nil {
			return imp, nil, fmt.Errorf("stopped following import %s, which goes on: see %s", imp.ID, page)
		}
		var se *serverError
		switch {
		case err == nil:
			failures = 0
			var next store.Import
			if err := json.Unmarshal(raw, &next); err != nil {
				return imp, nil, fmt.Errorf("read import %s: %w", imp.ID, err)
			}
			imp = next
			done := finished(imp.Status)
			m.force = done
			eta := "ETA -"
			if left := imp.RowsTotal - imp.RowsDone; imp.RowsPerSecond > 0 && left >= 0 {
				eta = "ETA " + time.Duration(float64(left)/imp.RowsPerSecond*float64(time.Second)).Round(time.Second).String()
			}
			m.show(fmt.Sprintf("import %s %s", imp.ID, imp.Status), ratio(imp.RowsDone, imp.RowsTotal),
				fmt.Sprintf("%d / %d rows  %.0f rows/s  %s", imp.RowsDone, imp.RowsTotal, imp.RowsPerSecond, eta))
			if done {
				return imp, raw, nil
			}
		case errors.As(err, &se) && !se.temporary():
			return imp, nil, err
		default:
			if failures++; failures >= patience {
				return imp, nil, err
			}
		}
		select {
		case <-ctx.Done():
			return imp, nil, fmt.Errorf("stopped following import %s, which goes on: see %s", imp.ID, page)
		case <-time.After(nextPoll(imp, every)):
		}
	}
}

// minPoll is the shortest wait between two polls of an import.
const minPoll = 25 * time.Millisecond

// nextPoll is how long follow waits before it asks again: every, or less
// when the import's rate says it will end sooner, so that --wait returns
// soon after the import ends rather than up to a whole interval later.
// The rows left are known once the upload is in (its chunks are counted).
func nextPoll(imp store.Import, every time.Duration) time.Duration {
	left := imp.RowsTotal - imp.RowsDone
	if imp.Status != store.ImportRunning || imp.Chunks == 0 || imp.RowsPerSecond <= 0 || left < 0 {
		return every
	}
	eta := time.Duration(float64(left) / imp.RowsPerSecond * float64(time.Second))
	return min(every, max(eta, minPoll))
}

func finished(s store.ImportStatus) bool {
	return s == store.ImportCompleted || s == store.ImportFailed || s == store.ImportCancelled
}

// download saves the error report at reportURL to the file path.
func (c *apiClient) download(ctx context.Context, reportURL, path string) error {
	req, err := http.NewRequestWithContext(ctx, "GET", reportURL, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	res, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("download the error report: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		e := &serverError{what: "download the error report", status: res.StatusCode}
		b, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
		_ = json.Unmarshal(b, &e.problem)
		return e
	}
	out, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("--errors-out: %w", err)
	}
	if _, err := io.Copy(out, res.Body); err != nil {
		out.Close()
		return fmt.Errorf("download the error report to %s: %w", path, err)
	}
	return out.Close()
}

// progressReader counts the bytes read through it and notes when it
// reached the end.
type progressReader struct {
	r     io.Reader
	n     atomic.Int64
	endNS atomic.Int64 // time.Now().UnixNano() at EOF
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.n.Add(int64(n))
	if err == io.EOF {
		p.endNS.CompareAndSwap(0, time.Now().UnixNano())
	}
	return n, err
}

// elapsed is the time from start to the end of the file, or to now.
func (p *progressReader) elapsed(start time.Time) time.Duration {
	if end := p.endNS.Load(); end != 0 {
		return time.Unix(0, end).Sub(start)
	}
	return time.Since(start)
}

// meter draws progress on a writer: a bar redrawn in place on a terminal,
// else a plain line now and then (and always when forced).
type meter struct {
	w     io.Writer
	tty   bool
	force bool // draw the next line even if one was drawn recently

	mu    sync.Mutex
	last  time.Time
	drawn bool
}

// Drawing intervals of a meter.
const (
	ttyEvery   = 200 * time.Millisecond
	plainEvery = 5 * time.Second
)

func newMeter(w io.Writer, tty bool) *meter { return &meter{w: w, tty: tty} }

// show draws a progress line: a label, the fraction done (-1: unknown)
// and the figures.
func (m *meter) show(label string, frac float64, figures string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	pct := "   "
	if frac >= 0 {
		pct = fmt.Sprintf("%3.0f%%", 100*frac)
	}
	if m.tty {
		fmt.Fprintf(m.w, "\r\033[K%s %s %s  %s", label, bar(frac, 30), pct, figures)
		m.drawn = true
		return
	}
	if m.force || now.Sub(m.last) >= plainEvery {
		fmt.Fprintf(m.w, "%s: %s %s\n", label, strings.TrimSpace(pct), figures)
		m.last = now
	}
}

// every calls draw now and then until the returned stop is called.
func (m *meter) every(draw func()) (stop func()) {
	tick := time.NewTicker(ttyEvery)
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-quit:
				return
			case <-tick.C:
				draw()
			}
		}
	}()
	return func() {
		tick.Stop()
		close(quit)
		wg.Wait()
	}
}

// done ends the meter's line on a terminal.
func (m *meter) done() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tty && m.drawn {
		fmt.Fprintln(m.w)
		m.drawn = false
	}
}

// bar draws a progress bar of width cells: [=====>    ].
func bar(frac float64, width int) string {
	if frac < 0 {
		return "[" + strings.Repeat("?", width) + "]"
	}
	full := int(frac * float64(width))
	full = min(max(full, 0), width)
	var b bytes.Buffer
	b.WriteByte('[')
	b.WriteString(strings.Repeat("=", full))
	if full < width {
		b.WriteByte('>')
		b.WriteString(strings.Repeat(" ", width-full-1))
	}
	b.WriteByte(']')
	return b.String()
}

// ratio is done/total, or -1 when the total is not known.
func ratio(done, total int64) float64 {
	if total <= 0 {
		return -1
	}
	return min(float64(done)/float64(total), 1)
}

// megabytes formats a byte count in MB.
func megabytes(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

// isTerminal reports whether w is a terminal (a character device that is
// not declared dumb).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("TERM") == "dumb" {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
