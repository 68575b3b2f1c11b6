package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"sync"
	"time"

	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/phone"
	"github.com/numberdesk/numberdesk/internal/store"
)

// runSeed runs `numberdesk seed`: it bulk-loads numbers (unassigned, as if
// ordered, taking licences — the totals are raised when short) and
// extensions into an account, and with --out writes an assignments CSV
// that assigns every seeded number to a seeded extension.
func runSeed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("seed", stderr)
	account := fs.String("account", "", "account id")
	numbers := fs.Int("numbers", 1000, "how many numbers to load")
	extensions := fs.Int("extensions", 100, "how many extensions to create")
	out := fs.String("out", "", "write an assignments CSV (phone_number,extension_number) here")
	redisURL := fs.String("redis-url", "", "Redis URL of the state")
	workers := fs.Int("workers", 4, "batches in flight at once")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := required("account", *account); err != nil {
		return err
	}
	if *numbers < 0 || *extensions < 0 || *workers < 1 {
		return usagef("--numbers and --extensions must be >= 0, --workers >= 1")
	}
	if *out != "" && *extensions == 0 && *numbers > 0 {
		return usagef("--out needs --extensions > 0 to assign the numbers to")
	}
	rdb, err := openRedis(*redisURL)
	if err != nil {
		return err
	}
	defer rdb.Close()
	st := store.New(rdb)
	start := time.Now()
	res, err := seed(ctx, st, seedSpec{AccountID: *account, Numbers: *numbers, Extensions: *extensions, Workers: *workers})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seeded %d numbers and %d extensions into %s in %.1fs\n", len(res.Numbers), len(res.Extensions), *account, time.Since(start).Seconds())
	if *out != "" {
		if err := writeAssignments(*out, res); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s (%d rows)\n", *out, len(res.Numbers))
	}
	return nil
}

type seedSpec struct {
	AccountID  string
	Numbers    int
	Extensions int
	Workers    int
}

type seedResult struct {
	Numbers    []string
	Extensions []string // extension numbers
}

var seedActor = store.Actor{Name: "seed", Source: "seed"}

// seed loads the numbers and extensions; see runSeed.
func seed(ctx context.Context, st *store.Store, spec seedSpec) (seedResult, error) {
	acct, err := st.Account(ctx, spec.AccountID)
	if err != nil {
		return seedResult{}, err
	}
	target, err := seedTarget(ctx, st, acct)
	if err != nil {
		return seedResult{}, err
	}
	var res seedResult
	res.Extensions, err = seedExtensions(ctx, st, acct, target.SiteID, spec.Extensions)
	if err != nil {
		return seedResult{}, err
	}
	if spec.Numbers == 0 {
		return res, nil
	}
	lic := acct.Licenses.PhoneNumber
	if lic.Free() < int64(spec.Numbers) {
		if err := st.SetLicenses(ctx, acct.ID, lic.Used+int64(spec.Numbers), acct.Licenses.TollFree.Total); err != nil {
			return seedResult{}, fmt.Errorf("raise licences: %w", err)
		}
	}
	res.Numbers, err = seedNumbers(ctx, st, acct, target, spec)
	return res, err
}

// seedTarget picks where seeded numbers go: the first site with multiple
// sites, else the first emergency address (created when there is none).
func seedTarget(ctx context.Context, st *store.Store, acct inventory.Account) (store.AcquireSpec, error) {
	if acct.MultipleSites {
		sites, err := st.Sites(ctx, acct.ID)
		if err != nil {
			return store.AcquireSpec{}, err
		}
		if len(sites) == 0 {
			ea, err := st.CreateEmergencyAddress(ctx, acct.ID, demoAddress(acct.Country))
			if err != nil {
				return store.AcquireSpec{}, err
			}
			site, err := st.CreateSite(ctx, acct.ID, inventory.Site{Name: "Headquarters", Country: acct.Country, EmergencyAddressID: ea.ID})
			if err != nil {
				return store.AcquireSpec{}, err
			}
			sites = append(sites, site)
		}
		return store.AcquireSpec{SiteID: sites[0].ID}, nil
	}
	eas, err := st.EmergencyAddresses(ctx, acct.ID)
	if err != nil {
		return store.AcquireSpec{}, err
	}
	if len(eas) == 0 {
		ea, err := st.CreateEmergencyAddress(ctx, acct.ID, demoAddress(acct.Country))
		if err != nil {
			return store.AcquireSpec{}, err
		}
		eas = append(eas, ea)
	}
	return store.AcquireSpec{EmergencyAddressID: eas[0].ID}, nil
}

func demoAddress(country string) inventory.EmergencyAddress {
	return inventory.EmergencyAddress{Street: "1600 Amphitheatre Pkwy", City: "Mountain View", State: "CA", PostalCode: "94043", Country: country}
}

var seedTypes = []inventory.ExtensionType{inventory.ExtUser, inventory.ExtUser, inventory.ExtUser, inventory.ExtCallQueue, inventory.ExtAutoReceptionist, inventory.ExtCommonArea, inventory.ExtRoom}

