package carrier

import (
	"context"
	"time"
)

// Carrier is what Numberdesk needs from a carrier. Every method that
// changes state takes an idempotency key: calling it again with the same
// key returns the first answer and changes nothing.
type Carrier interface {
	// Search returns available numbers matching every filter of q.
	Search(ctx context.Context, q Query) ([]Available, error)
	// PlaceOrder buys numbers. Each number gets one line, acquired or
	// failed with a reason; a number is never sold twice.
	PlaceOrder(ctx context.Context, key string, numbers []string) ([]OrderLine, error)
	// SubmitPort opens a port-in order.
	SubmitPort(ctx context.Context, key string, req PortRequest) (Port, error)
	// Port returns a port order by id.
	Port(ctx context.Context, id string) (Port, error)
	// CancelPort cancels a port order that has not completed.
	CancelPort(ctx context.Context, id string) (Port, error)
	// ForwardRequest files a number request (a ticket asking the carrier
	// for numbers it does not offer).
	ForwardRequest(ctx context.Context, key string, req NumberRequest) (RequestStatus, error)
}

// Number types of Query.Type and Available.Type.
const (
	TypeToll     = "toll"
	TypeTollFree = "toll_free"
)

// MaxLimit is the largest Query.Limit.
const MaxLimit = 1000

// MaxConsecutive is the largest Query.Consecutive.
const MaxConsecutive = 20

// Query filters a number search. Empty fields do not filter.
type Query struct {
	Country     string `json:"country"`               // ISO 3166-1 alpha-2, required
	Type        string `json:"type"`                  // TypeToll (default) or TypeTollFree
	Region      string `json:"region,omitempty"`      // state or province code, e.g. "CA"
	AreaCode    string `json:"area_code,omitempty"`   // area code or toll-free code, e.g. "650", "800"
	City        string `json:"city,omitempty"`        // city name, case-insensitive
	Prefix      string `json:"prefix,omitempty"`      // digits right after the area code
	Sequential  bool   `json:"sequential,omitempty"`  // results in ascending order
	Consecutive int    `json:"consecutive,omitempty"` // blocks of this many consecutive numbers (0 or 1: no blocks)
	Limit       int    `json:"limit,omitempty"`       // at most this many numbers (≤ MaxLimit; 0: 100)
}

// Available is a number the carrier offers.
type Available struct {
	Number   string `json:"number"` // E.164
	Country  string `json:"country"`
	Type     string `json:"type"`
	Region   string `json:"region,omitempty"`
	City     string `json:"city,omitempty"`
	AreaCode string `json:"area_code"`
}

// Order line statuses.
const (
	LineAcquired = "acquired"
	LineFailed   = "failed"
)

// OrderLine is the outcome of one number of an order.
type OrderLine struct {
	Number string `json:"number"`
	Status string `json:"status"`           // LineAcquired or LineFailed
	Reason string `json:"reason,omitempty"` // why it failed, e.g. "not_available"
}

// Port order statuses.
const (
	PortSubmitted    = "submitted"
	PortPending      = "pending"
	PortFOCConfirmed = "foc_confirmed"
	PortCompleted    = "completed"
	PortException    = "exception"
	PortCancelled    = "cancelled"
)

// PortRequest asks the carrier to port numbers in from a losing carrier.
type PortRequest struct {
	Numbers       []string  `json:"numbers"` // E.164
	LosingCarrier string    `json:"losing_carrier"`
	AccountNumber string    `json:"account_number"` // the account at the losing carrier
	PIN           string    `json:"pin"`
	FOCDate       time.Time `json:"foc_date,omitzero"` // requested firm order commitment date
}

// Port is a port order as the carrier sees it.
type Port struct {
	ID          string    `json:"id"`
	Numbers     []string  `json:"numbers"`
	Status      string    `json:"status"`
	Reason      string    `json:"reason,omitempty"` // exception reason code, e.g. "pin_mismatch"
	SubmittedAt time.Time `json:"submitted_at"`
	FOCDate     time.Time `json:"foc_date,omitzero"` // set from foc_confirmed on
	UpdatedAt   time.Time `json:"updated_at"`
}

// Terminal reports whether the port's status can no longer change.
func (p Port) Terminal() bool {
	return p.Status == PortCompleted || p.Status == PortCancelled || p.Status == PortException
}

// NumberRequest asks the carrier for numbers a search did not find.
type NumberRequest struct {
	Country  string `json:"country"`
	Type     string `json:"type"`
	Region   string `json:"region,omitempty"`
	AreaCode string `json:"area_code,omitempty"`
	City     string `json:"city,omitempty"`
	Quantity int    `json:"quantity"`
	Vanity   string `json:"vanity,omitempty"` // wanted letters or digits, e.g. "FLOWERS"
}

// Number request statuses.
const (
	RequestSubmitted = "submitted"
	RequestFulfilled = "fulfilled"
	RequestRejected  = "rejected"
)

// RequestStatus is the carrier's answer to a number request.
type RequestStatus struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}
