package main

import (
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
)

// Attacks on `fix` through the checkout it patches and the sibling
// checkouts: a link in place of the file to patch, a FIFO or a huge file
// where a file is read, a file name that would forge a line of the report,
// and --apply into a tree git does not hold as its own or over uncommitted
// work. Each must write nothing (the trees are compared byte for byte),
// stay bounded, and say why.

func init() {
	register(
		attack{"N16", "fix --apply: the postinst to patch is a link out of the checkout", fixLinkedPostinst(true)},
		attack{"N16", "fix --apply: the postinst to patch is a link to another file of the checkout", fixLinkedPostinst(false)},
		attack{"N16", "fix --apply: debian/<pkg>.install a FIFO, then a sparse 64 MB file", fixInstallPlant},
		attack{"N16", "fix --apply: the sibling's bin/wazo-backup a FIFO, then a sparse 64 MB file", fixSiblingPlant},
		attack{"N16", "fix: a monit check file named with a newline and ESC, quoted in the report", fixForgedName},
		attack{"N16", "fix --apply: the sibling's .git a file pointing at a repository elsewhere", fixGitFile},
		attack{"N16", "fix --apply: over uncommitted work, and into a tree that is not a git checkout", fixDirtyTree},
	)
}

// metamorphic is the daemon and sibling checkouts fix is attacked through.
const metamorphic = "test/metamorphic/testdata"

// fixFleet copies the metamorphic daemon and its siblings into a scratch
// directory, each repository a git checkout with everything committed
// (what --apply wants), and returns the daemon's and the siblings' paths.
func (e *env) fixFleet(name string) (svc, sib string, err error) {
	root := filepath.Join(e.tempDir(name), "src")
	if out, err := exec.Command("cp", "-a", metamorphic, root).CombinedOutput(); err != nil {
		return "", "", fmt.Errorf("copy %s: %v %s", metamorphic, err, out)
	}
	svc, sib = filepath.Join(root, "wazo-tallyd"), filepath.Join(root, "siblings")
	repos := []string{svc}
	entries, _ := os.ReadDir(sib)
	for _, d := range entries {
		repos = append(repos, filepath.Join(sib, d.Name()))
	}
	for _, r := range repos {
		if err := commitAll(r); err != nil {
			return "", "", err
		}
	}
	return svc, sib, nil
}

// commitAll makes dir a git repository with everything in it committed.
func commitAll(dir string) error {
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}, {"commit", "-q", "--allow-empty", "-m", "as the owner left it"}} {
		cmd := exec.Command("git", append([]string{"-c", "user.name=attack", "-c", "user.email=attack@example.com"}, args...)...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("git %s in %s: %v %s", args[0], dir, err, out)
		}
	}
	return nil
}

// digest is every path under root (outside .git), its type, mode and
// content (a link's target, a regular file's bytes up to 1 MB, its size
// beyond), so a tree written to in any way digests differently.
func digest(root string) string {
	h := sha256.New()
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			fmt.Fprintf(h, "error %s\n", p)
			return nil
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		st, err := os.Lstat(p)
		if err != nil {
			return nil
		}
		fmt.Fprintf(h, "%s %v %d\n", p, st.Mode(), st.Size())
		switch {
		case st.Mode()&fs.ModeSymlink != 0:
			t, _ := os.Readlink(p)
			fmt.Fprintf(h, "-> %s\n", t)
		case st.Mode().IsRegular() && st.Size() <= 1<<20:
			data, _ := os.ReadFile(p)
			h.Write(data)
		}
		return nil
	})
	return fmt.Sprintf("%x", h.Sum(nil))
}

// writesNothing runs fix with args on the fleet and says whether it stayed
// bounded, wrote nothing under the trees given and said why (want).
func (e *env) writesNothing(svc string, trees []string, want string, args ...string) (bool, string) {
	before := make([]string, len(trees))
	for i, t := range trees {
		before[i] = digest(t)
	}
	o := e.servicekit(svc, append([]string{"fix", "."}, args...))
	if !o.bounded() {
		return false, o.killed + " (" + o.figures() + ")"
	}
	for i, t := range trees {
		if digest(t) != before[i] {
			return false, fmt.Sprintf("%s: %s was written", o.figures(), t)
		}
	}
	said := o.stdout + o.stderr
	if !strings.Contains(said, want) {
		return false, fmt.Sprintf("%s: nothing says %q: %.300q", o.figures(), want, said)
	}
	return true, o.figures() + ": nothing written; " + firstLineWith(said, want)
}

