// Package inventory holds Numberdesk's domain: accounts, sites, emergency
// addresses, extensions and phone numbers, the number lifecycle and its
// rules, and the stable error codes of the public contract.
//
// It imports nothing but the standard library. The Redis store enforces the
// lifecycle atomically; this package names the states, actions and codes the
// store, the API, the importer and the workers share.
package inventory
