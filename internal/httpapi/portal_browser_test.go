package httpapi

import (
	"bytes"
	"context"
	stdcsv "encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"
	"github.com/hibiken/asynq"
	"github.com/numberdesk/numberdesk/internal/fees"
	"github.com/numberdesk/numberdesk/internal/importer"
	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/store"
	"github.com/numberdesk/numberdesk/worker"
)

// The portal's browser tests drive Debian's Chromium, headless, against
// the real server, store (Redis) and worker handlers. They never skip: a
// machine without Chromium fails them (make test installs it).

// chromiumPath is where Debian's chromium package puts the browser.
const chromiumPath = "/usr/bin/chromium"

const (
	// stepTimeout bounds one browser action (a click, a page load, a wait).
	stepTimeout = 10 * time.Second
	// browserTimeout bounds a whole browser test, so that a stuck browser
	// ends it instead of the test binary's timeout.
	browserTimeout = 2 * time.Minute
)

// taskRunner is a queue that runs each task at once, in a goroutine,
// through the real worker handlers (the mux a worker process serves), as
// a worker would pick it up. Handler errors fail the test when it ends.
type taskRunner struct {
	mu   sync.Mutex
	mux  *asynq.ServeMux // nil until setHandlers
	errs []error
	wg   sync.WaitGroup
}

// newWorkerEnv starts an env whose orders, number requests and imports run
// through the worker handlers as they are enqueued.
func newWorkerEnv(tb testing.TB) *env {
	tb.Helper()
	q := &taskRunner{}
	intake := &importer.Intake{Queue: q}
	e := newEnv(tb, Config{Queue: q, Intake: intake})
	intake.Store = e.st // before the first request
	q.setHandlers(&worker.Handlers{Store: e.st, Carrier: e.sandbox, Queue: q,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: worker.NewMetrics(nil)})
	tb.Cleanup(func() {
		q.wg.Wait()
		q.mu.Lock()
		defer q.mu.Unlock()
		for _, err := range q.errs {
			tb.Errorf("worker: %v", err)
		}
	})
	return e
}

func (q *taskRunner) setHandlers(h *worker.Handlers) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.mux = h.Mux()
}

// EnqueueContext runs the task in a goroutine.
func (q *taskRunner) EnqueueContext(_ context.Context, task *asynq.Task, opts ...asynq.Option) (*asynq.TaskInfo, error) {
	q.mu.Lock()
	mux := q.mux
	q.mu.Unlock()
	if mux == nil {
		return nil, errors.New("taskRunner: no handlers yet")
	}
	q.wg.Go(func() {
		if err := mux.ProcessTask(context.Background(), task); err != nil {
			q.mu.Lock()
			defer q.mu.Unlock()
			q.errs = append(q.errs, fmt.Errorf("%s: %w", task.Type(), err))
		}
	})
	return &asynq.TaskInfo{Type: task.Type(), Queue: "default", State: asynq.TaskStateActive}, nil
}

// browser is a headless Chromium tab on the test server.
type browser struct {
	ctx  context.Context // the tab
	base string          // the server's URL
	dir  string          // where screenshots go
	// accept is how the tab answers the next window.confirm; dialogs
	// gets each dialog's message.
	accept  atomic.Bool
	dialogs chan string
}

// newBrowser starts Chromium (or fails the test: the browser tests never
// skip) and opens a tab on base. Screenshots go to dir. The browser closes
// when the test ends.
func newBrowser(tb testing.TB, base, dir string) *browser {
	tb.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		tb.Fatalf("the portal's browser tests need Chromium at %s: %v; install it with `make deps` (apt-get install chromium)", chromiumPath, err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.WindowSize(1280, 900),
	)
	root, cancelRoot := context.WithTimeout(context.Background(), browserTimeout)
	alloc, cancelAlloc := chromedp.NewExecAllocator(root, opts...)
	tab, cancelTab := chromedp.NewContext(alloc)
	tb.Cleanup(func() {
		cancelTab()
		cancelAlloc()
		cancelRoot()
	})
	if err := chromedp.Do(tab); err != nil { // starts the browser, bound to root
		tb.Fatalf("start %s: %v", chromiumPath, err)
	}
	return newTab(tb, tab, base, dir)
}

// incognito opens a tab in a new browser context: no cookies of b's.
func (b *browser) incognito(tb testing.TB) *browser {
	tb.Helper()
	tab, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	tb.Cleanup(cancel)
	return newTab(tb, tab, b.base, b.dir)
}

func newTab(tb testing.TB, tab context.Context, base, dir string) *browser {
	tb.Helper()
	b := &browser{ctx: tab, base: base, dir: dir, dialogs: make(chan string, 8)}
	if err := chromedp.Do(tab); err != nil {
		tb.Fatalf("open a tab: %v", err)
	}
	// A confirm blocks the click that opened it: answer it from here.
	dialogs := chromedp.Events(tab, cdppage.JavascriptDialogOpening)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			_, _ = chromedp.Call(tab, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: b.accept.Load()})
			select {
			case b.dialogs <- ev.Message:
			default:
			}
		}
	}()
	return b
}

