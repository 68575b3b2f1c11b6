// Package phone is Numberdesk's knowledge of phone numbers: E.164
// normalisation, number descriptions, vanity letters and the area-code
// catalog. It builds on github.com/nyaruka/phonenumbers, the Go port of
// Google's libphonenumber, and imports nothing else outside the standard
// library but the domain's error type.
//
// # Normalisation
//
// Normalize turns any common spelling of a number into E.164
// ("+16502530000") or returns an *inventory.Error with code
// invalid_phone_number whose message says what is wrong. A number is
// accepted when it is possible, which is a structural test, not a look-up
// of allocated ranges:
//
//   - its country calling code is assigned to a country (not an
//     international service code such as +800);
//   - its national number has a length libphonenumber lists as possible
//     for that code, 8 to 15 digits in all;
//   - its first two digits, at that length, fit the national-number pattern
//     of one of the code's countries (so +44 numbers of nine digits must
//     start with 1 or 8);
//   - a +1 number has ten national digits NPA-NXX-XXXX whose area code and
//     exchange start with 2-9, and whose area code is neither an N11
//     service code nor a reserved N9X code.
//
// libphonenumber's IsValidNumber is stricter: it also requires the number
// to be in a range its metadata lists as allocated. Normalize does not, on
// purpose: the metadata lags new area codes and ranges, and refusing a
// customer's real number is worse than accepting an unallocated one, which
// no carrier will sell or port anyway. Every number IsValidNumber accepts
// is accepted, except the deliberate exceptions above (fewer than 8 or more
// than 15 digits, +1 numbers of other than ten digits); the tests pin this.
//
// Canonical input ("+" and digits) takes a fast path: a table built once
// from libphonenumber's metadata answers the rules above in well under a
// microsecond, without allocating and without libphonenumber's parser. Only
// a national number that starts like its country's trunk prefix ("+44
// 020…") goes to the parser, which strips the prefix as it would for "+44
// (0)20…". Other spellings are cleaned (spaces, separators, full-width
// digits, tel: URIs, spreadsheet quoting) and, when they carry a + or 00,
// checked the same way; numbers written as dialled in a country are read by
// libphonenumber's parser with the default region. The tests check, on tens
// of thousands of generated numbers, that the fast path and the parser
// agree.
//
// # Number information
//
// Info reports a number's country, type (toll or toll-free, the
// inventory's two licence kinds), area code, region and city. Regions and
// cities come from libphonenumber's English geocoding data; results are
// cached per number block.
//
// # Regions
//
// A region is a first-level subdivision named by its ISO 3166-2 code
// without the country prefix: the USPS code of a US state ("CA" for
// California, "DC"), the Canada Post code of a province or territory
// ("ON"), "ENG", "SCT", "WLS" or "NIR" in the United Kingdom, a German
// state's code ("BY"), a Polish voivodeship's two-digit code ("14" for
// Masovian) and an Australian state's code ("NSW").
//
// # Catalog
//
// Countries, Regions, AreaCodes, LookupAreaCode and TollFreeCodes describe
// the countries the product sells numbers in (US, CA, GB, DE, PL, AU): their
// regions, their geographic area codes with their main cities, and their
// toll-free codes. The data is generated from libphonenumber's geocoding
// data by internal/gencatalog (go generate) into catalog.json, which is
// embedded. Germany's catalog holds the area codes of its cities (all two-
// and three-digit codes and other well-known towns), as the data does not
// say which state its 5,000 local networks are in.
//
// # Vanity numbers
//
// Keypad converts letters to keypad digits (E.161), so "YKI" searches for
// numbers with 954.
package phone
