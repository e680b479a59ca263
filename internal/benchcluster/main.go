// Command benchcluster measures `wazo-servicekit audit --consul` on
// simulated catalogues of many nodes (internal/consulsim, on 127.0.0.1):
// wall time, the CLI's peak RSS, and the most requests the doctords saw at
// once, for 50 to 400 nodes side by side, then nodes that never answer
// (the deadlines' bound): all of 200, and one in ten of 200. With
// -against, each case runs an earlier binary too, on the same simulation,
// one line under the other. The real three-node cluster is measured by
// test/cluster; this is the size a test machine cannot host for real.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/wazo-platform/wazo-servicekit/internal/consulsim"
)

func main() {
	bin := flag.String("bin", "bin/wazo-servicekit", "the wazo-servicekit binary")
	against := flag.String("against", "", "an earlier wazo-servicekit binary, measured on each case too")
	sizes := flag.String("nodes", "50,100,200,400", "catalogue sizes, comma-separated")
	format := flag.String("format", "json", "the audit's --format")
	services := flag.Int("services", 25, "services per simulated node (a Wazo host runs about 25 wazo-* daemons)")
	results := flag.Int("results", 20, "results per service (an audit of an installed service gives 19 or 20)")
	delay := flag.Duration("delay", 20*time.Millisecond, "each doctord answer's delay (a real doctord audits its host)")
	defaults := flag.Bool("audit-defaults", false, "the cases with nodes that never answer keep the audit's default deadlines (20 s a node, 2 min in all)")
	flag.Parse()
	never, oneInTen := []string{"--node-timeout", "2s", "--deadline", "10s"}, []string{"--node-timeout", "2s", "--deadline", "60s"}
	if *defaults {
		never, oneInTen = nil, nil
	}
	bins := []string{*bin}
	if *against != "" {
		bins = append(bins, *against)
	}
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "benchcluster:", err)
		os.Exit(2)
	}
	fmt.Printf("%-36s %-22s %6s %9s %12s %9s %8s %6s\n", "case", "binary", "nodes", "wall", "peak RSS", "in flight", "requests", "exit")
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			fail(fmt.Errorf("-nodes %q: want sizes such as 50,100,200", *sizes))
		}
		for _, b := range bins {
			d := &consulsim.Doctord{Services: *services, Results: *results, Delay: *delay}
			name := fmt.Sprintf("%d svc x %d results, %s", *services, *results, *delay)
			if err := measure(b, name, n, *format, []*consulsim.Doctord{d}, 0); err != nil {
				fail(err)
			}
		}
	}
	for _, b := range bins {
		hang := &consulsim.Doctord{Services: *services, Results: *results, Hang: true}
		if err := measure(b, "never answering", 200, *format, []*consulsim.Doctord{hang}, 0, never...); err != nil {
			fail(err)
		}
	}
	for _, b := range bins {
		fast := &consulsim.Doctord{Services: *services, Results: *results, Delay: *delay}
		hang := &consulsim.Doctord{Services: *services, Results: *results, Hang: true}
		if err := measure(b, "1 in 10 never answering", 200, *format, []*consulsim.Doctord{fast, hang}, 10, oneInTen...); err != nil {
			fail(err)
		}
	}
}

// measure audits a catalogue of n nodes whose doctords are ds[0], but
// every every-th node's ds[1] (every > 0).
func measure(bin, name string, nodes int, format string, ds []*consulsim.Doctord, every int, extra ...string) error {
	var ports []int
	for _, d := range ds {
		srv, port := d.Serve()
		defer func(s *httptest.Server) { s.Close() }(srv)
		ports = append(ports, port)
	}
	entries := make([]consulsim.Entry, nodes)
	for i := range entries {
		port := ports[0]
		if every > 0 && i%every == 0 {
			port = ports[1]
		}
		entries[i] = consulsim.Entry{Node: fmt.Sprintf("node%04d", i), Address: "127.0.0.1", Port: port}
	}
	cat := consulsim.ServeCatalog(entries)
	defer cat.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	args := []string{"audit", "--consul", cat.URL, "--doctord-port", strconv.Itoa(ports[0]), "--format", format}
	for _, p := range ports[1:] {
		args = append(args, "--trust-node", "127.0.0.1:"+strconv.Itoa(p))
	}
	cmd := exec.CommandContext(ctx, bin, append(args, extra...)...)
	cmd.Env = append(os.Environ(), "WAZO_TOKEN=bench-token")
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = nil, &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if cmd.ProcessState == nil {
		return fmt.Errorf("%s: %v", name, err)
	}
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss
	}
	var peak, requests int64
	for _, d := range ds {
		peak += d.Peak()
		requests += d.Requests.Load()
	}
	label := bin
	if len(label) > 22 {
		label = "…" + label[len(label)-21:]
	}
	fmt.Printf("%-36s %-22s %6d %8.2fs %9d kB %9d %8d %6d\n", name, label, nodes, wall.Seconds(), rss, peak, requests, cmd.ProcessState.ExitCode())
	return nil
}
