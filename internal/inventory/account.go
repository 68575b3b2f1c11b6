package inventory

import "time"

// Account is one customer of the phone system: it owns sites, emergency
// addresses, extensions and a phone-number inventory, and holds licences.
type Account struct {
	ID            string    `json:"id"`
	Name          string    `json:"name"`
	Country       string    `json:"country"`
	MultipleSites bool      `json:"multiple_sites"`
	Licenses      Licenses  `json:"licenses"`
	Numbers       Counts    `json:"numbers"`
	CreatedAt     time.Time `json:"created_at"`
}

// Licenses are an account's licence totals and how many are in use.
type Licenses struct {
	PhoneNumber License `json:"phone_number"`
	TollFree    License `json:"toll_free"`
}

// License is one licence pool: an active number of the pool's type uses one,
// and a number of an order not yet placed holds one.
type License struct {
	Total int64 `json:"total"`
	Used  int64 `json:"used"`
	Held  int64 `json:"held"` // taken by open orders, used or given back when they finish
}

// Free returns how many licences of the pool are neither used nor held.
func (l License) Free() int64 { return l.Total - l.Used - l.Held }

// Counts are an account's numbers by status.
type Counts struct {
	Assigned   int64 `json:"assigned"`
	Unassigned int64 `json:"unassigned"`
	Reserved   int64 `json:"reserved"`
	Porting    int64 `json:"porting"`
}
