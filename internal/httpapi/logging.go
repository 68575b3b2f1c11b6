package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"
)

// requestInfo is what the inner layers learn about a request for its log
// line: its id, its route and who called.
type requestInfo struct {
	id, route          string
	accountID, tokenID string
}

type requestInfoKey struct{}

func withRequestInfo(ctx context.Context, info *requestInfo) context.Context {
	return context.WithValue(ctx, requestInfoKey{}, info)
}

func requestInfoFrom(ctx context.Context) *requestInfo {
	if info, ok := ctx.Value(requestInfoKey{}).(*requestInfo); ok {
		return info
	}
	return &requestInfo{}
}

// requestID returns the id of the request ctx belongs to.
func requestID(ctx context.Context) string { return requestInfoFrom(ctx).id }

// newRequestID keeps a client's X-Request-ID when it is a sane token (1 to
// 128 characters of letters, digits and ._:-) and otherwise makes one.
func newRequestID(given string) string {
	if len(given) > 0 && len(given) <= 128 {
		ok := true
		for i := 0; i < len(given) && ok; i++ {
			c := given[i]
			ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == ':' || c == '-'
		}
		if ok {
			return given
		}
	}
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// logRequest writes the request's log line: probes and documents at debug
// level, server errors at error level, everything else at info.
func (a *api) logRequest(r *http.Request, sw *statusWriter, info *requestInfo, start time.Time) {
	status := sw.code()
	level := slog.LevelInfo
	switch {
	case status >= 500:
		level = slog.LevelError
	case info.accountID == "" && status < 400:
		level = slog.LevelDebug
	}
	ctx := context.WithoutCancel(r.Context())
	if !a.log.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("request_id", info.id),
		slog.String("method", r.Method),
		slog.String("route", info.route),
		slog.String("path", r.URL.EscapedPath()),
		slog.Int("status", status),
		slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
		slog.Int64("bytes", sw.bytes),
	}
	if info.accountID != "" {
		attrs = append(attrs, slog.String("account_id", info.accountID), slog.String("token_id", info.tokenID))
	}
	a.log.LogAttrs(ctx, level, "http request", attrs...)
}

// statusWriter records the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if !w.wrote {
		w.status, w.wrote = http.StatusOK, true
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

// code is the status written, 200 when the handler wrote nothing.
func (w *statusWriter) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
