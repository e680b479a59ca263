// Package siblings computes the patches a new Wazo service needs in the
// other Wazo repositories (wazo-service, wazo-backup, wazo-acceptance,
// wazo-platform.org, wazo-platform, xivo-build-tools, wazo-auth-keys,
// wazo-sdk, wazo-ansible): each edit puts the service in exactly the list
// or table it belongs in, re-parses the result, and is refused, with the
// reason, when the file is not in the shape expected. It works on a plain
// Service value, so any command that knows a service's answers can use it.
package siblings

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/scaffold/udiff"
	"github.com/wazo-platform/wazo-servicekit/safefile"
)

// siblingBaselines are small reproductions, in the real files' formats, of
// the sibling repositories' files at the commits their README names: the
// patches are computed against them when no --siblings checkout is given,
// so that they apply to those repositories as they are.
//
//go:embed all:testdata/baselines
var siblingBaselines embed.FS

const baselinesRoot = "testdata/baselines"

// maxSiblingFile bounds what is read of one sibling file: the files edited
// are at most a few tens of kilobytes; a bigger one is not the file expected.
const maxSiblingFile = 256 << 10

// Service is what the patches need to know of the new service.
type Service struct {
	Name        string   // wazo-<name>: repository, package, daemon and user
	Short       string   // <name>: the URL prefix /api/<short> and the ACL prefix
	Module      string   // the Go module path (the port registry's source)
	Port        int      // its port, from the 9486+ block
	APIVersion  string   // 1.0
	HAGroup     string   // "default" (runs on HA secondaries) or "wazo" (stopped there)
	Description string   // one line
	ACLs        []string // what it calls on other Wazo APIs (its wazo-auth-keys entry)
	Installer   bool     // wazo-ansible installs the package itself
	// KitSourcePackage is the kit's Debian source package, which builds the
	// -dev package the service Build-Depends on: Wazo must build it too.
	KitSourcePackage string
	// RotateCount and RotateFrequency are the package's logrotate
	// settings, for the log files page (15, "Daily").
	RotateCount     int
	RotateFrequency string
}

// Patch is one repository's patch.
type Patch struct {
	Repo    string   // wazo-service, ...
	File    string   // <repo>.diff
	Text    string   // the unified diff ("" when nothing to change)
	Notes   []string // what it does
	Refused []string // files left unpatched: which, what was expected, what was found
}

// source reads sibling files from a checkout directory or the baselines.
type source struct {
	dir string // "" = baselines
}

// errNotThere: the file (or a directory on its way) does not exist.
var errNotThere = errors.New("not there")

// read returns a file's content. In a checkout it never follows a symbolic
// link (a crafted checkout could point one anywhere) and reads at most
// maxSiblingFile bytes.
func (s source) read(repo, rel string) ([]byte, error) {
	if s.dir == "" {
		data, err := fs.ReadFile(siblingBaselines, baselinesRoot+"/"+repo+"/"+rel)
		if err != nil {
			return nil, errNotThere
		}
		return data, nil
	}
	if _, err := s.plain(repo, rel); err != nil {
		return nil, err
	}
	// Opened as it was checked: no link below the siblings directory
	// (a swap since the check is refused), a regular file, bounded.
	data, err := safefile.ReadIn(s.dir, repo+"/"+rel, maxSiblingFile)
	if errors.Is(err, safefile.ErrTooLarge) {
		return nil, fmt.Errorf("larger than %d bytes: not the file expected", maxSiblingFile)
	}
	return data, err
}

// plain returns the path of rel in the checkout of repo after checking
// that no part of it below the checkout is a symbolic link and that it is
// a regular file; errNotThere when a part does not exist.
func (s source) plain(repo, rel string) (string, error) {
	p := filepath.Join(s.dir, repo)
	parts := strings.Split(rel, "/")
	for i, part := range parts {
		if part == "" || part == "." || part == ".." {
			return "", fmt.Errorf("bad path %q", rel)
		}
		p = filepath.Join(p, part)
		st, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return "", errNotThere
		}
		if err != nil {
			return "", err
		}
		switch {
		case st.Mode()&fs.ModeSymlink != 0:
			return "", fmt.Errorf("%s is a symbolic link: not followed out of the checkout", strings.Join(parts[:i+1], "/"))
		case i < len(parts)-1 && !st.IsDir():
			return "", errNotThere
		case i == len(parts)-1 && !st.Mode().IsRegular():
			return "", fmt.Errorf("not a regular file (%s)", st.Mode().Type())
		}
	}
	return p, nil
}

