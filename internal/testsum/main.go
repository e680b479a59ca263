// Command testsum reads `go test -json` on stdin and prints what a person
// needs from a whole-repository run: each package's result line, the output
// of every failed test, every skipped test with its reason, and a closing
// "N passed, N failed, N skipped" line. It exits 1 when anything failed, and
// also when a test skipped while -no-skips is set (make test as root: every
// tool is installed, so a skip means a test did not run), unless its reason
// matches -allow-skip.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
)

// event is one line of `go test -json` (cmd/test2json's format).
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

// tally is what one run adds up to.
type tally struct {
	passed, failed, skipped int
	brokenPackages          int
	skips                   []string
}

func main() {
	noSkips := flag.Bool("no-skips", false, "fail when any test skipped")
	allow := flag.String("allow-skip", "", "with -no-skips, a regular expression of skip reasons that do not fail the run (tests that need data no machine here has)")
	flag.Parse()
	allowed, err := regexp.Compile(*allow)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testsum: -allow-skip:", err)
		os.Exit(2)
	}
	t, err := summarise(os.Stdin, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testsum:", err)
		os.Exit(1)
	}
	unexpected := 0
	for _, s := range t.skips {
		fmt.Println("skipped:", s)
		if *allow == "" || !allowed.MatchString(s) {
			unexpected++
		}
	}
	fmt.Printf("%d passed, %d failed, %d skipped\n", t.passed, t.failed, t.skipped)
	switch {
	case t.failed > 0 || t.brokenPackages > 0:
		os.Exit(1)
	case t.passed == 0:
		fmt.Println("no test ran")
		os.Exit(1)
	case *noSkips && unexpected > 0:
		fmt.Println("tests skipped although every tool should be installed: see the reasons above")
		os.Exit(1)
	}
}

// summarise copies package result lines to out as they come, keeps each
// test's output until the test ends and prints it only when it failed.
func summarise(in io.Reader, out io.Writer) (tally, error) {
	var t tally
	buffered := map[string][]string{}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			// Not an event (go itself failing before any test): show it.
			fmt.Fprintln(out, sc.Text())
			continue
		}
		key := e.Package + " " + e.Test
		switch {
		case e.Test == "" && e.Action == "output":
			if l := strings.TrimSpace(e.Output); l != "PASS" && l != "FAIL" && !strings.HasPrefix(l, "=== ") {
				fmt.Fprint(out, e.Output)
			}
		case e.Test == "" && (e.Action == "fail" || e.Action == "build-fail"):
			t.brokenPackages++
		case e.Test == "":
		case e.Action == "output":
			buffered[key] = append(buffered[key], e.Output)
		case e.Action == "pass":
			t.passed++
			delete(buffered, key)
		case e.Action == "fail":
			t.failed++
			fmt.Fprint(out, strings.Join(buffered[key], ""))
			delete(buffered, key)
		case e.Action == "skip":
			t.skipped++
			t.skips = append(t.skips, e.Package+" "+e.Test+": "+skipReason(buffered[key]))
			delete(buffered, key)
		}
	}
	return t, sc.Err()
}

// skipReason is the message a test gave t.Skip: the output lines between
// "=== RUN" and "--- SKIP".
func skipReason(lines []string) string {
	var msg []string
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "=== ") || strings.HasPrefix(l, "--- SKIP") {
			continue
		}
		msg = append(msg, l)
	}
	if len(msg) == 0 {
		return "(no reason given)"
	}
	return strings.Join(msg, " ")
}
