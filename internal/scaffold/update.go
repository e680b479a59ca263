package scaffold

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/wazo-platform/wazo-servicekit/config"
	"github.com/wazo-platform/wazo-servicekit/internal/ports"
	"github.com/wazo-platform/wazo-servicekit/internal/scaffold/merge3"
	"github.com/wazo-platform/wazo-servicekit/internal/scaffold/udiff"
	"github.com/wazo-platform/wazo-servicekit/safefile"
)

// UpdateOptions say which generated repository to update.
type UpdateOptions struct {
	Root        string // the repository (holds .servicekit.yml)
	KitDir      string // as for Options.KitDir: recompute the kit's registry patch against it
	SiblingsDir string // as for Options.SiblingsDir
	DryRun      bool   // report only
	// Check reports only, like DryRun; Behind then tells whether the
	// repository lags behind this kit (for CI).
	Check    bool
	Registry *ports.Registry
}

// Behind reports whether update would change any file: the repository is
// behind this kit.
func Behind(actions []UpdateAction) bool {
	for _, a := range actions {
		switch a.Action {
		case Added, Updated, Merged, Conflict:
			return true
		}
	}
	return false
}

// Update actions, one per file.
const (
	Added          = "added"           // new in this kit version, written
	Updated        = "updated"         // unchanged since generated: replaced by the new rendering
	Unchanged      = "unchanged"       // the new rendering is what the file holds
	KeptLocal      = "kept-local"      // edited here, and the kit renders it as before: kept
	Merged         = "merged"          // edited here and changed by the kit in other lines: both kept
	Conflict       = "conflict"        // edited here and changed by the kit in the same lines: see UpdateAction
	DeletedLocally = "deleted-locally" // removed here: stays removed
	NoLongerMade   = "no-longer-made"  // the kit no longer renders it: left in place
)

// ConflictSuffix is added to the new rendering of a conflicting file that
// could not be merged in place (see UpdateAction.Reason).
const ConflictSuffix = ".servicekit-new"

// UpdateAction is what Update did (or would do) to one file.
type UpdateAction struct {
	File, Action string
	// Conflicts counts the conflicting regions of a Conflict merged in
	// place: the file holds them between conflict markers.
	Conflicts int
	// Reason, on a Conflict, says why the file could not be merged at all
	// (no old rendering to merge from, or uncommitted changes): the file is
	// left as it is and the new rendering is written beside it, as File +
	// ConflictSuffix, to merge by hand.
	Reason string
	// LinesAdded and LinesRemoved measure the change to the file (of its
	// new rendering beside it, for a Conflict with a Reason).
	LinesAdded, LinesRemoved int
	// Note says what changed in .servicekit.yml itself.
	Note string
}

// countLines sets a's line counts for a change from old to new.
func (a *UpdateAction) countLines(old, new []byte) {
	o, n := udiff.SplitLines(string(old)), udiff.SplitLines(string(new))
	kept := 0
	for _, j := range udiff.Matches(o, n) {
		if j >= 0 {
			kept++
		}
	}
	a.LinesAdded, a.LinesRemoved = len(n)-kept, len(o)-kept
}

// Update re-renders a generated repository with this kit, from the answers
// in its .servicekit.yml, and brings in what changed without ever losing a
// local edit. A file that still holds what was generated (its sha256 in
// .servicekit.yml) is replaced. A file edited here that the kit also
// changed is three-way merged, line by line (package merge3): the base is
// the old rendering, which .servicekit.yml only knows by its sha256, so it
// is looked up in the repository's own git history (the generated README
// says to commit right after `new`; renderings merged from earlier are
// kept under RenderingsRef). Changes in different regions merge (Merged);
// overlapping ones are written in place between git-style conflict markers
// (Conflict) — safe because the local text is committed. When the merge
// cannot be done safely — not a git repository, the old rendering in no
// revision, or the file has uncommitted changes — the file is left alone
// and the new rendering goes beside it (Conflict with a Reason).
// .servicekit.yml then records this kit's version and renderings, the
// bases of the next update (a file left alone for uncommitted changes
// keeps its old base, so the next update merges it).
func Update(o UpdateOptions) ([]UpdateAction, error) {
	u, err := startUpdate(o)
	if err != nil {
		return nil, err
	}
	defer u.close()
	todo := u.classify()
	if u.err != nil {
		return nil, u.err
	}
	if err := u.keepRenderings(todo); err != nil {
		return nil, err
	}
	writes, actions, err := u.merge(todo)
	if err != nil {
		return nil, err
	}
	if err := u.write(writes); err != nil {
		return nil, err
	}
	actions = append(actions, u.noLongerMade()...)
	return u.finish(actions)
}

