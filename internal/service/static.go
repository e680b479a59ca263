package service

import (
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/lazyre"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/parse"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

// FromRepo derives the facts of one service of a source repository. plat
// holds the sibling checkouts (nil or empty: the facts that live there are
// unknown, saying so).
func FromRepo(rp *repo.Repo, s *repo.Service, plat *Platform) *Facts {
	f := &Facts{Service: s.Name, Origin: "repository " + rp.Root}
	// Development assets (a Docker compose nginx, a test file) are not the
	// package: no rule sees their locations. (A location under etc/ that
	// debian/*.install forgets stays, for the rule that says it is not
	// shipped.)
	var kept []repo.Located[parse.NginxLocation]
	for _, l := range s.Nginx {
		if !DevAsset(s, l.Path) {
			kept = append(kept, l)
		}
	}
	s.Nginx = kept
	f.Units, f.Daemon = repoUnits(s)
	var scan *CodeScan
	code := func() CodeScan {
		if scan == nil {
			c := ScanCode(rp.Root, s.Defaults == nil)
			scan = &c
		}
		return *scan
	}
	if s.Defaults == nil && f.Daemon.Value && len(rp.Services) == 1 {
		// The code's defaults live in another module than config.py.
		s.Defaults = code().Defaults
	}
	f.User = StaticUser(s, func() CodeSwitch { return code().Switch })
	f.Ports = staticPorts(s)
	if f.Ports.Known() && len(f.Ports.Value) == 0 && f.Daemon.Value && len(rp.Services) == 1 {
		if p := code().Ports; len(p) > 0 {
			f.Ports = Fact[[]Port]{Value: p}
		}
	}
	f.PIDFiles = PIDFiles(s)
	f.RunDirs = runDirs(s)
	f.RunDirs.Value = append(f.RunDirs.Value, tmpfilesDirs(rp, s)...)
	f.LogFiles = logFiles(s)
	f.APISpec = List{Value: []Sourced{}}
	if s.API != nil {
		for _, p := range s.API.Files {
			f.APISpec.Value = append(f.APISpec.Value, Sourced{p, "found in the repository"})
		}
	}
	f.APIName = Fact[string]{Value: s.APIName(), Source: apiNameSource(s)}
	f.Nginx = PackageLocations(s)
	setMonit(f, s.Monit)
	f.Deps = staticDeps(s)
	plat.siblingFacts(f, s.Name, f.APIName.Value)
	f.Platform = plat.platformFacts(rp, s, f)
	return f
}

// repoUnits lists the package's units and says whether it is a daemon: a
// unit running a long-lived process (not Type=oneshot).
func repoUnits(s *repo.Service) (List, Fact[bool]) {
	units := List{Value: []Sourced{}}
	if s.Unit == nil {
		return units, Fact[bool]{Value: false, Source: "no systemd unit in debian/ nor in the repository: a library, a CLI or a cron job"}
	}
	units.Value = append(units.Value, Sourced{path.Base(s.Unit.Path), s.Unit.Path})
	if v, ok := s.Unit.Unit.Get("Service", "Type"); ok && v.Text == "oneshot" {
		return units, Fact[bool]{Value: false, Source: fmt.Sprintf("%s:%d Type=oneshot: the process does not stay", s.Unit.Path, v.Line)}
	}
	if _, ok := s.Unit.Unit.Get("Service", "ExecStart"); !ok {
		return units, Fact[bool]{Value: false, Source: s.Unit.Path + " has no ExecStart="}
	}
	return units, Fact[bool]{Value: true, Source: s.Unit.Path}
}

// accountRe is a user or group name as adduser accepts it.
var accountRe = lazyre.New(`^[a-z_][a-z0-9_-]{0,31}\$?$`)

// ExecStartUser finds the account a daemon's command line drops to:
// --user X, --user=X, --uid X, --uid=X, -u X (X an account name: python3's
// -u is followed by a path or another flag, not by a name).
func ExecStartUser(cmd string) string {
	f := strings.Fields(cmd)
	for i, a := range f {
		for _, flag := range []string{"--user", "--uid", "-u"} {
			if a == flag && i+1 < len(f) && accountRe.MatchString(f[i+1]) {
				return f[i+1]
			}
			if flag != "-u" && strings.HasPrefix(a, flag+"=") {
				return strings.TrimPrefix(a, flag+"=")
			}
		}
	}
	return ""
}

// CodeSwitch says whether the daemon's code switches to its configured
// user: where it does ("wazo_x/main.py:42"), or, with Looked set and Where
// empty, that the code was read and does not; with Looked empty, the code
// was not available.
type CodeSwitch struct {
	Where  string
	Looked string
}

// StaticUser is the effective service user from the package: the unit's
// User=, else a --user/--uid/-u flag of ExecStart, else the `user` of the
// default configuration (config file, then the code's defaults) when the
// code switches to it, else root.
func StaticUser(s *repo.Service, codeSwitch func() CodeSwitch) Fact[string] {
	if s.Unit != nil {
		if v, ok := s.Unit.Unit.Get("Service", "User"); ok && v.Text != "" {
			return Fact[string]{Value: v.Text, Source: fmt.Sprintf("%s:%d User=", s.Unit.Path, v.Line)}
		}
		if v, ok := s.Unit.Unit.Get("Service", "ExecStart"); ok {
			if u := ExecStartUser(v.Text); u != "" {
				return Fact[string]{Value: u, Source: fmt.Sprintf("%s:%d ExecStart", s.Unit.Path, v.Line)}
			}
		}
	}
	if u, st, ok := s.SettingString("user"); ok && u != "" {
		from := fmt.Sprintf("%s:%d user", st.Path, st.Line)
		sw := codeSwitch()
		switch {
		case sw.Where != "":
			return Fact[string]{Value: u, Source: from + ", switched to at " + sw.Where}
		case sw.Looked != "":
			return Fact[string]{Value: "root", Source: fmt.Sprintf("no User= in the unit, no --user in ExecStart; %s says %s but no code switches to it (looked in %s): systemd starts it as root", from, u, sw.Looked)}
		}
		return Fact[string]{Unknown: fmt.Sprintf("%s says %s, but the code that would switch to it is not in what was read (no Python or Go source of the daemon)", from, u)}
	}
	where := "the unit"
	if s.Unit == nil {
		where = "no unit"
	}
	return Fact[string]{Value: "root", Source: fmt.Sprintf("no User= (%s), no --user in ExecStart, no user in the configuration or the code's defaults: systemd starts it as root", where)}
}

// listenSections are the configuration sections whose `port` is a socket
// the daemon listens on (a client section — auth, bus, consul — names
// someone else's port).
var listenSections = map[string]bool{"rest_api": true, "http": true, "https": true, "websocket": true, "listen": true, "server": true}

// staticPorts lists the TCP ports the daemon listens on by default: from
// the configuration as the daemon merges it (the shipped conf.d files,
// config.yml, the code's defaults; the first declaring a key wins) and
// from ExecStart.
func staticPorts(s *repo.Service) Fact[[]Port] {
	var out []Port
	var bad []string
	ls := layers(s)
	found := listenKeys(effective(ls))
	keys, values := make([]string, len(found)), make([]any, len(found))
	http := map[string]bool{}
	for i, k := range found {
		keys[i], values[i], http[k.key] = k.key, k.value, k.http
	}
	for _, k := range byLayer(ls, keys, values) {
		n, ok := intValue(k.value)
		if !ok {
			if k.value != nil {
				bad = append(bad, fmt.Sprintf("%s %s is %v", k.source, k.key, k.value))
			}
			continue
		}
		out = append(out, Port{Number: n, Key: k.key, HTTP: http[k.key], Source: k.source})
	}
	if s.Unit != nil {
		if v, ok := s.Unit.Unit.Get("Service", "ExecStart"); ok {
			for _, p := range execStartPorts(v.Text) {
				p.Source = fmt.Sprintf("%s:%d ExecStart", s.Unit.Path, v.Line)
				out = append(out, p)
			}
		}
	}
	if len(bad) > 0 {
		return Fact[[]Port]{Unknown: "a port cannot be read: " + strings.Join(bad, "; ")}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].HTTP && !out[j].HTTP })
	src := "no listening port in the configuration, the code's defaults or ExecStart"
	if len(out) > 0 {
		src = ""
	}
	if out == nil {
		out = []Port{}
	}
	return Fact[[]Port]{Value: out, Source: src}
}

