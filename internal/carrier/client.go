package carrier

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client is the HTTP client of a carrier. It is safe for concurrent use.
type Client struct {
	base        string
	http        *http.Client
	timeout     time.Duration
	maxAttempts int
	baseBackoff time.Duration
	maxBackoff  time.Duration
	observe     func(op, outcome string, d time.Duration)
}

var _ Carrier = (*Client)(nil)

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient sets the underlying http.Client (default: a new one with
// no overall timeout; WithTimeout bounds each request).
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.http = hc } }

// WithTimeout sets the time limit of one attempt (default 10 s).
func WithTimeout(d time.Duration) Option { return func(c *Client) { c.timeout = d } }

// WithMaxAttempts sets how many times a request is tried in all
// (default 4; at least 1).
func WithMaxAttempts(n int) Option { return func(c *Client) { c.maxAttempts = max(n, 1) } }

// WithBackoff sets the backoff before retry i (from 0): a random duration
// in [0, min(max, base·2^i)) (default base 100 ms, max 5 s).
func WithBackoff(base, max time.Duration) Option {
	return func(c *Client) { c.baseBackoff, c.maxBackoff = base, max }
}

// WithObserver has every attempt reported to fn: the operation (search,
// place_order, submit_port, get_port, cancel_port, forward_request), its
// outcome (ok; error: the carrier answered with a failure; timeout;
// unreachable) and how long it took. Metrics hang on it.
func WithObserver(fn func(op, outcome string, d time.Duration)) Option {
	return func(c *Client) { c.observe = fn }
}

// NewClient returns a client of the carrier at baseURL
// (e.g. "http://127.0.0.1:8081").
func NewClient(baseURL string, opts ...Option) *Client {
	c := &Client{
		base:        strings.TrimRight(baseURL, "/"),
		http:        &http.Client{},
		timeout:     10 * time.Second,
		maxAttempts: 4,
		baseBackoff: 100 * time.Millisecond,
		maxBackoff:  5 * time.Second,
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Search implements Carrier.
func (c *Client) Search(ctx context.Context, q Query) ([]Available, error) {
	var out struct {
		Numbers []Available `json:"numbers"`
	}
	if err := c.do(ctx, "search", "search", http.MethodPost, "/v1/search", "", q, &out); err != nil {
		return nil, err
	}
	return out.Numbers, nil
}

// PlaceOrder implements Carrier.
func (c *Client) PlaceOrder(ctx context.Context, key string, numbers []string) ([]OrderLine, error) {
	in := struct {
		Numbers []string `json:"numbers"`
	}{numbers}
	var out struct {
		Lines []OrderLine `json:"lines"`
	}
	if err := c.do(ctx, "place_order", "place order "+key, http.MethodPost, "/v1/orders", key, in, &out); err != nil {
		return nil, err
	}
	return out.Lines, nil
}

// SubmitPort implements Carrier.
func (c *Client) SubmitPort(ctx context.Context, key string, req PortRequest) (Port, error) {
	var p Port
	err := c.do(ctx, "submit_port", "submit port "+key, http.MethodPost, "/v1/ports", key, req, &p)
	return p, err
}

// Port implements Carrier.
func (c *Client) Port(ctx context.Context, id string) (Port, error) {
	var p Port
	err := c.do(ctx, "get_port", "get port "+id, http.MethodGet, "/v1/ports/"+url.PathEscape(id), "", nil, &p)
	return p, err
}

// CancelPort implements Carrier.
func (c *Client) CancelPort(ctx context.Context, id string) (Port, error) {
	var p Port
	err := c.do(ctx, "cancel_port", "cancel port "+id, http.MethodPost, "/v1/ports/"+url.PathEscape(id)+"/cancel", "", nil, &p)
	return p, err
}

// ForwardRequest implements Carrier.
func (c *Client) ForwardRequest(ctx context.Context, key string, req NumberRequest) (RequestStatus, error) {
	var s RequestStatus
	err := c.do(ctx, "forward_request", "forward request "+key, http.MethodPost, "/v1/requests", key, req, &s)
	return s, err
}

// do sends one API call, retrying what may succeed later, and decodes the
// JSON answer into out.
func (c *Client) do(ctx context.Context, name, op, method, path, key string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return &Error{Op: op, Code: CodeInvalid, Err: err}
		}
	}
	var last *Error
	for attempt := 0; attempt < c.maxAttempts; attempt++ {
		if attempt > 0 {
			ceiling := min(c.maxBackoff, c.baseBackoff<<min(attempt-1, 30))
			wait := time.Duration(0)
			if ceiling > 0 {
				wait = rand.N(ceiling)
			}
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				last.Err = errors.Join(last.Err, ctx.Err())
				last.Retryable = false
				return last
			case <-t.C:
			}
		}
		start := time.Now()
		last = c.once(ctx, op, method, path, key, body, out)
		if c.observe != nil {
			c.observe(name, outcomeOf(last), time.Since(start))
		}
		if last == nil {
			return nil
		}
		last.Attempts = attempt + 1
		if !last.Retryable || ctx.Err() != nil {
			return last
		}
	}
	return last
}

// once makes one attempt; it returns nil on success.
func (c *Client) once(ctx context.Context, op, method, path, key string, body []byte, out any) *Error {
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(actx, method, c.base+path, rd)
	if err != nil {
		return &Error{Op: op, Code: CodeInvalid, Err: err}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		// A timeout of this attempt or a connection error may pass; the
		// caller's own cancellation does not.
		return &Error{Op: op, Code: CodeUnavailable, Err: err, Retryable: ctx.Err() == nil}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return &Error{Op: op, Status: resp.StatusCode, Code: CodeUnavailable, Err: fmt.Errorf("read response: %w", err), Retryable: ctx.Err() == nil}
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if out != nil {
			if err := json.Unmarshal(data, out); err != nil {
				return &Error{Op: op, Status: resp.StatusCode, Message: excerpt(data), Err: fmt.Errorf("decode response: %w", err)}
			}
		}
		return nil
	}
	e := &Error{Op: op, Status: resp.StatusCode, Message: excerpt(data)}
	var problem struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	if json.Unmarshal(data, &problem) == nil && problem.Code != "" {
		e.Code, e.Message = problem.Code, problem.Message
	}
	if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
		e.Retryable = true
		if e.Code == "" {
			e.Code = CodeUnavailable
		}
	}
	return e
}

// excerpt returns the start of a response body for an error message.
func excerpt(b []byte) string {
	const n = 200
	s := strings.TrimSpace(string(b))
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}

// outcomeOf names an attempt's outcome for WithObserver.
func outcomeOf(e *Error) string {
	switch {
	case e == nil:
		return "ok"
	case e.Status != 0:
		return "error"
	case errors.Is(e.Err, context.DeadlineExceeded) || isTimeout(e.Err):
		return "timeout"
	}
	return "unreachable"
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}
