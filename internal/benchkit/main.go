// Command benchkit measures wazo-doctord side by side with a bare net/http
// server (internal/benchkit/bare) serving the same bytes, with a daemon on
// the kit with nothing of its own serving them too (internal/benchkit/kitfloor:
// what any service on the kit costs), and with an older wazo-doctord when
// -base names one. Every figure is a ratio to the bare
// server taken in the same round, over several interleaved rounds (the
// servers take turns, in a rotating order), and printed as the median with
// its min–max and the load average of the machine during those rounds:
// absolute times on a shared machine say little, ratios side by side do.
//
// Figures: exec → first 200 on api.yml and RSS at that moment (one start of
// each server per round), then on one long-running process of each: wrk
// req/s on api.yml and on /status (a token checked by a fake wazo-auth),
// CPU seconds per 10 000 requests, and RSS after the load. Every load is
// bounded by wrk's duration; every server binds 127.0.0.1.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/wazo-platform/wazo-servicekit/authtest"
)

func main() {
	bin := flag.String("bin", "bin/wazo-doctord", "the wazo-doctord binary")
	base := flag.String("base", "", "an older wazo-doctord binary to measure in the same rounds (before → after)")
	rounds := flag.Int("rounds", 5, "interleaved rounds (at least 5)")
	duration := flag.Duration("duration", 3*time.Second, "wrk duration per server, target and round")
	flag.Parse()
	if *rounds < 5 {
		fmt.Fprintln(os.Stderr, "benchkit: -rounds must be at least 5: fewer rounds are no measurement on a shared machine")
		os.Exit(2)
	}
	if err := run(*bin, *base, *rounds, *duration); err != nil {
		fmt.Fprintln(os.Stderr, "benchkit:", err)
		os.Exit(1)
	}
}

const token = "bench-token-0123456789abcdef"

// server is one kind of server measured: how to start it.
type server struct {
	name  string
	start func() (*proc, error)
}

// proc is one running server.
type proc struct {
	cmd   *exec.Cmd
	port  int
	ready time.Duration // exec → first 200 on api.yml
	rss   float64       // MB at the first 200
	anon  float64       // of which anonymous (heap, stacks), MB
}

func (p *proc) stop() {
	p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-done
	}
}

func run(bin, base string, rounds int, duration time.Duration) error {
	if _, err := exec.LookPath("wrk"); err != nil {
		return fmt.Errorf("wrk is not installed: `make deps` installs it")
	}
	auth, err := authtest.NewFakeAuth()
	if err != nil {
		return err
	}
	defer auth.Close()
	auth.AddToken(token, []string{"doctor.#"})
	dir, err := os.MkdirTemp("", "benchkit")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	doctord := server{name: "doctord", start: func() (*proc, error) { return startDoctord(bin, dir, "doctord", auth.Port) }}
	servers := []server{doctord}
	if base != "" {
		servers = append(servers, server{name: "base", start: func() (*proc, error) { return startDoctord(base, dir, "base", auth.Port) }})
	}
	// The bare server serves what doctord serves: fetch it once.
	first, err := doctord.start()
	if err != nil {
		return err
	}
	specFile, statusFile := filepath.Join(dir, "api.yml"), filepath.Join(dir, "status.json")
	err = fetchTo(first.port, "/1.0/api/api.yml", "", specFile)
	if err == nil {
		err = fetchTo(first.port, "/1.0/status", token, statusFile)
	}
	first.stop()
	if err != nil {
		return err
	}
	bareBin := filepath.Join(dir, "bare")
	goTool := os.Getenv("GO")
	if goTool == "" {
		goTool = "go"
	}
	if out, err := exec.Command(goTool, "build", "-o", bareBin, "./internal/benchkit/bare").CombinedOutput(); err != nil {
		return fmt.Errorf("building the bare server: %v\n%s", err, out)
	}
	kitBin := filepath.Join(dir, "kitfloor")
	if out, err := exec.Command(goTool, "build", "-o", kitBin, "./internal/benchkit/kitfloor").CombinedOutput(); err != nil {
		return fmt.Errorf("building the kit's floor: %v\n%s", err, out)
	}
	servers = append([]server{
		{name: "bare", start: func() (*proc, error) { return startBare(bareBin, specFile, statusFile) }},
		{name: "kit", start: func() (*proc, error) { return startDoctord(kitBin, dir, "kit", auth.Port) }},
	}, servers...)

	m := newMeasures()
	// Start-up: one start of each server per round, in a rotating order.
	for r := 0; r < rounds; r++ {
		for _, s := range rotate(servers, r) {
			p, err := s.start()
			if err != nil {
				return err
			}
			m.add(r, s.name, "ready", float64(p.ready.Microseconds())/1000)
			m.add(r, s.name, "rss-first", p.rss)
			m.add(r, s.name, "anon-first", p.anon)
			p.stop()
		}
	}
	// Load: one long-running process of each, wrk in turns.
	procs := map[string]*proc{}
	for _, s := range servers {
		p, err := s.start()
		if err != nil {
			return err
		}
		defer p.stop()
		procs[s.name] = p
	}
	for r := 0; r < rounds; r++ {
		for _, target := range []struct{ name, path, tok string }{{"apiyml", "/1.0/api/api.yml", ""}, {"status", "/1.0/status", token}} {
			for _, s := range rotate(servers, r) {
				p := procs[s.name]
				cpu0 := cpuSeconds(p.cmd.Process.Pid)
				res, err := wrk(p.port, target.path, target.tok, duration)
				if err != nil {
					return fmt.Errorf("%s: %w", s.name, err)
				}
				cpu := cpuSeconds(p.cmd.Process.Pid) - cpu0
				m.add(r, s.name, target.name+"-rps", res.rps)
				if res.requests > 0 {
					m.add(r, s.name, target.name+"-cpu", cpu/float64(res.requests)*10000)
				}
				m.load = append(m.load, loadAverage())
			}
		}
	}
	for _, s := range servers {
		m.add(0, s.name, "rss-load", rss(procs[s.name].cmd.Process.Pid))
		m.add(0, s.name, "anon-load", statusMB(procs[s.name].cmd.Process.Pid, "RssAnon:"))
	}
	m.print(servers, rounds, duration)
	if err := goBenchRatios(goTool, "./daemon/", "BenchmarkAPISpecThroughMiddleware", "bare",
		"api.yml through the standard chain, in process", "goal ≤ 14 allocations", rounds); err != nil {
		return err
	}
	return goBenchRatios(goTool, "./daemon/", "BenchmarkServerLimits", "plain",
		"a request over loopback through the server's limits", "", rounds)
}