type listenKey struct {
	key   string
	value any
	http  bool
}

// listenKeys finds the listening ports of a configuration map: `port`
// (and http_port, https_port) of a listening section, of its http/https
// subsections, of any section that also says where to listen (`listen`,
// `bind`), and any *listen_port, top-level or in a section.
func listenKeys(m map[string]any) []listenKey {
	var out []listenKey
	if v, ok := m["listen_port"]; ok {
		out = append(out, listenKey{"listen_port", v, false})
	}
	for _, name := range sortedKeys(m) {
		sec, ok := m[name].(map[string]any)
		if !ok {
			continue
		}
		for _, k := range sortedKeys(sec) {
			if strings.HasSuffix(k, "listen_port") {
				out = append(out, listenKey{name + "." + k, sec[k], strings.Contains(k, "http")})
			}
		}
		_, listens := sec["listen"]
		_, binds := sec["bind"]
		if !listenSections[name] && !listens && !binds {
			continue
		}
		http := name != "listen" && name != "server"
		for _, pk := range []string{"port", "http_port", "https_port"} {
			if v, ok := sec[pk]; ok {
				out = append(out, listenKey{name + "." + pk, v, http || pk != "port"})
			}
		}
		for _, sub := range []string{"http", "https"} {
			if ss, ok := sec[sub].(map[string]any); ok {
				if v, ok := ss["port"]; ok {
					if en, isBool := ss["enabled"].(bool); isBool && !en {
						continue // a server the default configuration turns off
					}
					out = append(out, listenKey{name + "." + sub + ".port", v, true})
				}
			}
		}
	}
	return out
}

