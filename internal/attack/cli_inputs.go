package main

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Attacks through what the CLI reads: the checked checkout's waivers and
// policy files, sibling checkouts, and a live service's PID file.

func init() {
	register(
		attack{"N4", "check: .servicekit-waivers.yml -> /dev/zero", waiversPlant("/dev/zero")},
		attack{"N4", "check: .servicekit-waivers.yml is a FIFO", waiversPlant("FIFO")},
		attack{"N4", "check: .servicekit-waivers.yml -> a file outside the checkout", waiversPlant("outside")},
		attack{"N4", "check: waivers file of 80 000 top-level keys", waiversPlant("keys")},
		attack{"N4", "check: etc/wazo-auth/conf.d policy of 44 000 keys under default_policies", policyKeys},
		attack{"N14", "check --siblings: wazo-backup/bin/wazo-backup -> /dev/zero", siblingsPlant("/dev/zero")},
		attack{"N14", "check --siblings: wazo-backup/bin/wazo-backup and the acceptance feature are FIFOs", siblingsPlant("FIFO")},
		attack{"N5", "audit (live, as root): the service's PID file -> /dev/zero, then a FIFO", pidFilePlant},
	)
}

// plant makes p the trap named by kind: a link to /dev/zero, a FIFO, or a
// link to secret.
func plant(p, kind, secret string) {
	os.Remove(p)
	switch kind {
	case "/dev/zero":
		os.Symlink("/dev/zero", p)
	case "FIFO":
		syscall.Mkfifo(p, 0o644)
	case "outside":
		os.Symlink(secret, p)
	}
}

func manyKeys(head, format string, n int) string {
	var b strings.Builder
	b.WriteString(head)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, format, i)
	}
	return b.String()
}

func waiversPlant(kind string) func(*env) (bool, string) {
	return func(e *env) (bool, string) {
		dir := e.checkout("go-service")
		p := filepath.Join(dir, ".servicekit-waivers.yml")
		secret := filepath.Join(e.tempDir("secret"), "secret.txt")
		os.WriteFile(secret, []byte("SECRET-outside-the-checkout\n"), 0o600)
		if kind == "keys" {
			os.WriteFile(p, []byte(manyKeys("", "k%d: v\n", 80000)), 0o644)
		} else {
			plant(p, kind, secret)
		}
		o := e.servicekit(dir, []string{"check", ".", "--format", "json"})
		switch {
		case !o.bounded():
			return false, o.killed + " (" + o.figures() + ")"
		case strings.Contains(o.stdout+o.stderr, "SECRET"):
			return false, "the file outside the checkout was read: " + firstLine(o.stderr)
		case o.code != 2 || !strings.Contains(o.stderr, ".servicekit-waivers.yml"):
			return false, fmt.Sprintf("%s, want exit 2 naming the file; stderr %.200q", o.figures(), o.stderr)
		}
		return true, o.figures() + ": " + firstLine(o.stderr)
	}
}

func policyKeys(e *env) (bool, string) {
	dir := e.checkout("go-service")
	p := filepath.Join(dir, "etc/wazo-auth/conf.d/50-wazo-exampled.yml")
	if _, err := os.Stat(p); err != nil {
		return false, "the fixture has no policy file to grow: " + err.Error()
	}
	os.WriteFile(p, []byte(manyKeys("default_policies:\n", "  %d: {}\n", 44000)), 0o644) // under the 512 KB a checkout file may have
	o := e.servicekit(dir, []string{"check", ".", "--format", "json"})
	if !o.bounded() || o.elapsed.Seconds() > 5 {
		return false, o.killed + " " + o.figures()
	}
	if !strings.Contains(o.stdout, "keys, more than") {
		return false, o.figures() + ": no finding says the policy file was refused"
	}
	return true, o.figures() + ": the policy file is a files-parse finding (a mapping of 44000 keys, more than the 1000 allowed)"
}

