package main

import (
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// maxInitAllocs bounds what each of the project's packages allocates when
// the daemon starts: nothing serving does not need is built at init (the
// rule catalogue's expressions are compiled when an audit first runs).
const maxInitAllocs = 100

var initLine = regexp.MustCompile(`^init (github\.com/wazo-platform/wazo-servicekit/\S+) @.*, (\d+) bytes, (\d+) allocs$`)

func TestPackagesBuildLittleAtInit(t *testing.T) {
	cmd := exec.Command(os.Args[0], "--version")
	cmd.Env = append(os.Environ(), "WAZO_DOCTORD_RUN_MAIN=1", "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	seen := 0
	for _, line := range strings.Split(string(out), "\n") {
		m := initLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		if strings.HasSuffix(m[1], "/cmd/wazo-doctord") {
			continue // this test binary: its count includes the tests' own variables
		}
		seen++
		if n, _ := strconv.Atoi(m[3]); n > maxInitAllocs {
			t.Errorf("package %s makes %d allocations (%s bytes) at init, over %d: build it on first use", m[1], n, m[2], maxInitAllocs)
		}
	}
	if seen == 0 {
		t.Fatalf("no init trace of the project's packages in:\n%s", out)
	}
}
