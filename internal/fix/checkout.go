package fix

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/wazo-platform/wazo-servicekit/internal/boundedbuf"
)

// --apply writes only into a git checkout whose repository is its own
// .git directory, and only over files as they are committed: the owner
// reviews the change with git diff and takes it back with git checkout,
// and none of their uncommitted work is mixed into it. git runs with that
// repository named (GIT_DIR, GIT_WORK_TREE: nothing discovered above the
// checkout nor through a .git file pointing elsewhere), without system or
// user configuration, hooks or fsmonitor, bounded in time; it only reads
// (apply --check, rev-parse), so no filter or hook of the checkout runs.

// gitEnv is the environment naming dir's own repository, or why --apply
// does not write there.
func gitEnv(dir string) ([]string, error) {
	st, err := os.Lstat(filepath.Join(dir, ".git"))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s is not a git checkout (no .git): --apply writes only where git shows and takes back the change; write the patch with --out and apply it there by hand (nothing applied)", dir)
	case err != nil:
		return nil, fmt.Errorf("%s/.git: %v (nothing applied)", dir, err)
	case st.Mode()&fs.ModeSymlink != 0:
		return nil, fmt.Errorf("%s/.git is a symbolic link: not followed (nothing applied)", dir)
	case !st.IsDir():
		return nil, fmt.Errorf("%s/.git is a %s, not the repository's directory (a worktree's or a submodule's pointer to a repository elsewhere is not followed): write the patch with --out and apply it by hand (nothing applied)", dir, kindOf(st.Mode()))
	}
	return append(os.Environ(), "GIT_DIR="+filepath.Join(dir, ".git"), "GIT_WORK_TREE="+dir,
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_TERMINAL_PROMPT=0",
		"GIT_CEILING_DIRECTORIES="+filepath.Dir(dir)), nil
}

func kindOf(m fs.FileMode) string {
	if m.IsRegular() {
		return "file"
	}
	return "special file (" + m.Type().String() + ")"
}

// runGit runs git in dir with env, stdin given, bounded to a minute; the
// output is bounded too.
func runGit(dir string, env []string, stdin string, args ...string) (string, error) {
	cmd := exec.Command("git", append([]string{"-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null"}, args...)...)
	cmd.Dir, cmd.Env = dir, env
	cmd.Stdin = strings.NewReader(stdin)
	out := &boundedbuf.Buffer{Max: 64 << 10}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return "", err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return strings.TrimSpace(out.String()), err
	case <-time.After(time.Minute):
		_ = cmd.Process.Kill()
		<-done
		return "", fmt.Errorf("git %s took over a minute", args[0])
	}
}

// uncommitted names the first file of the patch whose content (the bytes
// the patch was computed against) is not the one committed at HEAD: git's
// blob id of the content, computed here, against `git rev-parse HEAD:rel`.
func uncommitted(dir string, env []string, p Patch) error {
	for _, f := range p.Files {
		if f.Created {
			continue
		}
		id, err := runGit(dir, env, "", "rev-parse", "--verify", "--quiet", "HEAD:"+f.Rel)
		if err != nil || (len(id) != 40 && len(id) != 64) {
			return fmt.Errorf("%s/%s is not committed: commit or stash it first, the patch is not mixed with work git does not hold (nothing applied)", p.Repo, f.Rel)
		}
		var h hash.Hash = sha1.New()
		if len(id) == 64 {
			h = sha256.New()
		}
		fmt.Fprintf(h, "blob %d\x00", len(f.Old))
		h.Write(f.Old)
		if hex.EncodeToString(h.Sum(nil)) != id {
			return fmt.Errorf("%s/%s has uncommitted changes: commit or stash them first, the patch is not mixed with them (nothing applied)", p.Repo, f.Rel)
		}
	}
	return nil
}
