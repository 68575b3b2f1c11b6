package main

import (
	"os"
	"runtime/debug"
)

// defaultGCPercent is the garbage collector's target (GOGC) of the API and
// the worker when the environment sets none. Their live heaps are small —
// tens of megabytes, whatever the size of an import — while the import's
// hot path allocates briskly, so Go's default of 100 spends about a third
// of the worker's CPU collecting. At 400 the million-row benchmark's
// processes peak well under 150 MB (README, Benchmarks).
const defaultGCPercent = 400

// tuneGC applies defaultGCPercent unless GOGC is set.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
}
