package rules

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

// within runs f and fails the test if it has not returned by the deadline
// (a read that blocks on a FIFO or never ends on /dev/zero).
func within(t *testing.T, what string, deadline time.Duration, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(deadline):
		t.Fatalf("%s: still running after %s (blocked or unbounded)", what, deadline)
	}
}

// The waivers file is the checkout's: a link out of it, a FIFO, /dev/zero
// or a file of 80 000 keys is refused at once, naming the file.
func TestWaiversFileIsReadLikeTheCheckout(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "secret.txt")
	write(t, secret, "SECRET-outside-the-checkout\n")
	var huge strings.Builder
	for i := 0; i < 80000; i++ {
		fmt.Fprintf(&huge, "k%d: v\n", i)
	}
	cases := []struct {
		name  string
		plant func(p string) error
		want  string
	}{
		{"link to /dev/zero", func(p string) error { return os.Symlink("/dev/zero", p) }, "symbolic link"},
		{"link outside", func(p string) error { return os.Symlink(secret, p) }, "symbolic link"},
		{"FIFO", func(p string) error { return syscall.Mkfifo(p, 0o644) }, "not a regular file"},
		{"80 000 top-level keys", func(p string) error { return os.WriteFile(p, []byte(huge.String()), 0o644) }, "more than"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := testenv.CopyTree(t, "testdata/go-service", nil)
			if err := c.plant(filepath.Join(dir, WaiversFile)); err != nil {
				t.Fatal(err)
			}
			var err error
			within(t, "LoadWaivers", 20*time.Second, func() { _, err = LoadWaivers(dir) })
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), WaiversFile) {
				t.Fatalf("err = %v, want %q naming %s", err, c.want, WaiversFile)
			}
			if strings.Contains(err.Error(), "SECRET") {
				t.Errorf("the file outside was read: %v", err)
			}
		})
	}
}

// A sibling checkout's file linked to /dev/zero, or a FIFO, makes the rule
// unknown at once, saying why, instead of reading forever or blocking.
func TestSiblingFilesAreReadLikeTheCheckout(t *testing.T) {
	for _, plant := range []struct {
		name string
		do   func(p string) error
	}{
		{"link to /dev/zero", func(p string) error { return os.Symlink("/dev/zero", p) }},
		{"FIFO", func(p string) error { return syscall.Mkfifo(p, 0o644) }},
	} {
		t.Run(plant.name, func(t *testing.T) {
			sib := testenv.CopyTree(t, "testdata/siblings", nil)
			for _, f := range []string{"wazo-acceptance/features/daily/service_discovery.feature", "xivo-build-tools/etc/xivo-build-tools/packages", "wazo-sdk/project.yml"} {
				p := filepath.Join(sib, f)
				if err := os.Remove(p); err != nil {
					t.Fatal(err)
				}
				if err := plant.do(p); err != nil {
					t.Fatal(err)
				}
			}
			var rep *Report
			var err error
			within(t, "Check --siblings", 20*time.Second, func() {
				rep, err = Check("testdata/go-service", CheckOptions{Siblings: sib, Only: []string{"acceptance-service-discovery", "touch-points-listed"}})
			})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, r := range rep.Results() {
				if r.Status == Unknown && (strings.Contains(r.Message, "symbolic link") || strings.Contains(r.Message, "not a regular file")) {
					n++
				}
			}
			if n < 3 {
				t.Errorf("%d results say the planted files were refused, want 3:\n%+v", n, rep.Results())
			}
		})
	}
}

// A policy file of 44 000 keys under default_policies is refused by the
// YAML bounds instead of taking seconds per service to decode.
func TestPolicyFileBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("default_policies:\n")
	for i := 0; i < 44000; i++ {
		fmt.Fprintf(&b, "  p%d: {acl: [x]}\n", i)
	}
	var err error
	within(t, "policyGrants", 20*time.Second, func() { _, err = policyGrants("50-x.yml", []byte(b.String())) })
	if err == nil || !strings.Contains(err.Error(), "50-x.yml:2") || !strings.Contains(err.Error(), "keys") {
		t.Fatalf("err = %v, want the mapping refused at 50-x.yml:2", err)
	}
}

// acl-granted reports each ACL once, however often the code requires it,
// names at most maxACLFindings, and scans the sources once per check.
func TestACLFindingsPerFactNotPerUse(t *testing.T) {
	dir := testenv.CopyTree(t, "testdata/python-service", nil)
	var b strings.Builder
	for i := 0; i < 5000; i++ {
		fmt.Fprintf(&b, "@required_acl('x.y.z')  # use %d\n", i)
	}
	for i := 0; i < 50; i++ {
		fmt.Fprintf(&b, "@required_acl('other%d.y')\n", i)
	}
	write(t, filepath.Join(dir, "wazo_webhookd/plugins/many.py"), b.String())
	rep, err := Check(dir, CheckOptions{Only: []string{"acl-granted"}})
	if err != nil {
		t.Fatal(err)
	}
	results := rep.Results()
	if len(results) > maxACLFindings+3 {
		t.Fatalf("%d acl-granted results for 51 distinct ACLs, want at most %d", len(results), maxACLFindings+3)
	}
	text := fmt.Sprint(results)
	if !strings.Contains(text, "ACL x.y.z is not under") || !strings.Contains(text, "required 5000 times") || !strings.Contains(text, "and 31 more ACLs") {
		t.Errorf("results do not aggregate the uses:\n%s", text)
	}
	testenv.LinearGrowth(t, "scanACLs", 2000, func(n int) []repo.File {
		var b strings.Builder
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "@required_acl('x.y.z%d')  # aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", i%50)
		}
		return []repo.File{{Path: "a.py", Data: []byte(b.String())}}
	}, func(f []repo.File) { scanACLs(f) })
}