// update is one run of Update: the repository, what it recorded, and the
// new rendering.
type update struct {
	o      UpdateOptions
	root   string
	old    Manifest // .servicekit.yml as found
	new    Manifest // the new rendering's .servicekit.yml
	p      *Project // the new rendering
	labels merge3.Labels
	// kept are files the new rendering leaves as they are, with the reason:
	// sibling patches computed against checkouts are only recomputed
	// against checkouts (--siblings), the kit's registry patch only
	// against a kit checkout (--kit).
	kept map[string]string
	// keepBase: files left alone because of uncommitted changes keep their
	// old base in .servicekit.yml, so that update merges them once
	// committed.
	keepBase map[string]string
	hist     *gitHistory // opened when a file needs a merge
	err      error
}

// startUpdate reads .servicekit.yml and renders the repository anew from
// its answers.
func startUpdate(o UpdateOptions) (*update, error) {
	manifestPath := filepath.Join(o.Root, ".servicekit.yml")
	data, err := safefile.ReadIn(o.Root, ".servicekit.yml", maxRepoFile)
	if err != nil {
		return nil, fmt.Errorf("%v: update works on a repository written by `wazo-servicekit new`", err)
	}
	u := &update{o: o, kept: map[string]string{}, keepBase: map[string]string{}}
	doc, err := config.ParseYAML(manifestPath, data)
	if err == nil {
		err = doc.Decode(&u.old)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %v", manifestPath, err)
	}
	m := &u.old
	if m.Name == "" || m.Port == 0 {
		return nil, fmt.Errorf("%s: name and port are required", manifestPath)
	}
	if u.root, err = filepath.Abs(o.Root); err != nil {
		return nil, err
	}
	if filepath.Base(u.root) != m.Name {
		return nil, fmt.Errorf("%s: the repository directory must be named %s, as .servicekit.yml says", u.root, m.Name)
	}
	if o.Check {
		u.o.DryRun = true
	}
	u.p, err = Plan(Options{
		Name: m.Name, Dir: filepath.Dir(u.root), Port: m.Port, APIVersion: m.APIVersion, HAGroup: m.HAGroup,
		Description: m.Description, ACLs: m.ACLs, Installer: m.Installer, Dist: m.Dist,
		SiblingsDir: o.SiblingsDir, KitDir: o.KitDir,
		Registry: o.Registry, existing: true, recorded: m,
	})
	if err != nil {
		return nil, err
	}
	if err := yaml.Unmarshal(u.p.Files[".servicekit.yml"], &u.new); err != nil {
		return nil, err
	}
	for f := range m.Files {
		switch {
		case !strings.HasPrefix(f, "sibling-patches/"):
		case recordedCheckouts(m) && o.SiblingsDir == "":
			u.kept[f] = "computed against sibling checkouts: update --siblings DIR recomputes it"
		case f == "sibling-patches/wazo-servicekit.diff" && o.KitDir == "":
			u.kept[f] = "computed against a kit checkout: update --kit DIR recomputes it"
			// The README says what each patch does, that one too.
			u.kept["sibling-patches/README.md"] = u.kept[f]
		}
	}
	for f := range u.kept {
		u.keepBase[f] = m.Files[f]
	}
	u.labels = merge3.Labels{
		Local: "local",
		Base:  "generated by wazo-servicekit " + m.ServicekitVersion,
		Other: "wazo-servicekit " + u.new.ServicekitVersion,
	}
	return u, nil
}

// pending is what one file needs, from the working tree alone.
type pending struct {
	f, action string
	cur       []byte
}

// classify compares each file of the new rendering with the working tree
// and with what was generated (its recorded sha256).
func (u *update) classify() []pending {
	var todo []pending
	for _, f := range u.p.names() {
		if f == ".servicekit.yml" {
			continue
		}
		if _, ok := u.kept[f]; ok {
			continue
		}
		newData := u.p.Files[f]
		base, wasGenerated := u.old.Files[f]
		cur, err := safefile.ReadIn(u.root, filepath.FromSlash(f), maxRepoFile)
		var action string
		switch {
		case os.IsNotExist(err) && wasGenerated:
			action = DeletedLocally
		case os.IsNotExist(err):
			action = Added
		case err != nil:
			u.err = err
			return nil
		case bytes.Equal(cur, newData):
			action = Unchanged
		case sha256Hex(cur) == base:
			action = Updated
		case sha256Hex(newData) == base:
			action = KeptLocal
		default:
			action = Conflict
		}
		todo = append(todo, pending{f, action, cur})
	}
	return todo
}

