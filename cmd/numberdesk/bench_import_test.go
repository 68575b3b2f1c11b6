package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/redistest"
	"github.com/numberdesk/numberdesk/internal/store"
	"github.com/redis/go-redis/v9"
)

// BenchmarkImportMillion is `make bench`'s headline: it seeds an account
// with NUMBERDESK_BENCH_ROWS numbers (default 1,000,000) and an assignments
// CSV for them, imports the file through the real API and worker processes
// and Redis, and prints one line: rows, seconds, rows/s, the naive rate
// (one Asynq task per row, each doing its own assign, measured in the same
// run on NUMBERDESK_BENCH_NAIVE_ROWS rows of a second account), the ratio,
// and the peak RSS of the API and the worker. Redis runs with appendonly
// yes (everysec), as production does.
func BenchmarkImportMillion(b *testing.B) {
	rows := benchEnvInt("NUMBERDESK_BENCH_ROWS", 1_000_000)
	naiveRows := benchEnvInt("NUMBERDESK_BENCH_NAIVE_ROWS", 50_000)
	if b.N > 1 {
		b.Skip("one run is the measurement; use -benchtime 1x")
	}
	dir := b.TempDir()
	bin := benchBuild(b, dir)
	aof := "yes" // as production runs; NUMBERDESK_BENCH_AOF=no to compare
	if os.Getenv("NUMBERDESK_BENCH_AOF") == "no" {
		aof = "no"
	}
	srv, err := redistest.Start("--appendonly", aof, "--appendfsync", "everysec")
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Stop()
	env := append(os.Environ(), "NUMBERDESK_REDIS_URL="+srv.URL())
	ctx := context.Background()

	// The account and its data.
	out := benchRun(b, env, bin, "account", "create", "--name", "Bench", "--country", "US", "--licenses", "1", "--json")
	var acct struct{ AccountID, Token string }
	if err := json.Unmarshal(out, &struct {
		AccountID *string `json:"account_id"`
		Token     *string `json:"token"`
	}{&acct.AccountID, &acct.Token}); err != nil {
		b.Fatalf("account create: %s", out)
	}
	csvPath := filepath.Join(dir, "assignments.csv")
	start := time.Now()
	benchRun(b, env, bin, "seed", "--account", acct.AccountID, "--numbers", strconv.Itoa(rows), "--extensions", strconv.Itoa(max(rows/10, 1)), "--out", csvPath)
	b.Logf("seeded %d numbers in %.1fs", rows, time.Since(start).Seconds())

	// The API and the worker as their own processes.
	addr := benchFreeAddr(b)
	api := benchStart(b, env, bin, "serve", "--addr", addr, "--rate-limit", "0", "--log-level", "warn")
	worker := benchStart(b, env, bin, "worker", "--concurrency", "8", "--log-level", "warn")
	benchWaitHTTP(b, "http://"+addr+"/readyz")

	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr})
	defer rdb.Close()
	stats := os.Getenv("NUMBERDESK_BENCH_STATS") != ""
	if stats {
		rdb.ConfigResetStat(ctx)
		rdb.ConfigSet(ctx, "slowlog-max-len", strconv.Itoa(benchSlowLogLen))
		rdb.ConfigSet(ctx, "slowlog-log-slower-than", "0")
		rdb.SlowLogReset(ctx)
	}
	redisCPU0 := benchRedisCPU(ctx, rdb)
	b.ResetTimer()
	start = time.Now()
	out = benchRun(b, env, bin, "import", csvPath, "--kind", "assignments", "--wait", "--json", "--url", "http://"+addr, "--token", acct.Token)
	secs := time.Since(start).Seconds()
	b.StopTimer()
	var imp store.Import
	if err := json.Unmarshal(benchLastLine(out), &imp); err != nil {
		b.Fatalf("import output %q: %v", out, err)
	}
	if imp.Status != store.ImportCompleted || imp.RowsOK != int64(rows) {
		b.Fatalf("import: %+v", imp)
	}
	apiRSS, workerRSS := benchPeakRSS(api.Process.Pid), benchPeakRSS(worker.Process.Pid)
	apiCPU, workerCPU := benchCPU(api.Process.Pid), benchCPU(worker.Process.Pid)
	redisCPU := benchRedisCPU(ctx, rdb) - redisCPU0
	benchStop(api)
	benchStop(worker)

	naive := benchNaiveRate(b, ctx, srv.URL(), naiveRows)
	rate := float64(rows) / secs
	b.ReportMetric(rate, "rows/s")
	b.ReportMetric(naive, "naive-rows/s")
	fmt.Printf("import: %d rows in %.2f s = %.0f rows/s; naive (one task per row, %d rows) %.0f rows/s; %.1fx; peak RSS api %d MB, worker %d MB\n",
		rows, secs, rate, naiveRows, naive, rate/naive, apiRSS>>20, workerRSS>>20)
	fmt.Printf("import: CPU seconds: api %.1f, worker %.1f, redis %.1f\n", apiCPU, workerCPU, redisCPU)
	if stats {
		benchPrintRedisStats(ctx, rdb)
	}
}

