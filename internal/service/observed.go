package service

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/host"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/parse"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

// Observed is what an installed system shows of one service beyond what
// its package ships: the running process and its threads, the accounts,
// the state of its files (owner, mode, presence), its log's last lines,
// the wants links that enable it, the dpkg status, and what other
// packages installed for it (monit checks, nginx locations, wazo-service
// groups, wazo-backup entries, the wazo-auth policy). Each observation is
// a Fact with its source, or unknown with why; each is read once, when a
// rule first asks, so an audit reads no more than its rules need. The live
// rules judge these observations; FromHost derives the model's facts from
// the same ones, so the facts command and the audit agree.
type Observed struct {
	Host *host.Host
	Name string

	pkg            onceFact[Installed]
	given          Installed
	configGiven    bool
	unitGiven      bool
	groups, backup onceList
	dpkg           onceFact[Package]
	policy         onceFact[Text]
	consulLinks    onceList
	monit          onceFact[[]repo.Located[parse.MonitCheck]]
	nginxEnabled   onceFact[[]repo.Located[parse.NginxLocation]]
	nginxOwn       onceFact[[]repo.Located[parse.NginxLocation]]

	mu        sync.Mutex
	processes map[string]Fact[Process]
	files     map[string]Fact[FileState]
	present   map[string]Fact[bool]
	logTails  map[string]Fact[[]string]
	pidValues map[string]Fact[string]
}

// Observe starts the observations of one service of h; nothing is read
// until asked.
func Observe(h *host.Host, name string) *Observed {
	return &Observed{Host: h, Name: name, processes: map[string]Fact[Process]{}, files: map[string]Fact[FileState]{},
		present: map[string]Fact[bool]{}, logTails: map[string]Fact[[]string]{}, pidValues: map[string]Fact[string]{}}
}

// Installed is the package's unit and the configuration the daemon loads
// (config.yml and conf.d merged as the daemon merges them), with the
// problems met reading them.
type Installed struct {
	Config         map[string]any
	ConfigProblems []string
	UnitPath       string
	Unit           *parse.Unit
	UnitErr        error
}

// WithConfig gives the observations a configuration the caller has
// already read (before any observation is asked for).
func (o *Observed) WithConfig(m map[string]any, problems []string) *Observed {
	o.given.Config, o.given.ConfigProblems, o.configGiven = m, problems, true
	return o
}

// WithUnit gives the observations a unit the caller has already read
// (before any observation is asked for).
func (o *Observed) WithUnit(path string, u *parse.Unit, err error) *Observed {
	o.given.UnitPath, o.given.Unit, o.given.UnitErr, o.unitGiven = path, u, err, true
	return o
}

// Package is the installed unit and configuration, read once.
func (o *Observed) Package() Installed {
	return o.pkg.get(func() Fact[Installed] {
		in := o.given
		if !o.configGiven {
			in.Config, in.ConfigProblems = o.Host.Config(o.Name)
		}
		if !o.unitGiven {
			in.UnitPath, in.Unit, in.UnitErr = o.Host.Unit(o.Name)
		}
		return Fact[Installed]{Value: in}
	}).Value
}

type onceFact[T any] struct {
	once sync.Once
	fact Fact[T]
}

func (o *onceFact[T]) get(read func() Fact[T]) Fact[T] {
	o.once.Do(func() { o.fact = read() })
	return o.fact
}

type onceList = onceFact[[]Sourced]

// memo returns m[key], reading it once under the observation's lock.
func memo[T any](o *Observed, m map[string]T, key string, read func() T) T {
	o.mu.Lock()
	defer o.mu.Unlock()
	if v, ok := m[key]; ok {
		return v
	}
	v := read()
	m[key] = v
	return v
}

// Process is the service's main process and the effective uid of each of
// its threads (a daemon that dropped privileges on one thread only shows).
type Process struct {
	PID        int
	ThreadUIDs map[int]int
}

