// Package repo reads the facts a static rule needs from a service's source
// repository: which services it packages (debian/control), and for each one
// its maintainer scripts, systemd unit, shipped config, merged api.yml, nginx
// locations, monit checks, logrotate entries and dependency manifests.
//
// Files are found by what they are (their name in debian/, or their
// content: a location block, a check statement, a [Service] section), not by
// a list of paths of one particular repository, so the same code reads a
// Python service laid out like wazo-webhookd and a Go service like
// wazo-doctord.
package repo

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/wazo-platform/wazo-servicekit/internal/lazyre"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/parse"
	"github.com/wazo-platform/wazo-servicekit/safefile"
)

// File is a file of the repository, path relative to the repository root
// with forward slashes.
type File struct {
	Path string
	Data []byte
}

// Repo is everything read from a repository.
type Repo struct {
	Root     string
	Files    map[string][]byte // every text file read, by relative path
	Control  []parse.Paragraph // debian/control; nil when absent
	Services []*Service
	// Problems are files that could not be read or parsed; each names the
	// file and line. They become findings, never crashes.
	Problems []string

	cache struct { // what is computed once per repository, for every service
		facts    map[string]*fileFacts
		includes map[string]parse.NginxLocation
		debian   map[string]bool
		sorted   []string

		sourcesOnce sync.Once
		sources     []File
	}
}

// Service is one packaged daemon and the artefacts found for it.
type Service struct {
	Name     string // Debian binary package, e.g. wazo-webhookd
	Language string // "go", "python" or ""

	Control  parse.Paragraph // the Package paragraph
	Postinst *Script
	Unit     *UnitFile
	Config   *Config
	// ConfD are the conf.d files the package ships (etc/<svc>/conf.d/*.yml,
	// sorted by name): they override config.yml on every install, the
	// first file winning, as the daemon reads them.
	ConfD []*Config
	// Defaults are the code's configuration defaults (config.py's
	// _DEFAULT_CONFIG); config.yml overrides them. nil when not found.
	Defaults *Config
	API      *APISpec
	Nginx    []Located[parse.NginxLocation]
	Monit    []Located[parse.MonitCheck]
	Rotate   []Located[parse.LogrotateEntry]
	Rsyslog  []string          // files mentioning the service as $programname
	Links    []Located[string] // debian/<pkg>.links lines
	// Install holds the source patterns of debian/<pkg>.install (what
	// dh_install copies into the package); nil when there is no such file.
	Install []Located[string]
	GoMod   *Manifest[parse.GoRequire]
	Reqs    *Manifest[parse.Requirement]
	Rules   *File           // debian/rules
	Debian  map[string]bool // debian/ files present (relative paths)
}

// Installed reports whether dh_install ships a repository file: one of the
// .install source globs matches it or one of its parent directories.
func (s *Service) Installed(file string) bool {
	for _, pat := range s.Install {
		for p := file; p != "." && p != "/" && p != ""; p = path.Dir(p) {
			if ok, _ := path.Match(pat.Item, p); ok {
				return true
			}
		}
	}
	return false
}

// Short is the name without the wazo-/xivo- prefix: the /api/<short>/
// location and x-xivo-name use it.
func (s *Service) Short() string {
	for _, p := range []string{"wazo-", "xivo-"} {
		if strings.HasPrefix(s.Name, p) {
			return s.Name[len(p):]
		}
	}
	return s.Name
}

// Located is a parsed item and the file it came from.
type Located[T any] struct {
	Path string
	Item T
}

// Script is a parsed maintainer script.
type Script struct {
	Path     string
	Commands []parse.Command
}

// UnitFile is a parsed systemd unit.
type UnitFile struct {
	Path string
	Unit *parse.Unit
}

// Config is the shipped etc/<svc>/config.yml.
type Config struct {
	Path  string
	Data  []byte
	Map   map[string]any
	Lines map[string]int // dotted key path to line, for files that are not YAML

	keyLinesOnce sync.Once
	keyLines     *parse.KeyLines // Data parsed for Line, once
}

// Int returns an integer value at a key path and whether it is one.
func (c *Config) Int(path ...string) (int, bool) {
	v := lookup(c.Map, path...)
	switch n := v.(type) {
	case int:
		return n, true
	case float64:
		return int(n), n == float64(int(n))
	}
	return 0, false
}

// String returns a string value at a key path.
func (c *Config) String(path ...string) (string, bool) {
	s, ok := lookup(c.Map, path...).(string)
	return s, ok
}

// Has reports whether a key path exists (a null value counts as absent).
func (c *Config) Has(path ...string) bool { return lookup(c.Map, path...) != nil }

// Line returns the line of a key path in the file (0 if unknown).
func (c *Config) Line(path ...string) int {
	if c.Lines != nil {
		return c.Lines[strings.Join(path, ".")]
	}
	c.keyLinesOnce.Do(func() { c.keyLines = parse.NewKeyLines(c.Data) })
	return c.keyLines.Line(path...)
}

// Setting is a configuration value as the daemon sees it: the shipped
// config.yml's, else the code's default. It names the file and line it
// came from.
type Setting struct {
	Value any
	Path  string
	Line  int
}

