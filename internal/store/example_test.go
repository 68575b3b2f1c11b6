package store_test

import (
	"context"
	"fmt"

	"github.com/alicebob/miniredis/v2"
	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/store"
	"github.com/redis/go-redis/v9"
)

// The seed's single-number walk-through: acquire a number, assign it,
// try to assign it elsewhere, reassign, unassign, delete.
func Example() {
	mr, _ := miniredis.Run()
	defer mr.Close()
	ctx := context.Background()
	st := store.New(redis.NewClient(&redis.Options{Addr: mr.Addr()}))

	acct, _ := st.CreateAccount(ctx, store.AccountSpec{Name: "Acme", Country: "US", PhoneLicenses: 10})
	ea, _ := st.CreateEmergencyAddress(ctx, acct.ID, inventory.EmergencyAddress{Street: "1 Main St", City: "Mountain View", PostalCode: "94043", Country: "US"})
	for _, name := range []string{"Sales", "Support"} {
		st.CreateExtension(ctx, acct.ID, inventory.Extension{Type: inventory.ExtCallQueue, Name: name})
	}
	me := store.Actor{Name: "example", Source: "example"}
	_, err := st.Acquire(ctx, acct.ID, store.AcquireSpec{
		EmergencyAddressID: ea.ID,
		Numbers:            []store.NewNumber{{Number: "+16505550100", Type: inventory.Toll, Country: "US", AreaCode: "650"}},
	}, me, store.BatchOptions{})
	fmt.Println("acquire:", err)

	n := "+16505550100"
	fmt.Println("assign to 1001:", st.Assign(ctx, acct.ID, n, store.ExtensionRef{Number: "1001"}, me))
	fmt.Println("assign to 1002:", inventory.ErrorCode(st.Assign(ctx, acct.ID, n, store.ExtensionRef{Number: "1002"}, me)))
	fmt.Println("reassign to 1002:", st.Reassign(ctx, acct.ID, n, store.ExtensionRef{Number: "1002"}, me))
	fmt.Println("delete:", inventory.ErrorCode(st.Delete(ctx, acct.ID, n, me)))
	fmt.Println("unassign:", st.Unassign(ctx, acct.ID, n, me))
	fmt.Println("delete:", st.Delete(ctx, acct.ID, n, me))

	a, _ := st.Account(ctx, acct.ID)
	fmt.Println("licences used:", a.Licenses.PhoneNumber.Used)
	history, _ := st.Audit(ctx, acct.ID, n, 10)
	for _, e := range history {
		fmt.Print(e.Action, " ")
	}
	fmt.Println()
	// Output:
	// acquire: <nil>
	// assign to 1001: <nil>
	// assign to 1002: already_assigned
	// reassign to 1002: <nil>
	// delete: already_assigned
	// unassign: <nil>
	// delete: <nil>
	// licences used: 0
	// delete unassign reassign assign acquire
}