// MainProcess is the running daemon: from its PID file when alive, else
// the process named after the service; unknown on an image root or when
// it does not run.
func (o *Observed) MainProcess(pidFile string) Fact[Process] {
	return memo(o, o.processes, pidFile, func() Fact[Process] {
		pid, err := o.Host.PIDOf(o.Name, pidFile)
		if err != nil {
			return Fact[Process]{Unknown: "threads' uids: " + err.Error()}
		}
		uids, err := o.Host.ThreadUIDs(pid)
		if err != nil {
			return Fact[Process]{Value: Process{PID: pid}, Unknown: fmt.Sprintf("threads of pid %d: %v", pid, err)}
		}
		return Fact[Process]{Value: Process{PID: pid, ThreadUIDs: uids}, Source: fmt.Sprintf("/proc/%d/task", pid)}
	})
}

// Account is the passwd entry of an account: a nil value when there is
// none, unknown when /etc/passwd cannot be read.
func (o *Observed) Account(name string) Fact[*parse.PasswdEntry] {
	u, err := o.Host.User(name)
	return entryFact(u, err, "/etc/passwd", func(e *parse.PasswdEntry) int { return e.Line })
}

// AccountGroup is the group entry of a group: a nil value when there is
// none, unknown when /etc/group cannot be read.
func (o *Observed) AccountGroup(name string) Fact[*parse.GroupEntry] {
	g, err := o.Host.Group(name)
	return entryFact(g, err, "/etc/group", func(e *parse.GroupEntry) int { return e.Line })
}

// entryFact is an account database's entry as a fact sourced by its line.
func entryFact[T any](e *T, err error, file string, line func(*T) int) Fact[*T] {
	switch {
	case err != nil:
		return Fact[*T]{Unknown: err.Error()}
	case e == nil:
		return Fact[*T]{Source: file}
	}
	return Fact[*T]{Value: e, Source: fmt.Sprintf("%s:%d", file, line(e))}
}

// FileState is whether a path exists and, when it does, its owner, group
// and mode (type and permission bits), a final symbolic link followed
// inside the root.
type FileState struct {
	Exists   bool
	UID, GID int
	Mode     os.FileMode
}

// File is the state of a path of the audited system (the home, the PID
// directory and file, the log file, the service key); unknown when it
// cannot be looked at.
func (o *Observed) File(p string) Fact[FileState] {
	return memo(o, o.files, p, func() Fact[FileState] {
		st, err := o.Host.Stat(p)
		switch {
		case os.IsNotExist(err):
			return Fact[FileState]{Source: p}
		case err != nil:
			return Fact[FileState]{Unknown: err.Error()}
		}
		return Fact[FileState]{Value: FileState{Exists: true, UID: st.UID, GID: st.GID, Mode: st.Mode}, Source: p}
	})
}

// Present is whether a path exists, a final symbolic link not followed (a
// dangling wants link still enables its unit): the wants links, the HA
// markers /var/lib/wazo/is-secondary and /var/lib/wazo/disabled, /home/<user>.
func (o *Observed) Present(p string) Fact[bool] {
	return memo(o, o.present, p, func() Fact[bool] {
		return Fact[bool]{Value: o.Host.Exists(p), Source: p}
	})
}

// LogTailBytes bounds what is read of the end of a log file.
const LogTailBytes = 64 << 10

// LogTail is the lines of the last LogTailBytes of a log file (the first
// may be cut); unknown when the file cannot be read.
func (o *Observed) LogTail(p string) Fact[[]string] {
	return memo(o, o.logTails, p, func() Fact[[]string] {
		f, err := o.Host.Open(p)
		if err != nil {
			return Fact[[]string]{Unknown: fmt.Sprintf("cannot read %s: %v", p, err)}
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.Size() > LogTailBytes {
			if _, err := f.Seek(st.Size()-LogTailBytes, io.SeekStart); err != nil {
				return Fact[[]string]{Unknown: fmt.Sprintf("cannot read the end of %s: %v", p, err)}
			}
		}
		data, _ := io.ReadAll(io.LimitReader(f, LogTailBytes))
		lines := []string{}
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 0, 64<<10), LogTailBytes)
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
		return Fact[[]string]{Value: lines, Source: p}
	})
}