// benchLine reads one result of a Go benchmark run with -benchmem.
var benchLine = regexp.MustCompile(`^(Benchmark\w+)/(\S+?)(?:-\d+)?\s+\d+\s+([0-9.]+) ns/op(?:\s+(\d+) B/op\s+(\d+) allocs/op)?`)

// goBenchRatios runs the Go benchmark bench of pkg rounds times (its cases
// one after the other in each round) and prints each case's time
// per operation as a ratio to the reference case's in the same round, and
// its allocations per operation.
func goBenchRatios(goTool, pkg, bench, reference, title, goal string, rounds int) error {
	// go test -count N runs each case N times in a row: here a round is one
	// run of the test binary, every case once, so the cases compared are
	// measured one right after the other.
	dir, err := os.MkdirTemp("", "benchkit-go")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	testBin := filepath.Join(dir, "bench.test")
	if out, err := exec.Command(goTool, "test", "-c", "-o", testBin, pkg).CombinedOutput(); err != nil {
		return fmt.Errorf("go test -c %s: %v\n%s", pkg, err, out)
	}
	var out []byte
	for r := 0; r < rounds; r++ {
		cmd := exec.Command(testBin, "-test.run", "^$", "-test.bench", "^"+bench+"$", "-test.benchmem", "-test.count", "1")
		cmd.Dir = filepath.Join(".", pkg)
		o, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s -test.bench %s: %v\n%s", pkg, bench, err, o)
		}
		out = append(out, o...)
	}
	m := newMeasures()
	round := map[string]int{}
	var cases []string
	for _, line := range strings.Split(string(out), "\n") {
		f := benchLine.FindStringSubmatch(line)
		if f == nil || f[1] != bench {
			continue
		}
		name := f[2]
		if _, seen := round[name]; !seen && name != reference {
			cases = append(cases, name)
		}
		ns, _ := strconv.ParseFloat(f[3], 64)
		allocs, _ := strconv.ParseFloat(f[5], 64)
		m.add(round[name], name, "ns", ns)
		m.add(round[name], name, "allocs", allocs)
		round[name]++
	}
	if round[reference] == 0 || len(cases) == 0 {
		return fmt.Errorf("no %s results in:\n%s", bench, out)
	}
	ref := m.v["ns"][reference]
	fmt.Printf("%s (%s, %d rounds, load average %.1f): time per operation / %s's in the same round, median (min–max); allocations per operation\n",
		title, bench, rounds, loadAverage(), reference)
	fmt.Printf("  %-24s %-24s %s\n", reference, "1", summary(m.v["allocs"][reference], "%.0f"))
	for _, c := range cases {
		m.v["ns"][reference] = ref[:min(len(ref), len(m.v["ns"][c]))]
		fmt.Printf("  %-24s %-24s %-8s %s\n", c, summary(m.ratios("ns", c, reference), "%.2f"), summary(m.v["allocs"][c], "%.0f"), goal)
	}
	if _, ok := m.v["ns"]["untraced"]; ok {
		for _, c := range cases {
			if strings.HasPrefix(c, "wrapped") {
				fmt.Printf("  %-36s %-24s goal ≤ 1.10 (tracing's own cost)\n", c+"/untraced", summary(m.ratios("ns", c, "untraced"), "%.2f"))
			}
		}
	}
	// untraced-copied is the untraced chain plus the request's copy any
	// context value needs: the floor of a trace handlers can read.
	if _, ok := m.v["ns"]["untraced-copied"]; ok {
		fmt.Printf("  %-36s %-24s the request's copy alone\n", "untraced-copied/untraced", summary(m.ratios("ns", "untraced-copied", "untraced"), "%.2f"))
		for _, c := range cases {
			if strings.HasPrefix(c, "wrapped") {
				fmt.Printf("  %-36s %-24s tracing above that copy\n", c+"/untraced-copied", summary(m.ratios("ns", c, "untraced-copied"), "%.2f"))
			}
		}
	}
	return nil
}

