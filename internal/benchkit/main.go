// Command benchkit measures wazo-doctord side by side with
// a bare net/http handler serving the same bytes in the same run:
// exec → first 200 on api.yml (median of several starts), RSS after start
// and after load, and wrk req/s and p99 for api.yml and /status.
// Every load is bounded by wrk's duration; every server binds 127.0.0.1.
package main

import (
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
	starts := flag.Int("starts", 7, "how many starts to time")
	duration := flag.Duration("duration", 5*time.Second, "wrk duration per target")
	flag.Parse()
	if err := run(*bin, *starts, *duration); err != nil {
		fmt.Fprintln(os.Stderr, "benchkit:", err)
		os.Exit(1)
	}
}

const token = "bench-token-0123456789abcdef"

func run(bin string, starts int, duration time.Duration) error {
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

	var startTimes []time.Duration
	for i := 0; i < starts; i++ {
		d, err := startDaemon(bin, dir, auth.Port)
		if err != nil {
			return err
		}
		startTimes = append(startTimes, d.ready)
		if i < starts-1 {
			d.stop()
		} else {
			defer d.stop()
			return measureLoad(d, startTimes, duration)
		}
	}
	return nil
}

type daemon struct {
	cmd   *exec.Cmd
	port  int
	ready time.Duration
	logf  string
}

func startDaemon(bin, dir string, authPort int) (*daemon, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cfg := filepath.Join(dir, "config.yml")
	logf := filepath.Join(dir, "wazo-doctord.log")
	os.Remove(logf)
	conf := fmt.Sprintf("rest_api: {port: %d}\nlog_file: %s\nauth: {host: 127.0.0.1, port: %d}\n", port, logf, authPort)
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		return nil, err
	}
	url := fmt.Sprintf("http://127.0.0.1:%d/1.0/api/api.yml", port)
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	cmd := exec.Command(bin, "--dev", "-c", cfg)
	begin := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	d := &daemon{cmd: cmd, port: port, logf: logf}
	for time.Since(begin) < 10*time.Second {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				d.ready = time.Since(begin)
				return d, nil
			}
		}
		time.Sleep(200 * time.Microsecond)
	}
	d.stop()
	return nil, fmt.Errorf("%s did not serve api.yml within 10 s", bin)
}

func (d *daemon) stop() {
	d.cmd.Process.Signal(syscall.SIGTERM)
	d.cmd.Wait()
}

func measureLoad(d *daemon, startTimes []time.Duration, duration time.Duration) error {
	base := fmt.Sprintf("http://127.0.0.1:%d", d.port)
	spec, err := get(base+"/1.0/api/api.yml", "")
	if err != nil {
		return err
	}
	status, err := get(base+"/1.0/status", token)
	if err != nil {
		return err
	}
	bare, barePort, err := bareServer(spec, status)
	if err != nil {
		return err
	}
	defer bare.Close()
	bareBase := fmt.Sprintf("http://127.0.0.1:%d", barePort)

	rssStart := rss(d.cmd.Process.Pid)
	type row struct {
		name      string
		doctord   wrkResult
		bare      wrkResult
		withToken bool
	}
	rows := []row{{name: "GET /1.0/api/api.yml"}, {name: "GET /1.0/status (valid token, fake wazo-auth)", withToken: true}}
	paths := []string{"/1.0/api/api.yml", "/1.0/status"}
	for i := range rows {
		hdr := ""
		if rows[i].withToken {
			hdr = token
		}
		// Alternate the two servers so neither gets a systematically quieter machine.
		if rows[i].bare, err = wrk(bareBase+paths[i], hdr, duration); err != nil {
			return err
		}
		if rows[i].doctord, err = wrk(base+paths[i], hdr, duration); err != nil {
			return err
		}
	}
	rssLoad := rss(d.cmd.Process.Pid)

	sorted := append([]time.Duration(nil), startTimes...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	fmt.Printf("wazo-doctord benchmark (%s, %d cores)\n", time.Now().UTC().Format(time.RFC3339), numCPU())
	fmt.Printf("exec → first 200 on api.yml: median %.2f ms over %d starts (min %.2f, max %.2f)   goal ≤ 10 ms\n",
		ms(sorted[len(sorted)/2]), len(sorted), ms(sorted[0]), ms(sorted[len(sorted)-1]))
	fmt.Printf("RSS: %.1f MB after start, %.1f MB after load   goal ≤ 11 MB\n", rssStart, rssLoad)
	fmt.Printf("wrk -t2 -c32 -d%s, same run, bare = net/http handler writing the same bytes:\n", duration)
	fmt.Printf("  %-48s %12s %10s %12s %10s %8s\n", "target", "doctord r/s", "p99", "bare r/s", "p99", "ratio")
	for _, r := range rows {
		fmt.Printf("  %-48s %12.0f %10s %12.0f %10s %8.2f\n", r.name, r.doctord.rps, r.doctord.p99, r.bare.rps, r.bare.p99, r.doctord.rps/r.bare.rps)
	}
	fmt.Println("  goal: api.yml ratio ≥ 0.80 (the /status ratio includes a token check per request, which the bare handler does not do)")
	return nil
}

func get(url, tok string) ([]byte, error) {
	req, _ := http.NewRequest("GET", url, nil)
	if tok != "" {
		req.Header.Set("X-Auth-Token", tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("GET %s: %d %s", url, resp.StatusCode, body)
	}
	return body, nil
}

// bareServer serves the same bytes with nothing else: the reference.
func bareServer(spec, status []byte) (*http.Server, int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, 0, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /1.0/api/api.yml", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/x-yaml")
		w.Write(spec)
	})
	mux.HandleFunc("GET /1.0/status", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(status)
	})
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	return srv, ln.Addr().(*net.TCPAddr).Port, nil
}

type wrkResult struct {
	rps float64
	p99 string
}

var (
	rpsLine = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	p99Line = regexp.MustCompile(`\s99%\s+(\S+)`)
	errLine = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
)

func wrk(url, tok string, duration time.Duration) (wrkResult, error) {
	args := []string{"-t2", "-c32", "-d" + strconv.Itoa(int(duration.Seconds())) + "s", "--timeout", "5s", "--latency"}
	if tok != "" {
		args = append(args, "-H", "X-Auth-Token: "+tok)
	}
	out, err := exec.Command("wrk", append(args, url)...).CombinedOutput()
	if err != nil {
		return wrkResult{}, fmt.Errorf("wrk %s: %v\n%s", url, err, out)
	}
	if m := errLine.FindSubmatch(out); m != nil {
		return wrkResult{}, fmt.Errorf("wrk %s: %s non-2xx responses", url, m[1])
	}
	m, p := rpsLine.FindSubmatch(out), p99Line.FindSubmatch(out)
	if m == nil || p == nil {
		return wrkResult{}, fmt.Errorf("cannot read wrk's output:\n%s", out)
	}
	rps, _ := strconv.ParseFloat(string(m[1]), 64)
	return wrkResult{rps: rps, p99: string(p[1])}, nil
}

// rss reads VmRSS in MB.
func rss(pid int) float64 {
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			kb, _ := strconv.ParseFloat(strings.Fields(line)[1], 64)
			return kb / 1024
		}
	}
	return 0
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func numCPU() int { return runtime.NumCPU() }
