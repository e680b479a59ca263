package repo

import (
	"bytes"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/lazyre"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/parse"
)

var (
	nginxRe  = lazyre.New(`(?m)^\s*location\s+[^{;]*\{`)
	monitRe  = lazyre.New(`(?mi)^\s*check\s+(process|program|host|file|directory|system|filesystem)\s+\S+`)
	unitRe   = lazyre.New(`(?m)^\[Service\]\s*$`)
	rotateRe = lazyre.New(`(?m)^\s*(rotate\s+\d+|copytruncate|daily|weekly|monthly)\s*$`)
)

// collect attaches to s every artefact of the repository that belongs to it.
func (r *Repo) collect(s *Service) {
	single := len(r.Services) == 1
	first := r.Services[0] == s
	s.Debian = r.debianFiles()
	// debhelper's own naming: debian/<pkg>.<kind>, or debian/<kind> for the
	// first package of the source.
	debianFile := func(kind string) string {
		if r.has("debian/" + s.Name + "." + kind) {
			return "debian/" + s.Name + "." + kind
		}
		if first && r.has("debian/"+kind) {
			return "debian/" + kind
		}
		return ""
	}
	if p := debianFile("postinst"); p != "" {
		s.Postinst = &Script{Path: p, Commands: parse.ParseShell(r.Files[p])}
	}
	if p := debianFile("service"); p != "" {
		s.Unit = &UnitFile{Path: p, Unit: parse.ParseUnit(r.Files[p])}
	}
	if p := debianFile("rules"); p == "" && r.has("debian/rules") {
		s.Rules = &File{Path: "debian/rules", Data: r.Files["debian/rules"]}
	} else if p != "" {
		s.Rules = &File{Path: p, Data: r.Files[p]}
	}
	if p := debianFile("links"); p != "" {
		for i, l := range strings.Split(string(r.Files[p]), "\n") {
			if l = strings.TrimSpace(l); l != "" && l[0] != '#' {
				s.Links = append(s.Links, Located[string]{Path: p + ":" + strconv.Itoa(i+1), Item: l})
			}
		}
	}
	if p := debianFile("install"); p != "" {
		s.Install = []Located[string]{}
		for i, l := range strings.Split(string(r.Files[p]), "\n") {
			f := strings.Fields(l)
			if len(f) == 0 || strings.HasPrefix(f[0], "#") {
				continue
			}
			srcs := f
			if len(f) > 1 {
				srcs = f[:len(f)-1] // the last field is the destination
			}
			for _, src := range srcs {
				s.Install = append(s.Install, Located[string]{Path: p + ":" + strconv.Itoa(i+1), Item: strings.TrimSuffix(src, "/")})
			}
		}
	}
	for _, ext := range []string{"yml", "yaml"} {
		p := "etc/" + s.Name + "/config." + ext
		if data, ok := r.Files[p]; ok {
			m, err := parse.YAMLMap(p, data)
			if err != nil {
				r.Problems = append(r.Problems, err.Error())
				m = map[string]any{}
			}
			s.Config = &Config{Path: p, Data: data, Map: m}
			break
		}
	}
	s.ConfD = r.shippedConfD(s)
	s.Defaults = r.pyDefaults(s, single)
	logFile := s.LogFile()

	var apiFiles []string
	for _, p := range r.paths() {
		data := r.Files[p]
		base := path.Base(p)
		mine := single || strings.Contains(p, s.Name) || strings.Contains(p, strings.ReplaceAll(s.Name, "-", "_"))
		switch {
		case base == "api.yml" || base == "api.yaml":
			if mine {
				apiFiles = append(apiFiles, p)
			}
			continue
		case p == "go.mod":
			if m, err := parse.ParseGoMod(data); err != nil {
				r.Problems = append(r.Problems, err.Error())
			} else {
				s.GoMod = &Manifest[parse.GoRequire]{Path: p, Entries: m.Requires, Module: m.Module}
			}
			continue
		case p == "requirements.txt":
			s.Reqs = &Manifest[parse.Requirement]{Path: p, Entries: parse.ParseRequirements(data)}
			continue
		}
		if !contentExts[path.Ext(base)] && !strings.HasPrefix(p, "debian/") && !strings.HasPrefix(p, "etc/") {
			continue
		}
		f := r.factsOf(p)
		for _, l := range f.nginx {
			if strings.HasPrefix(l.Path, "/api/"+s.Short()) || (mine && strings.HasPrefix(l.Path, "/api/")) {
				s.Nginx = append(s.Nginx, Located[parse.NginxLocation]{Path: p, Item: l})
			}
		}
		for _, c := range f.monit {
			if c.Name == s.Name || strings.Contains(c.StartProgram, s.Name) || strings.Contains(path.Base(p), s.Name) {
				s.Monit = append(s.Monit, Located[parse.MonitCheck]{Path: p, Item: c})
			}
		}
		if s.Unit == nil && f.unit && (base == s.Name+".service" || (single && strings.HasSuffix(base, ".service"))) {
			s.Unit = &UnitFile{Path: p, Unit: parse.ParseUnit(data)}
		}
		for _, e := range f.rotate {
			for _, lp := range e.Paths {
				if lp == logFile || strings.Contains(lp, s.Name) {
					s.Rotate = append(s.Rotate, Located[parse.LogrotateEntry]{Path: p, Item: e})
					break
				}
			}
		}
		if f.rsyslog && bytes.Contains(data, []byte(s.Name)) {
			s.Rsyslog = append(s.Rsyslog, p)
		}
	}
	for i := range s.Nginx {
		r.followIncludes(s.Nginx[i].Path, &s.Nginx[i].Item)
	}
	if len(apiFiles) > 0 {
		s.API = r.mergeAPI(apiFiles)
	}
	switch {
	case s.GoMod != nil:
		s.Language = "go"
	case s.Reqs != nil || r.has("setup.py") || r.has("pyproject.toml"):
		s.Language = "python"
	}
}

