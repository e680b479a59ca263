// Package scaffold writes a new Wazo service repository (`wazo-servicekit
// new`): a daemon on the kit that already passes the "New service
// guidelines" checklist, and the patches the other Wazo repositories need
// for it. Packaging, shipped config, main and config layers are derived
// mechanically from wazo-doctord's own files (derive.go), so the flagship
// daemon and every generated service stay the same; the rest comes from
// templates/.
package scaffold

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"go/format"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"
	"unicode"

	"gopkg.in/yaml.v3"

	"github.com/wazo-platform/wazo-servicekit/internal/ports"
	"github.com/wazo-platform/wazo-servicekit/internal/siblings"
	"github.com/wazo-platform/wazo-servicekit/safefile"
)

//go:embed all:templates
var templates embed.FS

// Options are the answers to `wazo-servicekit new`.
type Options struct {
	Name        string // wazo-<name>: the repository, package, binary and user
	Dir         string // the parent directory; the repository is Dir/Name ("" = current directory)
	Port        int    // 0: the next free port of the registry
	APIVersion  string // "" = 1.0
	HAGroup     string // "default" (runs on HA secondaries) or "wazo" (stopped there); "" = default
	Description string // one line; "" = "Wazo <short> service"
	// ACLs are what the service calls on other Wazo APIs with its own
	// identity (e.g. confd.users.read). Any gives it a service key:
	// etc/wazo-auth-keys/conf.d/<name>.yml and auth.key_file. None: no key.
	ACLs []string
	// Installer: wazo-ansible must install the package itself (it is not
	// pulled in by the wazo-platform meta-package alone).
	Installer bool
	// SiblingsDir holds checkouts wazo-service/, wazo-backup/,
	// wazo-acceptance/, wazo-platform.org/ (and optionally wazo-platform/);
	// "" = the built-in baselines of those repositories.
	SiblingsDir string
	// KitDir is a wazo-servicekit checkout whose port registry gets a patch
	// (sibling-patches/wazo-servicekit.diff); "" = none. Nothing of it goes
	// into the generated files: their Makefile finds the kit when it builds
	// (a checkout beside the repository, KIT=DIR, or the installed -dev
	// package; the kit's scripts/service.mk).
	KitDir string
	// Dist is the Debian distribution the service targets: trixie (Debian
	// 13, the latest stable) or bookworm (Debian 12, what Wazo installs on
	// today); "" = trixie.
	Dist string
	// Registry is the port registry; nil = the kit's (ports.Load).
	Registry *ports.Registry

	// existing is set by Update: the service and its port may already be
	// in the registry (they are its own).
	existing bool
	// recorded is set by Update: the answers of .servicekit.yml, which a
	// re-rendering keeps as they were (why the port was chosen, where the
	// sibling patches came from) unless a flag asks otherwise.
	recorded *Manifest
}

// Dists are the Debian distributions a service may target, and the Zuul
// job template that packages it in Wazo's CI. Wazo's Zuul has
// debian-packaging-bookworm (every Wazo repository uses it) and no trixie
// one yet: a trixie service is gated by the bookworm build, which its code
// also passes (go 1.23), until the template exists and this table names it.
var Dists = map[string]string{
	"trixie":   "debian-packaging-bookworm",
	"bookworm": "debian-packaging-bookworm",
}

// Project is a rendered repository, not yet written.
type Project struct {
	Root       string            // where Write puts it
	Port       int               // the port chosen
	PortReason string            // why that port
	Files      map[string][]byte // by slash path relative to Root
	Mode       map[string]fs.FileMode
	Patches    []string // sibling patch files among Files

	v *values // the answers the project was rendered from (for WPEPDraft)
	// NotPatched names each sibling file left out of the patches: which,
	// what its edit expected and what it found.
	NotPatched []string
}

// values are what the templates and rewrites substitute.
type values struct {
	Name, Short, Pkg, Module string
	Port                     int
	APIVersion, HAGroup      string
	Description              string
	ACLs                     []string // ACLs the service calls other APIs with (its wazo-auth-keys entry)
	Installer                bool     // wazo-ansible installs the package (--installer)
	KitVersion               string
	Dist, ZuulTemplate       string // the target distribution and its Zuul job template
	Requires                 []string
	rotateCount              int    // from the derived logrotate file, for log_files.md
	rotateFrequency          string // Daily, Weekly, ...
}