// Setting looks a key path up in config.yml, then in the code's defaults;
// ok is false when neither declares it.
func (s *Service) Setting(path ...string) (Setting, bool) {
	for _, c := range append(append([]*Config(nil), s.ConfD...), s.Config, s.Defaults) {
		if c != nil && c.Has(path...) {
			return Setting{Value: lookup(c.Map, path...), Path: c.Path, Line: c.Line(path...)}, true
		}
	}
	return Setting{}, false
}

// SettingString is Setting for a string value.
func (s *Service) SettingString(path ...string) (string, Setting, bool) {
	st, ok := s.Setting(path...)
	v, isStr := st.Value.(string)
	return v, st, ok && isStr
}

// SettingInt is Setting for an integer value.
func (s *Service) SettingInt(path ...string) (int, Setting, bool) {
	st, ok := s.Setting(path...)
	switch n := st.Value.(type) {
	case int:
		return n, st, ok
	case float64:
		return int(n), st, ok && n == float64(int(n))
	}
	return 0, st, false
}

func lookup(m map[string]any, path ...string) any {
	var v any = m
	for _, k := range path {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[k]
	}
	return v
}

// APISpec is the service's api.yml, merged from every file as Wazo does.
type APISpec struct {
	Files  []string // in merge order (first wins)
	Merged map[string]any
	Data   map[string][]byte

	mu       sync.Mutex
	keyLines map[string]*parse.KeyLines // files of Data parsed for Where, each once
}

// keyLinesOf is one file of the spec parsed for Where, once.
func (a *APISpec) keyLinesOf(f string) *parse.KeyLines {
	a.mu.Lock()
	defer a.mu.Unlock()
	k, ok := a.keyLines[f]
	if !ok {
		if a.keyLines == nil {
			a.keyLines = map[string]*parse.KeyLines{}
		}
		k = parse.NewKeyLines(a.Data[f])
		a.keyLines[f] = k
	}
	return k
}

// Where returns the first file defining a top-level key, and its line.
func (a *APISpec) Where(key string) (string, int) {
	for _, f := range a.Files {
		if l := a.keyLinesOf(f).Line(key); l > 0 {
			return f, l
		}
	}
	if len(a.Files) > 0 {
		return a.Files[0], 0
	}
	return "", 0
}

// Manifest is a dependency file and its entries.
type Manifest[T any] struct {
	Path    string
	Entries []T
	Module  string // go.mod only
}

// skipDirs are never read: VCS data, build output, vendored code, and test
// fixtures (a fixture service is not the repository's service).
var skipDirs = map[string]bool{".git": true, "node_modules": true, "vendor": true, "bin": true, "dist": true,
	"build": true, "testdata": true, "test": true, "tests": true, "integration_tests": true, "__pycache__": true, ".tox": true}

// contentExts are the extensions whose content is classified (nginx, monit,
// unit, logrotate, rsyslog); files without an extension are too.
var contentExts = map[string]bool{"": true, ".conf": true, ".service": true, ".monit": true, ".logrotate": true,
	".cfg": true, ".nginx": true, ".rc": true, ".include": true}

// Bounds of what Load reads of a checkout: each file, the files and bytes
// in all, and the services judged (Wazo's sources build a few packages; a
// crafted control file of thousands would multiply every rule's work).
const (
	maxFile      = 512 << 10
	maxRepoFiles = 20000
	maxRepoBytes = 256 << 20
	maxServices  = 200
)