// mergeAPI parses and merges api.yml files first-wins (xivo ChainMap). The
// root document (the one with info/x-xivo-name) goes first, then plugins in
// path order, so the root's info and ports win as in Wazo.
func (r *Repo) mergeAPI(files []string) *APISpec {
	a := &APISpec{Data: map[string][]byte{}}
	type doc struct {
		path string
		m    map[string]any
		root bool
	}
	var docs []doc
	for _, p := range files {
		m, err := parse.YAMLMap(p, r.Files[p])
		if err != nil {
			r.Problems = append(r.Problems, err.Error())
			continue
		}
		_, hasInfo := m["info"]
		_, hasName := m["x-xivo-name"]
		docs = append(docs, doc{p, m, hasInfo || hasName})
		a.Data[p] = r.Files[p]
	}
	sort.SliceStable(docs, func(i, j int) bool { return docs[i].root && !docs[j].root })
	maps := make([]map[string]any, 0, len(docs))
	for _, d := range docs {
		a.Files = append(a.Files, d.path)
		maps = append(maps, d.m)
	}
	a.Merged = parse.MergeFirstWins(maps...)
	return a
}

// pyDefaults reads the code's configuration defaults from the daemon's
// config.py: <module>/config.py where module is the package name with "_"
// (wazo_auth/config.py), or for a single-service repository the one
// top-level package's config.py.
func (r *Repo) pyDefaults(s *Service, single bool) *Config {
	module := strings.ReplaceAll(s.Name, "-", "_")
	var candidates []string
	for _, p := range r.paths() {
		if path.Base(p) != "config.py" {
			continue
		}
		dir := path.Dir(p)
		if dir == module || (single && !strings.Contains(dir, "/")) {
			candidates = append(candidates, p)
		}
	}
	for _, p := range candidates {
		m, lines := parse.PyDefaults(r.Files[p])
		if len(m) > 0 {
			return &Config{Path: p, Data: r.Files[p], Map: m, Lines: lines}
		}
	}
	return nil
}

// LogFile is the path the daemon logs to: the log_file (or log_filename,
// logfile) setting of config.yml or the code's defaults, else Wazo's
// /var/log/<service>.log.
func (s *Service) LogFile() string {
	for _, key := range []string{"log_file", "log_filename", "logfile"} {
		if v, _, ok := s.SettingString(key); ok && v != "" {
			return v
		}
	}
	return "/var/log/" + s.Name + ".log"
}

// Bounds of the include graph of one nginx location: each file is read
// once (a file including itself, or ten times the same file, costs one
// parse), at most maxIncludeDepth levels and maxIncludeFiles files.
const (
	maxIncludeDepth = 8
	maxIncludeFiles = 64
)

