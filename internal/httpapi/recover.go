package httpapi

import (
	"fmt"
	"net/http"
	"runtime/debug"

	"github.com/numberdesk/numberdesk/internal/inventory"
)

// recoverPanic turns a panicking handler into a logged 500 problem, unless
// the response has begun (then the connection is cut, as net/http does).
// http.ErrAbortHandler passes through.
func (a *api) recoverPanic(sw *statusWriter, r *http.Request) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler {
		panic(v)
	}
	a.log.Error("handler panicked", "request_id", requestID(r.Context()), "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
	if sw.wrote {
		panic(http.ErrAbortHandler)
	}
	a.writeProblem(sw, r, &inventory.Error{Code: inventory.CodeInternal, Message: "panic"})
}
