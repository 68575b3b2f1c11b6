package httpapi

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/numberdesk/numberdesk/internal/fees"
	"github.com/numberdesk/numberdesk/internal/importer"
	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/phone"
	"github.com/numberdesk/numberdesk/internal/store"
)

// numbersTabs are the Phone Numbers page's tabs, in order.
var numbersTabs = []string{"assigned", "unassigned", "ported", "reserved"}

// numbersView is the Phone Numbers page.
type numbersView struct {
	Tab, Q     string
	Tabs       []tabView
	Numbers    []inventory.Number
	NextCursor string
	Sites      map[string]string // id -> name
	Ports      []store.PortOrder
	Month      string
	Fees       *fees.Statement
	FeesError  string
}

type tabView struct {
	Name  string
	Count int64
}

func (a *api) numbersPage(w http.ResponseWriter, r *http.Request, sess *portalSession) {
	ctx := r.Context()
	acct, err := a.store.Account(ctx, sess.Token.AccountID)
	if err != nil {
		a.portalError(w, r, sess, err)
		return
	}
	q := r.URL.Query()
	v := numbersView{Tab: q.Get("tab"), Q: strings.TrimSpace(q.Get("q")), Sites: map[string]string{}}
	if !slices.Contains(numbersTabs, v.Tab) {
		v.Tab = "assigned"
	}
	counts := map[string]int64{"assigned": acct.Numbers.Assigned, "unassigned": acct.Numbers.Unassigned, "ported": acct.Numbers.Porting, "reserved": acct.Numbers.Reserved}
	for _, t := range numbersTabs {
		v.Tabs = append(v.Tabs, tabView{Name: t, Count: counts[t]})
	}
	sites, err := a.store.Sites(ctx, acct.ID)
	if err != nil {
		a.portalError(w, r, sess, err)
		return
	}
	for _, s := range sites {
		v.Sites[s.ID] = s.Name
	}
	status := inventory.Status(v.Tab)
	switch v.Tab {
	case "ported":
		status = inventory.StatusPorting
		ports, err := a.store.Ports(ctx, acct.ID, "", 100)
		if err != nil {
			a.portalError(w, r, sess, err)
			return
		}
		for _, p := range ports {
			v.Ports = append(v.Ports, portView(p))
		}
	case "reserved":
		v.Month = q.Get("month")
		now := a.now()
		if v.Month == "" {
			v.Month = fees.MonthOf(now).String()
		}
		if m, err := fees.ParseMonth(v.Month); err != nil {
			v.FeesError = err.Error()
		} else if st, err := a.store.Statement(ctx, acct.ID, m, a.fees, now); err != nil {
			v.FeesError = inventory.ErrorMessage(err)
		} else {
			v.Fees = &st
		}
	}
	digits := strings.NewReplacer(" ", "", "-", "", ".", "", "(", "", ")", "", "+", "").Replace(v.Q)
	cursor := ""
	if c := q.Get("cursor"); c != "" {
		cursor = c
	}
	nums, next, err := a.store.ListNumbers(ctx, acct.ID, store.NumberFilter{Status: status, Q: digits, Limit: 50, Cursor: cursor})
	if err != nil {
		a.portalError(w, r, sess, err)
		return
	}
	v.Numbers, v.NextCursor = nums, next
	a.render(w, r, sess, http.StatusOK, "numbers", page{Nav: "numbers", Title: translate(lang(r), "phone_numbers"), Account: acct, Data: v})
}

// extensionRef reads the extension field of an assign form: an extension
// number, a user's email, or "1001 · Name" as the suggestion list shows it.
func extensionRef(v string) store.ExtensionRef {
	v = strings.TrimSpace(v)
	if i := strings.Index(v, " "); i > 0 {
		v = v[:i]
	}
	if strings.Contains(v, "@") {
		return store.ExtensionRef{Email: v}
	}
	return store.ExtensionRef{Number: v}
}

