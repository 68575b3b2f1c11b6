package main

import (
	"errors"
	"flag"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/redis/go-redis/v9"
)

// newFlags returns a flag set for a subcommand that prints its usage to w.
func newFlags(name string, w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("numberdesk "+name, flag.ContinueOnError)
	fs.SetOutput(w)
	return fs
}

// parseFlags parses args, then fills every flag not given on the command
// line from NUMBERDESK_<FLAG> in the environment. A bad value, from either
// place, is a usage error naming the flag or variable.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return usageError{err.Error()}
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || err != nil {
			return
		}
		env := envName(f.Name)
		if v, ok := os.LookupEnv(env); ok {
			if e := fs.Set(f.Name, v); e != nil {
				err = usagef("%s=%q: %v", env, v, e)
			}
		}
	})
	return err
}

// envName is the environment variable of a flag: redis-url -> NUMBERDESK_REDIS_URL.
func envName(flagName string) string {
	return "NUMBERDESK_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// openRedis connects to the Redis named by url:
//
//	redis://[user:password@]host:port[/db]   one node (rediss:// for TLS)
//	redis-cluster://host:port,host:port      a Redis Cluster
//	redis-sentinel://master@host:port,...    a Sentinel-guarded master
func openRedis(url string) (redis.UniversalClient, error) {
	switch {
	case url == "":
		return nil, usagef("--redis-url is required (or NUMBERDESK_REDIS_URL), e.g. redis://127.0.0.1:6379/0")
	case strings.HasPrefix(url, "redis-cluster://"):
		addrs := strings.Split(strings.TrimPrefix(url, "redis-cluster://"), ",")
		return redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs}), nil
	case strings.HasPrefix(url, "redis-sentinel://"):
		master, addrs, ok := strings.Cut(strings.TrimPrefix(url, "redis-sentinel://"), "@")
		if !ok || master == "" {
			return nil, usagef("--redis-url %q: want redis-sentinel://<master name>@host:port,...", url)
		}
		return redis.NewFailoverClient(&redis.FailoverOptions{MasterName: master, SentinelAddrs: strings.Split(addrs, ",")}), nil
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, usagef("--redis-url %q: %v", url, err)
	}
	return redis.NewClient(opt), nil
}

// required reports the first empty flag among name/value pairs.
func required(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			return usagef("--%s is required (or %s)", pairs[i], envName(pairs[i]))
		}
	}
	return nil
}

// logLevelFlag defines the --log-level flag every long-running command has.
func logLevelFlag(fs *flag.FlagSet) *string {
	return fs.String("log-level", "info", "debug, info, warn or error")
}

// newLogger returns a JSON slog logger at the named level.
func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, usagef("--log-level %q: want debug, info, warn or error", level)
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l})), nil
}
