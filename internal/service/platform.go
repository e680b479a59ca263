package service

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/wazo-platform/wazo-servicekit/internal/lazyre"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/parse"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
	"github.com/wazo-platform/wazo-servicekit/safefile"
)

// Platform is the sibling checkouts given with a service (wazo-service,
// wazo-backup, wazo-platform.org, wazo-acceptance, ...), read on demand and
// kept in memory, so every rule and every service of one run share one
// read of each file. Reads stay inside the checkouts and follow no link.
//
// check runs the repositories of a fleet side by side on one Platform:
// whatever it keeps is built under mu or a sync.Once, and what it hands
// out is only read.
type Platform struct {
	Dir string // "" when no sibling checkouts were given

	mu      sync.Mutex
	files   map[string]SiblingFile
	decoded map[string]*decodedFile
	nginx   *nginxTree // wazo-nginx's etc/nginx locations, read once

	// The services of a fleet are checked side by side: each index is
	// built once, the others waiting for it.
	docsOnce, installsOnce sync.Once
	docs                   *docIndex
	installs               []installLine // wazo-platform.org lines that install packages
}

// maxSibling bounds one sibling file read.
const maxSibling = 4 << 20

// NewPlatform returns the platform of the sibling checkouts under dir (""
// for none).
func NewPlatform(dir string) *Platform {
	return &Platform{Dir: dir, files: map[string]SiblingFile{}}
}

// SiblingFile is one file of a sibling checkout: its data, or why it could
// not be read. Absent is true when the checkout is there and the file is
// not: the platform, as given, lacks it.
type SiblingFile struct {
	Repo, Path string
	Data       []byte
	Absent     bool
	Why        string // when Data is nil: what is missing and how to provide it
}

// OK reports whether the file was read.
func (f SiblingFile) OK() bool { return f.Why == "" }

// Name is "repo/path", as messages cite it.
func (f SiblingFile) Name() string { return f.Repo + "/" + f.Path }

// HasCheckout reports whether the sibling checkout repoName is there.
func (p *Platform) HasCheckout(repoName string) bool {
	if p == nil || p.Dir == "" {
		return false
	}
	st, err := os.Lstat(filepath.Join(p.Dir, repoName))
	return err == nil && st.IsDir()
}

// Missing says why a sibling checkout cannot be read ("" when it can).
func (p *Platform) Missing(repoName string) string {
	switch {
	case p == nil || p.Dir == "":
		return "lives in " + repoName + "; run with --siblings DIR holding a " + repoName + "/ checkout"
	case !p.HasCheckout(repoName):
		return "no " + repoName + "/ checkout in " + p.Dir
	}
	return ""
}

// File reads a file of a sibling checkout once.
func (p *Platform) File(repoName, rel string) SiblingFile {
	f := SiblingFile{Repo: repoName, Path: rel}
	if why := p.Missing(repoName); why != "" {
		f.Why = why
		return f
	}
	key := repoName + "/" + rel
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.files[key]; ok {
		return c
	}
	data, err := safefile.ReadIn(filepath.Join(p.Dir, repoName), filepath.FromSlash(rel), maxSibling)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		f.Absent, f.Why = true, fmt.Sprintf("%s has no %s (looked in %s)", repoName, rel, filepath.Join(p.Dir, repoName))
	case err != nil:
		f.Why = repoName + ": cannot read " + rel + ": " + err.Error()
	default:
		f.Data = data
	}
	p.files[key] = f
	return f
}

// decodedFile is what one sibling file decodes to, decoded once.
type decodedFile struct {
	once  sync.Once
	value any
	err   error
}

// decodeOnce decodes a sibling file that was read with decode, once per
// run and kind of decoding, so every service of a fleet shares one parse.
// The value is shared: callers only read it.
func decodeOnce[T any](p *Platform, kind string, sf SiblingFile, decode func(name string, data []byte) (T, error)) (T, error) {
	key := kind + "\x00" + sf.Name()
	p.mu.Lock()
	if p.decoded == nil {
		p.decoded = map[string]*decodedFile{}
	}
	d := p.decoded[key]
	if d == nil {
		d = &decodedFile{}
		p.decoded[key] = d
	}
	p.mu.Unlock()
	d.once.Do(func() { d.value, d.err = decode(sf.Name(), sf.Data) })
	v, _ := d.value.(T)
	return v, d.err
}

