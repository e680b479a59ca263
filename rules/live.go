package rules

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/wazo-platform/wazo-servicekit/probe/host"
	"github.com/wazo-platform/wazo-servicekit/probe/parse"
)

// LiveService is what the live probes know about one installed service.
// Its expectations come from what the package installed (config.yml and
// conf.d merged as xivo does, the unit file), never from a per-service list.
type LiveService struct {
	Name           string
	Host           *host.Host
	Config         map[string]any
	ConfigProblems []string
	UnitPath       string
	Unit           *parse.Unit
	UnitErr        error
}

// LiveEnv carries the audit-wide settings to live probes.
type LiveEnv struct {
	Ctx context.Context
	// ConsulURL overrides the agent address from the service's config.
	ConsulURL string
	// NginxURL is the TLS front end (default https://127.0.0.1).
	NginxURL string
	// HTTP is the client for loopback probes (bounded by its Timeout).
	HTTP *http.Client
	// HTTPSInsecure is the client for nginx on loopback (self-signed certificate).
	HTTPSInsecure *http.Client
	// Command runs a read-only tool (systemctl is-active, monit summary)
	// with a time bound; replaced in tests.
	Command func(ctx context.Context, name string, args ...string) ([]byte, error)
}

func (s *LiveService) str(path ...string) string {
	var v any = s.Config
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = m[k]
	}
	str, _ := v.(string)
	return str
}

func (s *LiveService) num(path ...string) (int, bool) {
	var v any = s.Config
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return 0, false
		}
		v = m[k]
	}
	return asInt(v)
}

// user is the account the service runs as: config user, unit User=, or its name.
func (s *LiveService) user() string {
	if u := s.str("user"); u != "" {
		return u
	}
	if s.Unit != nil {
		if v, ok := s.Unit.Get("Service", "User"); ok {
			return v.Text
		}
	}
	return s.Name
}

func (s *LiveService) logFile() string {
	if l := s.str("log_file"); l != "" {
		return l
	}
	return "/var/log/" + s.Name + ".log"
}

func (s *LiveService) pidFile() string {
	if p := s.str("pid_file"); p != "" {
		return p
	}
	if s.Unit != nil {
		if v, ok := s.Unit.Get("Service", "PIDFile"); ok {
			return v.Text
		}
	}
	return ""
}

// AuditOptions configure a live audit.
type AuditOptions struct {
	Root      string   // "/" or "" for this host; an image root otherwise
	Services  []string // restrict to these; nil finds them all
	ConsulURL string
	NginxURL  string
	// ProbeTimeout bounds each probe (default 2 s).
	ProbeTimeout time.Duration
	// Concurrency bounds probes in flight (default 8).
	Concurrency int
	// Command overrides how tools are run (tests).
	Command func(ctx context.Context, name string, args ...string) ([]byte, error)
}

// Audit runs every live probe of the catalogue against the Wazo services
// installed under opts.Root, concurrently, each probe bounded in time. On an
// image root, the probes needing a running system report unknown. The
// error is for a root that cannot be read at all.
func Audit(ctx context.Context, opts AuditOptions) (*Report, error) {
	h := host.Open(opts.Root)
	names := opts.Services
	if len(names) == 0 {
		var err error
		if names, err = h.Services(); err != nil {
			return nil, err
		}
	}
	if opts.ProbeTimeout <= 0 {
		opts.ProbeTimeout = 2 * time.Second
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 8
	}
	env := LiveEnv{ConsulURL: opts.ConsulURL, NginxURL: opts.NginxURL, Command: opts.Command,
		HTTP: &http.Client{Timeout: opts.ProbeTimeout}, HTTPSInsecure: insecureLoopbackClient(opts.ProbeTimeout)}
	if env.NginxURL == "" {
		env.NginxURL = "https://127.0.0.1"
	}
	if env.Command == nil {
		env.Command = runTool
	}
	rep := &Report{Tool: "wazo-servicekit", Mode: "audit", Target: h.Root}
	var live []Rule
	for _, r := range All() {
		if r.live != nil {
			live = append(live, r)
		}
	}
	rep.Services = make([]ServiceReport, len(names))
	sem := make(chan struct{}, opts.Concurrency)
	var wg sync.WaitGroup
	for i, name := range names {
		s := &LiveService{Name: name, Host: h}
		s.Config, s.ConfigProblems = h.Config(name)
		s.UnitPath, s.Unit, s.UnitErr = h.Unit(name)
		rep.Services[i] = ServiceReport{Name: name, Results: make([]Result, 0, len(live))}
		results := make([][]Finding, len(live))
		for j, r := range live {
			wg.Add(1)
			go func(j int, r Rule) {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				results[j] = runLive(ctx, r, s, env, opts.ProbeTimeout)
			}(j, r)
		}
		wg.Wait()
		for j, r := range live {
			for _, f := range results[j] {
				rep.Services[i].Results = append(rep.Services[i].Results, Result{Rule: r.ID, Service: name, Severity: r.Severity, Finding: f})
			}
		}
		if len(s.ConfigProblems) > 0 {
			for _, p := range s.ConfigProblems {
				rep.Services[i].Results = append(rep.Services[i].Results, Result{Rule: "files-parse", Service: name, Severity: Error, Finding: fail("", 0, p)})
			}
		}
	}
	rep.Summarise()
	return rep, nil
}

