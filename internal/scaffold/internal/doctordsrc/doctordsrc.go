// Package doctordsrc lists and copies the files of wazo-doctord that a new
// service is derived from. It is separate from scaffold (which embeds the
// copies) so that the copier builds even when the copies are missing.
package doctordsrc

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// CopiesDir is where `go generate ./internal/scaffold` keeps, relative to internal/scaffold/,
// the copies of wazo-doctord's files. They sit under
// testdata/ so that neither `go build` (the Go files among them) nor the
// repository checker (the debian/ and etc/ files) take them for the real
// thing.
const CopiesDir = "testdata/doctord"

// fixedSources are the files of wazo-doctord, besides its packaging,
// that a new service is derived from: its main, its config layers, its
// api.yml (the /api/api.yml, /status and /config paths), the kit's
// module files (the new module requires what the kit requires). The
// resources themselves come from the kit (baseapi).
var fixedSources = []string{
	"cmd/wazo-doctord/main.go",
	"cmd/wazo-doctord/defaults.yml",
	"cmd/wazo-doctord/dev.yml",
	"internal/doctor/api.yml",
	"go.mod",
	"go.sum",
}

// StoredName is the name of a source's copy: go.mod and go.sum get a
// ".txt" suffix, or the copies' directory would be a module of its own,
// which go:embed refuses.
func StoredName(f string) string {
	if f == "go.mod" || f == "go.sum" {
		return f + ".txt"
	}
	return f
}

// packagingDirs are copied whole (every file git tracks under them): a file
// added to wazo-doctord's packaging shows up in every new service too.
var packagingDirs = []string{"debian", "etc", "docs/man"}

// List lists, relative to the kit's repository root, the files a new
// service is derived from, as committed (HEAD): every file under debian/,
// etc/ and docs/man/, and fixedSources. Work in progress in the tree is not
// copied until it is committed.
func List(root string) ([]string, error) {
	out, err := git(root, nil, append([]string{"ls-tree", "-r", "--name-only", "HEAD", "--"}, packagingDirs...)...)
	if err != nil {
		return nil, err
	}
	files := append([]string(nil), fixedSources...)
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if l != "" {
			files = append(files, l)
		}
	}
	sort.Strings(files)
	return files, nil
}

// Read returns the committed content of files, in one git process.
func Read(root string, files []string) (map[string][]byte, error) {
	var in bytes.Buffer
	for _, f := range files {
		in.WriteString("HEAD:" + f + "\n")
	}
	out, err := git(root, &in, "cat-file", "--batch")
	if err != nil {
		return nil, err
	}
	got := map[string][]byte{}
	for _, f := range files {
		nl := bytes.IndexByte(out, '\n')
		if nl < 0 {
			return nil, fmt.Errorf("git cat-file: short output at %s", f)
		}
		head := strings.Fields(string(out[:nl]))
		if len(head) != 3 || head[1] != "blob" {
			return nil, fmt.Errorf("wazo-doctord's %s is not committed (git cat-file: %s)", f, string(out[:nl]))
		}
		size, err := strconv.Atoi(head[2])
		if err != nil || nl+1+size+1 > len(out) {
			return nil, fmt.Errorf("git cat-file: bad header %q", string(out[:nl]))
		}
		got[f] = out[nl+1 : nl+1+size]
		out = out[nl+1+size+1:]
	}
	return got, nil
}

func git(root string, stdin *bytes.Buffer, args ...string) ([]byte, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = root
	if stdin != nil {
		cmd.Stdin = stdin
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git %s in %s: %v: %s (the copies are made from a git checkout of wazo-servicekit)", args[0], root, err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// Copy replaces out with fresh copies of List(root).
// `go generate ./internal/scaffold` runs it; TestCopiesAreCurrent fails until it is
// run again after any change to those files.
func Copy(root, out string) error {
	files, err := List(root)
	if err != nil {
		return err
	}
	content, err := Read(root, files)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(out); err != nil {
		return err
	}
	for _, f := range files {
		data := content[f]
		dst := filepath.Join(out, filepath.FromSlash(StoredName(f)))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// StaleCopies compares the copies in fsys (rooted at the copies directory)
// with the files committed under root and returns one line per difference.
func StaleCopies(root string, fsys fs.FS) ([]string, error) {
	want, err := List(root)
	if err != nil {
		return nil, err
	}
	content, err := Read(root, want)
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			have[p] = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var diffs []string
	for _, f := range want {
		if !have[StoredName(f)] {
			diffs = append(diffs, f+": no copy")
			continue
		}
		delete(have, StoredName(f))
		cur := content[f]
		cp, err := fs.ReadFile(fsys, StoredName(f))
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(cur, cp) {
			diffs = append(diffs, f+": copy differs")
		}
	}
	for f := range have {
		diffs = append(diffs, f+": copied but no longer a source")
	}
	sort.Strings(diffs)
	return diffs, nil
}