// execStartPorts reads the ports of a command line: uvicorn's --port,
// gunicorn's --bind/-b host:port, twistd's --port tcp:N. A unix: socket is
// not a TCP port.
func execStartPorts(cmd string) []Port {
	f := strings.Fields(cmd)
	var out []Port
	for i, a := range f {
		flag, val, hasEq := strings.Cut(a, "=")
		if !hasEq {
			if i+1 >= len(f) {
				continue
			}
			val = f[i+1]
		}
		var n int
		switch flag {
		case "--port", "-p":
			v := strings.TrimPrefix(val, "tcp:")
			if strings.HasPrefix(v, "unix:") {
				continue
			}
			n, _ = strconv.Atoi(strings.SplitN(v, ":", 2)[0])
		case "--bind", "-b":
			if strings.HasPrefix(val, "unix:") {
				continue
			}
			if i := strings.LastIndex(val, ":"); i >= 0 {
				n, _ = strconv.Atoi(val[i+1:])
			}
		}
		if n > 0 && n < 65536 {
			out = append(out, Port{Number: n, Key: "ExecStart " + flag, HTTP: true})
		}
	}
	return out
}

func intValue(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, n > 0 && n < 65536
	case float64:
		return int(n), n == float64(int(n)) && n > 0 && n < 65536
	}
	return 0, false
}

// PIDFiles lists every PID file the service or a worker it spawns writes:
// settings named pid_file, pidfile, pid_filename or *_pid_file at any depth of the
// configuration (shipped conf.d files, config.yml, the code's defaults), the
// unit's PIDFile= and ExecStart's --pidfile.
func PIDFiles(s *repo.Service) List {
	out, add := settingPaths(s, func(last string) bool {
		return last == "pid_file" || last == "pidfile" || last == "pid_filename" || strings.HasSuffix(last, "_pid_file")
	})
	if s.Unit != nil {
		if v, ok := s.Unit.Unit.Get("Service", "PIDFile"); ok {
			add(v.Text, fmt.Sprintf("%s:%d PIDFile=", s.Unit.Path, v.Line))
		}
		if v, ok := s.Unit.Unit.Get("Service", "ExecStart"); ok {
			for _, a := range strings.Fields(v.Text) {
				if p, ok := strings.CutPrefix(a, "--pidfile="); ok {
					add(p, fmt.Sprintf("%s:%d ExecStart --pidfile", s.Unit.Path, v.Line))
				}
			}
		}
	}
	if len(out.Value) == 0 {
		out.Source = "no pid_file setting in the configuration or the code's defaults, no PIDFile= nor --pidfile in the unit"
	}
	return *out
}

// settingPaths lists the absolute paths the configuration, as the daemon
// merges it (the shipped conf.d files, config.yml, the code's defaults; the
// first declaring a key wins), sets under keys whose last part is named,
// each with its file and line, once each; add puts more in the same list
// (the unit's flags).
func settingPaths(s *repo.Service, named func(last string) bool) (*List, func(p, src string)) {
	out := &List{Value: []Sourced{}}
	seen := map[string]bool{}
	add := func(p, src string) {
		if strings.HasPrefix(p, "/") && !seen[p] {
			seen[p] = true
			out.Value = append(out.Value, Sourced{p, src})
		}
	}
	ls := layers(s)
	var keys []string
	var values []any
	WalkSettings(effective(ls), "", func(key string, v any) {
		if _, ok := v.(string); ok && named(key[strings.LastIndex(key, ".")+1:]) {
			keys, values = append(keys, key), append(values, v)
		}
	})
	for _, k := range byLayer(ls, keys, values) {
		add(k.value.(string), k.source+" "+k.key)
	}
	return out, add
}