// seedExtensions creates n extensions in batches and returns their numbers.
func seedExtensions(ctx context.Context, st *store.Store, acct inventory.Account, site string, n int) ([]string, error) {
	out := make([]string, 0, n)
	// Each run tags its emails, so that seeding an account again adds
	// users instead of colliding with the first run's.
	var rnd [3]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return nil, err
	}
	tag := hex.EncodeToString(rnd[:])
	for i := 0; i < n; i += store.MaxBatch {
		batch := make([]inventory.Extension, min(store.MaxBatch, n-i))
		for j := range batch {
			k := i + j
			t := seedTypes[k%len(seedTypes)]
			e := inventory.Extension{Type: t, Name: fmt.Sprintf("%s %d", seedName(t), k+1), SiteID: site}
			if t == inventory.ExtUser {
				e.Email = fmt.Sprintf("user%d.%s@example.com", k+1, tag)
			}
			batch[j] = e
		}
		res, _, err := st.CreateExtensions(ctx, acct.ID, batch, store.BatchOptions{})
		if err != nil {
			return nil, fmt.Errorf("create extensions: %w", err)
		}
		for _, r := range res {
			if r.Err != nil {
				return nil, fmt.Errorf("create extension %q: %w", r.Extension.Name, r.Err)
			}
			out = append(out, r.Extension.ExtensionNumber)
		}
	}
	return out, nil
}

func seedName(t inventory.ExtensionType) string {
	switch t {
	case inventory.ExtCallQueue:
		return "Queue"
	case inventory.ExtAutoReceptionist:
		return "Reception"
	case inventory.ExtCommonArea:
		return "Lobby phone"
	case inventory.ExtRoom:
		return "Room"
	}
	return "User"
}

// numberGen walks US numbers area code by area code, exchange by exchange,
// from a starting point chosen by the account id, so that two seeded
// accounts rarely collide.
type numberGen struct {
	codes []phone.AreaCode
	i     int // position in codes*800*10000
	left  int
}

func newNumberGen(accountID string) (*numberGen, error) {
	codes := phone.AreaCodes("US", "")
	if len(codes) == 0 {
		return nil, errors.New("no US area codes in the catalog")
	}
	h := fnv.New32a()
	h.Write([]byte(accountID))
	total := len(codes) * 800 * 10000
	return &numberGen{codes: codes, i: int(h.Sum32()) % total, left: total}, nil
}

// next returns the next number, or false when the space is used up.
func (g *numberGen) next() (store.NewNumber, bool) {
	if g.left == 0 {
		return store.NewNumber{}, false
	}
	g.left--
	total := len(g.codes) * 800 * 10000
	i := g.i % total
	g.i++
	ac := g.codes[i/(800*10000)]
	exch := 200 + (i/10000)%800
	line := i % 10000
	city := ""
	if len(ac.Cities) > 0 {
		city = ac.Cities[(exch)%len(ac.Cities)]
	}
	return store.NewNumber{
		Number: fmt.Sprintf("+1%s%03d%04d", ac.Code, exch, line), Type: inventory.Toll,
		Country: "US", AreaCode: ac.Code, Region: ac.Region, City: city,
	}, true
}

// seedNumbers acquires spec.Numbers numbers with batches in flight on
// several connections; numbers another inventory holds are skipped.
func seedNumbers(ctx context.Context, st *store.Store, acct inventory.Account, target store.AcquireSpec, spec seedSpec) ([]string, error) {
	gen, err := newNumberGen(acct.ID)
	if err != nil {
		return nil, err
	}
	var (
		mu   sync.Mutex
		got  []string
		werr error
	)
	for len(got) < spec.Numbers && werr == nil {
		want := spec.Numbers - len(got)
		batches := make(chan []store.NewNumber)
		var wg sync.WaitGroup
		for w := 0; w < spec.Workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for b := range batches {
					a := target
					a.Numbers = b
					res, err := st.Acquire(ctx, acct.ID, a, seedActor, store.BatchOptions{})
					mu.Lock()
					if err != nil && werr == nil {
						werr = fmt.Errorf("acquire: %w", err)
					}
					for i, o := range res.Outcomes {
						if o.Outcome == inventory.OutcomeOK {
							got = append(got, b[i].Number)
						}
					}
					mu.Unlock()
				}
			}()
		}
		for sent := 0; sent < want; {
			b := make([]store.NewNumber, 0, min(store.MaxBatch, want-sent))
			for len(b) < cap(b) {
				n, ok := gen.next()
				if !ok {
					break
				}
				b = append(b, n)
			}
			if len(b) == 0 {
				break
			}
			batches <- b
			sent += len(b)
		}
		close(batches)
		wg.Wait()
		if gen.left == 0 {
			break
		}
	}
	if werr != nil {
		return got, werr
	}
	if len(got) < spec.Numbers {
		return got, fmt.Errorf("only %d of %d numbers could be seeded", len(got), spec.Numbers)
	}
	return got, nil
}

// writeAssignments writes phone_number,extension_number rows assigning
// number i to extension i mod len(extensions).
func writeAssignments(path string, res seedResult) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "phone_number,extension_number")
	for i, n := range res.Numbers {
		w.WriteString(n)
		w.WriteByte(',')
		w.WriteString(res.Extensions[i%len(res.Extensions)])
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
