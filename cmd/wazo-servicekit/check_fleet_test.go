package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/rules"
	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

// sideBySide returns every result in the items' order, running no more at
// once than there are processors.
func TestSideBySideKeepsOrderAndBound(t *testing.T) {
	var items []string
	for i := 0; i < 200; i++ {
		items = append(items, strconv.Itoa(i))
	}
	var running, most atomic.Int32
	out := sideBySide(items, func(s string) string {
		n := running.Add(1)
		defer running.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		runtime.Gosched()
		return s + "!"
	})
	for i, s := range out {
		if s != items[i]+"!" {
			t.Fatalf("result %d is %q, want %q", i, s, items[i]+"!")
		}
	}
	if m := most.Load(); m > int32(runtime.GOMAXPROCS(0)) {
		t.Errorf("%d ran at once, more than the %d processors", m, runtime.GOMAXPROCS(0))
	}
}

// A fleet whose second and third checkouts both have an unreadable waiver
// file stops on the second's, as when the checkouts were read one by one.
func TestFleetStopsOnTheFirstBadCheckoutInOrder(t *testing.T) {
	fleet := t.TempDir()
	for i, waiver := range []string{"", "waivers:\n  - rule: monit-check\n", "waivers: [oops\n"} {
		dir := filepath.Join(fleet, "repo-"+strconv.Itoa(i))
		if err := os.Rename(testenv.CopyTree(t, goFixture, nil), dir); err != nil {
			t.Fatal(err)
		}
		if waiver != "" {
			if err := os.WriteFile(filepath.Join(dir, rules.WaiversFile), []byte(waiver), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	code, out, errs := runCLI(t, "check", fleet)
	if code != exitUsage || !strings.Contains(errs, filepath.Join("repo-1", rules.WaiversFile)) {
		t.Fatalf("exit %d, want %d naming repo-1's waiver file\n%s%s", code, exitUsage, out, errs)
	}
}
