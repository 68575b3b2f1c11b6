package deploy

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// commandLine is one `numberdesk <command> ...` of the compose file or the
// Procfile.
type commandLine struct {
	where string   // e.g. "compose/api", "Procfile/worker"
	args  []string // after "numberdesk": the command, then its arguments
	env   []string // NUMBERDESK_* variables set for it
}

// numberdeskCommands collects the numberdesk command lines of
// docker-compose.yml and the Procfile.
func numberdeskCommands(t *testing.T) []commandLine {
	t.Helper()
	var lines []commandLine
	c := readCompose(t)
	for _, name := range slices.Sorted(maps.Keys(c.Services)) {
		s := c.Services[name]
		if len(s.Command) < 2 || s.Command[0] != "numberdesk" {
			continue
		}
		var env []string
		for k := range s.Environment {
			if strings.HasPrefix(k, "NUMBERDESK_") {
				env = append(env, k)
			}
		}
		slices.Sort(env)
		lines = append(lines, commandLine{where: "compose/" + name, args: s.Command[1:], env: env})
	}
	for _, p := range readProcfile(t) {
		if len(p.args) < 2 || p.args[0] != "numberdesk" {
			continue
		}
		lines = append(lines, commandLine{where: "Procfile/" + p.name, args: p.args[1:]})
	}
	return lines
}

// flagArg is a flag argument: -x, --x or --x=v (not a negative number).
var flagArg = regexp.MustCompile(`^--?([A-Za-z][A-Za-z0-9-]*)(=.*)?$`)

// flagNames returns the names of the flags an argument list uses.
func flagNames(args []string) []string {
	var names []string
	for _, a := range args {
		if m := flagArg.FindStringSubmatch(a); m != nil {
			names = append(names, m[1])
		}
	}
	return names
}

// flagOfEnv is the flag a NUMBERDESK_ variable sets: NUMBERDESK_REDIS_URL
// -> redis-url (cmd/numberdesk/flags.go).
func flagOfEnv(env string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(env, "NUMBERDESK_")), "_", "-")
}

// hasFlag reports whether the flag package's usage output lists name.
func hasFlag(usage, name string) bool {
	return regexp.MustCompile(`(?m)^\s*-` + regexp.QuoteMeta(name) + `(\s|$)`).MatchString(usage)
}

// buildNumberdesk builds cmd/numberdesk into a temporary directory.
func buildNumberdesk(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "numberdesk")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/numberdesk")
	cmd.Dir = repoRoot(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/numberdesk: %v\n%s", err, out)
	}
	return bin
}

// commandHelp runs `numberdesk <command> -h`, which prints the command's
// flags and exits 0 for a command the binary has.
func commandHelp(bin, command string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, command, "-h")
	// Keep the caller's NUMBERDESK_* out of it.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "NUMBERDESK_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return string(out), fmt.Errorf("`numberdesk %s -h` exited %d: %s", command, exit.ExitCode(), strings.TrimSpace(string(out)))
	}
	return string(out), err
}

// TestCommandLines checks each numberdesk command line of the compose file
// and the Procfile against the binary: the command exists, and so does
// every flag it is given and every NUMBERDESK_ variable set for it.
func TestCommandLines(t *testing.T) {
	lines := numberdeskCommands(t)
	if len(lines) == 0 {
		t.Fatal("no numberdesk command lines in docker-compose.yml or the Procfile")
	}
	if testing.Short() {
		t.Skip("builds the numberdesk binary")
	}
	bin := buildNumberdesk(t)
	type help struct {
		usage string
		err   error
	}
	helps := map[string]help{}
	for _, l := range lines {
		t.Run(l.where, func(t *testing.T) {
			command := l.args[0]
			h, ok := helps[command]
			if !ok {
				h.usage, h.err = commandHelp(bin, command)
				helps[command] = h
			}
			if h.err != nil {
				t.Fatalf("numberdesk %s is not a command of the binary: %v", command, h.err)
			}
			for _, f := range flagNames(l.args[1:]) {
				if !hasFlag(h.usage, f) {
					t.Errorf("numberdesk %s has no flag --%s", command, f)
				}
			}
			for _, e := range l.env {
				if f := flagOfEnv(e); !hasFlag(h.usage, f) {
					t.Errorf("%s is set, but numberdesk %s has no flag --%s to read it", e, command, f)
				}
			}
		})
	}
}
