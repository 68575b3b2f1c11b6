package httpapi

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/numberdesk/numberdesk/internal/carrier"
	"github.com/numberdesk/numberdesk/internal/fees"
	"github.com/numberdesk/numberdesk/internal/importer"
	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/store"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"
)

// Defaults of Config.
const (
	DefaultMaxBodyBytes = 1 << 20
	DefaultRateLimit    = 50
	DefaultRateBurst    = 100
)

// Config configures the API handler. Only Store is required.
type Config struct {
	Store *store.Store
	// Logger receives one line per request and every internal error
	// (default: slog.Default()).
	Logger *slog.Logger
	// RateLimit is each token's sustained request rate per second in this
	// process (default DefaultRateLimit; rate.Inf turns the limit off), and
	// RateBurst how many requests a token may make at once (default
	// DefaultRateBurst).
	RateLimit rate.Limit
	RateBurst int
	// MaxBodyBytes caps JSON request bodies (default DefaultMaxBodyBytes);
	// a larger body is refused with 413.
	MaxBodyBytes int64
	// Registry is where the API registers its metrics; GET /metrics serves
	// it. Default: a new registry with the Go and process collectors.
	Registry *prometheus.Registry
	// Intake takes bulk-import uploads (the /v1/imports routes).
	Intake *importer.Intake
	// MaxUploadBytes caps an import upload (default DefaultMaxUploadBytes).
	MaxUploadBytes int64
	// Carrier answers number searches (nil: searches of the carrier
	// answer 503; reserved_only searches still work).
	Carrier carrier.Carrier
	// Queue takes the tasks of orders and number requests (nil: those
	// routes answer 503).
	Queue importer.Enqueuer
	// Fees prices the reserved-number fees of GET /v1/reserved (nil:
	// fees.DefaultSchedule()).
	Fees fees.Schedule
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Ops serves the operators' pages under OpsPrefix (Asynqmon at
	// /ops/queues) to requests carrying OperatorToken; without both they
	// answer 404.
	Ops           http.Handler
	OperatorToken string
}

// DefaultMaxUploadBytes is the default cap of an import upload: 200 MB.
const DefaultMaxUploadBytes = 200 << 20

// api is the handler New returns.
type api struct {
	store   *store.Store
	log     *slog.Logger
	maxBody int64
	limiter *limiter
	metrics *metrics
	mux     *http.ServeMux
	table   []route
	openapi []byte

	intake    *importer.Intake // nil: uploads answer 503
	maxUpload int64
	carrier   carrier.Carrier   // nil: carrier searches answer 503
	queue     importer.Enqueuer // nil: orders and number requests answer 503
	now       func() time.Time

	ops           http.Handler
	operatorToken string
	portal        *http.ServeMux // the web portal's pages (portal.go)

	fees fees.Schedule // prices GET /v1/reserved

	countries sync.Map // account id -> country, which never changes
}

