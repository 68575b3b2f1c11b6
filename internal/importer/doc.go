// Package importer runs the intake side of bulk imports and their error
// reports.
//
// Intake streams an uploaded CSV through the csv decoder, normalises every
// phone number, finds numbers given twice anywhere in the file (the later
// rows fail duplicate_row), stores the rows in Redis in chunks of at most
// 1,000 and enqueues one import:chunk task per chunk as soon as the chunk
// is full, so workers start while the upload is still arriving. Memory stays
// flat whatever the file size: one chunk and the duplicate set are all it
// holds.
//
// A chunk's rows are encoded as records joined by \x1e, fields joined by
// \x1f: line, error code ("" when the row is valid), error message, then
// the kind's fields, then the row's original cells joined by \x1d (for
// the error report). The worker decodes a chunk with DecodeChunk.
package importer