// keepRenderings: a merged file is committed as the merge, never as this
// rendering, yet this rendering is the next update's base: keep it in git,
// before writing anything, so that a failure leaves the repository as it
// was.
func (u *update) keepRenderings(todo []pending) error {
	for _, t := range todo {
		if t.action == Conflict {
			u.hist = openHistory(u.root)
			if u.o.DryRun {
				return nil
			}
			return u.hist.recordRenderings(u.p)
		}
	}
	return nil
}

func (u *update) close() {
	if u.hist != nil {
		u.hist.close()
	}
}

// output is one file to write.
type output struct {
	f    string
	data []byte
}

// merge decides what each file gets, doing every merge (and every git
// read) before the first write.
func (u *update) merge(todo []pending) ([]output, []UpdateAction, error) {
	var writes []output
	var actions []UpdateAction
	for _, t := range todo {
		f, action, cur := t.f, t.action, t.cur
		newData, base := u.p.Files[f], u.old.Files[f]
		a := UpdateAction{File: f, Action: action}
		switch action {
		case Added, Updated:
			a.countLines(cur, newData)
			writes = append(writes, output{f, newData})
		case Conflict:
			merged, err := mergeFile(u.hist, f, base, cur, newData, u.labels, &a)
			if err != nil {
				return nil, nil, err
			}
			if a.Reason == reasonUncommitted {
				u.keepBase[f] = base
			}
			if a.Reason != "" {
				a.countLines(cur, newData)
				writes = append(writes, output{f + ConflictSuffix, newData})
			} else {
				a.countLines(cur, merged)
				writes = append(writes, output{f, merged})
			}
		}
		actions = append(actions, a)
	}
	return writes, actions, nil
}

// write writes the files (not on a dry run). A link planted in the checkout
// where a file goes refuses the whole update before anything is written.
func (u *update) write(writes []output) error {
	for _, w := range append(writes, output{".servicekit.yml", nil}) {
		if err := safefile.CheckWritable(u.root, filepath.FromSlash(w.f)); err != nil {
			return fmt.Errorf("%v: update writes nothing", err)
		}
	}
	if u.o.DryRun {
		return nil
	}
	for _, w := range writes {
		if err := u.p.writeFile(u.root, w.f, w.data); err != nil {
			return err
		}
	}
	return nil
}

// noLongerMade lists the generated files the new rendering does not make
// (left in place), the kept ones aside.
func (u *update) noLongerMade() []UpdateAction {
	var gone []string
	for f := range u.old.Files {
		if _, ok := u.p.Files[f]; !ok {
			if _, kept := u.kept[f]; !kept {
				gone = append(gone, f)
			}
		}
	}
	sort.Strings(gone)
	var out []UpdateAction
	for _, f := range gone {
		out = append(out, UpdateAction{File: f, Action: NoLongerMade})
	}
	return out
}

// finish writes .servicekit.yml: this kit's version and renderings, the
// bases of the next update, but the old base of each file left alone.
func (u *update) finish(actions []UpdateAction) ([]UpdateAction, error) {
	kept := map[string]bool{}
	for f := range u.kept {
		kept[f] = true
	}
	manifest, err := withBases(u.p.Files[".servicekit.yml"], u.keepBase, kept)
	if err != nil {
		return nil, err
	}
	if note := manifestChanges(u.old, u.new, u.keepBase); note != "" {
		actions = append(actions, UpdateAction{File: ".servicekit.yml", Action: Updated, Note: note})
	}
	if u.o.DryRun {
		return actions, nil
	}
	return actions, u.p.writeFile(u.root, ".servicekit.yml", manifest)
}

// manifestChanges says which recorded values of .servicekit.yml a new
// rendering changes (the file hashes aside), "" when none.
func manifestChanges(old, new Manifest, keepBase map[string]string) string {
	var out []string
	add := func(key, a, b string) {
		if a != b {
			out = append(out, fmt.Sprintf("%s %q → %q", key, a, b))
		}
	}
	add("servicekit_version", old.ServicekitVersion, new.ServicekitVersion)
	add("dist", old.Dist, new.Dist)
	add("port_reason", old.PortReason, new.PortReason)
	add("siblings", old.Siblings, new.Siblings)
	add("registry_entry", old.RegistryEntry, new.RegistryEntry)
	changed := 0
	for f, h := range new.Files {
		if b, ok := keepBase[f]; ok {
			h = b
		}
		if old.Files[f] != h {
			changed++
		}
	}
	if changed > 0 {
		out = append(out, fmt.Sprintf("%d file hash(es)", changed))
	}
	return strings.Join(out, "; ")
}