// runLive runs one probe with its own deadline; a probe that overruns or
// panics reports unknown with the reason.
func runLive(ctx context.Context, r Rule, s *LiveService, env LiveEnv, timeout time.Duration) []Finding {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	env.Ctx = ctx
	done := make(chan []Finding, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- []Finding{unknown(fmt.Sprintf("internal error in probe %s: %v (please report it)", r.ID, p))}
			}
		}()
		done <- r.live(s, &env)
	}()
	select {
	case out := <-done:
		if len(out) == 0 {
			out = []Finding{unknown("the probe returned no verdict")}
		}
		return out
	case <-ctx.Done():
		return []Finding{unknown(fmt.Sprintf("probe did not answer within %s", timeout))}
	}
}

// notLive is the unknown verdict of a probe that needs a running system.
func notLive(s *LiveService, what string) Finding {
	return unknown(what + ": " + s.Host.Root + " is an image root, nothing runs there")
}

func sortedKeys(m map[int]int) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}

func liveUserEntry(s *LiveService) (*parse.PasswdEntry, []Finding) {
	u, err := s.Host.User(s.user())
	if err != nil {
		return nil, []Finding{unknown(err.Error())}
	}
	if u == nil {
		return nil, []Finding{fail("/etc/passwd", 0, "no passwd entry for "+s.user())}
	}
	return u, nil
}

func liveUserNotRoot(s *LiveService, env *LiveEnv) []Finding {
	u, out := liveUserEntry(s)
	if u == nil {
		return out
	}
	if u.UID == 0 {
		return []Finding{fail("/etc/passwd", u.Line, s.user()+" has uid 0")}
	}
	out = []Finding{pass(fmt.Sprintf("%s has uid %d", u.Name, u.UID))}
	if !s.Host.Live {
		return append(out, notLive(s, "threads' uids"))
	}
	pid, err := s.Host.PIDOf(s.Name, s.pidFile())
	if err != nil {
		return append(out, unknown("threads' uids: "+err.Error()))
	}
	uids, err := s.Host.ThreadUIDs(pid)
	if err != nil {
		return append(out, unknown(fmt.Sprintf("threads of pid %d: %v", pid, err)))
	}
	var wrong []string
	for _, tid := range sortedKeys(uids) {
		if uids[tid] != u.UID {
			wrong = append(wrong, fmt.Sprintf("tid %d uid %d", tid, uids[tid]))
		}
	}
	if len(wrong) > 0 {
		return append(out, fail("/proc/"+fmt.Sprint(pid), 0, fmt.Sprintf("%d of %d threads do not run as %s (uid %d)", len(wrong), len(uids), u.Name, u.UID), wrong...))
	}
	return append(out, pass(fmt.Sprintf("all %d threads of pid %d run as uid %d", len(uids), pid, u.UID)))
}

func liveUserNoLoginShell(s *LiveService, _ *LiveEnv) []Finding {
	u, out := liveUserEntry(s)
	if u == nil {
		return out
	}
	if !noLoginShells[u.Shell] {
		return []Finding{fail("/etc/passwd", u.Line, fmt.Sprintf("%s has the login shell %q", u.Name, u.Shell))}
	}
	return []Finding{pass(u.Name + " has shell " + u.Shell)}
}