// firstLineWith is the first line of s holding want, shortened.
func firstLineWith(s, want string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, want) {
			l = strings.TrimSpace(l)
			if len(l) > 220 {
				l = l[:220] + "..."
			}
			return l
		}
	}
	return ""
}

// dropLocation removes the daemon's nginx location and the postinst's
// link of it: nginx-location fails and its fix edits the postinst.
func dropLocation(svc string) {
	os.Remove(filepath.Join(svc, "etc/nginx/locations/https-available/wazo-tallyd"))
	replaceIn(filepath.Join(svc, "debian/wazo-tallyd.postinst"), `        if [[ -z "${previous_version}" ]]; then
            ln -sf /etc/nginx/locations/https-available/$NAME \
                   /etc/nginx/locations/https-enabled/$NAME
        fi
`, "")
}

func fixLinkedPostinst(out bool) func(*env) (bool, string) {
	return func(e *env) (bool, string) {
		svc, sib, err := e.fixFleet("fix-link")
		if err != nil {
			return false, err.Error()
		}
		dropLocation(svc)
		post := filepath.Join(svc, "debian/wazo-tallyd.postinst")
		target := filepath.Join(e.tempDir("outside"), "postinst")
		if !out {
			target = filepath.Join(svc, "debian/postinst.real")
		}
		data, _ := os.ReadFile(post)
		const marker = "# read through the link"
		// In the configure arm, next to where the link's lines go: a
		// patch made through the link quotes it.
		os.WriteFile(target, []byte(strings.Replace(string(data), "    ;;\n", "        "+marker+"\n    ;;\n", 1)), 0o755)
		os.Remove(post)
		os.Symlink(target, post)
		if err := commitAll(svc); err != nil {
			return false, err.Error()
		}
		// The link's target is not read into a patch, nor written.
		if o := e.servicekit(svc, []string{"fix", ".", "--siblings", sib, "--rule", "nginx-location", "--diff"}); strings.Contains(o.stdout, marker) {
			return false, "the patch holds the link's target: " + firstLineWith(o.stdout, marker)
		}
		return e.writesNothing(svc, []string{svc, sib, filepath.Dir(target)}, "symbolic link",
			"--siblings", sib, "--rule", "nginx-location", "--apply")
	}
}

// plantBig replaces p by a FIFO or a sparse 64 MB file, and returns what
// the refusal says.
func plantBig(p, kind string) string {
	os.Remove(p)
	if kind == "FIFO" {
		syscall.Mkfifo(p, 0o644)
		return "not a regular file"
	}
	f, _ := os.Create(p)
	f.Truncate(64 << 20)
	f.Close()
	return "bytes"
}

func fixInstallPlant(e *env) (bool, string) {
	var whys []string
	for _, kind := range []string{"FIFO", "huge"} {
		svc, sib, err := e.fixFleet("fix-install")
		if err != nil {
			return false, err.Error()
		}
		// Outside wazo-platform's Depends the package ships its own
		// check, and its .install is read for the line that ships it.
		replaceIn(filepath.Join(sib, "wazo-platform/debian/control"), "         wazo-tallyd,\n", "")
		os.Remove(filepath.Join(sib, "wazo-monitoring/checks/wazo-tallyd"))
		want := plantBig(filepath.Join(svc, "debian/wazo-tallyd.install"), kind)
		ok, why := e.writesNothing(svc, []string{svc, sib}, want, "--siblings", sib, "--rule", "monit-check", "--uncertain", "--apply")
		if !ok {
			return false, kind + ": " + why
		}
		whys = append(whys, kind+": "+why)
	}
	return true, strings.Join(whys, " | ")
}

func fixSiblingPlant(e *env) (bool, string) {
	var whys []string
	for _, kind := range []string{"FIFO", "huge"} {
		svc, sib, err := e.fixFleet("fix-sibling")
		if err != nil {
			return false, err.Error()
		}
		want := plantBig(filepath.Join(sib, "wazo-backup/bin/wazo-backup"), kind)
		ok, why := e.writesNothing(svc, []string{svc, sib}, want, "--siblings", sib, "--rule", "backup-list", "--apply")
		if !ok {
			return false, kind + ": " + why
		}
		whys = append(whys, kind+": "+why)
	}
	return true, strings.Join(whys, " | ")
}

