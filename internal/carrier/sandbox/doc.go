// Package sandbox is a stand-in carrier for development and tests: the
// same Go API as carrier.Carrier in process, and the carrier HTTP API (see
// package carrier) as an http.Handler. `numberdesk carrier-sandbox` and
// `numberdesk dev` run it.
//
// # Numbering
//
// The countries, regions, area codes, cities and toll-free codes are those
// of package phone's catalog (US and Canada, GB, DE, PL, AU). Numbers are
// never stored; whether one exists is computed from Config.Seed:
//
//   - A number is area code + exchange (three digits, 200–999) + line. In
//     North America the exchanges N11 and 555 are not used. National
//     numbers are 10 digits (PL and AU 9, AU toll-free 1800 numbers 10);
//     an exchange whose digits would start a longer area code of the same
//     country (GB 1539 / 15394) belongs to that area code instead. Outside
//     North America an exchange is used only when libphonenumber (package
//     phone) recognises numbers starting with its first digit as numbers
//     of the area code.
//   - An area code is empty (no numbers at all, so that "no numbers, file a
//     request" happens) when hash(seed, E.164 prefix) % 10 == 0: about one
//     in ten.
//   - Each exchange of an area code belongs to one of its (region, city)
//     places, chosen by hash(seed, area code, exchange), so a city filter
//     selects whole exchanges. In an area code spanning regions (CA 782,
//     AU 2) the place is one of the region package phone gives the
//     exchange.
//   - Lines come in blocks of 100 (10 where the line has fewer than three
//     digits); one block in eight is open, and in an open block seven lines
//     in eight are available, each decided by a hash. A North American area
//     code thus has about 860,000 numbers, and consecutive runs are common.
//   - Toll-free numbers (US/CA 800 833 844 855 866 877 888, GB 800 808,
//     DE 800, PL 800, AU 1800) follow the same rules; the US and Canada
//     share theirs. They have no region or city.
//
// Search honours every filter; Prefix matches the digits right after the
// area code. Sequential results are ascending; other results are the same
// numbers in an order shuffled by the seed and the query. Consecutive N
// returns whole blocks of N consecutive numbers (N ≤ MaxConsecutive, one
// exchange each), at most Limit numbers in all. A search examines at most
// a few million lines and then returns what it found.
//
// # State
//
// What the sandbox sold or accepted for porting, and its orders, port
// orders and number requests, live in Redis under keys starting
// "carrier:{sandbox}:", so a new sandbox on the same Redis (a restart)
// remembers them. Such numbers are never offered again.
//
// # Orders
//
// PlaceOrder sells, in one Lua script, every number it offers and has not
// sold; other lines fail with ReasonNotAvailable (ReasonDuplicate for a
// number listed twice). The same key returns the stored answer; the same
// key with other numbers is a conflict.
//
// # Ports
//
// A port order's status is computed when read from the time since
// submission (Config.Now): submitted, then pending after one
// Config.PortStep, foc_confirmed after two (FOC date: submission + three
// steps), completed after three. A request with PIN "0000" ends in
// exception pin_mismatch after two steps, account number "0" in exception
// account_not_found. Correct it and submit again with a new key: numbers of
// an order in exception or cancelled may be submitted again. CancelPort
// cancels any order not completed.
//
// # Number requests
//
// ForwardRequest fulfils a request for at most MaxRequestQuantity (10)
// numbers whose vanity, if any, has at most 7 keypad digits; it rejects
// others with ReasonQuantityTooLarge or ReasonVanityTooLong.
//
// # Faults
//
// Over HTTP only: each request waits Config.Latency; a share
// Config.TimeoutRate hangs until the client gives up; a share
// Config.ErrorRate is answered 503 without effect. The draws come from a
// generator seeded with Config.Seed.
package sandbox
