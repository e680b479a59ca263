package fix

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/wazo-platform/wazo-servicekit/safefile"
)

// maxFile bounds what is read back of a file before it is replaced.
const maxFile = 1 << 20

// Apply applies one repository's patch to its checkout under p.Root,
// all or nothing: the checkout must be a git checkout of its own and every
// file the patch changes as committed (see gitEnv), `git apply --check`
// must accept the patch, then each file is read again and must
// still be exactly what the patch was computed against, then written, never
// through a link and never outside the checkout. A write that fails puts
// back the files already written.
func Apply(p Patch) error {
	siblingsDir := p.Root
	if p.Text == "" {
		return nil
	}
	dir := filepath.Join(siblingsDir, p.Repo)
	if err := preflight(dir, p); err != nil {
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

// preflight is what Apply checks before it reads anything back: the
// checkout is a git checkout of its own, `git apply --check` accepts the
// patch, and every file it changes is as committed.
func preflight(dir string, p Patch) error {
	if _, err := exec.LookPath("git"); err != nil {
		return fmt.Errorf("git apply --check: git is not installed (apt-get install git): nothing applied")
	}
	env, err := gitEnv(dir)
	if err != nil {
		return err
	}
	if out, err := runGit(dir, env, p.Text, "apply", "--check", "-"); err != nil {
		return fmt.Errorf("git apply --check in %s refuses the patch (nothing applied): %s %v", dir, out, err)
	}
	return uncommitted(dir, env, p)
}

// CheckApplies runs only the checks of Apply that come before writing (a
// git checkout of its own, `git apply --check`, the files as committed):
// whether the patch would be applied, changing nothing.
func CheckApplies(p Patch) error {
	if p.Text == "" {
		return nil
	}
	return preflight(filepath.Join(p.Root, p.Repo), p)
}
