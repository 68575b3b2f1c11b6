// Package carrier is Numberdesk's view of the carrier that sells phone
// numbers and carries ports: the Carrier interface, its types and errors,
// and Client, the HTTP client that workers and the API use to reach it.
//
// The carrier's HTTP API is JSON over HTTP:
//
//	POST /v1/search                 Query            → {"numbers": [Available]}
//	POST /v1/orders                 {"numbers": [...]} → {"lines": [OrderLine]}   (Idempotency-Key header)
//	POST /v1/ports                  PortRequest      → Port                       (Idempotency-Key header)
//	GET  /v1/ports/{id}                              → Port
//	POST /v1/ports/{id}/cancel                       → Port
//	POST /v1/requests               NumberRequest    → RequestStatus              (Idempotency-Key header)
//
// Errors are {"code": "...", "message": "..."} with a 4xx or 5xx status.
// The client retries 5xx, 429, timeouts and connection errors with
// exponential backoff and full jitter, never a 4xx, and reports every
// failure as an *Error naming the operation.
//
// Package sandbox implements the same API as a stand-in carrier for
// development and tests.
package carrier
