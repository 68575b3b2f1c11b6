package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/numberdesk/numberdesk/internal/fees"
	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/store"
)

// feesFileUsage documents --fees-file wherever it is a flag.
const feesFileUsage = `JSON fee schedule overriding or adding to the default rates, e.g. {"US": {"rate_minor": 150, "currency": "USD"}}`

// loadFees returns the fee schedule of --fees-file: the defaults when path
// is "", else the defaults overridden by the file. A bad file is a usage
// error in one line naming the flag, the file and what is wrong.
func loadFees(path string) (fees.Schedule, error) {
	if path == "" {
		return fees.DefaultSchedule(), nil
	}
	s, err := fees.LoadSchedule(path)
	if err != nil {
		return nil, usagef("--fees-file: %s", strings.TrimPrefix(err.Error(), "fees: "))
	}
	return s, nil
}

// runFees runs `numberdesk fees run`: the reserved-number fee statements of
// one month, for every account or one. A statement is written once; a
// second run prints the stored ones (existing).
func runFees(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const usage = "usage: numberdesk fees run [--month YYYY-MM] [--account ID] --redis-url U [--fees-file FILE] [--json]"
	if len(args) == 0 || args[0] != "run" {
		return usagef(usage)
	}
	fs := newFlags("fees run", stderr)
	month := fs.String("month", "", "the month, YYYY-MM in UTC (default: the previous month); it must be over")
	account := fs.String("account", "", "only this account (default: every account)")
	redisURL := fs.String("redis-url", "", "Redis URL of the state")
	feesFile := fs.String("fees-file", "", feesFileUsage)
	asJSON := fs.Bool("json", false, "print the run as JSON: month, written, existing, failed, accounts with their statements")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q; %s", fs.Arg(0), usage)
	}
	now := time.Now()
	m := fees.MonthOf(now).Prev()
	if *month != "" {
		var err error
		if m, err = fees.ParseMonth(*month); err != nil {
			return usagef("--month %q: want YYYY-MM, e.g. %s", *month, m)
		}
	}
	if now.Before(m.End()) {
		return usagef("--month %s is not over yet: its statements are written after it ends (the current month's estimate is GET /v1/reserved)", m)
	}
	schedule, err := loadFees(*feesFile)
	if err != nil {
		return err
	}
	rdb, err := openRedis(*redisURL)
	if err != nil {
		return err
	}
	defer rdb.Close()
	st := store.New(rdb)

	var run store.FeeRun
	var runErr error
	if *account != "" {
		s, written, err := st.CloseMonth(ctx, *account, m, schedule)
		if inventory.ErrorCode(err) == inventory.CodeAccountNotFound {
			return usagef("--account %s: no such account", *account)
		}
		if err != nil {
			return err
		}
		run = store.FeeRun{Month: m, Accounts: []store.AccountStatement{{AccountID: *account, Written: written, Statement: s}}}
		if written {
			run.Written = 1
		} else {
			run.Existing = 1
		}
	} else {
		run, runErr = st.RunFees(ctx, m, schedule)
	}

	if *asJSON {
		if err := json.NewEncoder(stdout).Encode(run); err != nil {
			return err
		}
	} else {
		for _, a := range run.Accounts {
			fmt.Fprintln(stdout, feeLine(a))
		}
		fmt.Fprintf(stderr, "fees %s: %d statements written, %d already stored, %d failed\n", m, run.Written, run.Existing, run.Failed)
	}
	return runErr
}

// feeLine is one account of `fees run`'s text output:
//
//	<account> <month> written|existing USD amount_minor=183 numbers=3 number_days=53; GBP ...
func feeLine(a store.AccountStatement) string {
	state := "existing"
	if a.Written {
		state = "written"
	}
	var totals []string
	for _, t := range a.Statement.Totals {
		totals = append(totals, fmt.Sprintf("%s amount_minor=%d numbers=%d number_days=%d", t.Currency, t.AmountMinor, t.ReservedNumbers, t.NumberDays))
	}
	if len(totals) == 0 {
		totals = []string{"no reserved numbers"}
	}
	return fmt.Sprintf("%s %s %s %s", a.AccountID, a.Statement.Month, state, strings.Join(totals, "; "))
}