var (
	nameRe       = regexp.MustCompile(`^wazo-[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
	apiVersionRe = regexp.MustCompile(`^[0-9]+\.[0-9]+$`)
)

// reservedPkg are package names the generated main.go and app.go already
// import: a service package with one of them would not compile, so it gets
// a "svc" suffix (and Go keywords too).
var reservedPkg = map[string]bool{
	"apispec": true, "auth": true, "bus": true, "config": true, "consul": true, "daemon": true,
	"logging": true, "rest": true, "status": true, "http": true, "os": true, "embed": true,
	"main": true, "yaml": true, "slog": true, "json": true, "fmt": true, "sync": true, "rand": true,
	"sort": true, "strings": true, "net": true, "io": true, "testing": true, "url": true, "strconv": true,
	"break": true, "case": true, "chan": true, "const": true, "continue": true, "default": true,
	"defer": true, "else": true, "fallthrough": true, "for": true, "func": true, "go": true,
	"goto": true, "if": true, "import": true, "interface": true, "map": true, "package": true,
	"range": true, "return": true, "select": true, "struct": true, "switch": true, "type": true, "var": true,
}

// ValidateName checks a service name: wazo-<name>, lowercase letters,
// digits and single dashes, at most 32 characters (the system user's name
// limit).
func ValidateName(name string) error {
	if !nameRe.MatchString(name) {
		return fmt.Errorf("service name %q: want wazo-<name> in lowercase letters, digits and dashes, starting with a letter (e.g. wazo-exampled)", name)
	}
	if len(name) > 32 {
		return fmt.Errorf("service name %q: %d characters, at most 32 (it is also the system user's name)", name, len(name))
	}
	return nil
}

// ErrInternal marks a failure of the generator itself, not of what it was
// asked: the command reports it as an internal error.
var ErrInternal = errors.New("internal error of the generator (please report it)")

// choosePort returns the port to use and why, or why the asked one is refused.
func choosePort(reg *ports.Registry, asked int, name string) (int, string, error) {
	if asked == 0 {
		p, why := reg.Next()
		return p, why, nil
	}
	switch {
	case asked < 1 || asked > 65535:
		return 0, "", fmt.Errorf("port %d: not a TCP port (1-65535)", asked)
	case reg.IsCommonTestPort(asked):
		return 0, "", fmt.Errorf("port %d is a common test port (the checklist: \"ports not usually used for testing HTTP\"); leave --port out to get the next free one", asked)
	case len(reg.Owners(asked)) > 0:
		o := reg.Owners(asked)[0]
		return 0, "", fmt.Errorf("port %d is taken by %s in the port registry (%s); leave --port out to get the next free one", asked, o.Daemon, o.Source)
	case !reg.InBlock(asked):
		return 0, "", fmt.Errorf("port %d is outside Wazo's HTTP API block %d-%d (the checklist: ports from 9486 upward)", asked, reg.BlockStart, reg.BlockEnd)
	}
	return asked, fmt.Sprintf("asked with --port; free in the registry and in the block %d-%d", reg.BlockStart, reg.BlockEnd), nil
}

// resolve validates the options and computes every value.
func resolve(opts Options) (*values, int, string, error) {
	if err := ValidateName(opts.Name); err != nil {
		return nil, 0, "", err
	}
	reg := opts.Registry
	if reg == nil {
		var err error
		if reg, err = ports.Load(); err != nil {
			return nil, 0, "", err
		}
	}
	if ps := reg.PortsOf(opts.Name); len(ps) > 0 && !opts.existing {
		return nil, 0, "", fmt.Errorf("%s already exists: the port registry gives it port %d", opts.Name, ps[0])
	}
	if strings.Contains(opts.Name, "doctor") {
		return nil, 0, "", fmt.Errorf("service name %q: names with \"doctor\" are taken by wazo-doctord, the service new starts from; choose another name", opts.Name)
	}
	port, why, err := choosePort(reg, opts.Port, opts.Name)
	if err != nil && opts.existing && opts.Port != 0 {
		owners := reg.Owners(opts.Port)
		if len(owners) > 0 && owners[0].Daemon == opts.Name {
			port, why, err = opts.Port, "recorded in .servicekit.yml (registered for this service)", nil
		}
	}
	if err != nil {
		return nil, 0, "", err
	}
	ver := opts.APIVersion
	if ver == "" {
		ver = "1.0"
	}
	if !apiVersionRe.MatchString(ver) {
		return nil, 0, "", fmt.Errorf("API version %q: want <major>.<minor>, e.g. 1.0", ver)
	}
	group := opts.HAGroup
	if group == "" {
		group = "default"
	}
	if group != "default" && group != "wazo" {
		return nil, 0, "", fmt.Errorf("HA group %q: want default (keeps running on HA secondaries) or wazo (stopped there)", group)
	}
	short := strings.TrimPrefix(opts.Name, "wazo-")
	desc := strings.TrimSpace(opts.Description)
	if desc == "" {
		desc = "Wazo " + short + " service"
	}
	desc = strings.TrimSuffix(desc, ".")
	if len(desc) > 72 {
		return nil, 0, "", fmt.Errorf("description: %d characters, at most 72 (it is the Debian package synopsis)", len(desc))
	}
	for _, r := range desc {
		if !unicode.IsPrint(r) {
			return nil, 0, "", fmt.Errorf("description %q: only printable characters, on one line", desc)
		}
		// The description goes as is into Markdown (README.md, wpep) and
		// the sibling patch's Docusaurus pages, which are MDX: <...> is
		// JSX and {...} a JavaScript expression there, [..](..) a link.
		if strings.ContainsRune(descriptionMarkup, r) {
			return nil, 0, "", fmt.Errorf("description %q: %q is markup in the README and in the MDX documentation pages it is written to; say it in words (no %s)", desc, r, descriptionMarkup)
		}
	}
	acls, err := checkACLs(opts.ACLs, short)
	if err != nil {
		return nil, 0, "", err
	}
	pkg := strings.ReplaceAll(short, "-", "")
	if reservedPkg[pkg] {
		pkg += "svc"
	}
	reqs, _, err := kitRequires()
	if err != nil {
		return nil, 0, "", err
	}
	var requires []string
	for _, r := range reqs {
		if strings.HasPrefix(r, "gopkg.in/yaml.v3 ") {
			requires = append(requires, r) // imported by the generated code
		} else {
			requires = append(requires, r+" // indirect")
		}
	}
	dist := opts.Dist
	if dist == "" {
		dist = "trixie"
	}
	zuul, ok := Dists[dist]
	if !ok {
		return nil, 0, "", fmt.Errorf("distribution %q: want trixie (Debian 13) or bookworm (Debian 12)", dist)
	}
	v := &values{
		Name: opts.Name, Short: short, Pkg: pkg, Module: "github.com/wazo-platform/" + opts.Name,
		Port: port, APIVersion: ver, HAGroup: group, Description: desc, ACLs: acls, Installer: opts.Installer,
		KitVersion: kitVersion(), Dist: dist, ZuulTemplate: zuul, Requires: requires,
	}
	return v, port, why, nil
}

// Plan renders the repository in memory: every check of Generate but the
// one on the target directory, and nothing written.
func Plan(opts Options) (*Project, error) {
	v, port, why, err := resolve(opts)
	if err != nil {
		return nil, err
	}
	dir := opts.Dir
	if dir == "" {
		dir = "."
	}
	p := &Project{Root: filepath.Join(dir, opts.Name), Port: port, PortReason: why,
		Files: map[string][]byte{}, Mode: map[string]fs.FileMode{}, v: v}
	derived, err := deriveAll(v)
	if err != nil {
		return nil, err
	}
	for f, data := range derived {
		p.Files[f] = data
	}
	if err := renderTemplates(v, p); err != nil {
		return nil, err
	}
	addServiceKey(v, p)
	for f, data := range p.Files {
		if strings.HasSuffix(f, ".go") {
			formatted, err := format.Source(data)
			if err != nil {
				return nil, fmt.Errorf("scaffold: generated %s does not parse: %v", f, err)
			}
			p.Files[f] = formatted
		}
	}
	_, sum, _ := kitRequires()
	p.Files["go.sum"] = sum
	if p.Files["go.mod"], err = tidyGoMod(p.Files["go.mod"]); err != nil {
		return nil, err
	}
	for _, f := range []string{"debian/rules", ".ci/run", "debian/" + v.Name + ".postinst", "debian/" + v.Name + ".postrm"} {
		if _, ok := p.Files[f]; ok {
			p.Mode[f] = 0o755
		}
	}
	if err := readRotation(v, p.Files["debian/"+v.Name+".logrotate"]); err != nil {
		return nil, err
	}
	if err := addSiblingPatches(p, v, opts); err != nil {
		return nil, err
	}
	sort.Strings(p.Patches)
	manifest, err := servicekitYAML(v, p, opts)
	if err != nil {
		return nil, err
	}
	p.Files[".servicekit.yml"] = manifest
	return p, nil
}

// descriptionMarkup are the characters a description may not hold:
// markup in Markdown, MDX (JSX and expressions) or a man page.
const descriptionMarkup = "<>{}[]`\\|"

// maxRegistryFile bounds the kit's port registry (a few kilobytes).
const maxRegistryFile = 1 << 20

// addSiblingPatches puts under sibling-patches/ the patch of each sibling
// repository, the kit's port registry patch when a --kit checkout is
// given, and the README that explains them.
func addSiblingPatches(p *Project, v *values, opts Options) error {
	svc := v.sibling()
	patches, err := siblings.Compute(svc, opts.SiblingsDir)
	if err != nil {
		return err
	}
	if opts.KitDir != "" {
		// Bounded, a regular file, no link below the kit directory.
		reg, err := safefile.ReadIn(opts.KitDir, "internal/ports/registry.yml", maxRegistryFile)
		if err != nil {
			return fmt.Errorf("--kit %s: %v", opts.KitDir, err)
		}
		patches = append(patches, siblings.RegistryPatch(svc, reg))
	}
	for _, sp := range patches {
		if sp.Text == "" && sp.Repo == "wazo-servicekit" {
			continue // the registry has the service already: no empty patch
		}
		f := "sibling-patches/" + sp.File
		p.Files[f] = []byte(sp.Text)
		p.Patches = append(p.Patches, f)
		p.NotPatched = append(p.NotPatched, sp.Refused...)
	}
	p.Files["sibling-patches/README.md"] = []byte(siblings.Readme(svc, patches))
	return nil
}

// sibling is the service as the sibling patches see it.
func (v *values) sibling() siblings.Service {
	return siblings.Service{Name: v.Name, Short: v.Short, Module: v.Module, Port: v.Port,
		APIVersion: v.APIVersion, HAGroup: v.HAGroup, Description: v.Description, ACLs: v.ACLs,
		Installer: v.Installer, RotateCount: v.rotateCount, RotateFrequency: v.rotateFrequency,
		KitSourcePackage: kitSourcePackage()}
}

// Generate writes the repository Dir/Name for opts. It never overwrites: an
// existing Dir/Name is an error. The files are written to a temporary
// directory next to it and renamed into place, so a failure leaves nothing.
func Generate(opts Options) error {
	p, err := Plan(opts)
	if err != nil {
		return err
	}
	return p.Write()
}

// Write puts the project on disk at p.Root, which must not exist.
func (p *Project) Write() error {
	if _, err := os.Lstat(p.Root); err == nil {
		return fmt.Errorf("%s already exists: wazo-servicekit new never overwrites; choose another --dir or remove it", p.Root)
	} else if !os.IsNotExist(err) {
		return err
	}
	parent := filepath.Dir(p.Root)
	if st, err := os.Stat(parent); err != nil || !st.IsDir() {
		return fmt.Errorf("%s: no such directory; create it first or choose another --dir", parent)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(p.Root)+".new-")
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(tmp)
		}
	}()
	for _, f := range p.names() {
		if err := p.writeFile(tmp, f, p.Files[f]); err != nil {
			return err
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if err := os.Rename(tmp, p.Root); err != nil {
		return fmt.Errorf("moving the new repository into place: %v", err)
	}
	ok = true
	return nil
}

// names lists the project's files in order.
func (p *Project) names() []string {
	names := make([]string, 0, len(p.Files))
	for f := range p.Files {
		names = append(names, f)
	}
	sort.Strings(names)
	return names
}

// writeFile writes data as file f of the project under dir, with f's mode
// (0644 unless p.Mode says otherwise), whatever the umask. A checkout is
// outside input: a symbolic link on the way is refused, never followed.
func (p *Project) writeFile(dir, f string, data []byte) error {
	mode := p.Mode[f]
	if mode == 0 {
		mode = 0o644
	}
	return safefile.WriteIn(dir, filepath.FromSlash(f), data, mode)
}

// renderTemplates renders templates/ into p: "__PKG__" in a path is the
// service's Go package, ".tmpl" is dropped, gitignore becomes .gitignore.
func renderTemplates(v *values, p *Project) error {
	return fs.WalkDir(templates, "templates", func(f string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := templates.ReadFile(f)
		if err != nil {
			return err
		}
		t, err := template.New(f).Option("missingkey=error").Parse(string(data))
		if err != nil {
			return fmt.Errorf("scaffold template %s: %v", f, err)
		}
		var buf bytes.Buffer
		if err := t.Execute(&buf, v); err != nil {
			return fmt.Errorf("scaffold template %s: %v", f, err)
		}
		out := strings.TrimSuffix(strings.TrimPrefix(f, "templates/"), ".tmpl")
		out = strings.ReplaceAll(out, "__PKG__", v.Pkg)
		if path.Base(out) == "gitignore" {
			out = path.Join(path.Dir(out), ".gitignore")
		}
		if !bytes.HasSuffix(buf.Bytes(), []byte("\n")) {
			buf.WriteByte('\n')
		}
		p.Files[out] = buf.Bytes()
		return nil
	})
}

// Manifest is .servicekit.yml: the answers and the kit version, so that a
// later `wazo-servicekit update` can re-render the same project with a newer
// kit and three-way-merge it into local edits (Update; the old rendering is
// found in the repository's git history by the sha256 recorded in Files).
type Manifest struct {
	ServicekitVersion string            `yaml:"servicekit_version"`
	Name              string            `yaml:"name"`
	Short             string            `yaml:"short"`
	GoPackage         string            `yaml:"go_package"`
	Port              int               `yaml:"port"`
	PortReason        string            `yaml:"port_reason"`
	APIVersion        string            `yaml:"api_version"`
	HAGroup           string            `yaml:"ha_group"`
	Description       string            `yaml:"description"`
	ACLs              []string          `yaml:"acl,omitempty"`
	Installer         bool              `yaml:"installer,omitempty"`
	Siblings          string            `yaml:"siblings"`
	Dist              string            `yaml:"dist,omitempty"` // trixie or bookworm ("" = trixie)
	RegistryEntry     string            `yaml:"registry_entry"`
	Files             map[string]string `yaml:"files"` // sha256 of each generated file: the base of a three-way merge
}

// What .servicekit.yml's siblings says the patches were computed against:
// the built-in baselines, which `update` recomputes them against, or
// checkouts (--siblings), which only `update --siblings DIR` recomputes
// them against (no path is recorded: it would be one of this machine).
const (
	SiblingsBaselines = "built-in baselines"
	SiblingsCheckouts = "checkouts (--siblings)"
)

// recordedCheckouts: the recorded sibling patches were computed against
// checkouts (also in the older "checkouts under DIR" form).
func recordedCheckouts(m *Manifest) bool { return strings.HasPrefix(m.Siblings, "checkouts") }

func servicekitYAML(v *values, p *Project, opts Options) ([]byte, error) {
	m := Manifest{
		ServicekitVersion: v.KitVersion, Name: v.Name, Short: v.Short, GoPackage: v.Pkg,
		Port: v.Port, PortReason: p.PortReason, APIVersion: v.APIVersion, HAGroup: v.HAGroup,
		Description: v.Description, ACLs: v.ACLs, Installer: v.Installer, Siblings: SiblingsBaselines,
		Dist:          v.Dist,
		RegistryEntry: siblings.RegistryEntry(v.sibling()), Files: map[string]string{},
	}
	if opts.SiblingsDir != "" {
		m.Siblings = SiblingsCheckouts
	}
	if r := opts.recorded; r != nil {
		if r.PortReason != "" && r.Port == m.Port {
			m.PortReason = r.PortReason
		}
		if opts.SiblingsDir == "" && recordedCheckouts(r) {
			m.Siblings = SiblingsCheckouts
		}
	}
	for f, data := range p.Files {
		m.Files[f] = sha256Hex(data)
	}
	data, err := yaml.Marshal(m)
	if err != nil {
		return nil, err
	}
	head := "# Written by `wazo-servicekit new`: the answers and the kit version this\n" +
		"# repository was generated with (files: sha256 of each file as generated).\n"
	return append([]byte(head), data...), nil
}

var (
	rotateRe = regexp.MustCompile(`(?m)^\s*rotate\s+([0-9]+)\s*$`)
	periodRe = regexp.MustCompile(`(?m)^\s*(hourly|daily|weekly|monthly|yearly)\s*$`)
)

// readRotation takes log_files.md's "Number of archived files" and
// "Rotation frequence" from the logrotate file the package ships.
func readRotation(v *values, logrotate []byte) error {
	n := rotateRe.FindSubmatch(logrotate)
	f := periodRe.FindSubmatch(logrotate)
	if n == nil || f == nil {
		return fmt.Errorf("scaffold: the derived debian/%s.logrotate has no rotate N or period line", v.Name)
	}
	v.rotateCount, _ = strconv.Atoi(string(n[1]))
	v.rotateFrequency = strings.ToUpper(string(f[1][:1])) + string(f[1][1:])
	return nil
}
