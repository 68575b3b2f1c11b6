package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/hibiken/asynq"
	"github.com/numberdesk/numberdesk/internal/carrier"
	"github.com/numberdesk/numberdesk/internal/carrier/sandbox"
	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/phone"
	"github.com/numberdesk/numberdesk/internal/store"
	"github.com/numberdesk/numberdesk/jobs"
	"github.com/redis/go-redis/v9"
)

// DemoAccount is the account `numberdesk dev` seeds.
type DemoAccount struct {
	AccountID string
	Token     string // the owner token
}

// demoKey remembers the demo account of a dev Redis, so that `dev` on the
// same Redis (--redis-url) seeds once and prints the same token.
const demoKey = "nd:dev:demo"

// seedDemo creates the demo account once: two sites with emergency
// addresses, an extension of every type, numbers bought from the sandbox
// (some assigned, one toll-free), reserved numbers, and port orders in
// flight (a US one whose status shows, a GB one whose status does not).
func seedDemo(ctx context.Context, rdb redis.UniversalClient, sb *sandbox.Carrier, queue *asynq.Client) (DemoAccount, error) {
	if m, err := rdb.HGetAll(ctx, demoKey).Result(); err == nil && m["account_id"] != "" {
		return DemoAccount{AccountID: m["account_id"], Token: m["token"]}, nil
	}
	st := store.New(rdb)
	actor := store.Actor{Name: "demo", Source: "dev"}
	acct, err := st.CreateAccount(ctx, store.AccountSpec{Name: "Demo Corp", Country: "US", MultipleSites: true, PhoneLicenses: 40, TollFreeLicenses: 5})
	if err != nil {
		return DemoAccount{}, err
	}
	_, token, err := st.CreateToken(ctx, acct.ID, "Demo owner", inventory.RoleOwner)
	if err != nil {
		return DemoAccount{}, err
	}
	var sites []inventory.Site
	for _, s := range []struct{ name, street, city, state, zip string }{
		{"San Francisco HQ", "1 Market St", "San Francisco", "CA", "94105"},
		{"Austin office", "500 Congress Ave", "Austin", "TX", "78701"},
	} {
		ea, err := st.CreateEmergencyAddress(ctx, acct.ID, inventory.EmergencyAddress{Street: s.street, City: s.city, State: s.state, PostalCode: s.zip, Country: "US"})
		if err != nil {
			return DemoAccount{}, err
		}
		site, err := st.CreateSite(ctx, acct.ID, inventory.Site{Name: s.name, Country: "US", EmergencyAddressID: ea.ID})
		if err != nil {
			return DemoAccount{}, err
		}
		sites = append(sites, site)
	}
	hq, austin := sites[0].ID, sites[1].ID
	exts := map[string]inventory.Extension{}
	for _, e := range []inventory.Extension{
		{Type: inventory.ExtUser, Name: "Alice Nowak", Email: "alice@demo.example", SiteID: hq},
		{Type: inventory.ExtUser, Name: "Bob Kowalski", Email: "bob@demo.example", SiteID: hq},
		{Type: inventory.ExtUser, Name: "Carol Diaz", Email: "carol@demo.example", SiteID: austin},
		{Type: inventory.ExtCallQueue, Name: "Support queue", SiteID: hq},
		{Type: inventory.ExtAutoReceptionist, Name: "Main menu", SiteID: hq},
		{Type: inventory.ExtCommonArea, Name: "Lobby phone", SiteID: austin},
		{Type: inventory.ExtRoom, Name: "Board room", SiteID: hq},
	} {
		x, err := st.CreateExtension(ctx, acct.ID, e)
		if err != nil {
			return DemoAccount{}, err
		}
		exts[e.Name] = x
	}

	// Numbers bought from the sandbox, so that it never offers them again.
	buy := func(key string, q carrier.Query) ([]string, error) {
		found, err := sb.Search(ctx, q)
		if err != nil {
			return nil, err
		}
		var nums []string
		for _, f := range found {
			nums = append(nums, f.Number)
		}
		if len(nums) < q.Limit {
			return nil, fmt.Errorf("the sandbox offers %d numbers for %+v", len(nums), q)
		}
		lines, err := sb.PlaceOrder(ctx, key, nums)
		if err != nil {
			return nil, err
		}
		for _, l := range lines {
			if l.Status != carrier.LineAcquired {
				return nil, fmt.Errorf("the sandbox did not sell %s: %s", l.Number, l.Reason)
			}
		}
		return nums, nil
	}
	add := func(site string, status inventory.Status, nums []string) error {
		spec := store.AcquireSpec{Status: status, SiteID: site}
		for _, n := range nums {
			info, err := phone.Info(n)
			if err != nil {
				return err
			}
			spec.Numbers = append(spec.Numbers, store.NewNumber{Number: n, Type: inventory.NumberType(info.Type), Country: info.Country, AreaCode: info.AreaCode, Region: info.Region, City: info.City})
		}
		res, err := st.Acquire(ctx, acct.ID, spec, actor, store.BatchOptions{})
		if err != nil {
			return err
		}
		for i, o := range res.Outcomes {
			if err := o.Err(); err != nil {
				return fmt.Errorf("%s: %w", nums[i], err)
			}
		}
		return nil
	}
	sf, err := buy("demo-"+acct.ID+"-sf", carrier.Query{Country: "US", AreaCode: "415", Sequential: true, Limit: 6})
	if err != nil {
		return DemoAccount{}, err
	}
	atx, err := buy("demo-"+acct.ID+"-atx", carrier.Query{Country: "US", AreaCode: "512", Sequential: true, Limit: 4})
	if err != nil {
		return DemoAccount{}, err
	}
	tf, err := buy("demo-"+acct.ID+"-tf", carrier.Query{Country: "US", Type: carrier.TypeTollFree, AreaCode: "888", Limit: 1})
	if err != nil {
		return DemoAccount{}, err
	}
	resv, err := buy("demo-"+acct.ID+"-resv", carrier.Query{Country: "US", AreaCode: "650", Prefix: "954", Sequential: true, Limit: 3})
	if err != nil {
		return DemoAccount{}, err
	}
	if err := errors.Join(add(hq, inventory.StatusUnassigned, append(sf, tf...)), add(austin, inventory.StatusUnassigned, atx), add(hq, inventory.StatusReserved, resv)); err != nil {
		return DemoAccount{}, err
	}
	for n, ext := range map[string]string{sf[0]: "Alice Nowak", sf[1]: "Bob Kowalski", sf[2]: "Support queue", atx[0]: "Carol Diaz", atx[1]: "Lobby phone", tf[0]: "Main menu"} {
		if err := st.Assign(ctx, acct.ID, n, store.ExtensionRef{ID: exts[ext].ID}, actor); err != nil {
			return DemoAccount{}, fmt.Errorf("assign %s: %w", n, err)
		}
	}

	// Port orders in flight: numbers the sandbox has not sold.
	for _, q := range []carrier.Query{{Country: "US", AreaCode: "212", Sequential: true, Limit: 2}, {Country: "GB", AreaCode: "20", Limit: 1}} {
		found, err := sb.Search(ctx, q)
		if err != nil {
			return DemoAccount{}, err
		}
		spec := store.PortSpec{Country: q.Country, LosingCarrier: "Legacy Telecom", AccountNumber: "LT-100200", PIN: "2468", SiteID: hq}
		for _, f := range found {
			info, err := phone.Info(f.Number)
			if err != nil {
				return DemoAccount{}, err
			}
			spec.Numbers = append(spec.Numbers, store.NewNumber{Number: f.Number, Type: inventory.NumberType(info.Type), Country: info.Country, AreaCode: info.AreaCode, Region: info.Region, City: info.City})
		}
		p, err := st.CreatePort(ctx, acct.ID, spec, actor)
		if err != nil {
			return DemoAccount{}, err
		}
		task, err := jobs.NewPortSubmitTask(jobs.PortPayload{AccountID: acct.ID, PortOrderID: p.ID, Submission: p.Submission})
		if err != nil {
			return DemoAccount{}, err
		}
		if _, err := queue.EnqueueContext(ctx, task); err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
			return DemoAccount{}, err
		}
	}
	if err := rdb.HSet(ctx, demoKey, "account_id", acct.ID, "token", token).Err(); err != nil {
		return DemoAccount{}, err
	}
	return DemoAccount{AccountID: acct.ID, Token: token}, nil
}