// followIncludes adds to a location the proxy_pass and proxy_set_header
// of the files it includes (first set wins, breadth first), visiting the
// include graph once; past its bounds the rest is left out and the
// repository's problems say so.
func (r *Repo) followIncludes(where string, l *parse.NginxLocation) {
	seen := map[string]bool{}
	for depth, todo := 0, append([]string(nil), l.Includes...); len(todo) > 0; depth++ {
		if depth >= maxIncludeDepth {
			r.Problems = append(r.Problems, fmt.Sprintf("%s: location %s: includes nested more than %d levels: the deeper ones are not followed", where, l.Path, maxIncludeDepth))
			return
		}
		var next []string
		for _, inc := range todo {
			abs := path.Clean("/" + inc)
			if seen[abs] {
				continue
			}
			if len(seen) >= maxIncludeFiles {
				r.Problems = append(r.Problems, fmt.Sprintf("%s: location %s: more than %d included files: the rest are not followed", where, l.Path, maxIncludeFiles))
				return
			}
			seen[abs] = true
			in, ok := r.included(abs)
			if !ok {
				continue
			}
			for k, v := range in.Headers {
				if _, set := l.Headers[k]; !set {
					l.Headers[k] = v
				}
			}
			if l.ProxyPass == "" {
				l.ProxyPass = in.ProxyPass
			}
			next = append(next, in.Includes...)
		}
		todo = next
	}
}

// included parses an nginx file of the repository (an absolute /etc/...
// path) as the body of a location, once per repository.
func (r *Repo) included(abs string) (parse.NginxLocation, bool) {
	if in, ok := r.cache.includes[abs]; ok {
		return in, in.Path != ""
	}
	if r.cache.includes == nil {
		r.cache.includes = map[string]parse.NginxLocation{}
	}
	var out parse.NginxLocation
	if data, ok := r.Files[strings.TrimPrefix(abs, "/")]; ok && strings.HasPrefix(abs, "/etc/") {
		wrapped := append(append([]byte("location included {\n"), data...), "\n}\n"...)
		for _, in := range parse.ParseNginx(wrapped) {
			if in.Path == "included" {
				out = in
				break
			}
		}
	}
	r.cache.includes[abs] = out
	return out, out.Path != ""
}

// fileFacts is what a content file holds, parsed once per repository and
// then matched against each service (a repository of many packages costs
// one parse a file, not one a file and a package).
type fileFacts struct {
	nginx   []parse.NginxLocation
	monit   []parse.MonitCheck
	unit    bool // has a [Service] section
	rotate  []parse.LogrotateEntry
	rsyslog bool // names $programname
}

func (r *Repo) factsOf(p string) *fileFacts {
	if f, ok := r.cache.facts[p]; ok {
		return f
	}
	if r.cache.facts == nil {
		r.cache.facts = map[string]*fileFacts{}
	}
	data, base := r.Files[p], path.Base(p)
	f := &fileFacts{unit: unitRe.Match(data), rsyslog: bytes.Contains(data, []byte("$programname"))}
	if nginxRe.Match(data) {
		f.nginx = parse.ParseNginx(data)
	}
	if monitRe.Match(data) {
		f.monit = parse.ParseMonit(data)
	}
	isRotate := strings.HasSuffix(base, ".logrotate") || base == "logrotate" || strings.HasPrefix(p, "etc/logrotate.d/") || rotateRe.Match(data)
	if isRotate && bytes.Contains(data, []byte("{")) {
		f.rotate = parse.ParseLogrotate(data)
	}
	r.cache.facts[p] = f
	return f
}

// debianFiles is the set of debian/ files, shared by every service.
func (r *Repo) debianFiles() map[string]bool {
	if r.cache.debian == nil {
		r.cache.debian = map[string]bool{}
		for p := range r.Files {
			if strings.HasPrefix(p, "debian/") {
				r.cache.debian[p] = true
			}
		}
	}
	return r.cache.debian
}

// shippedConfD are the package's own conf.d files: *.yml directly in
// etc/<svc>/conf.d/, dotfiles skipped, in name order, and shipped by the
// package when it has a .install file.
func (r *Repo) shippedConfD(s *Service) []*Config {
	dir := "etc/" + s.Name + "/conf.d/"
	var out []*Config
	for _, p := range r.paths() {
		base := strings.TrimPrefix(p, dir)
		if base == p || strings.Contains(base, "/") || strings.HasPrefix(base, ".") || !strings.HasSuffix(base, ".yml") {
			continue
		}
		if s.Install != nil && !s.Installed(p) {
			continue
		}
		m, err := parse.YAMLMap(p, r.Files[p])
		if err != nil {
			r.Problems = append(r.Problems, err.Error())
			continue
		}
		out = append(out, &Config{Path: p, Data: r.Files[p], Map: m})
	}
	return out
}