// decodeYAML decodes a sibling YAML document into a T, for decodeOnce.
func decodeYAML[T any](name string, data []byte) (T, error) {
	var v T
	err := parse.DecodeYAML(name, data, &v)
	return v, err
}

// Exists reports whether a path (file or directory) is in a sibling
// checkout, not following a link.
func (p *Platform) Exists(repoName, rel string) bool {
	if p.Missing(repoName) != "" {
		return false
	}
	dir := filepath.Join(p.Dir, repoName)
	if _, err := safefile.ResolveIn(dir, filepath.FromSlash(rel), false); err != nil {
		return false
	}
	_, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(rel)))
	return err == nil
}

// LineOf returns the 1-based line of the first occurrence of needle (0 if absent).
func LineOf(data []byte, needle string) int {
	i := strings.Index(string(data), needle)
	if i < 0 {
		return 0
	}
	return strings.Count(string(data[:i]), "\n") + 1
}

var shellGroupRe = lazyre.New(`(?m)^\s*(wazo_services|default_services)="([^"]*)"`)

// ShellGroups returns the groups (wazo_services, default_services) of a
// wazo-service script naming the service, each with its line.
func ShellGroups(data []byte, name string) []Sourced {
	var out []Sourced
	for _, m := range shellGroupRe.FindAllSubmatchIndex(data, -1) {
		for _, w := range strings.Fields(string(data[m[4]:m[5]])) {
			if w == name {
				out = append(out, Sourced{string(data[m[2]:m[3]]), fmt.Sprint(strings.Count(string(data[:m[0]]), "\n") + 1)})
			}
		}
	}
	return out
}

// BackupEntries returns the words of a wazo-backup script naming the
// service's configuration directory (/etc/<name>/ or /etc/<name>).
func BackupEntries(data []byte, name string) []string {
	want := "/etc/" + name + "/"
	var out []string
	for _, f := range strings.Fields(strings.NewReplacer(`"`, " ", "'", " ", "\\", " ").Replace(string(data))) {
		if f == want || f == strings.TrimSuffix(want, "/") {
			out = append(out, f)
		}
	}
	return out
}

// Network page of wazo-platform.org listing the platform's ports.
const NetworkPage = "website/uc-doc/contributors/network.md"

// siblingFacts fills the facts that live in the sibling checkouts.
func (p *Platform) siblingFacts(f *Facts, name, apiName string) {
	f.Groups = p.groups(name)
	p.monit(f, name)
	f.Backup = p.backup(name)
	f.Docs = p.docPages(name, apiName)
	f.Acceptance = p.acceptance(name, apiName)
	f.InstallPath = p.installPath(name)
	f.MetaPackage = p.metaPackage(name)
}

// monit completes the package's own monit checks with wazo-monitoring's
// checks/<service>, where Wazo keeps the checks of its daemons. With no
// check in the package and wazo-monitoring not given, the fact is unknown.
func (p *Platform) monit(f *Facts, name string) {
	sf := p.File("wazo-monitoring", "checks/"+name)
	switch {
	case sf.OK():
		for _, m := range parse.ParseMonit(sf.Data) {
			if m.Name == name {
				f.MonitChecks = append(f.MonitChecks, repo.Located[parse.MonitCheck]{Path: sf.Name(), Item: m})
				f.Monit.Value = append(f.Monit.Value, Sourced{"check " + m.Kind + " " + m.Name, fmt.Sprintf("%s:%d", sf.Name(), m.Line)})
			}
		}
	case len(f.Monit.Value) > 0:
	case sf.Absent:
		f.Monit.Source = sf.Why
	default:
		f.Monit = unknownList("no check in the package, and wazo-monitoring's checks/" + name + " could not be seen: " + sf.Why)
	}
}

func (p *Platform) groups(name string) List {
	sf := p.File("wazo-service", "bin/wazo-service")
	if !sf.OK() {
		if sf.Absent {
			return List{Value: []Sourced{}, Source: sf.Why}
		}
		return unknownList(sf.Why)
	}
	out := List{Value: []Sourced{}}
	for _, g := range ShellGroups(sf.Data, name) {
		out.Value = append(out.Value, Sourced{g.Value, sf.Name() + ":" + g.Source})
	}
	if len(out.Value) == 0 {
		out.Source = sf.Name() + " names it in neither wazo_services nor default_services"
	}
	return out
}

