package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/store"
)

// runAccount runs `numberdesk account create`.
func runAccount(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return usagef("usage: numberdesk account create --name N --country US --licenses 100 --toll-free-licenses 10 [--multiple-sites] --redis-url U [--json]")
	}
	fs := newFlags("account create", stderr)
	name := fs.String("name", "", "account name")
	country := fs.String("country", "US", "home country (ISO 3166 alpha-2)")
	licenses := fs.Int64("licenses", 0, "phone-number licences")
	tollFree := fs.Int64("toll-free-licenses", 0, "toll-free number licences")
	multi := fs.Bool("multiple-sites", false, "the account has multiple sites")
	redisURL := fs.String("redis-url", "", "Redis URL of the state")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if err := required("name", *name); err != nil {
		return err
	}
	rdb, err := openRedis(*redisURL)
	if err != nil {
		return err
	}
	defer rdb.Close()
	st := store.New(rdb)
	acct, err := st.CreateAccount(ctx, store.AccountSpec{
		Name: *name, Country: strings.ToUpper(*country), MultipleSites: *multi,
		PhoneLicenses: *licenses, TollFreeLicenses: *tollFree,
	})
	if err != nil {
		if c := inventory.ErrorCode(err); c != inventory.CodeInternal {
			return usagef("%v", err)
		}
		return err
	}
	_, secret, err := st.CreateToken(ctx, acct.ID, "owner", inventory.RoleOwner)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(map[string]string{"account_id": acct.ID, "token": secret})
	}
	fmt.Fprintf(stdout, "account_id: %s\ntoken:      %s\n(the token is shown once; store it now)\n", acct.ID, secret)
	return nil
}