// WalkSettings calls fn for every leaf of a configuration map, with its
// dotted key, in key order, bounded in depth.
func WalkSettings(m map[string]any, prefix string, fn func(key string, v any)) {
	if strings.Count(prefix, ".") > 16 {
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := m[k]
		key := k
		if prefix != "" {
			key = prefix + "." + k
		}
		if sub, ok := v.(map[string]any); ok {
			WalkSettings(sub, key, fn)
			continue
		}
		fn(key, v)
	}
}

// runDirs lists the directories created for the daemon: RuntimeDirectory=
// (owned by the unit's User=), ExecStartPre=install -d -o.
func runDirs(s *repo.Service) List {
	out := List{Value: []Sourced{}}
	if s.Unit == nil {
		return out
	}
	u := s.Unit.Unit
	if rd, ok := u.Get("Service", "RuntimeDirectory"); ok {
		owner := "root"
		if usr, ok := u.Get("Service", "User"); ok {
			owner = usr.Text
		}
		for _, name := range strings.Fields(rd.Text) {
			out.Value = append(out.Value, Sourced{"/run/" + name + " owned by " + owner, fmt.Sprintf("%s:%d RuntimeDirectory=", s.Unit.Path, rd.Line)})
		}
	}
	for _, v := range u.Sections["Service"]["ExecStartPre"] {
		args := strings.Fields(strings.TrimLeft(v.Text, "-+!@:"))
		if len(args) == 0 || !strings.HasSuffix(args[0], "install") {
			continue
		}
		c := parse.Command{Args: args, Line: v.Line}
		if !c.Has("-d") && !c.Has("--directory") {
			continue
		}
		owner, _ := c.Option("-o", "--owner")
		if owner == "" {
			owner = "root"
		}
		for _, d := range c.Positional("-o", "--owner", "-g", "--group", "-m", "--mode") {
			out.Value = append(out.Value, Sourced{d + " owned by " + owner, fmt.Sprintf("%s:%d ExecStartPre", s.Unit.Path, v.Line)})
		}
	}
	return out
}

// logFiles lists the files the daemon logs to: log_file (log_filename,
// logfile) at any depth of the configuration (shipped conf.d files,
// config.yml, the code's defaults), and
// ExecStart's --logfile/--log-file. With none, Wazo's /var/log/<service>.log
// when the package's logrotate or postinst names it.
func logFiles(s *repo.Service) List {
	out, add := settingPaths(s, func(last string) bool {
		return last == "log_file" || last == "log_filename" || last == "logfile"
	})
	if s.Unit != nil {
		if v, ok := s.Unit.Unit.Get("Service", "ExecStart"); ok {
			for _, a := range strings.Fields(v.Text) {
				for _, flag := range []string{"--logfile=", "--log-file="} {
					if p, ok := strings.CutPrefix(a, flag); ok {
						add(p, fmt.Sprintf("%s:%d ExecStart %s", s.Unit.Path, v.Line, strings.TrimSuffix(flag, "=")))
					}
				}
			}
		}
	}
	if len(out.Value) == 0 {
		def := "/var/log/" + s.Name + ".log"
		for _, r := range s.Rotate {
			for _, p := range r.Item.Paths {
				if p == def {
					add(def, r.Path+" (logrotate; no log_file setting)")
				}
			}
		}
		if s.Postinst != nil && len(out.Value) == 0 {
			for _, c := range s.Postinst.Commands {
				for _, a := range c.Args[1:] {
					if a == def {
						add(def, fmt.Sprintf("%s:%d (postinst; no log_file setting)", s.Postinst.Path, c.Line))
					}
				}
			}
		}
	}
	if len(out.Value) == 0 {
		out.Source = "no log_file setting, no --logfile in ExecStart, and nothing in the package names /var/log/" + s.Name + ".log"
	}
	return *out
}

func apiNameSource(s *repo.Service) string {
	for _, l := range s.Nginx {
		if l.Item.Path == "/api/"+s.APIName()+"/" {
			return fmt.Sprintf("%s:%d location", l.Path, l.Item.Line)
		}
	}
	if x := s.XivoName(); x != "" && x == s.APIName() {
		f, l := s.API.Where("x-xivo-name")
		return fmt.Sprintf("%s:%d x-xivo-name", f, l)
	}
	return "the package name without wazo- (no location, no x-xivo-name)"
}

// devOnly are path parts of files that are not the package: Docker and
// development assets, test data.
var devOnly = []string{"docker", "contribs/", "dev/", "integration_tests/", "test", "examples/"}