func (p *Platform) backup(name string) List {
	sf := p.File("wazo-backup", "bin/wazo-backup")
	if !sf.OK() {
		if sf.Absent {
			return List{Value: []Sourced{}, Source: sf.Why}
		}
		return unknownList(sf.Why)
	}
	out := List{Value: []Sourced{}}
	for _, e := range BackupEntries(sf.Data, name) {
		out.Value = append(out.Value, Sourced{e, fmt.Sprintf("%s:%d", sf.Name(), LineOf(sf.Data, e))})
	}
	if len(out.Value) == 0 {
		out.Source = sf.Name() + " does not list /etc/" + name + "/"
	}
	return out
}

// packagingNameRe is a name safe to use as a path component.
var packagingNameRe = lazyre.New(`^[a-z0-9][a-z0-9.+_-]*$`)

// docIndex is wazo-platform.org's uc-doc tree: page paths and the "## x"
// headings of each, read once.
type docIndex struct {
	pages    []string
	headings map[string]string // heading text -> "page:line"
}

// maxDocPages bounds the walk of the documentation tree.
const maxDocPages = 5000

func (p *Platform) docIndex() *docIndex {
	p.docsOnce.Do(func() { p.docs = p.readDocIndex() })
	return p.docs
}

// readDocIndex walks wazo-platform.org's website/uc-doc.
func (p *Platform) readDocIndex() *docIndex {
	ix := &docIndex{headings: map[string]string{}}
	root := filepath.Join(p.Dir, "wazo-platform.org")
	base := filepath.Join(root, "website", "uc-doc")
	_ = safefile.Walk(base, safefile.MaxWalkEntries, func(fp string, d fs.DirEntry, err error) error {
		if err != nil || len(ix.pages) >= maxDocPages {
			return fs.SkipDir
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return nil
		}
		rel, _ := filepath.Rel(root, fp)
		rel = filepath.ToSlash(rel)
		ix.pages = append(ix.pages, rel)
		if d.Type().IsRegular() && strings.HasSuffix(rel, ".md") {
			data, err := safefile.ReadIn(root, filepath.FromSlash(rel), maxSibling)
			if err != nil {
				return nil
			}
			for i, l := range strings.Split(string(data), "\n") {
				if h, ok := strings.CutPrefix(l, "## "); ok {
					h = strings.Trim(strings.TrimSpace(h), "`")
					if _, seen := ix.headings[h]; !seen {
						ix.headings[h] = fmt.Sprintf("wazo-platform.org/%s:%d", rel, i+1)
					}
				}
			}
		}
		return nil
	})
	return ix
}

// docPages lists wazo-platform.org's pages about the service: the API
// module content/<api-name>/, the beta site's website/docs/api/<service>/, a
// website/uc-doc page or directory named after it, a "## <service>" section
// of a uc-doc page. A row of the ports table alone is not a page.
func (p *Platform) docPages(name, apiName string) List {
	if why := p.Missing("wazo-platform.org"); why != "" {
		return unknownList(why)
	}
	out := List{Value: []Sourced{}}
	var candidates []string
	if packagingNameRe.MatchString(apiName) {
		candidates = append(candidates, "content/"+apiName+"/description.md", "content/"+apiName)
	}
	candidates = append(candidates, "website/docs/api/"+name)
	for _, c := range candidates {
		if p.Exists("wazo-platform.org", c) {
			out.Value = append(out.Value, Sourced{c, "wazo-platform.org/" + c})
			break
		}
	}
	if sf := p.File("wazo-platform.org", "content/sections.yaml"); sf.OK() {
	modules:
		for _, n := range []string{name, apiName} {
			for i, l := range strings.Split(string(sf.Data), "\n") {
				if n != "" && containsWord(l, n) {
					out.Value = append(out.Value, Sourced{"API module " + n, fmt.Sprintf("%s:%d", sf.Name(), i+1)})
					break modules
				}
			}
		}
	}
	ix := p.docIndex()
	for _, pg := range ix.pages {
		b := path.Base(pg)
		if b == name || b == name+".md" {
			out.Value = append(out.Value, Sourced{pg, "wazo-platform.org/" + pg})
		}
	}
	if where, ok := ix.headings[name]; ok {
		out.Value = append(out.Value, Sourced{"section ## " + name, where})
	}
	if len(out.Value) == 0 {
		out.Source = "looked for content/" + apiName + "/, website/docs/api/" + name + "/, a website/uc-doc page named " + name + " and a \"## " + name + "\" section"
	}
	return out
}

