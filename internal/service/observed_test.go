package service

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/host"
)

// installedWithPlatform is the daemon installed in an image root with the
// platform's scripts naming it.
func installedWithPlatform(t *testing.T) string {
	t.Helper()
	root := install(t, daemon())
	extra := files{
		"usr/bin/wazo-service":                   "#!/bin/bash\nwazo_services=\"wazo-auth wazo-quuxd\"\ndefault_services=\"nginx\"\n",
		"usr/sbin/wazo-backup":                   "#!/bin/sh\nBACKUP_LIST=\"/etc/wazo-auth/\n/etc/wazo-quuxd/\n\"\n",
		"etc/wazo-auth/conf.d/50-wazo-quuxd.yml": "default_policies:\n  wazo_default_admin_policy:\n    acl: [quuxd.#]\n",
		"var/lib/dpkg/status":                    "Package: other\nStatus: install ok installed\n\nPackage: wazo-quuxd\nStatus: install ok half-configured\nVersion: 1.2\n",
		"etc/passwd":                             "root:x:0:0:root:/root:/bin/bash\nwazo-quuxd:x:4321:4321::/var/lib/wazo-quuxd:/usr/sbin/nologin\n",
		"etc/group":                              "root:x:0:\nconsul:x:4000:wazo-quuxd\n",
		"var/log/wazo-quuxd.log":                 strings.Repeat("x", LogTailBytes) + "\n2026-01-01 00:00:00,000 UTC [pid 1] [tid 1] (INFO) (wazo-quuxd): ready\n",
	}
	writeIn(t, root, extra)
	return root
}

// TestObservedIsWhatTheFactsSay: the facts of an installed service and the
// live probes' observations are one derivation: the groups and backup
// entries FromHost reports are the observations, with their lines.
func TestObservedIsWhatTheFactsSay(t *testing.T) {
	root := installedWithPlatform(t)
	o := Observe(host.Open(root), "wazo-quuxd")
	f := FromObserved(o)
	if g := o.WazoServiceGroups(); len(g.Value) != 1 || g.Value[0].Value != "wazo_services" || g.Value[0].Source != "/usr/bin/wazo-service:2" {
		t.Errorf("groups %+v", g)
	}
	if strings.Join(Values(f.Groups), ",") != "wazo_services" || strings.Join(Values(f.Backup), ",") != "/etc/wazo-quuxd/" {
		t.Errorf("facts groups %+v backup %+v", f.Groups, f.Backup)
	}
	if b := o.BackupEntries(); b.Source != "/usr/sbin/wazo-backup" || b.Value[0].Source != "/usr/sbin/wazo-backup:3" {
		t.Errorf("backup %+v", b)
	}
	if p := o.DpkgStatus(); !p.Value.Listed || p.Value.Status != "install ok half-configured" || p.Value.Version != "1.2" || p.Value.Line != 4 {
		t.Errorf("dpkg %+v", p)
	}
	if u := o.Account("wazo-quuxd"); u.Value == nil || u.Value.UID != 4321 || u.Source != "/etc/passwd:2" {
		t.Errorf("account %+v", u)
	}
	if g := o.AccountGroup("consul"); g.Value == nil || g.Value.GID != 4000 {
		t.Errorf("group %+v", g)
	}
	if u := o.Account("nobody-here"); !u.Known() || u.Value != nil {
		t.Errorf("an absent account is known to be absent: %+v", u)
	}
	if p := o.AuthPolicy(); p.Value.Path != "/etc/wazo-auth/conf.d/50-wazo-quuxd.yml" || !strings.Contains(string(p.Value.Data), "quuxd.#") {
		t.Errorf("policy %+v", p)
	}
	// Only the end of a big log is read, and its last line is whole.
	tail := o.LogTail("/var/log/wazo-quuxd.log")
	if !tail.Known() || len(tail.Value) == 0 || !strings.HasSuffix(tail.Value[len(tail.Value)-1], "ready") {
		t.Fatalf("log tail %+v", tail.Unknown)
	}
	if n := len(strings.Join(tail.Value, "\n")); n > LogTailBytes {
		t.Errorf("read %d bytes of the log, more than %d", n, LogTailBytes)
	}
}

// TestObservedReadsOnceAndStaysInTheRoot: each observation is read once per
// service, a link out of the root is not followed, and what cannot be
// read is unknown with why, never a value.
func TestObservedReadsOnceAndStaysInTheRoot(t *testing.T) {
	root := installedWithPlatform(t)
	o := Observe(host.Open(root), "wazo-quuxd")
	if f := o.File("/var/log/wazo-quuxd.log"); !f.Known() || !f.Value.Exists || !f.Value.Mode.IsRegular() {
		t.Fatalf("log file %+v", f)
	}
	if err := os.Remove(filepath.Join(root, "var/log/wazo-quuxd.log")); err != nil {
		t.Fatal(err)
	}
	if f := o.File("/var/log/wazo-quuxd.log"); !f.Value.Exists {
		t.Error("the file was looked at again: an observation is read once per service")
	}
	if f := Observe(host.Open(root), "wazo-quuxd").File("/var/log/wazo-quuxd.log"); !f.Known() || f.Value.Exists {
		t.Errorf("a removed file: %+v", f)
	}

	// A PID file the service user made a link to a host file: read inside
	// the root only, and a few bytes at most.
	outside := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(outside, []byte("4242\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "run/wazo-quuxd"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "run/wazo-quuxd/wazo-quuxd.pid")); err != nil {
		t.Fatal(err)
	}
	if p := o.PIDInFile("/run/wazo-quuxd/wazo-quuxd.pid"); p.Known() || p.Value != "" {
		t.Errorf("a PID file linking out of the root was read: %+v", p)
	}
	if err := os.WriteFile(filepath.Join(root, "run/big.pid"), []byte(strings.Repeat("1", 1<<20)), 0o644); err != nil {
		t.Fatal(err)
	}
	if p := o.PIDInFile("/run/big.pid"); len(p.Value) > maxPIDFileBytes {
		t.Errorf("read %d bytes of a PID file", len(p.Value))
	}
	if p := o.MainProcess(""); p.Known() || !strings.Contains(p.Unknown, "image root") {
		t.Errorf("processes of an image root: %+v", p)
	}
	if err := os.Remove(filepath.Join(root, "usr/bin/wazo-service")); err != nil {
		t.Fatal(err)
	}
	if g := Observe(host.Open(root), "wazo-quuxd").WazoServiceGroups(); g.Known() || !strings.Contains(g.Unknown, "wazo-service is not installed") {
		t.Errorf("no wazo-service: %+v", g)
	}
}