// rotate is servers starting at the r-th: each server goes first in turn.
func rotate(servers []server, r int) []server {
	k := r % len(servers)
	return append(append([]server(nil), servers[k:]...), servers[:k]...)
}

func startDoctord(bin, dir, name string, authPort int) (*proc, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cfg := filepath.Join(dir, name+".yml")
	logf := filepath.Join(dir, name+".log")
	os.Remove(logf)
	conf := fmt.Sprintf("rest_api: {port: %d}\nlog_file: %s\nauth: {host: 127.0.0.1, port: %d}\n", port, logf, authPort)
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "--dev", "-c", cfg)
	begin := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return waitReady(cmd, port, begin)
}

func startBare(bin, specFile, statusFile string) (*proc, error) {
	cmd := exec.Command(bin, specFile, statusFile)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	begin := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	port, perr := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || perr != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("the bare server did not say its port: %q %v", line, err)
	}
	return waitReady(cmd, port, begin)
}

// waitReady polls api.yml until it answers 200 (10 s at most), then reads
// the RSS at once.
func waitReady(cmd *exec.Cmd, port int, begin time.Time) (*proc, error) {
	url := fmt.Sprintf("http://127.0.0.1:%d/1.0/api/api.yml", port)
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	p := &proc{cmd: cmd, port: port}
	for time.Since(begin) < 10*time.Second {
		resp, err := client.Get(url)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				p.ready = time.Since(begin)
				p.rss = rss(cmd.Process.Pid)
				p.anon = statusMB(cmd.Process.Pid, "RssAnon:")
				return p, nil
			}
		}
		time.Sleep(200 * time.Microsecond) // polling interval
	}
	p.stop()
	return nil, fmt.Errorf("%s did not serve api.yml within 10 s", cmd.Path)
}