// PackageLocations lists the nginx /api/ locations the package installs:
// files under debian/, files dh_install ships (debian/<pkg>.install), or,
// with no .install file, files under etc/ that no development-only path
// holds. A Docker compose nginx or a test asset is not the package's.
func PackageLocations(s *repo.Service) List {
	out := List{Value: []Sourced{}}
	for _, l := range s.Nginx {
		if !Shipped(s, l.Path) {
			continue
		}
		out.Value = append(out.Value, Sourced{"location " + strings.TrimSpace(l.Item.Modifier+" "+l.Item.Path), fmt.Sprintf("%s:%d", l.Path, l.Item.Line)})
	}
	return out
}

// Shipped reports whether a repository file ends up in the package: it is
// under debian/, dh_install copies it, or (with no .install file) it is
// under etc/ and not a development asset.
func Shipped(s *repo.Service, file string) bool {
	if strings.HasPrefix(file, "debian/") {
		return true
	}
	if DevAsset(s, file) {
		return false
	}
	if s.Install != nil {
		return s.Installed(file)
	}
	return strings.HasPrefix(file, "etc/")
}

// DevAsset reports whether a repository file is a development or test
// asset, never part of the package: under a Docker, contribs, dev, test or
// examples directory, or outside etc/ and debian/ with no debian/*.install
// line shipping it.
func DevAsset(s *repo.Service, file string) bool {
	if strings.HasPrefix(file, "debian/") {
		return false
	}
	lower := strings.ToLower(file)
	for _, d := range devOnly {
		if strings.Contains(lower, d) {
			return true
		}
	}
	if strings.HasPrefix(file, "etc/") {
		return false
	}
	return s.Install == nil || !s.Installed(file)
}

// staticDeps lists the direct dependencies with their pinned versions:
// go.mod requires without // indirect, requirements.txt lines.
func staticDeps(s *repo.Service) Fact[[]Dependency] {
	out := []Dependency{}
	switch {
	case s.GoMod != nil:
		for _, r := range s.GoMod.Entries {
			if !r.Indirect {
				out = append(out, Dependency{r.Path, r.Version, fmt.Sprintf("%s:%d", s.GoMod.Path, r.Line)})
			}
		}
	case s.Reqs != nil:
		for _, r := range s.Reqs.Entries {
			name, v := r.Name, ""
			if r.Op == "==" || r.Op == "===" {
				v = r.Version
			}
			if name == "" {
				name = r.URL
			}
			out = append(out, Dependency{name, v, fmt.Sprintf("%s:%d", s.Reqs.Path, r.Line)})
		}
	default:
		return Fact[[]Dependency]{Value: out, Source: "no go.mod nor requirements.txt"}
	}
	return Fact[[]Dependency]{Value: out}
}

// ReadRepo derives the facts of every service of the source repository at
// dir, with the sibling checkouts under siblings ("" for none).
func ReadRepo(dir, siblings string) ([]*Facts, error) {
	rp, err := repo.Load(dir)
	if err != nil {
		return nil, err
	}
	plat := NewPlatform(siblings)
	out := make([]*Facts, 0, len(rp.Services))
	for _, s := range rp.Services {
		out = append(out, FromRepo(rp, s, plat))
	}
	return out, nil
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// setMonit records the package's monit checks.
func setMonit(f *Facts, checks []repo.Located[parse.MonitCheck]) {
	f.Monit = List{Value: []Sourced{}}
	for _, m := range checks {
		f.Monit.Value = append(f.Monit.Value, Sourced{"check " + m.Item.Kind + " " + m.Item.Name, fmt.Sprintf("%s:%d", m.Path, m.Item.Line)})
		f.MonitChecks = append(f.MonitChecks, m)
	}
}

// tmpfilesDirs are the directories the package's systemd-tmpfiles entries
// (debian/<pkg>.tmpfiles, or a shipped tmpfiles.d file) create at every
// boot: `d /run/x 0755 user group -`.
func tmpfilesDirs(rp *repo.Repo, s *repo.Service) []Sourced {
	var out []Sourced
	for _, p := range []string{"debian/" + s.Name + ".tmpfiles", "debian/tmpfiles", "etc/tmpfiles.d/" + s.Name + ".conf", "usr/lib/tmpfiles.d/" + s.Name + ".conf"} {
		data, ok := rp.Files[p]
		if !ok {
			continue
		}
		for i, l := range strings.Split(string(data), "\n") {
			f := strings.Fields(l)
			if len(f) >= 5 && (f[0] == "d" || f[0] == "D") && strings.HasPrefix(f[1], "/") {
				out = append(out, Sourced{f[1] + " owned by " + f[3], fmt.Sprintf("%s:%d tmpfiles.d", p, i+1)})
			}
		}
	}
	return out
}