// maxPIDFileBytes bounds a PID file: a number and a newline.
const maxPIDFileBytes = 64

// PIDInFile is what a PID file of the audited system holds, trimmed.
func (o *Observed) PIDInFile(p string) Fact[string] {
	return memo(o, o.pidValues, p, func() Fact[string] {
		f, err := o.Host.Open(p)
		if err != nil {
			return Fact[string]{Unknown: err.Error()}
		}
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, maxPIDFileBytes))
		if err != nil {
			return Fact[string]{Unknown: err.Error()}
		}
		return Fact[string]{Value: strings.TrimSpace(string(data)), Source: p}
	})
}

// WantsLink is whether systemd's <target>.wants holds the service's unit:
// what `systemctl enable` makes.
func (o *Observed) WantsLink(target string) Fact[bool] {
	return o.Present("/etc/systemd/system/" + target + ".wants/" + o.Name + ".service")
}

// Package is the service's entry in the dpkg database.
type Package struct {
	Listed  bool
	Status  string
	Version string
	Line    int
}

// DpkgStatus is the package's status in /var/lib/dpkg/status.
func (o *Observed) DpkgStatus() Fact[Package] {
	const db = "/var/lib/dpkg/status"
	return o.dpkg.get(func() Fact[Package] {
		data, err := o.Host.ReadFile(db)
		if err != nil {
			return Fact[Package]{Unknown: "cannot read the dpkg database: " + err.Error()}
		}
		for _, p := range parse.ParseDeb822(data) {
			if p.Get("Package") == o.Name {
				return Fact[Package]{Value: Package{Listed: true, Status: p.Get("Status"), Version: p.Get("Version"), Line: p.Line("Package")},
					Source: fmt.Sprintf("%s:%d", db, p.Line("Package"))}
			}
		}
		return Fact[Package]{Source: db}
	})
}

// WazoServiceScript is where wazo-service is installed.
const WazoServiceScript = "/usr/bin/wazo-service"

// WazoServiceGroups are the groups of the installed wazo-service naming the
// service, each with its line; unknown when wazo-service is not installed.
func (o *Observed) WazoServiceGroups() List {
	return o.groups.get(func() List {
		data, err := o.Host.ReadFile(WazoServiceScript)
		if err != nil {
			return unknownList("wazo-service is not installed here: " + err.Error())
		}
		l := List{Value: []Sourced{}, Source: WazoServiceScript}
		for _, g := range ShellGroups(data, o.Name) {
			l.Value = append(l.Value, Sourced{g.Value, WazoServiceScript + ":" + g.Source})
		}
		return l
	})
}

// BackupEntries are the words of the installed wazo-backup naming the
// service's configuration directory; the list's source is the script read.
func (o *Observed) BackupEntries() List {
	return o.backup.get(func() List {
		for _, p := range []string{"/usr/sbin/wazo-backup", "/usr/bin/wazo-backup"} {
			if data, err := o.Host.ReadFile(p); err == nil {
				l := List{Value: []Sourced{}, Source: p}
				for _, e := range BackupEntries(data, o.Name) {
					l.Value = append(l.Value, Sourced{e, fmt.Sprintf("%s:%d", p, LineOf(data, e))})
				}
				return l
			}
		}
		return unknownList("wazo-backup is not installed here")
	})
}

// Text is a file's path and content.
type Text struct {
	Path string
	Data []byte
}

// AuthPolicyDir is where packages install their wazo-auth policies.
const AuthPolicyDir = "/etc/wazo-auth/conf.d"