func siblingsPlant(kind string) func(*env) (bool, string) {
	return func(e *env) (bool, string) {
		dir := e.checkout("go-service")
		sib := e.checkout("siblings")
		plant(filepath.Join(sib, "wazo-backup/bin/wazo-backup"), kind, "")
		if kind == "FIFO" {
			plant(filepath.Join(sib, "wazo-acceptance/features/daily/service_discovery.feature"), kind, "")
		}
		o := e.servicekit(dir, []string{"check", ".", "--siblings", sib, "--format", "json"})
		if !o.bounded() {
			return false, o.killed + " (" + o.figures() + ")"
		}
		refused := strings.Count(o.stdout, "symbolic link") + strings.Count(o.stdout, "not a regular file")
		if refused == 0 {
			return false, o.figures() + ": no result says the planted file was refused"
		}
		return true, fmt.Sprintf("%s: %d result(s) unknown, saying the planted file was refused", o.figures(), refused)
	}
}

// pidFilePlant installs a throwaway service (/etc/wazo-attackpid/) whose
// PID file the service's user could have replaced, and audits it live.
func pidFilePlant(e *env) (bool, string) {
	if os.Geteuid() != 0 {
		return false, "needs root (it installs /etc/wazo-attackpid/config.yml for the live audit): run make attack as root"
	}
	const name = "wazo-attackpid"
	etc := "/etc/" + name
	if _, err := os.Lstat(etc); err == nil {
		return false, etc + " already exists: not touching it"
	}
	if _, err := user.Lookup(name); err == nil {
		return false, "a user " + name + " exists: not touching it"
	}
	// The live rules look for the process only of a service whose user
	// exists, as on a Wazo host.
	if out, err := exec.Command("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name).CombinedOutput(); err != nil {
		return false, fmt.Sprintf("useradd %s: %v %s", name, err, out)
	}
	defer exec.Command("userdel", name).Run()
	run := e.tempDir("run")
	os.Chmod(e.scratch, 0o755)
	pid := filepath.Join(run, name+".pid")
	if err := os.Mkdir(etc, 0o755); err != nil {
		return false, err.Error()
	}
	defer os.RemoveAll(etc)
	conf := fmt.Sprintf("pid_file: %s\nlog_file: %s\nrest_api: {port: 1}\n", pid, filepath.Join(run, name+".log"))
	os.WriteFile(filepath.Join(etc, "config.yml"), []byte(conf), 0o644)
	var figs []string
	for _, kind := range []string{"/dev/zero", "FIFO"} {
		plant(pid, kind, "")
		o := e.servicekit(e.scratch, []string{"audit", name, "--probe-timeout", "10s", "--format", "json"})
		if !o.bounded() {
			return false, fmt.Sprintf("PID file %s: %s (%s)", kind, o.killed, o.figures())
		}
		if o.code != 0 && o.code != 1 {
			return false, fmt.Sprintf("PID file %s: %s; stderr %.200q", kind, o.figures(), o.stderr)
		}
		if !strings.Contains(o.stdout, "threads' uids") {
			return false, fmt.Sprintf("PID file %s: the audit never looked for the process: attack missed (%s)", kind, o.figures())
		}
		figs = append(figs, kind+": "+o.figures())
		// wazo-doctord audits the same service on each refresh.
		t, err := e.daemon()
		if err != nil {
			return false, "could not start wazo-doctord: " + err.Error()
		}
		pid := t.cmd.Process.Pid
		threads := procField(pid, "Threads:")
		for i := 0; i < 5; i++ {
			status, body, err := get(t, "/1.0/services?refresh=true", map[string]string{"X-Auth-Token": token})
			if err != nil || status != 200 {
				return false, fmt.Sprintf("PID file %s: wazo-doctord refresh %d: status %d (%v)", kind, i+1, status, err)
			}
			if !strings.Contains(body, name) {
				return false, fmt.Sprintf("PID file %s: wazo-doctord's audit does not list %s: attack missed", kind, name)
			}
		}
		rss, after := procField(pid, "VmRSS:"), procField(pid, "Threads:")
		if rss > 200<<10 || after > threads+4 {
			return false, fmt.Sprintf("PID file %s: after 5 refreshes wazo-doctord holds %d MB and %d threads (%d before)", kind, rss>>10, after, threads)
		}
		figs = append(figs, fmt.Sprintf("wazo-doctord after 5 refreshes: %d MB, %d threads (%d before)", rss>>10, after, threads))
	}
	return true, strings.Join(figs, "; ") + " (the PID file refused, the process looked up by name)"
}

// procField is a number of /proc/<pid>/status (VmRSS in kB, Threads).
func procField(pid int, field string) int64 {
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return n
		}
	}
	return 0
}