// installPath finds how a fresh install gets the package: the
// wazo-platform meta-package's Depends, else a wazo-platform.org page that
// installs it (an install page naming it, or a line running apt install
// with it). Neither: unknown, since the installer that may (wazo-ansible,
// C4's) is not among the checkouts.
func (p *Platform) installPath(name string) List {
	ctl := p.File("wazo-platform", "debian/control")
	if ctl.OK() {
		for _, para := range parse.ParseDeb822(ctl.Data) {
			if para.Get("Package") != "wazo-platform" {
				continue
			}
			for _, d := range parse.DependsNames(para.Get("Depends")) {
				if d == name {
					return List{Value: []Sourced{{"wazo-platform Depends", fmt.Sprintf("%s:%d", ctl.Name(), para.Line("Depends"))}}}
				}
			}
		}
	}
	if why := p.Missing("wazo-platform.org"); why == "" {
		if where := p.installPage(name); where != "" {
			return List{Value: []Sourced{{"install page", where}}}
		}
	}
	why := "not in the wazo-platform meta-package's Depends"
	if !ctl.OK() {
		why = "the wazo-platform meta-package cannot be read (" + ctl.Why + ")"
	}
	return unknownList(why + ", and no wazo-platform.org install page names it: the installer that would (wazo-ansible, an install script) is not among the checkouts")
}

// metaPackage says whether wazo-platform's Depends lists the package.
func (p *Platform) metaPackage(name string) Fact[bool] {
	ctl := p.File("wazo-platform", "debian/control")
	if !ctl.OK() {
		return Fact[bool]{Unknown: ctl.Why}
	}
	for _, para := range parse.ParseDeb822(ctl.Data) {
		if para.Get("Package") != "wazo-platform" {
			continue
		}
		src := fmt.Sprintf("%s:%d Depends", ctl.Name(), para.Line("Depends"))
		for _, d := range parse.DependsNames(para.Get("Depends")) {
			if d == name {
				return Fact[bool]{Value: true, Source: src}
			}
		}
		return Fact[bool]{Value: false, Source: src}
	}
	return Fact[bool]{Unknown: ctl.Name() + " has no wazo-platform paragraph"}
}

// installLine is a line of wazo-platform.org that may install a package:
// any line of an install page, a line running apt install elsewhere.
type installLine struct {
	text, where string
}

// installPage finds a wazo-platform.org page installing the package:
// "file:line", or "".
func (p *Platform) installPage(name string) string {
	p.installsOnce.Do(func() { p.installs = p.readInstallLines() })
	for _, l := range p.installs {
		if containsWord(l.text, name) {
			return l.where
		}
	}
	return ""
}

// readInstallLines walks wazo-platform.org's content/ and website/ once.
func (p *Platform) readInstallLines() []installLine {
	root := filepath.Join(p.Dir, "wazo-platform.org")
	out := []installLine{}
	for _, top := range []string{"content", "website"} {
		_ = safefile.Walk(filepath.Join(root, top), maxDocPages*4, func(fp string, d fs.DirEntry, err error) error {
			if err != nil {
				return fs.SkipAll
			}
			if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) {
				return fs.SkipDir
			}
			if !d.Type().IsRegular() || !strings.HasSuffix(d.Name(), ".md") {
				return nil
			}
			rel, _ := filepath.Rel(root, fp)
			data, err := safefile.ReadIn(root, rel, maxSibling)
			if err != nil {
				return nil
			}
			installPage := strings.Contains(d.Name(), "install")
			if !installPage && !bytes.Contains(data, []byte("install")) {
				return nil
			}
			for i, l := range strings.Split(string(data), "\n") {
				if installPage || strings.Contains(l, "apt install") || strings.Contains(l, "apt-get install") {
					out = append(out, installLine{l, fmt.Sprintf("wazo-platform.org/%s:%d", filepath.ToSlash(rel), i+1)})
				}
			}
			return nil
		})
	}
	return out
}