// benchPrintRedisStats prints where Redis spent its time during the
// import (NUMBERDESK_BENCH_STATS): its command statistics and persistence
// section (an AOF rewrite during the import shows there), then the slow
// log (every command, logged from the import's start) summed by command,
// scripts by their SHA's first 8 characters, most time first.
func benchPrintRedisStats(ctx context.Context, rdb *redis.Client) {
	info, _ := rdb.Info(ctx, "commandstats", "persistence").Result()
	fmt.Print(info)
	logs, _ := rdb.SlowLogGet(ctx, benchSlowLogLen).Result()
	type total struct {
		name  string
		calls int
		time  time.Duration
	}
	by := map[string]*total{}
	for _, l := range logs {
		name := strings.ToLower(fmt.Sprint(l.Args[0]))
		if name == "evalsha" && len(l.Args) > 1 {
			sha := fmt.Sprint(l.Args[1])
			name += " " + sha[:min(8, len(sha))]
		}
		if by[name] == nil {
			by[name] = &total{name: name}
		}
		by[name].calls++
		by[name].time += l.Duration
	}
	sorted := slices.SortedFunc(maps.Values(by), func(a, b *total) int { return cmp.Compare(b.time, a.time) })
	for _, t := range sorted {
		fmt.Printf("slowlog %-20s calls %7d total %v\n", t.name, t.calls, t.time)
	}
}

// benchSlowLogLen holds every command of a million-row import.
const benchSlowLogLen = 200_000

// benchCPU reads a process's CPU time (user and system) in seconds.
func benchCPU(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command name (which is in parentheses).
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	return (utime + stime) / 100 // clock ticks (USER_HZ is 100 on Linux)
}

// benchRedisCPU reads the Redis server's CPU time in seconds.
func benchRedisCPU(ctx context.Context, rdb *redis.Client) float64 {
	info, err := rdb.Info(ctx, "cpu").Result()
	if err != nil {
		return 0
	}
	var total float64
	for _, line := range strings.Split(info, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
		if ok && (k == "used_cpu_sys" || k == "used_cpu_user") {
			x, _ := strconv.ParseFloat(v, 64)
			total += x
		}
	}
	return total
}

// benchNaiveRate applies rows the way most teams would: one Asynq task per row,
// each doing its own assign, on a second seeded account.
func benchNaiveRate(b *testing.B, ctx context.Context, url string, rows int) float64 {
	opt, _ := redis.ParseURL(url)
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	st := store.New(rdb)
	a, err := st.CreateAccount(ctx, store.AccountSpec{Name: "Naive", Country: "US", PhoneLicenses: int64(rows)})
	if err != nil {
		b.Fatal(err)
	}
	res, err := seed(ctx, st, seedSpec{AccountID: a.ID, Numbers: rows, Extensions: max(rows/10, 1), Workers: 4})
	if err != nil {
		b.Fatal(err)
	}
	qopt, _ := asynq.ParseRedisURI(url)
	client := asynq.NewClient(qopt)
	defer client.Close()
	type payload struct{ Number, Ext string }
	for i, n := range res.Numbers {
		body, _ := json.Marshal(payload{n, res.Extensions[i%len(res.Extensions)]})
		if _, err := client.Enqueue(asynq.NewTask("bench:naive-assign", body), asynq.Queue("naive")); err != nil {
			b.Fatal(err)
		}
	}
	var done atomic.Int64
	srv := asynq.NewServer(qopt, asynq.Config{Concurrency: 8, Queues: map[string]int{"naive": 1}, LogLevel: asynq.ErrorLevel})
	mux := asynq.NewServeMux()
	mux.HandleFunc("bench:naive-assign", func(ctx context.Context, t *asynq.Task) error {
		var p payload
		if err := json.Unmarshal(t.Payload(), &p); err != nil {
			return err
		}
		err := st.Assign(ctx, a.ID, p.Number, store.ExtensionRef{Number: p.Ext}, store.Actor{Name: "naive", Source: "bench"})
		if err != nil && inventory.ErrorCode(err) != inventory.CodeInternal {
			err = nil // a domain outcome is an answer, not a retry
		}
		done.Add(1)
		return err
	})
	start := time.Now()
	if err := srv.Start(mux); err != nil {
		b.Fatal(err)
	}
	for done.Load() < int64(rows) {
		time.Sleep(20 * time.Millisecond)
	}
	secs := time.Since(start).Seconds()
	srv.Shutdown()
	return float64(rows) / secs
}

func benchEnvInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func benchBuild(tb testing.TB, dir string) string {
	tb.Helper()
	bin := filepath.Join(dir, "numberdesk")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func benchRun(tb testing.TB, env []string, bin string, args ...string) []byte {
	tb.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("numberdesk %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr.Bytes())
	}
	return out
}

func benchStart(tb testing.TB, env []string, bin string, args ...string) *exec.Cmd {
	tb.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { benchStop(cmd) })
	return cmd
}

func benchStop(cmd *exec.Cmd) {
	if cmd.ProcessState != nil || cmd.Process == nil {
		return
	}
	_ = cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

func benchFreeAddr(tb testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func benchWaitHTTP(tb testing.TB, url string) {
	tb.Helper()
	for i := 0; i < 100; i++ {
		if c, err := net.DialTimeout("tcp", strings.TrimPrefix(strings.Split(url, "/readyz")[0], "http://"), 100*time.Millisecond); err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	tb.Fatalf("%s does not answer", url)
}

// benchPeakRSS reads a process's peak resident set size (VmHWM) in bytes.
func benchPeakRSS(pid int) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func benchLastLine(b []byte) []byte {
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	return lines[len(lines)-1]
}