// portalMove assigns or reassigns a number from a form.
func (a *api) portalMove(w http.ResponseWriter, r *http.Request, sess *portalSession, op string) {
	c := a.apiCall(w, r, sess, "POST /v1/numbers/{number}/"+op)
	ref := extensionRef(r.PostFormValue("extension"))
	if ref.Number == "" && ref.Email == "" {
		a.back(w, r, sess, "/numbers", problemText(apiError(inventory.CodeMissingField, "give an extension number or a user's email")))
		return
	}
	move := a.store.Assign
	if op == "reassign" {
		move = a.store.Reassign
	}
	n, err := c.pathNumber()
	if err == nil {
		n2, merr := a.moveNumberTo(c, n, ref, move)
		n, err = n2.Number, merr
	}
	if err != nil {
		a.back(w, r, sess, "/numbers", problemText(err))
		return
	}
	a.back(w, r, sess, "/numbers", tr(lang(r), op+"ed_ok", displayNumber(n)))
}

func (a *api) portalAssign(w http.ResponseWriter, r *http.Request, sess *portalSession) {
	a.portalMove(w, r, sess, "assign")
}

func (a *api) portalReassign(w http.ResponseWriter, r *http.Request, sess *portalSession) {
	a.portalMove(w, r, sess, "reassign")
}

func (a *api) portalUnassign(w http.ResponseWriter, r *http.Request, sess *portalSession) {
	n, err := a.unassignNumber(a.apiCall(w, r, sess, "POST /v1/numbers/{number}/unassign"))
	if err != nil {
		a.back(w, r, sess, "/numbers", problemText(err))
		return
	}
	a.back(w, r, sess, "/numbers", tr(lang(r), "unassigned_ok", displayNumber(n.Number)))
}

func (a *api) portalDelete(w http.ResponseWriter, r *http.Request, sess *portalSession) {
	c := a.apiCall(w, r, sess, "DELETE /v1/numbers/{number}")
	n, _ := c.pathNumber()
	if err := a.deleteNumber(c); err != nil {
		a.back(w, r, sess, "/numbers", problemText(err))
		return
	}
	a.back(w, r, sess, "/numbers", tr(lang(r), "deleted_ok", displayNumber(n)))
}

// addView is the Add page: the form, and the results of its search.
type addView struct {
	Form         SearchRequest
	Searched     bool
	Results      []SearchResult
	Error        string
	Countries    []phone.Country
	Regions      []phone.Region
	AreaCodes    []phone.AreaCode
	TollFree     []string
	Sites        []inventory.Site
	EAs          []inventory.EmergencyAddress
	Target       string // chosen site or emergency address id
	RequestHint  *NumberRequestHint
	ConsecutiveS string
}

func (a *api) addPage(w http.ResponseWriter, r *http.Request, sess *portalSession) {
	ctx := r.Context()
	acct, err := a.store.Account(ctx, sess.Token.AccountID)
	if err != nil {
		a.portalError(w, r, sess, err)
		return
	}
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	consecutive, _ := strconv.Atoi(q.Get("consecutive"))
	v := addView{
		Form: SearchRequest{
			Country: strings.ToUpper(q.Get("country")), Type: q.Get("type"), State: q.Get("state"), AreaCode: q.Get("area_code"),
			City: strings.TrimSpace(q.Get("city")), Prefix: strings.TrimSpace(q.Get("prefix")), Sequential: q.Get("sequential") != "",
			Consecutive: consecutive, ReservedOnly: q.Get("reserved_only") != "", Limit: limit,
		},
		Countries: phone.Countries(), Target: q.Get("target"), ConsecutiveS: q.Get("consecutive"),
	}
	if v.Form.Country == "" {
		v.Form.Country = acct.Country
	}
	if v.Form.Type == "" {
		v.Form.Type = "toll"
	}
	if v.Form.Limit == 0 {
		v.Form.Limit = 50
	}
	v.Regions, v.TollFree = phone.Regions(v.Form.Country), phone.TollFreeCodes(v.Form.Country)
	v.AreaCodes = phone.AreaCodes(v.Form.Country, v.Form.State)
	if v.Sites, err = a.store.Sites(ctx, acct.ID); err != nil {
		a.portalError(w, r, sess, err)
		return
	}
	if v.EAs, err = a.store.EmergencyAddresses(ctx, acct.ID); err != nil {
		a.portalError(w, r, sess, err)
		return
	}
	if q.Get("search") != "" {
		v.Searched = true
		form := v.Form
		if form.Type == "toll_free" {
			form.State, form.City = "", ""
		}
		res, err := a.searchNumbers(a.apiCall(w, r, sess, "POST /v1/numbers/search"), form)
		if err != nil {
			v.Error = problemText(err)
		} else {
			v.Results, v.RequestHint = res.Numbers, res.NumberRequest
		}
	}
	a.render(w, r, sess, http.StatusOK, "add", page{Nav: "add", Title: translate(lang(r), "add_numbers"), Account: acct, Data: v})
}

