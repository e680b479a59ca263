package fix

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/wazo-platform/wazo-servicekit/safefile"
)

// maxFile bounds what is read back of a file before it is replaced.
const maxFile = 1 << 20

// Apply applies one repository's patch to its checkout under p.Root,
// all or nothing: `git apply --check` first (nothing of the checkout's git
// configuration runs a program), then each file is read again and must
// still be exactly what the patch was computed against, then written, never
// through a link and never outside the checkout. A write that fails puts
// back the files already written.
func Apply(p Patch) error {
	siblingsDir := p.Root
	if p.Text == "" {
		return nil
	}
	dir := filepath.Join(siblingsDir, p.Repo)
	if err := gitApplyCheck(dir, p.Text); err != nil {
		return err
	}
	modes := make([]os.FileMode, len(p.Files))
	for i, f := range p.Files {
		rel := p.Repo + "/" + f.Rel
		if f.Created {
			// A file the patch creates must still be absent (nothing on the
			// way a link); it is written 0644.
			if _, err := os.Lstat(filepath.Join(siblingsDir, rel)); !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("%s: the patch creates it but something is there (nothing applied)", rel)
			}
			if err := safefile.CheckWritable(siblingsDir, rel); err != nil {
				return fmt.Errorf("%s: %v (nothing applied)", rel, err)
			}
			modes[i] = 0o644
			continue
		}
		cur, err := safefile.ReadIn(siblingsDir, rel, maxFile)
		if err != nil {
			return fmt.Errorf("%s: %v (nothing applied)", rel, err)
		}
		if !bytes.Equal(cur, f.Old) {
			return fmt.Errorf("%s changed since the patch was computed (nothing applied): run fix again", rel)
		}
		st, err := os.Lstat(filepath.Join(siblingsDir, rel))
		if err != nil || !st.Mode().IsRegular() {
			return fmt.Errorf("%s: not a regular file (nothing applied)", rel)
		}
		modes[i] = st.Mode().Perm()
	}
	for i, f := range p.Files {
		if err := safefile.WriteIn(siblingsDir, p.Repo+"/"+f.Rel, f.New, modes[i]); err != nil {
			for j := 0; j < i; j++ {
				// Best effort: put back what was written before the failure.
				if p.Files[j].Created {
					_ = os.Remove(filepath.Join(siblingsDir, p.Repo, p.Files[j].Rel))
					continue
				}
				_ = safefile.WriteIn(siblingsDir, p.Repo+"/"+p.Files[j].Rel, p.Files[j].Old, modes[j])
			}
			return fmt.Errorf("%s/%s: %v (the files written before it were put back)", p.Repo, f.Rel, err)
		}
	}
	return nil
}

// gitApplyCheck runs `git apply --check` on the patch in dir, bounded in
// time, with neither the system's nor the user's git configuration, no
// parent repository discovered above dir, and hooks and fsmonitor off.
func gitApplyCheck(dir, patch string) error {
	if _, err := exec.LookPath("git"); err != nil {
		return fmt.Errorf("git apply --check: git is not installed (apt-get install git): nothing applied")
	}
	cmd := exec.Command("git", "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "apply", "--check", "-")
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(patch)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_CEILING_DIRECTORIES="+filepath.Dir(dir), "GIT_TERMINAL_PROMPT=0")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("git apply --check in %s: %v", dir, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("git apply --check in %s refuses the patch (nothing applied): %s", dir, strings.TrimSpace(out.String()))
		}
		return nil
	case <-time.After(time.Minute):
		_ = cmd.Process.Kill()
		<-done
		return fmt.Errorf("git apply --check in %s took over a minute: nothing applied", dir)
	}
}

// CheckApplies runs only the `git apply --check` of Apply: whether the
// patch applies to the checkout as it is, changing nothing.
func CheckApplies(p Patch) error {
	if p.Text == "" {
		return nil
	}
	return gitApplyCheck(filepath.Join(p.Root, p.Repo), p.Text)
}