// withBases returns the .servicekit.yml text with the files: hashes of
// some files replaced, its comments and layout kept; those of add that the
// rendering does not make are added (files update keeps as they are).
func withBases(manifest []byte, bases map[string]string, add map[string]bool) ([]byte, error) {
	if len(bases) == 0 {
		return manifest, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(manifest, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf(".servicekit.yml: not a mapping")
	}
	top := doc.Content[0].Content
	for i := 0; i+1 < len(top); i += 2 {
		if top[i].Value != "files" {
			continue
		}
		files := top[i+1]
		seen := map[string]bool{}
		for j := 0; j+1 < len(files.Content); j += 2 {
			if b, ok := bases[files.Content[j].Value]; ok {
				files.Content[j+1].Value = b
				seen[files.Content[j].Value] = true
			}
		}
		var missing []string
		for f := range bases {
			if !seen[f] && add[f] {
				missing = append(missing, f)
			}
		}
		sort.Strings(missing)
		for _, f := range missing {
			files.Content = append(files.Content,
				&yaml.Node{Kind: yaml.ScalarNode, Value: f}, &yaml.Node{Kind: yaml.ScalarNode, Value: bases[f]})
		}
	}
	return yaml.Marshal(&doc)
}

// maxRepoFile bounds each file update reads from the checkout.
const maxRepoFile = 16 << 20

const reasonUncommitted = "uncommitted changes: commit first, then run update again"

// mergeFile three-way merges the kit's new rendering into a file edited
// here, from the old rendering found in git history by its sha256, and
// sets a's Action (Merged or Conflict), Conflicts and Reason. With a
// Reason, nothing may be written to the file itself.
func mergeFile(h *gitHistory, f, baseSum string, cur, newData []byte, l merge3.Labels, a *UpdateAction) ([]byte, error) {
	base, reason, err := h.find(f, baseSum)
	if err != nil {
		return nil, err
	}
	if reason == "" {
		committed, err := h.committed(f, cur)
		if err != nil {
			return nil, err
		}
		if !committed {
			reason = reasonUncommitted
		}
	}
	if reason != "" {
		a.Action, a.Reason = Conflict, reason
		return nil, nil
	}
	r := merge3.Merge(string(base), string(cur), string(newData), l)
	a.Action, a.Conflicts = Merged, r.Conflicts
	if r.Conflicts > 0 {
		a.Action = Conflict
	}
	return []byte(r.Text), nil
}

// gitHistory reads old versions of a repository's files through one
// `git cat-file --batch` process, so that looking through many revisions
// costs one process per update, not one per revision.
type gitHistory struct {
	root   string
	reason string // why there is no history to read, e.g. not a git repository
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *bufio.Reader
}

func openHistory(root string) *gitHistory {
	h := &gitHistory{root: root}
	if _, err := exec.LookPath("git"); err != nil {
		h.reason = "git is not installed, so the old rendering cannot be read from history"
		return h
	}
	if out, err := h.git("rev-parse", "--is-inside-work-tree"); err != nil || strings.TrimSpace(out) != "true" {
		h.reason = "not a git repository, so the old rendering cannot be read from history"
		if err != nil {
			h.reason += " (" + err.Error() + ")"
		}
		return h
	}
	h.cmd = exec.Command("git", "cat-file", "--batch")
	h.cmd.Dir = root
	var err error
	if h.in, err = h.cmd.StdinPipe(); err == nil {
		var out io.ReadCloser
		if out, err = h.cmd.StdoutPipe(); err == nil {
			h.out = bufio.NewReader(out)
			err = h.cmd.Start()
		}
	}
	if err != nil {
		h.reason = fmt.Sprintf("git cat-file: %v", err)
		h.cmd = nil
	}
	return h
}

// git runs a short git command in the repository and returns its output.
func (h *gitHistory) git(args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = h.root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s in %s: %v: %s", strings.Join(args, " "), h.root, err, strings.TrimSpace(stderr.String()))
	}
	return string(out), nil
}