// AuthPolicy is the wazo-auth policy file the package installed for the
// service (50-<name>.yml, else <name>.yml); a zero value when there is none.
func (o *Observed) AuthPolicy() Fact[Text] {
	return o.policy.get(func() Fact[Text] {
		for _, n := range []string{"50-" + o.Name + ".yml", o.Name + ".yml"} {
			p := AuthPolicyDir + "/" + n
			if data, err := o.Host.ReadFile(p); err == nil {
				return Fact[Text]{Value: Text{Path: p, Data: data}, Source: p}
			}
		}
		return Fact[Text]{Source: AuthPolicyDir}
	})
}

// ConsulConfigLinks are the entries of /etc/<name>/conf.d that link to
// the consul agent's files under /var/lib/consul/ (which the service user
// then must be able to read), each with its target.
func (o *Observed) ConsulConfigLinks() List {
	return o.consulLinks.get(func() List {
		dir := "/etc/" + o.Name + "/conf.d"
		l := List{Value: []Sourced{}, Source: dir}
		entries, _ := o.Host.ReadDir(dir)
		for _, e := range entries {
			p := dir + "/" + e.Name()
			if t, err := os.Readlink(o.Host.Path(p)); err == nil && strings.HasPrefix(t, "/var/lib/consul/") {
				l.Value = append(l.Value, Sourced{t, p})
			}
		}
		return l
	})
}

// MonitInstalled is every check of /etc/monit/conf.d (all services').
func (o *Observed) MonitInstalled() Fact[[]repo.Located[parse.MonitCheck]] {
	return o.monit.get(func() Fact[[]repo.Located[parse.MonitCheck]] {
		checks, err := o.Host.MonitChecks()
		if err != nil {
			return Fact[[]repo.Located[parse.MonitCheck]]{Unknown: err.Error()}
		}
		out := make([]repo.Located[parse.MonitCheck], 0, len(checks))
		for _, c := range checks {
			out = append(out, repo.Located[parse.MonitCheck]{Path: c.Path, Item: c.Item})
		}
		return Fact[[]repo.Located[parse.MonitCheck]]{Value: out, Source: "/etc/monit/conf.d"}
	})
}

// NginxEnabled is every nginx location enabled in
// /etc/nginx/locations/https-enabled (all services').
func (o *Observed) NginxEnabled() Fact[[]repo.Located[parse.NginxLocation]] {
	return o.nginxEnabled.get(func() Fact[[]repo.Located[parse.NginxLocation]] {
		locs, err := o.Host.EnabledLocations()
		if err != nil {
			return Fact[[]repo.Located[parse.NginxLocation]]{Unknown: err.Error()}
		}
		return Fact[[]repo.Located[parse.NginxLocation]]{Value: located(locs), Source: "/etc/nginx/locations/https-enabled"}
	})
}

// NginxOwn is the locations of the file the service's package installs in
// /etc/nginx/locations/https-available, enabled or not.
func (o *Observed) NginxOwn() Fact[[]repo.Located[parse.NginxLocation]] {
	return o.nginxOwn.get(func() Fact[[]repo.Located[parse.NginxLocation]] {
		return Fact[[]repo.Located[parse.NginxLocation]]{Value: located(o.Host.OwnLocations(o.Name)),
			Source: "/etc/nginx/locations/https-available/" + o.Name}
	})
}

func located[T any](in []host.Located[T]) []repo.Located[T] {
	out := make([]repo.Located[T], 0, len(in))
	for _, l := range in {
		out = append(out, repo.Located[T]{Path: l.Path, Item: l.Item})
	}
	return out
}

// UIDName is the account name of a uid, the number itself when
// /etc/passwd does not name it.
func (o *Observed) UIDName(uid int) string {
	if entries, err := o.Host.ReadFile("/etc/passwd"); err == nil {
		list, _ := parse.ParsePasswd(entries)
		for _, e := range list {
			if e.UID == uid {
				return e.Name
			}
		}
	}
	return strconv.Itoa(uid)
}
