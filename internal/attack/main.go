// Command attack replays the attacks the tools must withstand, one line per
// attack with its verdict, and exits 1 if any was not withstood:
//   - against a wazo-doctord it starts on 127.0.0.1 (daemon*.go): a token
//     that rewrites the path of the token check behind nginx, log forging,
//     held and stalled connections, SIGTERM with such clients, a token in a
//     disguised query key, secrets in GET /config, an endless token,
//     CONNECT, Go types in errors, a broken X-Script-Name; and on daemons
//     of their own (daemon_corners.go): silent connections beyond
//     max_connections, fields forged in a log line, the log file's mode, a
//     FIFO as log file, a link swapped in above the log directory, more
//     secret names in GET /config;
//   - against wazo-servicekit run on hostile input it builds in a scratch
//     directory (cli*.go): a checkout, its waivers, its siblings, a
//     checkout to update, terminal and file output, a consul catalogue
//     (audit --consul, on a simulated catalogue and nodes), the checkouts
//     and siblings fix patches and applies (cli_fix.go).
//
// Every connection goes to 127.0.0.1; connection counts, every wait and
// every command's time and memory are bounded (see -timeout).
//
// Adding an attack: write a func(*env) (withstood bool, why string) in a
// file of this package and register it in that file's init with the ID of
// the finding it replays. env gives the binaries, a scratch directory, the
// shared daemon (env.daemon) and a bounded command runner (env.servicekit).
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"
)

// attack is one replayed attack; do says whether it was withstood and
// what was seen (a figure or the evidence).
type attack struct {
	id   string // the finding it replays
	name string
	do   func(*env) (withstood bool, why string)
}

var attacks, lastAttacks []attack

// register adds attacks to the run, in order.
func register(a ...attack) { attacks = append(attacks, a...) }

// registerLast adds attacks that run after all others (they stop what
// the others share).
func registerLast(a ...attack) { lastAttacks = append(lastAttacks, a...) }

func main() {
	var e env
	flag.StringVar(&e.doctordBin, "bin", "bin/wazo-doctord", "the wazo-doctord binary")
	flag.StringVar(&e.servicekitBin, "servicekit", "bin/wazo-servicekit", "the wazo-servicekit binary")
	flag.StringVar(&e.fixtures, "fixtures", "internal/rules/testdata", "the rules' test checkouts the hostile ones are made from")
	timeout := flag.Duration("timeout", 5*time.Minute, "bound on the whole run")
	flag.Parse()
	time.AfterFunc(*timeout, func() {
		fmt.Fprintf(os.Stderr, "attack: still running after %s: stopped\n", *timeout)
		os.Exit(2)
	})
	failed, total, err := run(&e)
	if err != nil {
		fmt.Fprintln(os.Stderr, "attack:", err)
		os.Exit(2)
	}
	if failed > 0 {
		fmt.Printf("%d of %d attacks not withstood\n", failed, total)
		os.Exit(1)
	}
	fmt.Printf("%d of %d attacks withstood\n", total, total)
}

func run(e *env) (failed, total int, err error) {
	dir, err := os.MkdirTemp("", "attack")
	if err != nil {
		return 0, 0, err
	}
	e.scratch = dir
	defer e.cleanup()
	skipped := 0
	for _, a := range append(attacks, lastAttacks...) {
		ok, why := a.do(e)
		verdict := "WITHSTOOD"
		switch {
		case !ok && strings.HasPrefix(why, needsRoot) && os.Geteuid() != 0:
			// As another user make test runs what it can and says what
			// it left out; as root nothing is left out.
			verdict, skipped = "SKIPPED", skipped+1
		case !ok:
			verdict, failed = "FAILED", failed+1
		}
		fmt.Printf("%-9s %-6s %s: %s\n", verdict, a.id, a.name, why)
		total++
	}
	if skipped > 0 {
		fmt.Printf("%d attack(s) skipped: they need root (sudo make attack)\n", skipped)
	}
	return failed, total - skipped, nil
}

// needsRoot begins the reason of an attack that can only be replayed as
// root: not run (SKIPPED) as another user, a failure as root.
const needsRoot = "needs root"
