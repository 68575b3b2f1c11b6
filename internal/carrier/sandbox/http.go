package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/numberdesk/numberdesk/internal/carrier"
)

// ServeHTTP serves the carrier HTTP API (see package carrier) with the
// configured fault injection: every request waits Config.Latency, then a
// share Config.TimeoutRate hangs until the client gives up (or
// Config.HangLimit passes, then answers 504), and a share Config.ErrorRate
// of the rest is answered 503 without doing anything.
func (s *Carrier) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Read the body first: the server notices a client that gave up only
	// once the body is consumed.
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 8<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, carrier.CodeInvalid, "read request: "+err.Error())
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if s.cfg.Latency > 0 {
		select {
		case <-time.After(s.cfg.Latency):
		case <-r.Context().Done():
			return
		}
	}
	if s.cfg.TimeoutRate > 0 && s.roll() < s.cfg.TimeoutRate {
		t := time.NewTimer(s.cfg.HangLimit)
		defer t.Stop()
		select {
		case <-t.C:
			writeError(w, http.StatusGatewayTimeout, carrier.CodeUnavailable, "injected timeout")
		case <-r.Context().Done():
		}
		return
	}
	if s.cfg.ErrorRate > 0 && s.roll() < s.cfg.ErrorRate {
		writeError(w, http.StatusServiceUnavailable, carrier.CodeUnavailable, "injected failure")
		return
	}
	s.mux().ServeHTTP(w, r)
}

// mux routes the API; built once.
func (s *Carrier) mux() *http.ServeMux {
	s.muxOnce.Do(func() {
		m := http.NewServeMux()
		m.HandleFunc("POST /v1/search", s.handleSearch)
		m.HandleFunc("POST /v1/orders", s.handleOrder)
		m.HandleFunc("POST /v1/ports", s.handleSubmitPort)
		m.HandleFunc("GET /v1/ports/{id}", s.handlePort)
		m.HandleFunc("POST /v1/ports/{id}/cancel", s.handleCancelPort)
		m.HandleFunc("POST /v1/requests", s.handleRequest)
		s.handler = m
	})
	return s.handler
}

// httpState is the HTTP part of Carrier.
type httpState struct {
	muxOnce sync.Once
	handler *http.ServeMux
}

func (s *Carrier) handleSearch(w http.ResponseWriter, r *http.Request) {
	var q carrier.Query
	if !decode(w, r, &q) {
		return
	}
	nums, err := s.Search(r.Context(), q)
	if nums == nil {
		nums = []carrier.Available{}
	}
	reply(w, err, map[string]any{"numbers": nums})
}

func (s *Carrier) handleOrder(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Numbers []string `json:"numbers"`
	}
	if !decode(w, r, &in) {
		return
	}
	lines, err := s.PlaceOrder(r.Context(), r.Header.Get("Idempotency-Key"), in.Numbers)
	reply(w, err, map[string]any{"lines": lines})
}

func (s *Carrier) handleSubmitPort(w http.ResponseWriter, r *http.Request) {
	var in carrier.PortRequest
	if !decode(w, r, &in) {
		return
	}
	p, err := s.SubmitPort(r.Context(), r.Header.Get("Idempotency-Key"), in)
	reply(w, err, p)
}

func (s *Carrier) handlePort(w http.ResponseWriter, r *http.Request) {
	p, err := s.Port(r.Context(), r.PathValue("id"))
	reply(w, err, p)
}

func (s *Carrier) handleCancelPort(w http.ResponseWriter, r *http.Request) {
	p, err := s.CancelPort(r.Context(), r.PathValue("id"))
	reply(w, err, p)
}

func (s *Carrier) handleRequest(w http.ResponseWriter, r *http.Request) {
	var in carrier.NumberRequest
	if !decode(w, r, &in) {
		return
	}
	st, err := s.ForwardRequest(r.Context(), r.Header.Get("Idempotency-Key"), in)
	reply(w, err, st)
}

// decode reads a JSON request body into v, answering 400 when it cannot.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, carrier.CodeInvalid, "decode request: "+err.Error())
		return false
	}
	return true
}

// statusOf maps carrier error codes to HTTP statuses.
var statusOf = map[string]int{
	carrier.CodeInvalid:     http.StatusBadRequest,
	carrier.CodeNotFound:    http.StatusNotFound,
	carrier.CodeConflict:    http.StatusConflict,
	carrier.CodeUnavailable: http.StatusServiceUnavailable,
}

// reply writes v as JSON, or err as an error document.
func reply(w http.ResponseWriter, err error, v any) {
	if err != nil {
		var ce *carrier.Error
		code, msg := carrier.CodeUnavailable, err.Error()
		if errors.As(err, &ce) {
			code = ce.Code
			if ce.Message != "" {
				msg = ce.Message
			}
		}
		status, ok := statusOf[code]
		if !ok {
			status = http.StatusInternalServerError
		}
		writeError(w, status, code, msg)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"code": code, "message": msg})
}