// portalOrder places an order of the numbers ticked on the Add page.
func (a *api) portalOrder(w http.ResponseWriter, r *http.Request, sess *portalSession) {
	acct, err := a.store.Account(r.Context(), sess.Token.AccountID)
	if err != nil {
		a.portalError(w, r, sess, err)
		return
	}
	in := CreateOrderRequest{Numbers: r.PostForm["numbers"]}
	if acct.MultipleSites {
		in.SiteID = r.PostFormValue("target")
	} else {
		in.EmergencyAddressID = r.PostFormValue("target")
	}
	o, err := a.createOrder(a.apiCall(w, r, sess, "POST /v1/orders"), in)
	if err != nil {
		a.back(w, r, sess, "/numbers/add", problemText(err))
		return
	}
	if err := a.store.SetFlash(r.Context(), sess.cookie, translate(lang(r), "order_created")); err != nil {
		a.log.Warn("set flash", "err", err)
	}
	http.Redirect(w, r, "/orders/"+o.ID, http.StatusSeeOther)
}

func (a *api) orderPage(w http.ResponseWriter, r *http.Request, sess *portalSession) {
	o, err := a.store.Order(r.Context(), sess.Token.AccountID, r.PathValue("id"))
	if err != nil {
		a.portalError(w, r, sess, err)
		return
	}
	a.render(w, r, sess, http.StatusOK, "order", page{Nav: "add", Title: translate(lang(r), "order"), Data: o})
}

// portalAddEA adds an emergency address from the Add page and comes back
// with it chosen.
func (a *api) portalAddEA(w http.ResponseWriter, r *http.Request, sess *portalSession) {
	ea, err := a.createEmergencyAddress(a.apiCall(w, r, sess, "POST /v1/emergency-addresses"), CreateEmergencyAddressRequest{
		Street: r.PostFormValue("street"), City: r.PostFormValue("city"), State: r.PostFormValue("state"),
		PostalCode: r.PostFormValue("postal_code"), Country: r.PostFormValue("country"),
	})
	if err != nil {
		a.back(w, r, sess, "/numbers/add", problemText(err))
		return
	}
	_ = a.store.SetFlash(r.Context(), sess.cookie, translate(lang(r), "ea_created"))
	http.Redirect(w, r, "/numbers/add?target="+ea.ID, http.StatusSeeOther)
}

// portalTicket files a number request ("Create ticket").
func (a *api) portalTicket(w http.ResponseWriter, r *http.Request, sess *portalSession) {
	qty, _ := strconv.Atoi(r.PostFormValue("quantity"))
	req, err := a.createNumberRequest(a.apiCall(w, r, sess, "POST /v1/number-requests"), CreateNumberRequest{
		Country: r.PostFormValue("country"), Type: r.PostFormValue("type"), State: r.PostFormValue("state"),
		AreaCode: r.PostFormValue("area_code"), City: r.PostFormValue("city"), Quantity: qty, Vanity: r.PostFormValue("vanity"),
	})
	if err != nil {
		a.back(w, r, sess, "/numbers/add", problemText(err))
		return
	}
	a.back(w, r, sess, "/numbers/add", tr(lang(r), "ticket_created", req.ID, translate(lang(r), req.Status)))
}