// do runs the actions within stepTimeout, failing the test with what was
// being done, the page's address and a screenshot when they fail.
func (b *browser) do(tb testing.TB, what string, actions ...chromedp.Action[chromedp.Void]) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.fail(tb, what, err)
	}
}

// load runs the actions (a click on a link or a submit button) and waits
// for the page they load, failing unless its status is want.
func (b *browser) load(tb testing.TB, what string, want int, actions ...chromedp.Action[chromedp.Void]) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	res, err := chromedp.RunResponse(ctx, actions...)
	if err != nil {
		b.fail(tb, what, err)
	}
	if res == nil || int(res.Status) != want {
		status := 0
		if res != nil {
			status = int(res.Status)
		}
		b.fail(tb, what, fmt.Errorf("status %d, want %d", status, want))
	}
}

// open loads a path of the server.
func (b *browser) open(tb testing.TB, path string) {
	tb.Helper()
	b.load(tb, "open "+path, http.StatusOK, chromedp.Navigate(b.base+path))
}

// click clicks the element (CSS selector) and waits for the page it loads.
func (b *browser) click(tb testing.TB, sel string) {
	tb.Helper()
	b.load(tb, "click "+sel, http.StatusOK, chromedp.Click(chromedp.CSS(sel)))
}

// js evaluates a script expression in the page (awaiting a promise).
func js[T any](tb testing.TB, b *browser, expr string) T {
	tb.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.fail(tb, "evaluate "+expr, err)
	}
	return v
}

// text is the trimmed text content of the element, "" when there is none.
func (b *browser) text(tb testing.TB, sel string) string {
	tb.Helper()
	return js[string](tb, b, fmt.Sprintf(`(document.querySelector(%q)?.textContent ?? "").trim()`, sel))
}

// count is how many elements match the selector.
func (b *browser) count(tb testing.TB, sel string) int {
	tb.Helper()
	return js[int](tb, b, fmt.Sprintf(`document.querySelectorAll(%q).length`, sel))
}

// path is the page's path and query.
func (b *browser) path(tb testing.TB) string {
	tb.Helper()
	return js[string](tb, b, `location.pathname + location.search`)
}

// waitFor polls the expression until it is true, across the page's own
// reloads, failing after timeout.
func (b *browser) waitFor(tb testing.TB, what, expr string, timeout time.Duration) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	var last error
	for {
		ctx, cancel := context.WithTimeout(b.ctx, time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		cancel()
		if err == nil && ok {
			return
		}
		last = err
		if last == nil {
			last = errors.New("still false")
		}
		if time.Now().After(deadline) || b.ctx.Err() != nil {
			b.fail(tb, fmt.Sprintf("wait %s for %s (%s)", timeout, what, expr), last)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// dialog returns the message of the next window.confirm.
func (b *browser) dialog(tb testing.TB) string {
	tb.Helper()
	select {
	case m := <-b.dialogs:
		return m
	case <-time.After(stepTimeout):
		b.fail(tb, "wait for a confirmation dialog", errors.New("none opened"))
		return ""
	}
}

// shot saves a full-page screenshot as name (PNG).
func (b *browser) shot(tb testing.TB, name string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(b.dir, name), buf, 0o644); err != nil {
		tb.Fatal(err)
	}
}

// fail ends the test with what failed, where the page was, and a
// screenshot of it.
func (b *browser) fail(tb testing.TB, what string, err error) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	where, _ := chromedp.Run(ctx, chromedp.Location())
	name := "FAILED-" + strings.Trim(notWord.ReplaceAllString(tb.Name(), "-"), "-") + ".png"
	if buf, serr := chromedp.Run(ctx, chromedp.FullScreenshot(100)); serr == nil {
		_ = os.WriteFile(filepath.Join(b.dir, name), buf, 0o644)
	}
	tb.Fatalf("%s: %v\n\tpage %s (screenshot %s)", what, err, where, filepath.Join(b.dir, name))
}

var notWord = regexp.MustCompile(`[^A-Za-z0-9]+`)

// cookie returns the tab's cookie of that name on the server.
func (b *browser) cookie(tb testing.TB, name string) *network.Cookie {
	tb.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{b.base + "/"}})
	if err != nil {
		b.fail(tb, "read cookies", err)
	}
	for _, c := range res.Cookies {
		if c.Name == name {
			return c
		}
	}
	b.fail(tb, "read cookies", fmt.Errorf("no cookie %s", name))
	return nil
}

// signIn signs in on /signin with the token and lands on /numbers.
func (b *browser) signIn(tb testing.TB, token string) {
	tb.Helper()
	b.open(tb, "/signin")
	b.do(tb, "type the token", chromedp.SendKeys(chromedp.ID("token"), token))
	b.click(tb, "#signin")
	if p := b.path(tb); p != "/numbers" {
		b.fail(tb, "sign in", fmt.Errorf("landed on %s, want /numbers", p))
	}
}

