// Command benchcluster measures `wazo-servicekit audit --consul` on
// simulated catalogues of many nodes (internal/consulsim, on 127.0.0.1):
// wall time, the CLI's peak RSS, and the most requests the doctords saw at
// once, for 50, 100 and 200 nodes side by side, then 200 nodes that never
// answer (the deadlines' bound). The real three-node cluster is measured
// by test/cluster; this is the size a test machine cannot host for real.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"

	"github.com/wazo-platform/wazo-servicekit/internal/consulsim"
)

func main() {
	bin := flag.String("bin", "bin/wazo-servicekit", "the wazo-servicekit binary")
	services := flag.Int("services", 25, "services per simulated node (a Wazo host runs about 25 wazo-* daemons)")
	results := flag.Int("results", 20, "results per service (an audit of an installed service gives 19 or 20)")
	delay := flag.Duration("delay", 20*time.Millisecond, "each doctord answer's delay (a real doctord audits its host)")
	flag.Parse()
	fmt.Printf("%-34s %6s %9s %12s %9s %8s %6s\n", "case", "nodes", "wall", "peak RSS", "in flight", "requests", "exit")
	for _, n := range []int{50, 100, 200} {
		d := &consulsim.Doctord{Services: *services, Results: *results, Delay: *delay}
		if err := measure(*bin, fmt.Sprintf("%d services x %d results, %s", *services, *results, *delay), n, d); err != nil {
			fmt.Fprintln(os.Stderr, "benchcluster:", err)
			os.Exit(2)
		}
	}
	hang := &consulsim.Doctord{Services: *services, Results: *results, Hang: true}
	if err := measure(*bin, "never answering", 200, hang, "--node-timeout", "2s", "--deadline", "10s"); err != nil {
		fmt.Fprintln(os.Stderr, "benchcluster:", err)
		os.Exit(2)
	}
}

func measure(bin, name string, nodes int, d *consulsim.Doctord, extra ...string) error {
	srv, port := d.Serve()
	defer srv.Close()
	cat := consulsim.ServeNodes(nodes, port)
	defer cat.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	args := append([]string{"audit", "--consul", cat.URL, "--doctord-port", strconv.Itoa(port), "--format", "json"}, extra...)
	cmd := exec.CommandContext(ctx, bin, args...)
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
	fmt.Printf("%-34s %6d %8.2fs %9d kB %9d %8d %6d\n", name, nodes, wall.Seconds(), rss, d.Peak(), d.Requests.Load(), cmd.ProcessState.ExitCode())
	return nil
}
