package httpapi_test

import (
	"fmt"
	"log"
	"log/slog"
	"net"

	"github.com/numberdesk/numberdesk/internal/httpapi"
	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/store"
	"github.com/redis/go-redis/v9"
)

// The API is an http.Handler on a store; NewServer gives it the timeouts.
func ExampleNew() {
	st := store.New(redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"}))
	h, err := httpapi.New(httpapi.Config{Store: st, Logger: slog.Default(), RateLimit: 50, RateBurst: 100})
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:8080")
	if err != nil {
		log.Fatal(err)
	}
	log.Fatal(httpapi.NewServer(h, slog.Default()).Serve(ln))
}

// Every error code has one HTTP status.
func ExampleStatusOf() {
	for _, c := range []inventory.Code{inventory.CodeInvalidPhoneNumber, inventory.CodeNumberNotFound, inventory.CodeAlreadyAssigned, inventory.CodeLicenseExhausted, httpapi.CodeRateLimited} {
		fmt.Println(c, httpapi.StatusOf(c))
	}
	// Output:
	// invalid_phone_number 400
	// number_not_found 404
	// already_assigned 409
	// license_exhausted 422
	// rate_limited 429
}