// containsWord reports whether line holds name not as part of a longer
// package name (wazo-ui in wazo-ui-plugin is not wazo-ui).
func containsWord(line, name string) bool {
	for i := 0; ; {
		j := strings.Index(line[i:], name)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(name)
		before := start == 0 || !isNameByte(line[start-1])
		after := end == len(line) || !isNameByte(line[end])
		if before && after {
			return true
		}
		i = end
	}
}

func isNameByte(c byte) bool {
	return c == '-' || c == '_' || c == '.' || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
}

// FeatureRow returns the line of a Gherkin table row with a cell equal to
// name (cells need no padding: |wazo-x| and | wazo-x | are one row), 0 if none.
func FeatureRow(data []byte, name string) int {
	for i, l := range strings.Split(string(data), "\n") {
		cells := strings.Split(l, "|")
		if len(cells) < 3 {
			continue
		}
		for _, c := range cells[1 : len(cells)-1] {
			if strings.TrimSpace(c) == name {
				return i + 1
			}
		}
	}
	return 0
}

// AcceptanceFiles are where wazo-acceptance keeps its daily HTTP checks,
// today's path first.
var AcceptanceFiles = []string{"features/daily/http.feature", "data/features/daily/http/http.feature"}

// ServiceDiscoveryFeature is wazo-acceptance's consul registration check.
const ServiceDiscoveryFeature = "features/daily/service_discovery.feature"

func (p *Platform) acceptance(name, apiName string) List {
	if why := p.Missing("wazo-acceptance"); why != "" {
		return unknownList(why)
	}
	out := List{Value: []Sourced{}}
	var looked []string
	for _, file := range AcceptanceFiles {
		sf := p.File("wazo-acceptance", file)
		looked = append(looked, file)
		if !sf.OK() {
			if !sf.Absent {
				return unknownList(sf.Why)
			}
			continue
		}
		needle := "/api/" + apiName + "/"
		if l := LineOf(sf.Data, needle); l > 0 {
			out.Value = append(out.Value, Sourced{"http " + needle, fmt.Sprintf("%s:%d", sf.Name(), l)})
		}
		break
	}
	sd := p.File("wazo-acceptance", ServiceDiscoveryFeature)
	looked = append(looked, ServiceDiscoveryFeature)
	if sd.OK() {
		if l := FeatureRow(sd.Data, name); l > 0 {
			out.Value = append(out.Value, Sourced{"service_discovery " + name, fmt.Sprintf("%s:%d", sd.Name(), l)})
		}
	}
	if len(out.Value) == 0 {
		out.Source = "no row in wazo-acceptance " + strings.Join(looked, ", ")
	}
	return out
}

// codeSwitchRe finds the call that switches a daemon to its configured
// user: xivo's change_user, a setuid, the kit's privilege.Drop or
// daemon.Main (which drops privileges).
var codeSwitchRe = lazyre.New(`\b(change_user|setuid|setresuid|drop_privileges|privilege\.Drop|daemon\.Main)\(`)

// goEmbedDefaultsRe is a Go daemon embedding its default configuration.
var goEmbedDefaultsRe = lazyre.New(`//go:embed\s+([A-Za-z0-9_.-]*defaults[A-Za-z0-9_.-]*\.ya?ml)`)

// portOptionRe is a listening-port command-line option with its default,
// as click and argparse declare it: "--port", type=int, default=9600.
var portOptionRe = lazyre.New(`["'](--port|--listen-port|--http-port)["'][^()]{0,200}?default\s*=\s*(\d+)`)

// codeSkip are directories whose code is not the daemon's.
var codeSkip = map[string]bool{".git": true, "node_modules": true, "vendor": true, "testdata": true, "test": true, "tests": true,
	"integration_tests": true, "__pycache__": true, ".tox": true, "docker": true, "contribs": true, "debian": true}

// maxCodeFiles bounds the scan of a repository's source.
const maxCodeFiles = 4000