// find returns the newest version of file f (relative to the repository
// root, forward slashes) in any revision whose sha256 is sum, or the
// reason it cannot.
func (h *gitHistory) find(f, sum string) ([]byte, string, error) {
	if h.reason != "" {
		return nil, h.reason, nil
	}
	revs, err := h.git("log", "--format=%H", "--all", "--", f)
	if err != nil {
		return nil, "", err
	}
	seen := map[string]bool{}
	for _, rev := range strings.Fields(revs) {
		id, data, ok, err := h.blob(rev + ":./" + f)
		if err != nil {
			return nil, "", err
		}
		if !ok || seen[id] {
			continue
		}
		seen[id] = true
		if sha256Hex(data) == sum {
			return data, "", nil
		}
	}
	return nil, "old rendering not found in git history (commit right after `new` so that update can merge)", nil
}

// committed says whether data is what HEAD holds for f.
func (h *gitHistory) committed(f string, data []byte) (bool, error) {
	_, head, ok, err := h.blob("HEAD:./" + f)
	return ok && bytes.Equal(head, data), err
}

// blob asks cat-file for one object by name; ok is false when there is no
// such blob (missing revision or path, or not a blob).
func (h *gitHistory) blob(name string) (id string, data []byte, ok bool, err error) {
	if _, err := io.WriteString(h.in, name+"\n"); err != nil {
		return "", nil, false, fmt.Errorf("git cat-file in %s: %v", h.root, err)
	}
	header, err := h.out.ReadString('\n')
	if err != nil {
		return "", nil, false, fmt.Errorf("git cat-file in %s: %v", h.root, err)
	}
	fields := strings.Fields(header)
	if len(fields) != 3 {
		return "", nil, false, nil // "<name> missing" or "ambiguous"
	}
	size, err := strconv.Atoi(fields[2])
	if err != nil {
		return "", nil, false, fmt.Errorf("git cat-file in %s: bad header %q", h.root, header)
	}
	data = make([]byte, size+1) // the object, then a newline
	if _, err := io.ReadFull(h.out, data); err != nil {
		return "", nil, false, fmt.Errorf("git cat-file in %s: %v", h.root, err)
	}
	return fields[0], data[:size], fields[1] == "blob", nil
}

func (h *gitHistory) close() {
	if h.cmd == nil {
		return
	}
	// cat-file ends when its input closes; an error this late changes
	// nothing that was read.
	h.in.Close()
	_ = h.cmd.Wait()
}

// RenderingsRef is the git ref where Update keeps each kit rendering it
// merged from: a commit (outside every branch, so never checked out or
// pushed unless asked) whose tree is the whole rendering, its parent the
// previous one. A merged file is committed as the merge, so without it the
// rendering — the base of the next update — would be in no revision.
const RenderingsRef = "refs/servicekit/rendered"

// recordRenderings commits p's files under RenderingsRef with one
// `git fast-import`. Nothing to do outside a git repository.
func (h *gitHistory) recordRenderings(p *Project) error {
	if h.reason != "" {
		return nil
	}
	prefix, err := h.git("rev-parse", "--show-prefix")
	if err != nil {
		return err
	}
	prefix = strings.TrimSpace(prefix)
	var stream bytes.Buffer
	msg := "wazo-servicekit update: the kit's rendering, base of the next update\n"
	fmt.Fprintf(&stream, "commit %s\ncommitter wazo-servicekit <wazo-servicekit@localhost> %d +0000\ndata %d\n%s",
		RenderingsRef, time.Now().Unix(), len(msg), msg)
	if parent, err := h.git("rev-parse", "--verify", "-q", RenderingsRef+"^{commit}"); err == nil {
		fmt.Fprintf(&stream, "from %s\n", strings.TrimSpace(parent))
	}
	stream.WriteString("deleteall\n")
	files := make([]string, 0, len(p.Files))
	for f := range p.Files {
		files = append(files, f)
	}
	sort.Strings(files)
	for _, f := range files {
		path := prefix + f
		if strings.ContainsAny(path, "\n\"") {
			return fmt.Errorf("%s: file name not supported in git fast-import", f)
		}
		mode := "100644"
		if p.Mode[f]&0o111 != 0 {
			mode = "100755"
		}
		fmt.Fprintf(&stream, "M %s inline %s\ndata %d\n", mode, path, len(p.Files[f]))
		stream.Write(p.Files[f])
		stream.WriteString("\n")
	}
	cmd := exec.Command("git", "fast-import", "--quiet")
	cmd.Dir = h.root
	cmd.Stdin = &stream
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("git fast-import in %s (keeping the rendering as %s): %v\n%s", h.root, RenderingsRef, err, out)
	}
	return nil
}