// New returns the API's http.Handler.
func New(cfg Config) (http.Handler, error) {
	if cfg.Store == nil {
		return nil, fmt.Errorf("httpapi: Config.Store is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.MaxBodyBytes < 0 {
		return nil, fmt.Errorf("httpapi: Config.MaxBodyBytes must be positive, got %d", cfg.MaxBodyBytes)
	}
	if cfg.RateLimit == 0 {
		cfg.RateLimit = DefaultRateLimit
	}
	if cfg.RateBurst == 0 {
		cfg.RateBurst = DefaultRateBurst
	}
	if cfg.RateLimit < 0 || cfg.RateBurst < 0 {
		return nil, fmt.Errorf("httpapi: Config.RateLimit and RateBurst must be positive")
	}
	if cfg.MaxUploadBytes == 0 {
		cfg.MaxUploadBytes = DefaultMaxUploadBytes
	}
	if cfg.MaxUploadBytes < 0 {
		return nil, fmt.Errorf("httpapi: Config.MaxUploadBytes must be positive, got %d", cfg.MaxUploadBytes)
	}
	m, err := newMetrics(cfg.Registry)
	if err != nil {
		return nil, err
	}
	a := &api{
		store: cfg.Store, log: cfg.Logger, maxBody: cfg.MaxBodyBytes,
		limiter: newLimiter(cfg.RateLimit, cfg.RateBurst), metrics: m, mux: http.NewServeMux(),
		intake: cfg.Intake, maxUpload: cfg.MaxUploadBytes, carrier: cfg.Carrier, queue: cfg.Queue, now: cfg.Now,
		ops: cfg.Ops, operatorToken: cfg.OperatorToken,
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.fees = cfg.Fees; a.fees == nil {
		a.fees = fees.DefaultSchedule()
	}
	a.portal = http.NewServeMux()
	a.portalRoutes(a.portal)
	a.table = a.routes()
	for i := range a.table {
		rt := &a.table[i]
		a.mux.Handle(rt.key(), a.serveRoute(rt))
	}
	if a.openapi, err = openAPIDocument(a.table); err != nil {
		return nil, fmt.Errorf("httpapi: build the OpenAPI document: %w", err)
	}
	return a, nil
}

// ServeHTTP gives the request an id, logs it, recovers a panicking handler
// and routes the request; unknown paths and methods get problem documents.
func (a *api) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	info := &requestInfo{id: newRequestID(r.Header.Get("X-Request-ID")), route: "unmatched"}
	r = r.WithContext(withRequestInfo(r.Context(), info))
	w.Header().Set("X-Request-ID", info.id)
	sw := &statusWriter{ResponseWriter: w}
	defer a.logRequest(r, sw, info, start)
	defer a.recoverPanic(sw, r)

	if _, pattern := a.mux.Handler(r); pattern != "" {
		a.mux.ServeHTTP(sw, r)
		return
	}
	if _, pattern := a.portal.Handler(r); pattern != "" {
		info.route = "portal " + pattern
		a.portal.ServeHTTP(sw, r)
		a.metrics.observe(info.route, sw.code(), time.Since(start))
		return
	}
	if r.URL.Path == OpsPrefix || strings.HasPrefix(r.URL.Path, OpsPrefix+"/") {
		info.route = OpsPrefix
		a.serveOps(sw, r)
		a.metrics.observe(OpsPrefix, sw.code(), time.Since(start))
		return
	}
	// No route: ask the mux whether the path exists for other methods.
	probe := &statusWriter{ResponseWriter: discard{h: http.Header{}}}
	a.mux.ServeHTTP(probe, r)
	var err error
	switch probe.status {
	case http.StatusMethodNotAllowed:
		sw.Header().Set("Allow", probe.Header().Get("Allow"))
		err = apiError(CodeMethodNotAllowed, fmt.Sprintf("%s is not allowed here; allowed: %s", r.Method, probe.Header().Get("Allow")))
	case http.StatusMovedPermanently, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		a.mux.ServeHTTP(sw, r) // a path the mux cleans up
		return
	default:
		err = apiError(inventory.CodeNotFound, "no such path: "+r.URL.Path)
	}
	a.metrics.observe("unmatched", StatusOf(inventory.ErrorCode(err)), time.Since(start))
	a.writeProblem(sw, r, err)
}

// serveRoute wraps a route's handler with metrics, authentication, the
// rate limit and the role check.
func (a *api) serveRoute(rt *route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := requestInfoFrom(r.Context())
		info.route = rt.key()
		sw := &statusWriter{ResponseWriter: w}
		defer func() { a.metrics.observe(rt.key(), sw.code(), time.Since(start)) }()
		defer a.recoverPanic(sw, r)
		c := &call{api: a, route: rt, w: sw, r: r}
		if err := a.authorize(c); err != nil {
			a.writeProblem(sw, r, err)
			return
		}
		if err := rt.serve(c); err != nil {
			if sw.wrote {
				a.log.Error("handler failed after writing", "request_id", info.id, "err", err.Error())
				return
			}
			a.writeProblem(sw, r, err)
		}
	})
}

// Server timeouts of NewServer. A route that streams a large upload extends
// its own deadlines with http.ResponseController (SetReadDeadline,
// SetWriteDeadline); the defaults bound every other request.
const (
	ReadHeaderTimeout = 10 * time.Second
	ReadTimeout       = 30 * time.Second
	WriteTimeout      = 60 * time.Second
	IdleTimeout       = 120 * time.Second
)

// NewServer returns an http.Server for h with the timeouts above and its
// own errors logged to logger.
func NewServer(h http.Handler, logger *slog.Logger) *http.Server {
	if logger == nil {
		logger = slog.Default()
	}
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// discard is a ResponseWriter that keeps headers and drops the body.
type discard struct{ h http.Header }

func (d discard) Header() http.Header         { return d.h }
func (d discard) Write(p []byte) (int, error) { return len(p), nil }
func (d discard) WriteHeader(int)             {}