// Load reads a repository. It returns an error only when dir is not a
// readable directory or packages no service at all; everything else ends up
// in Problems or as missing facts.
func Load(dir string) (*Repo, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("check: %v", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("check: %s is not a directory", dir)
	}
	r := &Repo{Root: dir, Files: map[string][]byte{}}
	total, cut := 0, false
	err = safefile.Walk(dir, safefile.MaxWalkEntries, func(p string, d fs.DirEntry, err error) error {
		if len(r.Files) >= maxRepoFiles || total >= maxRepoBytes {
			if !cut {
				cut = true
				r.Problems = append(r.Problems, fmt.Sprintf("%s: the checkout holds more than the %d files or %d MB read: the rest (from %s on) is not read", dir, maxRepoFiles, maxRepoBytes>>20, rel(dir, p)))
			}
			return fs.SkipAll
		}
		if err != nil {
			r.Problems = append(r.Problems, fmt.Sprintf("%s: %v", rel(dir, p), err))
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		name := d.Name()
		if d.IsDir() {
			if p != dir && (skipDirs[name] || strings.HasPrefix(name, ".")) {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !wanted(rel(dir, p)) {
			return nil
		}
		info, err := d.Info()
		if err != nil || info.Size() > maxFile {
			return nil
		}
		// No link followed (a file swapped for one since the walk saw it
		// is refused), a regular file only, bounded.
		data, err := safefile.ReadIn(dir, rel(dir, p), maxFile)
		if err != nil {
			r.Problems = append(r.Problems, fmt.Sprintf("%s: %v", rel(dir, p), err))
			return nil
		}
		total += len(data)
		r.Files[rel(dir, p)] = data
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("check: reading %s: %v", dir, err)
	}
	r.discover()
	if len(r.Services) > maxServices {
		r.Problems = append(r.Problems, fmt.Sprintf("debian/control: %d packages, more than the %d judged: the first %d are", len(r.Services), maxServices, maxServices))
		r.Services = r.Services[:maxServices]
	}
	if len(r.Services) == 0 {
		return nil, fmt.Errorf("check: no service found in %s: want debian/control with a Package paragraph, or etc/<service>/config.yml", dir)
	}
	for _, s := range r.Services {
		r.collect(s)
	}
	return r, nil
}

// wanted selects the files worth reading: everything under debian/ and
// etc/, api specs, dependency manifests, and content candidates.
func wanted(p string) bool {
	base := filepath.Base(p)
	switch {
	case strings.HasPrefix(p, "debian/"), strings.HasPrefix(p, "etc/"):
		return true
	case base == "api.yml" || base == "api.yaml", base == "go.mod", base == "requirements.txt", base == "setup.py", base == "pyproject.toml", base == "config.py",
		base == "zuul.yaml", base == "Jenkinsfile", base == "Dockerfile":
		return true
	}
	return contentExts[filepath.Ext(base)] && !strings.Contains(base, "_test")
}

func rel(root, p string) string {
	r, err := filepath.Rel(root, p)
	if err != nil {
		return p
	}
	return filepath.ToSlash(r)
}

// debianPackageRe is Debian policy's package name syntax.
var debianPackageRe = lazyre.New(`^[a-z0-9][a-z0-9.+-]+$`)

var etcConfig = lazyre.New(`^etc/([a-z0-9][a-z0-9.+-]*)/config\.ya?ml$`)

// discover lists the services: binary packages of debian/control, or, with
// no control file, the directories etc/<name>/config.yml.
func (r *Repo) discover() {
	if data, ok := r.Files["debian/control"]; ok {
		r.Control = parse.ParseDeb822(data)
		for _, p := range r.Control {
			name := p.Get("Package")
			switch {
			case name == "":
			case !debianPackageRe.MatchString(name):
				// Names end up in sibling paths: a crafted one is refused.
				r.Problems = append(r.Problems, fmt.Sprintf("debian/control:%d: Package %q is not a Debian package name (lower case letters, digits, + - .)", p.Line("Package"), name))
			default:
				r.Services = append(r.Services, &Service{Name: name, Control: p})
			}
		}
		// A source package building several binaries (lib + daemon): keep
		// those that ship a daemon (unit or config dir) when any does.
		if len(r.Services) > 1 {
			var daemons []*Service
			for _, s := range r.Services {
				if r.has("debian/"+s.Name+".service") || r.hasPrefix("etc/"+s.Name+"/") {
					daemons = append(daemons, s)
				}
			}
			if len(daemons) > 0 {
				r.Services = daemons
			}
		}
		return
	}
	for p := range r.Files {
		if m := etcConfig.FindStringSubmatch(p); m != nil {
			r.Services = append(r.Services, &Service{Name: m[1]})
		}
	}
	sort.Slice(r.Services, func(i, j int) bool { return r.Services[i].Name < r.Services[j].Name })
}

func (r *Repo) has(p string) bool { _, ok := r.Files[p]; return ok }

func (r *Repo) hasPrefix(prefix string) bool {
	for p := range r.Files {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}

// paths returns the read files in sorted order (deterministic findings).
func (r *Repo) paths() []string {
	if len(r.cache.sorted) == len(r.Files) {
		return r.cache.sorted
	}
	out := make([]string, 0, len(r.Files))
	for p := range r.Files {
		out = append(out, p)
	}
	sort.Strings(out)
	r.cache.sorted = out
	return out
}

// APIName is the name the service's API is reached at, /api/<name>/: the
// root location the package's nginx configuration proxies to the daemon
// (`location ^~ /api/<name>/ { proxy_pass http://127.0.0.1:<port>/; }`),
// else api.yml's x-xivo-name, else Short(). The three may differ: wazo-call-logd
// publishes x-xivo-name call-logs and is reached at /api/call-logd/.
func (s *Service) APIName() string {
	xivo := s.XivoName()
	var roots []string
	for _, l := range s.Nginx {
		name, ok := strings.CutPrefix(l.Item.Path, "/api/")
		if !ok || !strings.HasSuffix(name, "/") || strings.Count(name, "/") != 1 {
			continue
		}
		name = strings.TrimSuffix(name, "/")
		if name == xivo || name == s.Short() {
			return name
		}
		roots = append(roots, name)
	}
	if len(roots) > 0 {
		return roots[0]
	}
	if xivo != "" {
		return xivo
	}
	return s.Short()
}

// XivoName is api.yml's x-xivo-name ("" when it declares none).
func (s *Service) XivoName() string {
	if s.API != nil {
		if n, ok := s.API.Merged["x-xivo-name"].(string); ok {
			return n
		}
	}
	return ""
}