func fixForgedName(e *env) (bool, string) {
	svc, sib, err := e.fixFleet("fix-name")
	if err != nil {
		return false, err.Error()
	}
	// The package ships its own check, which bypasses systemd, under a
	// name that, printed raw, ends the line and starts a forged one.
	os.Remove(filepath.Join(sib, "wazo-monitoring/checks/wazo-tallyd"))
	forged := "wazo-tallyd\n  wazo-tallyd monit-check -> FORGED: all fixed\x1b[2J"
	dir := filepath.Join(svc, "etc/monit/conf.d")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, forged), []byte("check process wazo-tallyd with pidfile /run/wazo-tallyd/wazo-tallyd.pid\n"+
		"\tstart program = \"/usr/sbin/service wazo-tallyd start\"\n\tstop program = \"/usr/sbin/service wazo-tallyd stop\"\n"), 0o644)
	if err := commitAll(svc); err != nil {
		return false, err.Error()
	}
	ok, why := e.writesNothing(svc, []string{svc, sib}, `\n  wazo-tallyd monit-check -> FORGED`,
		"--siblings", sib, "--rule", "monit-check", "--uncertain", "--apply")
	if !ok {
		return false, why
	}
	o := e.servicekit(svc, []string{"fix", ".", "--siblings", sib, "--rule", "monit-check"})
	for i, l := range strings.Split(o.stdout+o.stderr, "\n") {
		if strings.HasPrefix(l, "  wazo-tallyd monit-check -> FORGED") || strings.ContainsRune(l, 0x1b) {
			return false, fmt.Sprintf("line %d is forged: %.100q", i+1, l)
		}
	}
	return true, why
}

func fixGitFile(e *env) (bool, string) {
	svc, sib, err := e.fixFleet("fix-gitfile")
	if err != nil {
		return false, err.Error()
	}
	replaceIn(filepath.Join(sib, "wazo-backup/bin/wazo-backup"), "                 /etc/wazo-tallyd/\n", "")
	// The repository the .git file points at holds the sibling's files,
	// committed: only the .git file makes it the sibling's.
	elsewhere := e.tempDir("elsewhere")
	repo := filepath.Join(sib, "wazo-backup")
	if err := commitAll(repo); err != nil {
		return false, err.Error()
	}
	if err := os.Rename(filepath.Join(repo, ".git"), filepath.Join(elsewhere, "repo.git")); err != nil {
		return false, err.Error()
	}
	os.WriteFile(filepath.Join(repo, ".git"), []byte("gitdir: "+filepath.Join(elsewhere, "repo.git")+"\n"), 0o644)
	before := digest(elsewhere)
	ok, why := e.writesNothing(svc, []string{svc, sib}, ".git is a file", "--siblings", sib, "--rule", "backup-list", "--apply")
	if ok && digest(elsewhere) != before {
		return false, "the repository the .git file points at was written"
	}
	return ok, why
}

func fixDirtyTree(e *env) (bool, string) {
	svc, sib, err := e.fixFleet("fix-dirty")
	if err != nil {
		return false, err.Error()
	}
	backup := filepath.Join(sib, "wazo-backup/bin/wazo-backup")
	replaceIn(backup, "                 /etc/wazo-tallyd/\n", "")
	// Uncommitted: the line removed above, and the owner's work in progress.
	replaceIn(backup, "BACKUP_LIST=", "# work in progress\nBACKUP_LIST=")
	ok, dirty := e.writesNothing(svc, []string{svc, sib}, "uncommitted changes", "--siblings", sib, "--rule", "backup-list", "--apply")
	if !ok {
		return false, "dirty: " + dirty
	}
	os.RemoveAll(filepath.Join(sib, "wazo-backup/.git"))
	ok, plain := e.writesNothing(svc, []string{svc, sib}, "not a git checkout", "--siblings", sib, "--rule", "backup-list", "--apply")
	if !ok {
		return false, "not git: " + plain
	}
	return true, "dirty: " + dirty + " | not git: " + plain
}