func liveUserHome(s *LiveService, _ *LiveEnv) []Finding {
	u, out := liveUserEntry(s)
	if u == nil {
		return out
	}
	if u.Home == "/home" || strings.HasPrefix(u.Home, "/home/") {
		return []Finding{fail("/etc/passwd", u.Line, fmt.Sprintf("%s's home is %s", u.Name, u.Home))}
	}
	if s.Host.Exists("/home/" + u.Name) {
		return []Finding{fail("/home/"+u.Name, 0, "/home/"+u.Name+" exists")}
	}
	return []Finding{pass(fmt.Sprintf("%s's home is %s; no /home/%s", u.Name, u.Home, u.Name))}
}

// ownedBy judges whether the account can write a path: owner, or group
// with group-write.
func ownedBy(s *LiveService, p string, u *parse.PasswdEntry) Finding {
	o, err := s.Host.Stat(p)
	if err != nil {
		if os.IsNotExist(err) {
			return fail(p, 0, p+" does not exist: the daemon cannot create it after dropping root")
		}
		return unknown(err.Error())
	}
	switch {
	case o.Mode.Perm()&0o002 != 0:
		return fail(p, 0, fmt.Sprintf("%s is world-writable (%v): any local user can forge or fill it", p, o.Mode.Perm()))
	case o.UID == u.UID:
		return pass(fmt.Sprintf("%s is owned by %s (%v)", p, u.Name, o.Mode.Perm()))
	case o.GID == u.GID && o.Mode.Perm()&0o020 != 0:
		return pass(fmt.Sprintf("%s is group-writable for %s's group (%v)", p, u.Name, o.Mode.Perm()))
	}
	return fail(p, 0, fmt.Sprintf("%s is owned by uid %d gid %d mode %v: %s (uid %d) cannot write it", p, o.UID, o.GID, o.Mode.Perm(), u.Name, u.UID))
}

func liveLogFileWritable(s *LiveService, _ *LiveEnv) []Finding {
	u, out := liveUserEntry(s)
	if u == nil {
		return out
	}
	return []Finding{ownedBy(s, s.logFile(), u)}
}

func livePIDDir(s *LiveService, _ *LiveEnv) []Finding {
	pf := s.pidFile()
	if pf == "" {
		return []Finding{pass("the service writes no PID file")}
	}
	if !s.Host.Live {
		return []Finding{notLive(s, dir(pf)+" (a tmpfs created at start)")}
	}
	u, out := liveUserEntry(s)
	if u == nil {
		return out
	}
	out = []Finding{ownedBy(s, dir(pf), u)}
	if s.Host.Exists(pf) {
		out = append(out, ownedBy(s, pf, u))
	}
	return out
}

func liveConsulGroup(s *LiveService, _ *LiveEnv) []Finding {
	need := false
	entries, _ := os.ReadDir(s.Host.Path("/etc/" + s.Name + "/conf.d"))
	for _, e := range entries {
		if t, err := os.Readlink(s.Host.Path("/etc/" + s.Name + "/conf.d/" + e.Name())); err == nil && strings.HasPrefix(t, "/var/lib/consul/") {
			need = true
		}
	}
	if !need {
		return []Finding{pass("the service does not read the default consul config files")}
	}
	u, out := liveUserEntry(s)
	if u == nil {
		return out
	}
	g, err := s.Host.Group("consul")
	if err != nil {
		return []Finding{unknown(err.Error())}
	}
	if g == nil {
		return []Finding{fail("/etc/group", 0, "no group consul, yet the service links /var/lib/consul files")}
	}
	if u.GID == g.GID || contains(g.Members, u.Name) {
		return []Finding{pass(u.Name + " is in group consul")}
	}
	return []Finding{fail("/etc/group", g.Line, u.Name+" is not in group consul")}
}