// tabCounts are the Phone Numbers tabs' counts, by tab id.
func (b *browser) tabCounts(tb testing.TB) map[string]string {
	tb.Helper()
	return js[map[string]string](tb, b, `Object.fromEntries([...document.querySelectorAll("nav.tabs a")].map(a => [a.id, a.querySelector(".count").textContent.trim()]))`)
}

// numberRows are the rows of the numbers table: number → the assignee as
// shown ("1001 · Name", "" when unassigned).
func (b *browser) numberRows(tb testing.TB) map[string]string {
	tb.Helper()
	return js[map[string]string](tb, b, `Object.fromEntries([...document.querySelectorAll("#numbers tbody tr")].map(r =>
		[r.dataset.number, (r.querySelector("td.assignee").childNodes[0]?.textContent ?? "").trim()]))`)
}

// row is the CSS selector of a number's row in the numbers table.
func row(number string) string { return fmt.Sprintf("#numbers tr[data-number=%q]", number) }

// shown is how the portal shows an extension as an assignee.
func shown(x inventory.Extension) string { return x.ExtensionNumber + " · " + x.Name }

// TestBrowserPortal walks an admin through the portal in Chromium: sign
// in, add numbers with a vanity prefix, assign, reassign, unassign and
// delete them, a bulk upload to completion, the Reserved tab for two
// months and the language switch; then a viewer who can change nothing,
// and forms posted without their CSRF token.
func TestBrowserPortal(t *testing.T) {
	start := time.Now()
	dir := t.ArtifactDir()
	t.Logf("screenshots: %s", dir)

	e := newWorkerEnv(t)
	ten := e.newTenant(t, "Acme", false, 1, 2, "+16505550100", "+16505550101", "+16505550102")
	ext1, ext2 := ten.exts[0], ten.exts[1]

	// Two numbers reserved since the 10th of last month.
	thisMonth := fees.MonthOf(time.Now())
	lastMonth := thisMonth.Prev()
	reservedAt := lastMonth.Start().Add(9*24*time.Hour + 12*time.Hour)
	reserved := []string{"+16505550801", "+16505550802"}
	spec := store.AcquireSpec{Status: inventory.StatusReserved, EmergencyAddressID: ten.eas[0].ID}
	for _, n := range reserved {
		spec.Numbers = append(spec.Numbers, store.NewNumber{Number: n, Type: inventory.Toll, Country: "US", AreaCode: "650", Region: "CA", City: "Mountain View"})
	}
	clocked := store.New(e.st.Redis(), store.WithClock(func() time.Time { return reservedAt }))
	if res, err := clocked.Acquire(ctx, ten.acct.ID, spec, store.Actor{Name: "test"}, store.BatchOptions{}); err != nil || res.Outcomes[0].Outcome != inventory.OutcomeOK {
		t.Fatalf("reserve %v: %+v %v", reserved, res, err)
	}

	b := newBrowser(t, e.srv.URL, dir)
	numberOf := func(t *testing.T, n string) inventory.Number {
		t.Helper()
		got, err := e.st.Number(ctx, ten.acct.ID, n)
		if err != nil {
			t.Fatalf("number %s: %v", n, err)
		}
		return got
	}
	// The sequence stops at the first step that fails: later steps build
	// on it.
	steps := true
	step := func(name string, f func(t *testing.T)) {
		if steps {
			steps = t.Run(name, f)
		}
	}

	step("sign in", func(t *testing.T) {
		b.open(t, "/numbers")
		if p := b.path(t); p != "/signin?next=%2Fnumbers" {
			t.Errorf("signed out, /numbers went to %s, want the sign-in page", p)
		}
		if h := b.text(t, "h1"); h != "Sign in" {
			t.Errorf("heading %q", h)
		}
		b.shot(t, "sign-in.png")
		b.do(t, "type the token", chromedp.SendKeys(chromedp.ID("token"), ten.admin))
		b.click(t, "#signin")
		if p := b.path(t); p != "/numbers" {
			t.Fatalf("landed on %s, want /numbers", p)
		}
		want := map[string]string{"tab-assigned": "1", "tab-unassigned": "2", "tab-ported": "0", "tab-reserved": "2"}
		if diff := cmp.Diff(want, b.tabCounts(t)); diff != "" {
			t.Errorf("tab counts (-want +got):\n%s", diff)
		}
		if got := js[string](t, b, `document.querySelector("nav.tabs a.on").id`); got != "tab-assigned" {
			t.Errorf("open tab %s, want tab-assigned", got)
		}
		if diff := cmp.Diff(map[string]string{"+16505550100": shown(ext1)}, b.numberRows(t)); diff != "" {
			t.Errorf("Assigned tab (-want +got):\n%s", diff)
		}
		if who := b.text(t, ".who"); who != "Acme Corp · Acme admin (admin)" {
			t.Errorf("signed in as %q", who)
		}
		c := b.cookie(t, sessionCookie)
		if !c.HTTPOnly || c.SameSite != network.CookieSameSiteStrict || c.Path != "/" {
			t.Errorf("session cookie %+v: want HttpOnly, SameSite=Strict, Path=/", c)
		}
		b.shot(t, "numbers-assigned.png")
	})

	var picked []string // the two numbers ordered
	step("add numbers with a vanity prefix", func(t *testing.T) {
		b.click(t, "#nav-add")
		if h := b.text(t, "h1"); h != "Add phone numbers" {
			t.Errorf("heading %q", h)
		}
		if got := js[string](t, b, `document.getElementById("target").value`); got != ten.eas[0].ID {
			t.Errorf("emergency address %q, want %s", got, ten.eas[0].ID)
		}
		b.do(t, "fill the search form",
			chromedp.SetValue(chromedp.ID("area-code"), "650"),
			chromedp.Click(chromedp.CSS("#advanced > summary")),
			chromedp.SendKeys(chromedp.ID("prefix"), "YKI"),
		)
		b.click(t, "#do-search")
		b.shot(t, "add-results.png")
		q, _ := url.ParseQuery(strings.TrimPrefix(b.path(t), "/numbers/add?"))
		if q.Get("area_code") != "650" || q.Get("prefix") != "YKI" || q.Get("target") != ten.eas[0].ID {
			t.Errorf("search query %v", q)
		}
		if !js[bool](t, b, `document.getElementById("advanced").open`) || b.text(t, "#search-error") != "" {
			t.Errorf("advanced closed after the search, or an error: %q", b.text(t, "#search-error"))
		}
		type result struct{ Value, Shown string }
		results := js[[]result](t, b, `[...document.querySelectorAll("#results tbody tr")].map(r =>
			({Value: r.querySelector("input.pick").value, Shown: r.querySelector("td.num").textContent.trim()}))`)
		if len(results) < 2 {
			t.Fatalf("%d results for 650 + YKI, want at least 2", len(results))
		}
		for _, r := range results {
			if !strings.HasPrefix(r.Value, "+1650954") || r.Shown != displayNumber(r.Value) || !strings.HasPrefix(r.Shown, "+1 650-954-") {
				t.Errorf("result %+v does not start with 650-954 (YKI)", r)
			}
		}
		if h := b.text(t, "#order-form h2"); h != fmt.Sprintf("Results (%d)", len(results)) {
			t.Errorf("results heading %q", h)
		}

		checked := func() []string {
			return js[[]string](t, b, `[...document.querySelectorAll("#results input.pick:checked")].map(c => c.value)`)
		}
		b.do(t, "select all", chromedp.Click(chromedp.ID("select-all")))
		if got := len(checked()); got != len(results) {
			t.Errorf("select all ticked %d of %d", got, len(results))
		}
		b.do(t, "select none", chromedp.Click(chromedp.ID("select-all")))
		if got := checked(); len(got) != 0 {
			t.Errorf("unticking select all left %v", got)
		}
		b.do(t, "tick two",
			chromedp.Click(chromedp.CSS("#results tbody tr:nth-child(1) input.pick")),
			chromedp.Click(chromedp.CSS("#results tbody tr:nth-child(2) input.pick")),
		)
		picked = checked()
		if want := []string{results[0].Value, results[1].Value}; !slices.Equal(picked, want) {
			t.Fatalf("ticked %v, want %v", picked, want)
		}

		b.click(t, "#confirm-order")
		if p := b.path(t); !strings.HasPrefix(p, "/orders/") {
			t.Fatalf("confirm went to %s, want an order page", p)
		}
		if f := b.text(t, "#flash"); f != "Order placed." {
			t.Errorf("flash %q", f)
		}
		// The page reloads itself while the order is open.
		b.waitFor(t, "the order to finish", `!["pending", "processing", ""].includes(document.getElementById("order-status")?.dataset.status ?? "")`, 15*time.Second)
		b.shot(t, "order.png")
		if st := js[string](t, b, `document.getElementById("order-status").dataset.status`); st != "completed" {
			t.Fatalf("order %s, want completed", st)
		}
		got := map[string]string{}
		for _, id := range []string{"order-status", "acquired", "activated", "failed"} {
			got[id] = b.text(t, "#"+id)
		}
		if diff := cmp.Diff(map[string]string{"order-status": "completed", "acquired": "2", "activated": "0", "failed": "0"}, got); diff != "" {
			t.Errorf("order progress (-want +got):\n%s", diff)
		}
		if v := js[[]int](t, b, `[document.getElementById("order-progress").value, document.getElementById("order-progress").max]`); !slices.Equal(v, []int{2, 2}) {
			t.Errorf("order progress bar %v, want [2 2]", v)
		}
		lines := js[[]string](t, b, `[...document.querySelectorAll("#order-lines tr")].map(r => r.querySelector(".num").textContent + " " + r.querySelector(".status").textContent)`)
		if want := []string{displayNumber(picked[0]) + " acquired", displayNumber(picked[1]) + " acquired"}; !cmp.Equal(want, lines) {
			t.Errorf("order lines %q, want %q", lines, want)
		}
		for _, n := range picked {
			if got := numberOf(t, n); got.Status != inventory.StatusUnassigned || got.EmergencyAddressID != ten.eas[0].ID {
				t.Errorf("ordered %s: %+v", n, got)
			}
		}
	})

	step("assign", func(t *testing.T) {
		a := picked[0]
		b.open(t, "/numbers?tab=unassigned")
		want := map[string]string{"tab-assigned": "1", "tab-unassigned": "4", "tab-ported": "0", "tab-reserved": "2"}
		if diff := cmp.Diff(want, b.tabCounts(t)); diff != "" {
			t.Errorf("tab counts (-want +got):\n%s", diff)
		}
		rows := b.numberRows(t)
		if diff := cmp.Diff(map[string]string{"+16505550101": "", "+16505550102": "", picked[0]: "", picked[1]: ""}, rows); diff != "" {
			t.Errorf("Unassigned tab (-want +got):\n%s", diff)
		}
		b.shot(t, "numbers-unassigned.png")
		input := row(a) + " form.assign-form input[name=extension]"
		b.do(t, "open Assign to and type the extension",
			chromedp.Click(chromedp.CSS(row(a)+" details.assign > summary")),
			chromedp.SendKeys(chromedp.CSS(input), ext1.ExtensionNumber),
		)
		// The box suggests extensions as one types.
		b.waitFor(t, "the extension suggestions", fmt.Sprintf(`[...document.querySelectorAll("#ext-suggest option")].some(o => o.value === %q)`, shown(ext1)), stepTimeout)
		b.shot(t, "assign-to.png")
		b.click(t, row(a)+" form.assign-form button")
		if p := b.path(t); p != "/numbers?tab=unassigned" {
			t.Errorf("back to %s, want the Unassigned tab", p)
		}
		if f := b.text(t, "#flash"); f != displayNumber(a)+" assigned." {
			t.Errorf("flash %q", f)
		}
		if _, ok := b.numberRows(t)[a]; ok {
			t.Errorf("%s still on the Unassigned tab", a)
		}
		b.click(t, "#tab-assigned")
		if got := b.numberRows(t)[a]; got != shown(ext1) {
			t.Errorf("Assigned tab shows %s assigned to %q, want %q", a, got, shown(ext1))
		}
		b.shot(t, "numbers-assigned-after-assign.png")
		if n := numberOf(t, a); n.Status != inventory.StatusAssigned || n.Assignee == nil || n.Assignee.ExtensionID != ext1.ID {
			t.Errorf("stored %+v", n)
		}
	})

	step("reassign", func(t *testing.T) {
		a := picked[0]
		b.do(t, "open Edit and type the other extension",
			chromedp.Click(chromedp.CSS(row(a)+" details.edit > summary")),
			chromedp.SendKeys(chromedp.CSS(row(a)+" form.reassign input[name=extension]"), ext2.ExtensionNumber),
		)
		b.click(t, row(a)+" form.reassign button")
		if f := b.text(t, "#flash"); f != displayNumber(a)+" reassigned." {
			t.Errorf("flash %q", f)
		}
		if got := b.numberRows(t)[a]; got != shown(ext2) {
			t.Errorf("%s assigned to %q, want %q", a, got, shown(ext2))
		}
		b.shot(t, "numbers-reassigned.png")
		if n := numberOf(t, a); n.Assignee == nil || n.Assignee.ExtensionID != ext2.ID {
			t.Errorf("stored %+v", n)
		}
	})

	step("unassign with confirmation", func(t *testing.T) {
		a := picked[0]
		// Cancelled: nothing happens.
		b.accept.Store(false)
		b.do(t, "click Unassign", chromedp.Click(chromedp.CSS(row(a)+" form.unassign button")))
		if m := b.dialog(t); m != "Unassign this number?" {
			t.Errorf("confirmation %q", m)
		}
		time.Sleep(200 * time.Millisecond) // a submit would have left by now
		if p, f := b.path(t), b.text(t, "#flash"); p != "/numbers?tab=assigned" || f != displayNumber(a)+" reassigned." {
			t.Errorf("cancelled unassign went to %s (flash %q), want to stay on the page", p, f)
		}
		if n := numberOf(t, a); n.Status != inventory.StatusAssigned {
			t.Errorf("cancelled unassign changed %+v", n)
		}
		// Accepted.
		b.accept.Store(true)
		b.click(t, row(a)+" form.unassign button")
		if m := b.dialog(t); m != "Unassign this number?" {
			t.Errorf("confirmation %q", m)
		}
		if f := b.text(t, "#flash"); f != displayNumber(a)+" unassigned." {
			t.Errorf("flash %q", f)
		}
		if _, ok := b.numberRows(t)[a]; ok {
			t.Errorf("%s still on the Assigned tab", a)
		}
		b.click(t, "#tab-unassigned")
		if got, ok := b.numberRows(t)[a]; !ok || got != "" {
			t.Errorf("Unassigned tab: %s present %v, assignee %q", a, ok, got)
		}
		b.shot(t, "numbers-unassigned-after-unassign.png")
		if n := numberOf(t, a); n.Status != inventory.StatusUnassigned || n.Assignee != nil {
			t.Errorf("stored %+v", n)
		}
	})

	step("delete", func(t *testing.T) {
		d := picked[1]
		b.accept.Store(true)
		b.click(t, row(d)+" form.delete button")
		if m := b.dialog(t); !strings.HasPrefix(m, "Delete this number?") {
			t.Errorf("confirmation %q", m)
		}
		if f := b.text(t, "#flash"); f != displayNumber(d)+" deleted." {
			t.Errorf("flash %q", f)
		}
		if _, ok := b.numberRows(t)[d]; ok {
			t.Errorf("%s still listed", d)
		}
		if got := b.tabCounts(t)["tab-unassigned"]; got != "3" {
			t.Errorf("Unassigned count %s, want 3", got)
		}
		b.shot(t, "numbers-after-delete.png")
		n, err := e.st.Number(ctx, ten.acct.ID, d)
		if inventory.ErrorCode(err) != inventory.CodeNumberNotFound && n.Status != inventory.StatusReleased {
			t.Errorf("deleted %s is still %+v (%v)", d, n, err)
		}
	})

	step("bulk upload", func(t *testing.T) {
		b.click(t, "#nav-bulk")
		b.shot(t, "bulk.png")
		file := filepath.Join(t.TempDir(), "assignments.csv")
		csv := "phone_number,extension_number,action\r\n" +
			"+16505550101," + ext1.ExtensionNumber + ",assign\r\n" +
			"650 555 0102," + ext2.ExtensionNumber + ",assign\r\n" +
			"12345," + ext1.ExtensionNumber + ",assign\r\n"
		if err := os.WriteFile(file, []byte(csv), 0o644); err != nil {
			t.Fatal(err)
		}
		b.do(t, "choose the file", chromedp.SetUploadFiles(chromedp.ID("file"), []string{file}))
		b.click(t, "#upload")
		p := b.path(t)
		id, ok := strings.CutPrefix(p, "/imports/")
		if !ok {
			t.Fatalf("upload went to %s, want an import page", p)
		}
		b.waitFor(t, "the import to finish", `!["queued", "running"].includes(document.getElementById("import-status").dataset.status)`, 15*time.Second)
		b.waitFor(t, "the progress bar to reach the total", `document.getElementById("import-progress").value === 3`, stepTimeout)
		b.shot(t, "bulk-progress.png")
		got := js[map[string]string](t, b, `({
			status: document.getElementById("import-status").dataset.status,
			bar: document.getElementById("import-progress").value + "/" + document.getElementById("import-progress").max,
			pct: document.getElementById("import-pct").textContent,
			done: document.getElementById("rows-done").textContent, total: document.getElementById("rows-total").textContent,
			ok: document.getElementById("rows-ok").textContent, unchanged: document.getElementById("rows-unchanged").textContent,
			failed: document.getElementById("rows-failed").textContent,
			report: String(!document.getElementById("report").hidden && document.getElementById("error-report").offsetParent !== null),
			href: document.getElementById("error-report").getAttribute("href"),
		})`)
		want := map[string]string{"status": "completed", "bar": "3/3", "pct": "100", "done": "3", "total": "3", "ok": "2", "unchanged": "0", "failed": "1",
			"report": "true", "href": "/imports/" + id + "/errors.csv"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("import page (-want +got):\n%s", diff)
		}

		// The error report, downloaded with the browser's session.
		req, err := http.NewRequest("GET", e.srv.URL+got["href"], nil)
		if err != nil {
			t.Fatal(err)
		}
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: b.cookie(t, sessionCookie).Value})
		res, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
			t.Fatalf("error report: %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), body)
		}
		rows, err := stdcsv.NewReader(bytes.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatalf("error report %q: %v", body, err)
		}
		for i := range rows {
			rows[i] = rows[i][:min(len(rows[i]), 5)] // not the parser's message
		}
		wantRows := [][]string{
			{"line", "phone_number", "extension_number", "action", "error_code"},
			{"4", "12345", ext1.ExtensionNumber, "assign", "invalid_phone_number"},
		}
		if diff := cmp.Diff(wantRows, rows); diff != "" {
			t.Errorf("error report (-want +got):\n%s", diff)
		}

		for n, x := range map[string]inventory.Extension{"+16505550101": ext1, "+16505550102": ext2} {
			if got := numberOf(t, n); got.Assignee == nil || got.Assignee.ExtensionID != x.ID {
				t.Errorf("after the import %s is %+v, want it assigned to %s", n, got, x.ExtensionNumber)
			}
		}
		b.click(t, "#nav-bulk")
		if got := b.text(t, "#imports tbody tr td:nth-child(3)"); got != "completed" {
			t.Errorf("recent imports show %q, want the import completed", got)
		}
		b.click(t, "a[href='/numbers']")
		if got := b.numberRows(t); got["+16505550101"] != shown(ext1) || got["+16505550102"] != shown(ext2) {
			t.Errorf("Assigned tab after the import: %v", got)
		}
	})

	step("reserved tab for a month", func(t *testing.T) {
		b.open(t, "/numbers?tab=reserved&month="+thisMonth.String())
		if got := js[string](t, b, `document.getElementById("month").value`); got != thisMonth.String() {
			t.Errorf("month picker %q, want %s", got, thisMonth)
		}
		fee := func() [][]string {
			return js[[][]string](t, b, `[...document.querySelectorAll("#fees tbody tr")].map(r => [...r.cells].map(c => c.textContent.trim()))`)
		}
		rows := fee()
		if len(rows) != 2 || rows[0][0] != "US" || rows[0][1] != "2" || rows[1][0] != "Total USD" || rows[1][1] != "2" {
			t.Errorf("fees of %s: %q, want the US row with 2 reserved numbers and the USD total", thisMonth, rows)
		}
		if diff := cmp.Diff(map[string]string{reserved[0]: "", reserved[1]: ""}, b.numberRows(t)); diff != "" {
			t.Errorf("Reserved tab (-want +got):\n%s", diff)
		}
		if note := b.text(t, "p.hint"); note != "The current month is an estimate to date." {
			t.Errorf("estimate note %q", note)
		}
		b.shot(t, "reserved.png")

		b.do(t, "pick last month", chromedp.SetValue(chromedp.ID("month"), lastMonth.String()))
		b.click(t, "#show-month")
		if q, _ := url.ParseQuery(strings.TrimPrefix(b.path(t), "/numbers?")); q.Get("tab") != "reserved" || q.Get("month") != lastMonth.String() {
			t.Errorf("show month went to %s", b.path(t))
		}
		rows = fee()
		days := strconv.Itoa(2 * (lastMonth.Days() - 9)) // from the 10th on
		if len(rows) != 2 || rows[0][0] != "US" || rows[0][1] != "2" || rows[0][2] != days || !strings.HasSuffix(rows[0][4], " USD") {
			t.Errorf("fees of %s: %q, want the US row with 2 numbers for %s number-days", lastMonth, rows, days)
		}
		if note := b.text(t, "p.hint"); note != "" {
			t.Errorf("a closed month shows %q", note)
		}
		b.shot(t, "reserved-last-month.png")

		b.open(t, "/numbers?tab=reserved&month="+thisMonth.Next().String())
		if msg := b.text(t, "p.error"); !strings.Contains(msg, "has not begun") || b.count(t, "#fees") != 0 {
			t.Errorf("next month: error %q, %d fee tables", msg, b.count(t, "#fees"))
		}
	})

	step("Polish", func(t *testing.T) {
		b.open(t, "/numbers?tab=reserved&month="+lastMonth.String())
		b.click(t, "#lang-pl")
		if p := b.path(t); p != "/numbers?tab=reserved&month="+lastMonth.String() {
			t.Errorf("switching language went to %s, want the same page", p)
		}
		got := js[map[string]string](t, b, `({lang: document.documentElement.lang, h1: document.querySelector("h1").textContent,
			tab: document.getElementById("tab-reserved").firstChild.textContent.trim(), on: document.getElementById("lang-pl").className,
			add: document.getElementById("nav-add").textContent})`)
		want := map[string]string{"lang": "pl", "h1": "Numery telefonów", "tab": "Zarezerwowane", "on": "on", "add": "Dodaj"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Polish page (-want +got):\n%s", diff)
		}
		b.shot(t, "polish.png")
		b.click(t, "#lang-en")
		if h := b.text(t, "h1"); h != "Phone Numbers" {
			t.Errorf("back in English the heading is %q", h)
		}
	})

	step("viewer changes nothing", func(t *testing.T) {
		v := b.incognito(t)
		v.signIn(t, ten.viewer)
		if note := v.text(t, "#viewer-note"); note != "You are signed in with a viewer token: you can look, not change." {
			t.Errorf("viewer note %q", note)
		}
		rows := v.numberRows(t)
		if len(rows) != 3 || rows["+16505550101"] != shown(ext1) {
			t.Errorf("the viewer sees %v", rows)
		}
		forms := ".assign-form, form.reassign, form.unassign, form.delete, #nav-add, #numbers td.actions"
		if n := v.count(t, forms); n != 0 {
			t.Errorf("the viewer's Assigned tab has %d action elements", n)
		}
		v.shot(t, "viewer.png")
		v.click(t, "#tab-unassigned")
		if n := v.count(t, forms); n != 0 || v.count(t, "#numbers tbody tr") != 1 {
			t.Errorf("the viewer's Unassigned tab: %d rows, %d action elements", v.count(t, "#numbers tbody tr"), n)
		}
		v.click(t, "#nav-bulk")
		if n := v.count(t, "#upload-form"); n != 0 {
			t.Errorf("the viewer's Bulk page has an upload form")
		}
		v.shot(t, "viewer-bulk.png")

		// A form posted from the page, with the session's CSRF token.
		type answer struct {
			Status int
			Body   string
		}
		got := js[answer](t, v, `(async () => {
			const csrf = document.querySelector('form[action="/signout"] input[name=csrf]').value;
			const res = await fetch("/numbers/%2B16505550101/unassign", {method: "POST", body: new URLSearchParams({csrf, back: "/numbers"}), credentials: "same-origin", redirect: "manual"});
			return {Status: res.status, Body: await res.text()};
		})()`)
		if got.Status != http.StatusForbidden || !strings.Contains(got.Body, "a viewer may look but not change anything") {
			t.Errorf("the viewer's unassign: %d %.300s", got.Status, got.Body)
		}
		if n := numberOf(t, "+16505550101"); n.Assignee == nil || n.Assignee.ExtensionID != ext1.ID {
			t.Errorf("the viewer changed %+v", n)
		}

		// A viewer may sign out.
		v.click(t, "#signout")
		if p := v.path(t); p != "/signin" {
			t.Errorf("sign out went to %s", p)
		}
		v.open(t, "/numbers")
		if p := v.path(t); !strings.HasPrefix(p, "/signin") {
			t.Errorf("signed out, /numbers shows %s", p)
		}
	})

	step("CSRF rejected without the token", func(t *testing.T) {
		c := newFormClient(t, e.srv.URL)
		// Sign-in itself needs the sign-in form's token.
		c.post(t, "/signin", url.Values{"token": {ten.admin}}).want(t, http.StatusForbidden, "")
		csrf := c.csrf(t, "/signin")
		c.post(t, "/signin", url.Values{"token": {ten.admin}, "csrf": {csrf}}).want(t, http.StatusSeeOther, "")
		if !c.has(sessionCookie) {
			t.Fatal("signed in without a session cookie")
		}
		n := "+16505550100"
		path := "/numbers/" + url.PathEscape(n) + "/unassign"
		for name, r := range map[string]response{
			"no token":           c.post(t, path, url.Values{"back": {"/numbers"}}),
			"a wrong token":      c.post(t, path, url.Values{"back": {"/numbers"}, "csrf": {"forged"}}),
			"the sign-in token":  c.post(t, path, url.Values{"back": {"/numbers"}, "csrf": {csrf}}),
			"a wrong header":     c.post(t, path, url.Values{"back": {"/numbers"}}, "X-CSRF-Token", "forged"),
			"an empty form body": c.post(t, path, nil),
		} {
			if r.status != http.StatusForbidden || !strings.Contains(string(r.body), "CSRF token missing or wrong") {
				t.Errorf("%s: %d %.300s", name, r.status, r.body)
			}
		}
		if got := numberOf(t, n); got.Status != inventory.StatusAssigned || got.Assignee == nil || got.Assignee.ExtensionID != ext1.ID {
			t.Errorf("a forged unassign changed %+v", got)
		}
		// The same request with the page's token goes through.
		token := c.csrf(t, "/numbers")
		r := c.post(t, path, url.Values{"back": {"/numbers"}, "csrf": {token}})
		r.want(t, http.StatusSeeOther, "")
		if got := numberOf(t, n); got.Status != inventory.StatusUnassigned {
			t.Errorf("with the token, unassign left %+v", got)
		}
	})

	t.Logf("browser walk took %s", time.Since(start).Round(time.Millisecond))
}