// CodeScan is what the daemon's source says beyond its configuration file:
// where it switches to its user, and its default configuration when no
// config.py declares it (a _DEFAULT_CONFIG in main.py).
type CodeScan struct {
	Switch   CodeSwitch
	Defaults *repo.Config
	// Ports are the defaults of the daemon's own --port options (click,
	// argparse): the port it listens on when ExecStart passes none.
	Ports []Port
}

// entryRank orders the files where a privilege drop is looked for: the
// daemon's entry points (main.py, bin/, daemon.py) before a helper CLI.
func entryRank(rel string) int {
	switch base := path.Base(rel); {
	case base == "main.py" || base == "main.go" || base == "daemon.py":
		return 0
	case strings.Contains(rel, "/bin/") || strings.HasPrefix(rel, "cmd/"):
		return 1
	}
	return 2
}

// ScanCode reads the Python and Go files under root (bounded in count and
// size, following no link, test and development trees left out).
//
// With needDefaults false (config.py holds the defaults), the scan stops at
// the first privilege drop in an entry point.
func ScanCode(root string, needDefaults bool) CodeScan {
	var out CodeScan
	best := 3
	n := 0
	_ = safefile.Walk(root, safefile.MaxWalkEntries, func(fp string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if fp != root && (codeSkip[d.Name()] || strings.HasPrefix(d.Name(), ".")) {
				return fs.SkipDir
			}
			return nil
		}
		name := d.Name()
		if !d.Type().IsRegular() || !(strings.HasSuffix(name, ".py") || strings.HasSuffix(name, ".go")) ||
			strings.HasSuffix(name, "_test.go") || strings.HasPrefix(name, "test_") {
			return nil
		}
		if n++; n > maxCodeFiles {
			return fs.SkipAll
		}
		rel, _ := filepath.Rel(root, fp)
		// Confined as the walk saw it: a file swapped for a link since is
		// refused, not followed out of the checkout.
		data, err := safefile.ReadIn(root, rel, 1<<20)
		if err != nil {
			return nil
		}
		rel = filepath.ToSlash(rel)
		if loc := codeSwitchRe.FindIndex(data); loc != nil && entryRank(rel) < best {
			best = entryRank(rel)
			out.Switch.Where = fmt.Sprintf("%s:%d", rel, strings.Count(string(data[:loc[0]]), "\n")+1)
		}
		if m := goEmbedDefaultsRe.FindSubmatch(data); needDefaults && out.Defaults == nil && m != nil && strings.HasSuffix(name, ".go") {
			// A Go daemon on the kit embeds its defaults: //go:embed defaults.yml.
			yml := path.Join(path.Dir(rel), string(m[1]))
			if raw, err := safefile.ReadIn(root, filepath.FromSlash(yml), 1<<20); err == nil {
				if mp, err := parse.YAMLMap(yml, raw); err == nil {
					out.Defaults = &repo.Config{Path: yml, Data: raw, Map: mp}
				}
			}
		}
		if strings.HasSuffix(name, ".py") && entryRank(rel) == 0 {
			for _, m := range portOptionRe.FindAllSubmatchIndex(data, -1) {
				n, err := strconv.Atoi(string(data[m[4]:m[5]]))
				if err == nil && n > 0 && n < 65536 {
					line := strings.Count(string(data[:m[0]]), "\n") + 1
					out.Ports = append(out.Ports, Port{Number: n, Key: "option " + string(data[m[2]:m[3]]), HTTP: true,
						Source: fmt.Sprintf("%s:%d default of %s", rel, line, data[m[2]:m[3]])})
				}
			}
		}
		if needDefaults && out.Defaults == nil && strings.HasSuffix(name, ".py") && bytes.Contains(data, []byte("DEFAULT")) {
			if m, lines := parse.PyDefaults(data); len(m) > 0 {
				out.Defaults = &repo.Config{Path: rel, Data: data, Map: m, Lines: lines}
			}
		}
		if best == 0 && (!needDefaults || out.Defaults != nil) {
			return fs.SkipAll
		}
		return nil
	})
	if out.Switch.Where == "" && n > 0 {
		out.Switch.Looked = fmt.Sprintf("%d Python and Go files of %s", n, root)
	}
	return out
}