func liveWazoServiceListed(s *LiveService, _ *LiveEnv) []Finding {
	data, err := s.Host.ReadFile("/usr/bin/wazo-service")
	if err != nil {
		return []Finding{unknown("wazo-service is not installed here: " + err.Error())}
	}
	if g, _ := wazoServiceGroups(data, s.Name); len(g) > 0 {
		return []Finding{pass("/usr/bin/wazo-service lists it in " + g[0])}
	}
	return []Finding{fail("/usr/bin/wazo-service", 0, "wazo-service lists "+s.Name+" in no group")}
}

func liveMonit(s *LiveService, env *LiveEnv) []Finding {
	checks, err := s.Host.MonitChecks()
	if err != nil {
		return []Finding{unknown(err.Error())}
	}
	var where string
	for _, c := range checks {
		if c.Item.Kind == "process" && c.Item.Name == s.Name {
			where = fmt.Sprintf("%s:%d", c.Path, c.Item.Line)
		}
	}
	if where == "" {
		return []Finding{fail("/etc/monit/conf.d", 0, "no `check process "+s.Name+"` in /etc/monit/conf.d")}
	}
	out := []Finding{pass("monit check at " + where)}
	if !s.Host.Live {
		return append(out, notLive(s, "monit's status"))
	}
	sum, err := env.Command(env.Ctx, "monit", "summary")
	if err != nil {
		return append(out, unknown("monit summary: "+err.Error()))
	}
	for _, line := range strings.Split(string(sum), "\n") {
		if strings.Contains(line, s.Name) {
			if strings.Contains(line, "OK") || strings.Contains(line, "Running") {
				return append(out, pass("monit reports: "+strings.Join(strings.Fields(line), " ")))
			}
			return append(out, fail("", 0, "monit reports: "+strings.Join(strings.Fields(line), " ")))
		}
	}
	return append(out, fail("", 0, "monit summary does not list "+s.Name+" (monit not reloaded?)"))
}

func liveInstalled(s *LiveService, _ *LiveEnv) []Finding {
	data, err := s.Host.ReadFile("/var/lib/dpkg/status")
	if err != nil {
		return []Finding{unknown("cannot read the dpkg database: " + err.Error())}
	}
	for _, p := range parse.ParseDeb822(data) {
		if p.Get("Package") == s.Name {
			if st := p.Get("Status"); st != "install ok installed" {
				return []Finding{fail("/var/lib/dpkg/status", p.Line("Package"), fmt.Sprintf("dpkg status of %s is %q", s.Name, st))}
			}
			return []Finding{pass(s.Name + " " + p.Get("Version") + " is installed and configured")}
		}
	}
	return []Finding{unknown("no dpkg package named " + s.Name + " (installed from source?)")}
}

func liveWantsLink(s *LiveService, env *LiveEnv) []Finding {
	if s.Unit == nil {
		return []Finding{fail("", 0, s.UnitErr.Error())}
	}
	var out []Finding
	wanted := s.Unit.All("Install", "WantedBy")
	if len(wanted) == 0 {
		return []Finding{fail(s.UnitPath, 0, "the unit has no WantedBy=: it cannot be enabled")}
	}
	for _, w := range wanted {
		link := "/etc/systemd/system/" + w.Text + ".wants/" + s.Name + ".service"
		if s.Host.Exists(link) {
			out = append(out, pass("enabled: "+link))
		} else {
			out = append(out, fail(link, 0, "not enabled: "+link+" is missing"))
		}
	}
	if !s.Host.Live {
		return append(out, notLive(s, "unit state"))
	}
	state, err := env.Command(env.Ctx, "systemctl", "is-active", s.Name+".service")
	st := strings.TrimSpace(string(state))
	switch {
	case st == "active":
		out = append(out, pass(s.Name+".service is active"))
	case st == "" || (err != nil && st != "inactive" && st != "failed"):
		out = append(out, unknown(fmt.Sprintf("systemctl is-active: %v %s", err, st)))
	default:
		out = append(out, fail("", 0, s.Name+".service is "+st))
	}
	return out
}

func liveBackupList(s *LiveService, _ *LiveEnv) []Finding {
	for _, p := range []string{"/usr/sbin/wazo-backup", "/usr/bin/wazo-backup"} {
		if data, err := s.Host.ReadFile(p); err == nil {
			return backupListed(data, p, s.Name)
		}
	}
	return []Finding{unknown("wazo-backup is not installed here")}
}