func (a *api) portPage(w http.ResponseWriter, r *http.Request, sess *portalSession) {
	p, err := a.store.Port(r.Context(), sess.Token.AccountID, r.PathValue("id"))
	if err != nil {
		a.portalError(w, r, sess, err)
		return
	}
	a.render(w, r, sess, http.StatusOK, "port", page{Nav: "numbers", Title: translate(lang(r), "port_order"), Data: portView(p)})
}

func (a *api) bulkPage(w http.ResponseWriter, r *http.Request, sess *portalSession) {
	imps, err := a.store.Imports(r.Context(), sess.Token.AccountID, 10)
	if err != nil {
		a.portalError(w, r, sess, err)
		return
	}
	a.render(w, r, sess, http.StatusOK, "bulk", page{Nav: "bulk", Title: translate(lang(r), "bulk"), Data: imps})
}

// portalUpload takes the Bulk page's multipart form (the fields csrf, kind
// and dry_run, then file) and streams the file into an import, as POST
// /v1/imports does. The CSRF token is checked before the file is read.
func (a *api) portalUpload(w http.ResponseWriter, r *http.Request, sess *portalSession) {
	if a.intake == nil {
		a.portalError(w, r, sess, apiError(CodeUnavailable, "this server takes no imports (no queue configured)"))
		return
	}
	_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || params["boundary"] == "" {
		a.portalError(w, r, sess, apiError(CodeUnsupportedMediaType, "send the form as multipart/form-data"))
		return
	}
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(UploadTimeout))
	mr := multipart.NewReader(http.MaxBytesReader(w, r.Body, a.maxUpload), params["boundary"])
	fields := map[string]string{}
	for {
		part, err := mr.NextPart()
		if err != nil {
			a.back(w, r, sess, "/bulk", problemText(apiError(inventory.CodeMissingField, "choose a CSV file")))
			return
		}
		if part.FormName() != "file" {
			b, _ := io.ReadAll(io.LimitReader(part, 1024))
			fields[part.FormName()] = string(b)
			continue
		}
		if !sameToken(fields["csrf"], sess.CSRF) {
			a.portalError(w, r, sess, apiError(inventory.CodeForbidden, "the form is stale or forged (CSRF token missing or wrong); reload the page and try again"))
			return
		}
		kind := fields["kind"]
		if !slices.Contains(importer.Kinds, kind) {
			a.back(w, r, sess, "/bulk", problemText(apiError(inventory.CodeInvalidField, "kind must be assignments or extensions")))
			return
		}
		acct, err := a.store.Account(r.Context(), sess.Token.AccountID)
		if err != nil {
			a.portalError(w, r, sess, err)
			return
		}
		spec := importer.Spec{Account: acct, Kind: kind, DryRun: fields["dry_run"] != "", Filename: part.FileName(), Actor: sess.Token.Name}
		_, run, err := a.intake.Start(r.Context(), spec, part)
		if err != nil {
			a.back(w, r, sess, "/bulk", problemText(err))
			return
		}
		imp, err := run()
		if err != nil {
			a.back(w, r, sess, "/bulk", problemText(err))
			return
		}
		http.Redirect(w, r, "/imports/"+imp.ID, http.StatusSeeOther)
		return
	}
}

