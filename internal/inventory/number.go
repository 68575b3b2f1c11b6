package inventory

import "time"

// Status is where a number stands in its lifecycle:
//
//	carrier order ─────────────► unassigned ◄──── unassign ──── assigned
//	port-in completes ─────────► unassigned ───── assign ─────► assigned ── reassign ─► assigned
//	port-in completes (reserve)► reserved ─ activate ─► unassigned
//	port-in order opened ──────► porting ── rejected/cancelled ─► (gone)
//	delete: unassigned | reserved ─► released (gone; licence freed; history kept)
type Status string

// The statuses of a number in the inventory. A released number is gone from
// the inventory; StatusReleased appears only in audit entries.
const (
	StatusPorting    Status = "porting"
	StatusReserved   Status = "reserved"
	StatusUnassigned Status = "unassigned"
	StatusAssigned   Status = "assigned"
	StatusReleased   Status = "released"
)

// Statuses lists the statuses a number in the inventory can have.
var Statuses = []Status{StatusPorting, StatusReserved, StatusUnassigned, StatusAssigned}

// Valid reports whether s is a status a number in the inventory can have.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if s == v {
			return true
		}
	}
	return false
}

// Active reports whether a number of this status holds a licence.
func (s Status) Active() bool { return s == StatusUnassigned || s == StatusAssigned }

// NumberType is toll (an ordinary geographic or mobile number) or toll-free.
type NumberType string

// The number types. Each active number uses one licence of its type's pool.
const (
	Toll     NumberType = "toll"
	TollFree NumberType = "toll_free"
)

// Valid reports whether t is toll or toll_free.
func (t NumberType) Valid() bool { return t == Toll || t == TollFree }

// Source is how a number came into the inventory.
type Source string

// The sources of numbers.
const (
	SourceOrdered Source = "ordered"
	SourcePorted  Source = "ported"
)

// Number is a phone number in an account's inventory. Its E.164 string is
// its identity.
type Number struct {
	Number             string     `json:"number"`
	Status             Status     `json:"status"`
	Type               NumberType `json:"type"`
	Country            string     `json:"country"`
	AreaCode           string     `json:"area_code"`
	Region             string     `json:"region"`
	City               string     `json:"city"`
	SiteID             string     `json:"site_id"`
	EmergencyAddressID string     `json:"emergency_address_id"`
	Source             Source     `json:"source"`
	Assignee           *Assignee  `json:"assignee"`
	AcquiredAt         time.Time  `json:"acquired_at"`
	UpdatedAt          time.Time  `json:"updated_at"`
	// ReservedSince is when the number became reserved (reserved numbers only).
	ReservedSince *time.Time `json:"reserved_since,omitempty"`
	// PortOrderID is the open port order of a porting number.
	PortOrderID string `json:"port_order_id,omitempty"`
}

// Assignee is the extension a number is assigned to.
type Assignee struct {
	ExtensionID     string        `json:"extension_id"`
	ExtensionNumber string        `json:"extension_number"`
	Type            ExtensionType `json:"type"`
	Name            string        `json:"name"`
}

// Action is a change applied to a number, one row of a bulk import or one
// API call.
type Action string

// The actions on numbers already in the inventory.
const (
	ActionAssign   Action = "assign"
	ActionReassign Action = "reassign"
	ActionUnassign Action = "unassign"
	ActionDelete   Action = "delete"
)

// ParseAction parses an action name, ignoring case and surrounding spaces;
// an empty string is assign.
func ParseAction(s string) (Action, error) {
	switch normalizeWord(s) {
	case "", "assign":
		return ActionAssign, nil
	case "reassign":
		return ActionReassign, nil
	case "unassign":
		return ActionUnassign, nil
	case "delete":
		return ActionDelete, nil
	}
	return "", Errorf(CodeInvalidAction, "action %q is not one of assign, reassign, unassign, delete", s)
}

// The actions of porting and of reserved numbers.
const (
	ActionActivate     Action = "activate"
	ActionPortComplete Action = "port_complete"
	ActionPortReserve  Action = "port_reserve"
	ActionPortCancel   Action = "port_cancel"
)

// NeedsExtension reports whether the action names a target extension.
func (a Action) NeedsExtension() bool { return a == ActionAssign || a == ActionReassign }

// Outcome is the result of one row of a batch: OutcomeOK, OutcomeUnchanged,
// or an error code.
type Outcome string

// The non-error outcomes of a row. OutcomeReserved is a completed port-in
// that found no free licence and was kept reserved instead.
const (
	OutcomeOK        Outcome = "ok"
	OutcomeUnchanged Outcome = "unchanged"
	OutcomeReserved  Outcome = "reserved"
)

// Failed reports whether the outcome is an error code.
func (o Outcome) Failed() bool {
	return o != OutcomeOK && o != OutcomeUnchanged && o != OutcomeReserved
}

func normalizeWord(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			continue
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return string(b)
}
