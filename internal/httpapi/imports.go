package httpapi

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/numberdesk/numberdesk/internal/importer"
	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/store"
)

// UploadTimeout bounds how long an import upload may take to arrive: the
// upload route extends its connection's read deadline (and the write
// deadline of its answer) by this much, past the server's ReadTimeout.
const UploadTimeout = 30 * time.Minute

// reportTimeout bounds how long an error report may take to stream.
const reportTimeout = 10 * time.Minute

// uploadTypes are the content types of a raw CSV body.
var uploadTypes = []string{"text/csv", "application/csv", "text/plain", "application/octet-stream", "application/vnd.ms-excel"}

// ImportList is the body of GET /v1/imports.
type ImportList struct {
	// Imports are the most recent imports of the retention period, newest
	// first.
	Imports []store.Import `json:"imports"`
}

// Query parameters of POST /v1/imports.
var (
	qKind = param{Name: "kind", Description: "What the file holds: assignments (phone_number, extension_number or email, action) or extensions (extension_number, type, name, email, site).",
		Enum: importer.Kinds}
	qDryRun = param{Name: "dry_run", Description: "true checks every row against the current state and reports its outcome; nothing changes.",
		Enum: []string{"true", "false"}}
)

// createImport streams an upload into an import: the body is the CSV file
// (text/csv or application/octet-stream), or a multipart/form-data form
// whose field "file" is. The header is checked first (a missing column is
// 400 before anything is created); then every row is read, chunked and
// enqueued while the upload arrives, so workers start before it ends. The
// answer, 202, comes once the whole file is in.
func (a *api) createImport(c *call) (store.Import, error) {
	if a.intake == nil {
		return store.Import{}, apiError(CodeUnavailable, "this server takes no imports (no queue configured)")
	}
	kind := c.query("kind")
	switch {
	case kind == "":
		return store.Import{}, apiError(inventory.CodeMissingField, "kind is required: ?kind="+strings.Join(importer.Kinds, " or ?kind="))
	case !slices.Contains(importer.Kinds, kind):
		return store.Import{}, apiError(inventory.CodeInvalidField, fmt.Sprintf("kind %q is not one of %s", kind, strings.Join(importer.Kinds, ", ")))
	}
	var dryRun bool
	switch v := c.query("dry_run"); v {
	case "", "false", "0":
	case "true", "1":
		dryRun = true
	default:
		return store.Import{}, apiError(inventory.CodeInvalidField, fmt.Sprintf("dry_run must be true or false, got %q", v))
	}
	up, err := a.openUpload(c)
	if err != nil {
		return store.Import{}, err
	}
	acct, err := a.store.Account(c.ctx(), c.account())
	if err != nil {
		return store.Import{}, err
	}
	spec := importer.Spec{Account: acct, Kind: kind, DryRun: dryRun, Filename: up.filename, Actor: c.token.Name}
	_, run, err := a.intake.Start(c.ctx(), spec, up.file)
	if err != nil {
		return store.Import{}, up.fault(err, a.maxUpload)
	}
	imp, err := run()
	if err != nil {
		return store.Import{}, up.fault(err, a.maxUpload)
	}
	c.w.Header().Set("Location", "/v1/imports/"+imp.ID)
	return imp, nil
}

// upload is the file of an import request.
type upload struct {
	body     *bodyReader // the request body
	file     *bodyReader // the file: the body, or a part of it
	filename string
}

// bodyReader reads the request body (or a part of it) and remembers how
// reading it failed.
type bodyReader struct {
	r   io.Reader
	err error
}

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF && b.err == nil {
		b.err = err
	}
	return n, err
}

// fault turns an error of the intake into the answer: an upload over the
// limit is 413, a body that broke off 400, a bad header its own code;
// anything else is the service's fault.
func (u *upload) fault(err error, max int64) error {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe) || errors.As(u.body.err, &mbe):
		return apiError(CodeBodyTooLarge, fmt.Sprintf("the upload is larger than this server takes (%d bytes); split the file", max))
	case inventory.ErrorCode(err) != inventory.CodeInternal:
		return err
	case u.body.err != nil:
		return apiError(inventory.CodeInvalidField, "the upload could not be read to its end: "+u.body.err.Error())
	case u.file.err != nil:
		return apiError(inventory.CodeInvalidField, "the form could not be read to its end: "+u.file.err.Error())
	}
	return err
}