// exists reports whether rel is there (a file or directory, never through a link).
func (s source) exists(repo, rel string) bool {
	if s.dir == "" {
		_, err := fs.Stat(siblingBaselines, baselinesRoot+"/"+repo+"/"+rel)
		return err == nil
	}
	p := filepath.Join(s.dir, repo)
	for _, part := range strings.Split(rel, "/") {
		p = filepath.Join(p, part)
		st, err := os.Lstat(p)
		if err != nil || st.Mode()&fs.ModeSymlink != 0 {
			return false
		}
	}
	return true
}

// list returns the names in directory rel (sorted), not through links.
func (s source) list(repo, rel string) []string {
	var entries []fs.DirEntry
	if s.dir == "" {
		entries, _ = fs.ReadDir(siblingBaselines, baselinesRoot+"/"+repo+"/"+rel)
	} else if s.exists(repo, rel) {
		entries, _ = safefile.ReadDir(filepath.Join(s.dir, repo, filepath.FromSlash(rel)), safefile.MaxWalkEntries)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	sort.Strings(out)
	return out
}

// shapeError says a sibling file is not in the shape its edit expects: the
// patch leaves that file alone.
type shapeError struct{ expected, found string }

func (e *shapeError) Error() string { return "expected " + e.expected + "; found " + e.found }

func notShaped(expected, found string, args ...any) error {
	return &shapeError{expected: expected, found: fmt.Sprintf(found, args...)}
}

// edit is one file's change. change computes the new text from the old one
// (LF line endings; "" = nothing to change, with note saying why); verify
// re-parses the result and fails unless the new entry is exactly where it
// belongs and everything else is as it was.
type edit struct {
	rel    string
	create func() (string, error) // for a file that may be absent
	change func(old string) (string, string, error)
	verify func(old, new string) error
	absent string // the note when the file is absent and not created ("" = a problem)
}

// Compute returns the patch of every sibling repository, computed against
// the checkouts under siblingsDir ("" = the built-in baselines).
func Compute(v Service, siblingsDir string) ([]Patch, error) {
	src := source{dir: siblingsDir}
	if siblingsDir != "" {
		for _, repo := range []string{"wazo-service", "wazo-backup", "wazo-acceptance", "wazo-platform.org"} {
			if st, err := os.Stat(filepath.Join(siblingsDir, repo)); err != nil || !st.IsDir() {
				return nil, fmt.Errorf("--siblings %s: no %s/ checkout there (want wazo-service/, wazo-backup/, wazo-acceptance/, wazo-platform.org/)", siblingsDir, repo)
			}
		}
	}
	plan := []struct {
		repo  string
		edits []edit
	}{
		{"wazo-service", wazoServiceEdits(v)},
		{"wazo-backup", wazoBackupEdits(v)},
		{"wazo-acceptance", wazoAcceptanceEdits(v)},
		{"wazo-platform.org", wazoPlatformOrgEdits(v, src)},
		{"wazo-platform", wazoPlatformEdits(v)},
		{"xivo-build-tools", xivoBuildToolsEdits(v)},
		{"wazo-auth-keys", wazoAuthKeysEdits(v)},
		{"wazo-sdk", wazoSDKEdits(v)},
		{"wazo-ansible", wazoAnsibleEdits(v)},
	}
	var out []Patch
	for _, r := range plan {
		if len(r.edits) == 0 {
			continue // nothing this service needs there (no API called, no --installer)
		}
		sp := Patch{Repo: r.repo, File: r.repo + ".diff"}
		var diff strings.Builder
		for _, e := range r.edits {
			text, note, err := applyEdit(src, r.repo, e)
			switch {
			case err != nil:
				sp.Refused = append(sp.Refused, fmt.Sprintf("%s: not patched: %v", where(siblingsDir, r.repo)+"/"+e.rel, err))
			case text != "":
				diff.WriteString(text)
			}
			if note != "" {
				sp.Notes = append(sp.Notes, note)
			}
		}
		sp.Text = diff.String()
		out = append(out, sp)
	}
	return out, nil
}

// applyEdit returns the diff of one edit, or why there is none.
func applyEdit(src source, repo string, e edit) (diff, note string, err error) {
	old, err := src.read(repo, e.rel)
	switch {
	case errors.Is(err, errNotThere) && e.create != nil:
		text, err := e.create()
		if err != nil {
			return "", "", err
		}
		if e.verify != nil {
			if err := e.verify("", text); err != nil {
				return "", "", fmt.Errorf("the page written does not check: %v", err)
			}
		}
		return udiff.File(e.rel, nil, []byte(text), true), "creates " + e.rel, nil
	case errors.Is(err, errNotThere) && e.absent != "":
		return "", e.absent, nil
	case errors.Is(err, errNotThere):
		return "", "", fmt.Errorf("the file is not there")
	case err != nil:
		return "", "", err
	case e.change == nil:
		return "", e.rel + " exists already: left as is", nil
	}
	text, crlf, err := toLF(string(old))
	if err != nil {
		return "", "", err
	}
	changed, note, err := e.change(text)
	if err != nil || changed == "" || changed == text {
		return "", note, err
	}
	if err := e.verify(text, changed); err != nil {
		return "", "", fmt.Errorf("the edit does not check (nothing written): %v", err)
	}
	if crlf {
		changed = strings.ReplaceAll(changed, "\n", "\r\n")
	}
	return udiff.File(e.rel, old, []byte(changed), false), note, nil
}

// toLF returns text with LF line endings, and whether it had CRLF ones
// (the edit gives them back). Mixed endings are a shape the edits refuse.
func toLF(text string) (string, bool, error) {
	crlf := strings.Count(text, "\r\n")
	if crlf == 0 {
		return text, false, nil
	}
	if crlf != strings.Count(text, "\n") {
		return "", false, notShaped("one kind of line ending", "%d CRLF and %d LF line endings", crlf, strings.Count(text, "\n")-crlf)
	}
	return strings.ReplaceAll(text, "\r\n", "\n"), true, nil
}

func where(dir, repo string) string {
	if dir == "" {
		return "baseline " + repo
	}
	return filepath.Join(dir, repo)
}

// Readme explains the patches and the port registry entry.
func Readme(v Service, patches []Patch) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Patches for the other Wazo repositories\n\n")
	fmt.Fprintf(&b, "Written by `wazo-servicekit new` for %s. Apply each in a checkout of its\nrepository with `git apply <file>` (check first with `git apply --check`).\n\n", v.Name)
	names := make([]string, 0, len(patches))
	byName := map[string]Patch{}
	for _, p := range patches {
		names = append(names, p.Repo)
		byName[p.Repo] = p
	}
	sort.Strings(names)
	for _, n := range names {
		p := byName[n]
		if p.Text == "" {
			fmt.Fprintf(&b, "## %s (nothing to change)\n\n", n)
		} else {
			fmt.Fprintf(&b, "## %s: `%s`\n\n", n, p.File)
		}
		for _, note := range p.Notes {
			fmt.Fprintf(&b, "- %s\n", note)
		}
		for _, r := range p.Refused {
			fmt.Fprintf(&b, "- **%s** (edit it by hand)\n", r)
		}
		if n == "wazo-platform.org" {
			b.WriteString("- website/uc-doc is the one source of the UC pages (the production build copies it into content/); " +
				"the contribute/ pages of both trees list no service, so they need nothing\n")
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "## wazo-servicekit: the port registry\n\nAdd to `internal/ports/registry.yml`:\n\n    - %s\n", RegistryEntry(v))
	return b.String()
}

// WriteBaselines writes the baselines of the sibling repositories
// under dir (wazo-service/, wazo-backup/, wazo-acceptance/,
// wazo-platform.org/, wazo-platform/), as plain directories: what the
// patches written without --siblings apply to, for tests and demonstrations.
func WriteBaselines(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return fs.WalkDir(siblingBaselines, baselinesRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || p == baselinesRoot+"/README.md" {
			return err
		}
		data, err := siblingBaselines.ReadFile(p)
		if err != nil {
			return err
		}
		return safefile.WriteIn(dir, filepath.FromSlash(strings.TrimPrefix(p, baselinesRoot+"/")), data, 0o644)
	})
}
