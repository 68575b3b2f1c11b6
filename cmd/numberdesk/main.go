// Command numberdesk runs Numberdesk, the phone-number inventory service of
// a business phone system: its API, workers, scheduler and sandbox carrier,
// and the administrative commands around them.
//
// Usage:
//
//	numberdesk <command> [flags]
//
// Every flag can also be given as an environment variable NUMBERDESK_<FLAG>
// (upper case, dashes as underscores), e.g. NUMBERDESK_REDIS_URL. A flag on
// the command line wins over the environment. Run `numberdesk help` for the
// list of commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes.
const (
	exitOK        = 0
	exitFailure   = 1 // the command failed
	exitUsage     = 2 // bad command line or configuration
	exitRowErrors = 3 // an import finished with failed rows
)

// usageError marks errors in the command line or configuration.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// errHelp is returned when -h or --help asked for a command's flags, which
// the flag package has printed: exit 0, nothing more to say.
var errHelp = errors.New("help requested")

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"dev", "everything in one process for a first look: API, worker, scheduler, sandbox carrier, own Redis, demo account (--addr)", runDev},
		{"account", "account create: create an account and its owner token", runAccount},
		{"seed", "bulk-load demo or benchmark numbers and extensions into an account", runSeed},
		{"worker", "run the task worker (--redis-url --queue-redis-url --carrier-url --concurrency --metrics-addr)", runWorker},
		{"carrier-sandbox", "run the stand-in carrier (--addr --redis-url --port-step, fault injection)", runCarrierSandbox},
		{"serve", "serve the intake API and the web portal (--addr --redis-url --carrier-url --operator-token)", runServe},
		{"import", "upload a CSV file as an import and follow it (FILE --kind --wait --url --token)", runImport},
		{"scheduler", "run the cron table: port sync and the monthly fee run (--port-sync-schedule --fees-schedule --metrics-addr)", runScheduler},
		{"fees", "fees run: write the reserved-number fee statements of a month (--month --account --fees-file --json)", runFees},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches to a subcommand and maps its error to an exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printHelp(stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			err := c.run(ctx, args[1:], stdout, stderr)
			return exitCode(err, stderr)
		}
	}
	fmt.Fprintf(stderr, "numberdesk: unknown command %q (see numberdesk help)\n", args[0])
	return exitUsage
}

func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	var ue usageError
	var ec exitCoder
	switch {
	case errors.Is(err, errHelp):
		return exitOK
	case errors.As(err, &ec):
		if msg := err.Error(); msg != "" {
			fmt.Fprintln(stderr, "numberdesk:", msg)
		}
		return ec.ExitCode()
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "numberdesk:", ue.msg)
		return exitUsage
	}
	fmt.Fprintln(stderr, "numberdesk:", err)
	return exitFailure
}

// exitCoder is an error that chooses its exit code.
type exitCoder interface {
	error
	ExitCode() int
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "Usage: numberdesk <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-16s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Every flag may also be set as NUMBERDESK_<FLAG>, e.g. NUMBERDESK_REDIS_URL.")
	fmt.Fprintln(w, "Run `numberdesk <command> -h` for a command's flags.")
}
