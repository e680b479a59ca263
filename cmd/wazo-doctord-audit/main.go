// Command wazo-doctord-audit is wazo-doctord's checklist engine, run by the
// daemon as a process of its own for each audit: the daemon then links no
// rule, probe or parser (its memory stays close to a bare HTTP server's),
// and what an audit reads and allocates goes away with the process.
//
// It writes JSON on stdout: the rule catalogue with --rules, otherwise the
// live audit of the Wazo services installed under --root, the same audit as
// `wazo-servicekit audit --format json`. It exits 1 with the reason on
// stderr when it cannot, 2 on a bad command line.
//
//go:debug default=go1.23
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/wazo-platform/wazo-servicekit/internal/rules"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("wazo-doctord-audit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	catalogue := fs.Bool("rules", false, "write the rule catalogue instead of auditing")
	root := fs.String("root", "/", "root of the audited host (/ = this host; a path = an image or chroot)")
	nginxURL := fs.String("nginx-url", "https://127.0.0.1", "this host's HTTPS front end, probed for /api/<service>/")
	monitURL := fs.String("monit-url", rules.DefaultMonitURL, "monit's HTTP interface, asked when `monit summary` cannot run (as any user but root)")
	probeTimeout := fs.Duration("probe-timeout", 2*time.Second, "bound of each probe")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "wazo-doctord-audit: unexpected argument %q: it takes options only\n", fs.Arg(0))
		return 2
	}
	var out any
	if *catalogue {
		out = rules.All()
	} else {
		// wazo-doctord ends an audit past its timeout with SIGTERM (then
		// SIGKILL): the probes stop at once.
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
		defer stop()
		rep, err := rules.Audit(ctx, rules.AuditOptions{Root: *root, NginxURL: *nginxURL, MonitURL: *monitURL, ProbeTimeout: *probeTimeout})
		if err != nil {
			fmt.Fprintf(stderr, "wazo-doctord-audit: cannot audit %s: %v\n", *root, err)
			return 1
		}
		out = rep
	}
	w := bufio.NewWriter(stdout)
	err := json.NewEncoder(w).Encode(out)
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		fmt.Fprintf(stderr, "wazo-doctord-audit: cannot write the report: %v\n", err)
		return 1
	}
	return 0
}