func fetchTo(port int, path, tok, file string) error {
	req, _ := http.NewRequest("GET", fmt.Sprintf("http://127.0.0.1:%d%s", port, path), nil)
	if tok != "" {
		req.Header.Set("X-Auth-Token", tok)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 {
		return fmt.Errorf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	return os.WriteFile(file, body, 0o644)
}

type wrkResult struct {
	rps      float64
	requests int
}

var (
	rpsLine = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	reqLine = regexp.MustCompile(`(\d+) requests in`)
	errLine = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
)

func wrk(port int, path, tok string, duration time.Duration) (wrkResult, error) {
	args := []string{"-t2", "-c32", "-d" + strconv.Itoa(int(duration.Seconds())) + "s", "--timeout", "5s"}
	if tok != "" {
		args = append(args, "-H", "X-Auth-Token: "+tok)
	}
	url := fmt.Sprintf("http://127.0.0.1:%d%s", port, path)
	cmd := exec.Command("wrk", append(args, url)...)
	timer := time.AfterFunc(duration+30*time.Second, func() { cmd.Process.Kill() })
	out, err := cmd.CombinedOutput()
	timer.Stop()
	if err != nil {
		return wrkResult{}, fmt.Errorf("wrk %s: %v\n%s", url, err, out)
	}
	if m := errLine.FindSubmatch(out); m != nil {
		return wrkResult{}, fmt.Errorf("wrk %s: %s non-2xx responses", url, m[1])
	}
	m, n := rpsLine.FindSubmatch(out), reqLine.FindSubmatch(out)
	if m == nil || n == nil {
		return wrkResult{}, fmt.Errorf("cannot read wrk's output:\n%s", out)
	}
	rps, _ := strconv.ParseFloat(string(m[1]), 64)
	requests, _ := strconv.Atoi(string(n[1]))
	return wrkResult{rps: rps, requests: requests}, nil
}

// measures holds each figure of each server by round.
type measures struct {
	v    map[string]map[string][]float64 // figure → server → by round
	load []float64
}

func newMeasures() *measures { return &measures{v: map[string]map[string][]float64{}} }

func (m *measures) add(round int, server, figure string, v float64) {
	if m.v[figure] == nil {
		m.v[figure] = map[string][]float64{}
	}
	s := m.v[figure][server]
	for len(s) <= round {
		s = append(s, 0)
	}
	s[round] = v
	m.v[figure][server] = s
}

// ratios are server/reference for figure, round by round.
func (m *measures) ratios(figure, server, reference string) []float64 {
	var out []float64
	for i, v := range m.v[figure][server] {
		if b := m.v[figure][reference]; i < len(b) && b[i] > 0 {
			out = append(out, v/b[i])
		}
	}
	return out
}

func summary(vs []float64, format string) string {
	if len(vs) == 0 {
		return "-"
	}
	s := append([]float64(nil), vs...)
	sort.Float64s(s)
	if len(s) == 1 {
		return fmt.Sprintf(format, s[0])
	}
	return fmt.Sprintf(format+" ("+format+"–"+format+")", s[len(s)/2], s[0], s[len(s)-1])
}

func (m *measures) print(servers []server, rounds int, duration time.Duration) {
	sort.Float64s(m.load)
	fmt.Printf("wazo-doctord next to a bare net/http server and to a daemon on the kit with nothing of its own (%s, %d cores, %d interleaved rounds, load average %.1f–%.1f)\n",
		time.Now().UTC().Format(time.RFC3339), runtime.NumCPU(), rounds, m.load[0], m.load[len(m.load)-1])
	fmt.Printf("ratios to the reference in the same round: median (min–max); wrk -t2 -c32 -d%s per server and target\n", duration)
	// Each column is a server over its reference: every server over the
	// bare one, then wazo-doctord over the kit's floor (what the doctor
	// itself adds).
	type column struct{ server, reference string }
	var columns []column
	for _, s := range servers {
		if s.name != "bare" {
			columns = append(columns, column{s.name, "bare"})
		}
	}
	columns = append(columns, column{"doctord", "kit"})
	header := fmt.Sprintf("  %-40s", "figure")
	for _, c := range columns {
		header += fmt.Sprintf(" %-20s", c.server+"/"+c.reference)
	}
	fmt.Println(header + " goal (doctord/bare)")
	rows := []struct{ label, figure, goal string }{
		{"api.yml req/s", "apiyml-rps", "≥ 0.90"},
		{"CPU-s per 10 000 api.yml requests", "apiyml-cpu", ""},
		{"/status req/s (token checked)", "status-rps", ""},
		{"CPU-s per 10 000 /status requests", "status-cpu", ""},
		{"RSS at the first 200", "rss-first", "≤ 1.20"},
		{"  of which anonymous (heap, stacks)", "anon-first", ""},
		{"RSS after the load", "rss-load", "≤ 1.15"},
		{"  of which anonymous (heap, stacks)", "anon-load", ""},
		{"exec → first 200", "ready", ""},
	}
	for _, r := range rows {
		line := fmt.Sprintf("  %-40s", r.label)
		for _, c := range columns {
			line += fmt.Sprintf(" %-20s", summary(m.ratios(r.figure, c.server, c.reference), "%.2f"))
		}
		fmt.Println(line + " " + r.goal)
	}
	fmt.Println("absolute values (this machine, this run; compare only side by side): median (min–max)")
	units := map[string]string{"apiyml-rps": "req/s", "apiyml-cpu": "CPU-s", "status-rps": "req/s", "status-cpu": "CPU-s",
		"rss-first": "MB", "rss-load": "MB", "anon-first": "MB", "anon-load": "MB", "ready": "ms"}
	for _, r := range rows {
		line := fmt.Sprintf("  %-40s", r.label+" ("+units[r.figure]+")")
		for _, s := range servers {
			line += fmt.Sprintf(" %s %s", s.name, summary(m.v[r.figure][s.name], "%.4g"))
		}
		fmt.Println(line)
	}
}

// cpuSeconds is the user and system CPU time of pid, from /proc/PID/stat.
func cpuSeconds(pid int) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses and may hold spaces.
	i := strings.LastIndexByte(string(data), ')')
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	return (utime + stime) / 100 // USER_HZ is 100 on Linux
}

// rss reads VmRSS in MB: anonymous memory and the pages of the binary and
// libraries mapped.
func rss(pid int) float64 { return statusMB(pid, "VmRSS:") }

// statusMB reads a kB field of /proc/PID/status in MB.
func statusMB(pid int, field string) float64 {
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, field) {
			kb, _ := strconv.ParseFloat(strings.Fields(line)[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// loadAverage is the 1-minute load average.
func loadAverage() float64 {
	data, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(data))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