// formClient is a client of the portal's forms with a cookie jar, as a
// browser without JavaScript would post them. It follows no redirects.
type formClient struct {
	base string
	jar  *cookiejar.Jar
	c    *http.Client
}

func newFormClient(tb testing.TB, base string) *formClient {
	tb.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		tb.Fatal(err)
	}
	return &formClient{base: base, jar: jar, c: &http.Client{Jar: jar, Timeout: stepTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *formClient) do(tb testing.TB, req *http.Request) response {
	tb.Helper()
	res, err := c.c.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// csrfField is a form's CSRF field as the portal renders it.
var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf gets the page and returns the CSRF token of its first form.
func (c *formClient) csrf(tb testing.TB, path string) string {
	tb.Helper()
	req, err := http.NewRequest("GET", c.base+path, nil)
	if err != nil {
		tb.Fatal(err)
	}
	r := c.do(tb, req)
	r.want(tb, http.StatusOK, "")
	m := csrfField.FindSubmatch(r.body)
	if m == nil {
		tb.Fatalf("GET %s: no CSRF field in %.500s", path, r.body)
	}
	return string(m[1])
}

// post posts the form; hdr holds header name/value pairs.
func (c *formClient) post(tb testing.TB, path string, form url.Values, hdr ...string) response {
	tb.Helper()
	req, err := http.NewRequest("POST", c.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return c.do(tb, req)
}

// has reports whether the jar holds the cookie for the server.
func (c *formClient) has(name string) bool {
	u, _ := url.Parse(c.base + "/")
	for _, ck := range c.jar.Cookies(u) {
		if ck.Name == name && ck.Value != "" {
			return true
		}
	}
	return false
}
