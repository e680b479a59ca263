package service

import (
	"bytes"
	"fmt"
	"path"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/host"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/parse"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

// FromHost derives the facts of an installed service from an image root
// or the running host, with the same derivations as FromRepo: the package
// as installed is read into the same shape as a checkout (the unit, the
// merged configuration, the code's defaults, the postinst, monit, nginx,
// logrotate), then the installed wazo-service, wazo-backup and the running
// process complete it.
func FromHost(h *host.Host, name string) *Facts { return FromObserved(Observe(h, name)) }

// FromObserved derives the facts of an installed service from the
// observations of its host, which the live rules judge too: the facts and
// the audit read the same groups, backup entries, monit checks, nginx
// locations and running process.
func FromObserved(o *Observed) *Facts {
	h, name := o.Host, o.Name
	s, origin := installedService(o)
	f := &Facts{Service: name, Origin: origin}
	f.Units, f.Daemon = repoUnits(s)
	// The running process says who the daemon is; the installed files
	// say it when it does not run (or on an image root).
	running, notRunning := false, ""
	if h.Live {
		f.User, running, notRunning = runningUser(o, s)
	}
	if !running {
		f.User = StaticUser(s, func() CodeSwitch { return hostCodeSwitch(h, s) })
		// Say why the running process did not answer, so a reviewer
		// sees the live audit looked for it.
		if notRunning != "" {
			if f.User.Known() {
				f.User.Source += "; no running process: " + notRunning
			} else {
				f.User.Unknown += "; no running process: " + notRunning
			}
		}
	}
	f.Ports = staticPorts(s)
	f.PIDFiles = PIDFiles(s)
	f.RunDirs = runDirs(s)
	f.LogFiles = logFiles(s)
	f.APISpec = List{Value: []Sourced{}}
	f.APIName = Fact[string]{Value: s.APIName(), Source: apiNameSource(s)}
	f.Nginx = PackageLocations(s)
	setMonit(f, s.Monit)
	f.Deps = Fact[[]Dependency]{Unknown: "dependency pins are in the source repository, not on an installed system"}
	f.Groups = o.WazoServiceGroups()
	f.Backup = o.BackupEntries()
	f.Docs = unknownList("documentation lives in wazo-platform.org, not on an installed system")
	f.Acceptance = unknownList("acceptance rows live in wazo-acceptance, not on an installed system")
	return f
}

// InstalledService reads what a package installed into the shape of a
// source checkout's service, so the facts are derived by the same code.
func InstalledService(h *host.Host, name string) (*repo.Service, string) {
	return installedService(Observe(h, name))
}

func installedService(o *Observed) (*repo.Service, string) {
	h, name := o.Host, o.Name
	origin := "image root " + h.Root
	if h.Live {
		origin = "live host"
	}
	s := &repo.Service{Name: name, Debian: map[string]bool{}}
	pkg := o.Package()
	if pkg.Unit != nil {
		s.Unit = &repo.UnitFile{Path: pkg.UnitPath, Unit: pkg.Unit}
	}
	base := "/etc/" + name + "/config.yml"
	if m := pkg.Config; m != nil {
		data, _ := h.ReadFile(base)
		s.Config = &repo.Config{Path: base, Data: data, Map: m}
	}
	module := strings.ReplaceAll(name, "-", "_")
	for _, dir := range []string{"/usr/lib/python3/dist-packages/", "/usr/local/lib/python3/dist-packages/"} {
		p := dir + module + "/config.py"
		if data, err := h.ReadFile(p); err == nil {
			if m, lines := parse.PyDefaults(data); len(m) > 0 {
				s.Defaults = &repo.Config{Path: p, Data: data, Map: m, Lines: lines}
				break
			}
		}
	}
	if data, err := h.ReadFile("/var/lib/dpkg/info/" + name + ".postinst"); err == nil {
		s.Postinst = &repo.Script{Path: "/var/lib/dpkg/info/" + name + ".postinst", Commands: parse.ParseShell(data)}
	}
	if checks := o.MonitInstalled(); checks.Known() {
		for _, c := range checks.Value {
			if c.Item.Name == name || strings.Contains(c.Item.StartProgram, name) || path.Base(c.Path) == name {
				s.Monit = append(s.Monit, repo.Located[parse.MonitCheck]{Path: c.Path, Item: c.Item})
			}
		}
	}
	s.Nginx = append(s.Nginx, o.NginxOwn().Value...)
	if data, err := h.ReadFile("/etc/logrotate.d/" + name); err == nil {
		for _, e := range parse.ParseLogrotate(data) {
			s.Rotate = append(s.Rotate, repo.Located[parse.LogrotateEntry]{Path: "/etc/logrotate.d/" + name, Item: e})
		}
	}
	return s, origin
}

// hostCodeSwitch looks for the privilege drop in the installed code: the
// daemon's Python package, or the binary ExecStart runs (a Go binary keeps
// its function names).
func hostCodeSwitch(h *host.Host, s *repo.Service) CodeSwitch {
	module := strings.ReplaceAll(s.Name, "-", "_")
	for _, dir := range []string{"/usr/lib/python3/dist-packages/", "/usr/local/lib/python3/dist-packages/"} {
		if h.Exists(dir + module) {
			return ScanCode(h.Path(dir+module), false).Switch
		}
	}
	if s.Unit == nil {
		return CodeSwitch{}
	}
	v, ok := s.Unit.Unit.Get("Service", "ExecStart")
	if !ok {
		return CodeSwitch{}
	}
	bin := strings.Fields(strings.TrimLeft(v.Text, "-+!@:"))
	if len(bin) == 0 || !strings.HasPrefix(bin[0], "/") {
		return CodeSwitch{}
	}
	f, err := h.Open(bin[0])
	if err != nil {
		return CodeSwitch{}
	}
	defer f.Close()
	// Scan in chunks (bounded at 256 MiB) for the kit's privilege drop.
	needle := []byte("servicekit/privilege.Drop")
	buf := make([]byte, 1<<20)
	var tail []byte
	for read := 0; read < 256<<20; {
		n, err := f.Read(buf)
		if n > 0 {
			chunk := append(tail, buf[:n]...)
			if bytes.Contains(chunk, needle) {
				return CodeSwitch{Where: bin[0] + " (calls privilege.Drop)"}
			}
			tail = append([]byte(nil), chunk[max(0, len(chunk)-len(needle)):]...)
			read += n
		}
		if err != nil {
			break
		}
	}
	return CodeSwitch{Looked: bin[0]}
}

// runningUser is the account of the running daemon's main process, or
// why it could not be seen.
func runningUser(o *Observed, s *repo.Service) (Fact[string], bool, string) {
	pidFile := ""
	if pf := PIDFiles(s); len(pf.Value) > 0 {
		pidFile = pf.Value[0].Value
	}
	p := o.MainProcess(pidFile)
	if !p.Known() {
		return Fact[string]{}, false, p.Unknown
	}
	if len(p.Value.ThreadUIDs) == 0 {
		return Fact[string]{}, false, fmt.Sprintf("pid %d has no threads", p.Value.PID)
	}
	pid, uids := p.Value.PID, p.Value.ThreadUIDs
	uid, ok := uids[pid]
	if !ok {
		for _, u := range uids {
			uid = u
			break
		}
	}
	return Fact[string]{Value: o.UIDName(uid), Source: fmt.Sprintf("/proc/%d/status (the running process, uid %d)", pid, uid)}, true, ""
}

// ReadHost derives the facts of the Wazo services installed under root
// ("/" is this host, live): those named, or every one found.
func ReadHost(root string, names []string) ([]*Facts, error) {
	h := host.Open(root)
	if len(names) == 0 {
		var err error
		if names, err = h.Services(); err != nil {
			return nil, err
		}
	}
	out := make([]*Facts, 0, len(names))
	for _, n := range names {
		out = append(out, FromHost(h, n))
	}
	return out, nil
}