// openUpload checks the request's content type and size, extends the
// connection's deadlines for a long upload, and finds the file: the body
// itself, or the part "file" of a multipart form (streamed, never parsed
// into memory or temporary files).
func (a *api) openUpload(c *call) (*upload, error) {
	ct := c.r.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if ct == "" {
		ct = "none"
	}
	if err != nil || (mt != "multipart/form-data" && !slices.Contains(uploadTypes, mt)) {
		return nil, apiError(CodeUnsupportedMediaType, "send the CSV file as the body with Content-Type: text/csv, or as the field file of a multipart/form-data form; got "+ct)
	}
	if c.r.ContentLength > a.maxUpload {
		return nil, apiError(CodeBodyTooLarge, fmt.Sprintf("the upload is %d bytes, more than this server takes (%d bytes); split the file", c.r.ContentLength, a.maxUpload))
	}
	rc := http.NewResponseController(c.w)
	deadline := time.Now().Add(UploadTimeout)
	_ = rc.SetReadDeadline(deadline) // not every connection supports deadlines
	_ = rc.SetWriteDeadline(deadline.Add(WriteTimeout))
	body := &bodyReader{r: http.MaxBytesReader(c.w, c.r.Body, a.maxUpload)}
	up := &upload{body: body, file: body}
	if mt != "multipart/form-data" {
		if _, p, err := mime.ParseMediaType(c.r.Header.Get("Content-Disposition")); err == nil {
			up.filename = p["filename"]
		}
		return up, nil
	}
	if params["boundary"] == "" {
		return nil, apiError(inventory.CodeInvalidField, "the multipart/form-data content type has no boundary")
	}
	mr := multipart.NewReader(body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil, apiError(inventory.CodeMissingField, "the form has no field named file: send the CSV file as the form field file")
		}
		if err != nil {
			up.file = &bodyReader{err: err}
			return nil, up.fault(fmt.Errorf("read the form: %w", err), a.maxUpload)
		}
		if part.FormName() == "file" {
			up.file, up.filename = &bodyReader{r: part}, part.FileName()
			return up, nil
		}
	}
}

func (a *api) listImports(c *call) (ImportList, error) {
	limit, err := c.limit()
	if err != nil {
		return ImportList{}, err
	}
	imps, err := a.store.Imports(c.ctx(), c.account(), min(limit, 100))
	if err != nil {
		return ImportList{}, err
	}
	return ImportList{Imports: imps}, nil
}

// importID reads the {id} of an import route. An id that cannot be one
// (ids are "imp_" and lower-case base32) is not found, never a key lookup.
func importID(c *call) (string, error) {
	id := c.r.PathValue("id")
	rest, ok := strings.CutPrefix(id, "imp_")
	valid := ok && rest != "" && len(id) <= 64
	for i := 0; valid && i < len(rest); i++ {
		ch := rest[i]
		valid = ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9'
	}
	if !valid {
		return "", apiError(inventory.CodeNotFound, fmt.Sprintf("import %s not found", id))
	}
	return id, nil
}

func (a *api) getImport(c *call) (store.Import, error) {
	id, err := importID(c)
	if err != nil {
		return store.Import{}, err
	}
	return a.store.Import(c.ctx(), c.account(), id)
}

func (a *api) cancelImport(c *call) (store.Import, error) {
	id, err := importID(c)
	if err != nil {
		return store.Import{}, err
	}
	return a.store.CancelImport(c.ctx(), c.account(), id)
}

// importErrors streams an import's error report (see importer.WriteReport)
// as a CSV attachment. While the import runs it holds the chunks done.
func (a *api) importErrors(c *call) error {
	imp, err := a.getImport(c)
	if err != nil {
		return err
	}
	h := c.w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+imp.ID+`-errors.csv"`)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	_ = http.NewResponseController(c.w).SetWriteDeadline(time.Now().Add(reportTimeout))
	cw := &countingWriter{w: c.w}
	if err := importer.WriteReport(c.ctx(), a.store, c.account(), imp, cw); err != nil {
		if cw.n == 0 {
			h.Del("Content-Disposition")
		}
		return fmt.Errorf("error report of %s: %w", imp.ID, err)
	}
	return nil
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (w *countingWriter) Write(p []byte) (int, error) {
	n, err := w.w.Write(p)
	w.n += int64(n)
	return n, err
}

// csvOut is a route without a request body that streams a CSV file.
func csvOut(fn func(c *call) error) handler {
	return handler{status: http.StatusOK, contentType: "text/csv", serve: fn}
}