// bulkTemplate downloads a CSV template of a kind.
func (a *api) bulkTemplate(w http.ResponseWriter, r *http.Request, sess *portalSession) {
	kind := r.URL.Query().Get("kind")
	body := "phone_number,extension_number,action\r\n+16505550100,1001,assign\r\n+16505550101,1002,reassign\r\n+16505550102,,unassign\r\n"
	if kind == "extensions" {
		body = "extension_number,type,name,email,site\r\n1001,user,Alice Nowak,alice@example.com,\r\n,call_queue,Support,,\r\n"
	} else {
		kind = "assignments"
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="numberdesk-`+kind+`-template.csv"`)
	_, _ = io.WriteString(w, body)
}

func (a *api) importPage(w http.ResponseWriter, r *http.Request, sess *portalSession) {
	imp, err := a.store.Import(r.Context(), sess.Token.AccountID, r.PathValue("id"))
	if err != nil {
		a.portalError(w, r, sess, err)
		return
	}
	a.render(w, r, sess, http.StatusOK, "import", page{Nav: "bulk", Title: translate(lang(r), "import"), Data: imp})
}

// importProgress is the import as JSON, for the progress bar's script.
func (a *api) importProgress(w http.ResponseWriter, r *http.Request, sess *portalSession) {
	imp, err := a.store.Import(r.Context(), sess.Token.AccountID, r.PathValue("id"))
	if err != nil {
		a.writeProblem(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(imp)
}

func (a *api) portalImportErrors(w http.ResponseWriter, r *http.Request, sess *portalSession) {
	c := a.apiCall(w, r, sess, "GET /v1/imports/{id}/errors.csv")
	if err := a.importErrors(c); err != nil {
		a.portalError(w, r, sess, err)
	}
}

// extensionsView is the Extensions page.
type extensionsView struct {
	Q          string
	Extensions []inventory.Extension
	Sites      []inventory.Site
	SiteNames  map[string]string
	Types      []inventory.ExtensionType
}

func (a *api) extensionsPage(w http.ResponseWriter, r *http.Request, sess *portalSession) {
	ctx := r.Context()
	v := extensionsView{Q: strings.TrimSpace(r.URL.Query().Get("q")), SiteNames: map[string]string{}, Types: inventory.ExtensionTypes}
	var err error
	if v.Extensions, _, err = a.store.SearchExtensions(ctx, sess.Token.AccountID, v.Q, 100, ""); err != nil {
		a.portalError(w, r, sess, err)
		return
	}
	if v.Sites, err = a.store.Sites(ctx, sess.Token.AccountID); err != nil {
		a.portalError(w, r, sess, err)
		return
	}
	for _, s := range v.Sites {
		v.SiteNames[s.ID] = s.Name
	}
	a.render(w, r, sess, http.StatusOK, "extensions", page{Nav: "extensions", Title: translate(lang(r), "extensions"), Data: v})
}

func (a *api) portalAddExtension(w http.ResponseWriter, r *http.Request, sess *portalSession) {
	x, err := a.createExtension(a.apiCall(w, r, sess, "POST /v1/extensions"), CreateExtensionRequest{
		ExtensionNumber: r.PostFormValue("extension_number"), Type: inventory.ExtensionType(r.PostFormValue("type")), Name: r.PostFormValue("name"),
		Email: r.PostFormValue("email"), SiteID: r.PostFormValue("site_id"),
	})
	if err != nil {
		a.back(w, r, sess, "/extensions", problemText(err))
		return
	}
	a.back(w, r, sess, "/extensions", tr(lang(r), "ext_created", x.ExtensionNumber))
}

// suggestExtensions answers the assign box's suggestions: up to 10
// extensions matching q, as "1001 · Name".
func (a *api) suggestExtensions(w http.ResponseWriter, r *http.Request, sess *portalSession) {
	exts, _, err := a.store.SearchExtensions(r.Context(), sess.Token.AccountID, strings.TrimSpace(r.URL.Query().Get("q")), 10, "")
	if err != nil {
		a.writeProblem(w, r, err)
		return
	}
	out := []string{}
	for _, e := range exts {
		out = append(out, fmt.Sprintf("%s · %s", e.ExtensionNumber, e.Name))
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}
