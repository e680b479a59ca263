// Package host reads the facts a live rule needs from an installed system:
// the running host ("/") or an image root (a chroot, a debootstrap tree).
// Every read is read-only. On an image root nothing runs, so process,
// socket and HTTP facts are not available there (Live is false) and the
// rules say "unknown" for them.
package host

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/wazo-platform/wazo-servicekit/config"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/parse"
	"github.com/wazo-platform/wazo-servicekit/safefile"
	"gopkg.in/yaml.v3"
)

// Host is a filesystem root to audit.
type Host struct {
	Root string
	// Live is true when Root is the running system: /proc, sockets, monit
	// and HTTP describe this root's services.
	Live bool

	once   sync.Once
	passwd []parse.PasswdEntry
	group  []parse.GroupEntry
	accErr error

	monit dirCache[parse.MonitCheck]
	nginx dirCache[parse.NginxLocation]
}

// Open returns a Host for root ("/" or "" is the running host).
func Open(root string) *Host {
	if root == "" {
		root = "/"
	}
	abs, err := filepath.Abs(root)
	if err == nil {
		root = abs
	}
	return &Host{Root: root, Live: root == "/"}
}

// Path maps a path of the audited system into this process's view,
// confined to the root: "..", relative paths and symbolic links on the way
// are resolved inside it (the last component is left as is, so a dangling
// link can be looked at).
func (h *Host) Path(p string) string { return h.resolve(p, false) }

// resolve maps p under the root; a path that cannot be resolved (a link
// loop) maps to a name under the root that does not exist.
func (h *Host) resolve(p string, followLast bool) string {
	r, err := safefile.ResolveIn(h.Root, p, followLast)
	if err != nil {
		return filepath.Join(h.Root, ".unresolvable", filepath.Base(p))
	}
	return r
}

// MaxFileBytes bounds each file the audit reads.
const MaxFileBytes = 16 << 20

// Open opens a regular file of the audited system (resolved inside the
// root; a FIFO or a device is refused); the caller bounds what it reads.
func (h *Host) Open(p string) (*os.File, error) { return safefile.OpenRegular(h.resolve(p, true)) }

// MaxDirEntries bounds each directory the audit lists (a conf.d, /proc).
const MaxDirEntries = 1 << 16

// ReadDir lists a directory of the audited system, resolved inside the
// root, at most MaxDirEntries entries.
func (h *Host) ReadDir(p string) ([]fs.DirEntry, error) {
	return safefile.ReadDir(h.resolve(p, true), MaxDirEntries)
}

// maxProcFile bounds a /proc status or comm file, and a PID file.
const maxProcFile = 64 << 10

// ReadFile reads a regular file of the audited system, at most
// MaxFileBytes (a FIFO, a device or a bigger file is an error).
func (h *Host) ReadFile(p string) ([]byte, error) {
	return safefile.ReadRegular(h.resolve(p, true), MaxFileBytes)
}

// Exists reports whether a path exists (without following a final symlink,
// so a dangling wants link still counts as present).
func (h *Host) Exists(p string) bool {
	_, err := os.Lstat(h.Path(p))
	return err == nil
}

// Owner is a file's owner, group and permission bits.
type Owner struct {
	UID, GID int
	Mode     os.FileMode
}

// Stat returns the owner of a path of the audited system.
func (h *Host) Stat(p string) (Owner, error) {
	fi, err := os.Stat(h.resolve(p, true))
	if err != nil {
		return Owner{}, err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return Owner{}, fmt.Errorf("%s: no owner information on this platform", p)
	}
	return Owner{UID: int(st.Uid), GID: int(st.Gid), Mode: fi.Mode()}, nil
}

func (h *Host) accounts() error {
	h.once.Do(func() {
		pw, err := h.ReadFile("/etc/passwd")
		if err != nil {
			h.accErr = fmt.Errorf("cannot read /etc/passwd: %v", err)
			return
		}
		h.passwd, _ = parse.ParsePasswd(pw)
		gr, err := h.ReadFile("/etc/group")
		if err != nil {
			h.accErr = fmt.Errorf("cannot read /etc/group: %v", err)
			return
		}
		h.group, _ = parse.ParseGroup(gr)
	})
	return h.accErr
}

// User returns the passwd entry of name; nil with a nil error when absent.
func (h *Host) User(name string) (*parse.PasswdEntry, error) {
	if err := h.accounts(); err != nil {
		return nil, err
	}
	for i := range h.passwd {
		if h.passwd[i].Name == name {
			return &h.passwd[i], nil
		}
	}
	return nil, nil
}

// Group returns the group entry of name; nil with a nil error when absent.
func (h *Host) Group(name string) (*parse.GroupEntry, error) {
	if err := h.accounts(); err != nil {
		return nil, err
	}
	for i := range h.group {
		if h.group[i].Name == name {
			return &h.group[i], nil
		}
	}
	return nil, nil
}

// unitDirs are where packages and admins put units, in systemd's order.
var unitDirs = []string{"/etc/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system"}

// Services finds the installed Wazo services: every /etc/wazo-*/ (or
// xivo-*) directory holding a config.yml, and every wazo-*.service unit.
func (h *Host) Services() ([]string, error) {
	set := map[string]bool{}
	entries, err := h.ReadDir("/etc")
	if err != nil {
		return nil, fmt.Errorf("cannot list %s: %v", h.Path("/etc"), err)
	}
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() && (strings.HasPrefix(n, "wazo-") || strings.HasPrefix(n, "xivo-")) && h.Exists("/etc/"+n+"/config.yml") {
			set[n] = true
		}
	}
	for _, d := range unitDirs {
		entries, _ := h.ReadDir(d)
		for _, e := range entries {
			n := e.Name()
			if strings.HasPrefix(n, "wazo-") && strings.HasSuffix(n, ".service") && !strings.Contains(n, "@") {
				set[strings.TrimSuffix(n, ".service")] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for n := range set {
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}

// Unit finds and parses a service's unit file.
func (h *Host) Unit(name string) (string, *parse.Unit, error) {
	for _, d := range unitDirs {
		p := d + "/" + name + ".service"
		if data, err := h.ReadFile(p); err == nil {
			return p, parse.ParseUnit(data), nil
		}
	}
	return "", nil, fmt.Errorf("no %s.service in %s", name, strings.Join(unitDirs, ", "))
}

// Config is what the daemon <name> loads from disk: /etc/<name>/config.yml
// and its extra_config_files directory (default /etc/<name>/conf.d), chosen
// and merged by the kit's own loader (config.FileLayers, config.Merge), so
// the audit sees what the daemon sees. Problems name the file; a file with
// a problem is left out and the others are still merged.
func (h *Host) Config(name string) (map[string]any, []string) {
	base := "/etc/" + name + "/config.yml"
	if _, err := h.ReadFile(base); err != nil {
		return nil, []string{fmt.Sprintf("cannot read %s: %v", base, err)}
	}
	var xivoDefault yaml.Node
	if err := xivoDefault.Encode(map[string]string{"extra_config_files": "/etc/" + name + "/conf.d"}); err != nil {
		return nil, []string{err.Error()}
	}
	layers, _, errs := config.FileLayers(rootFiles{h}, base, config.Layer{Name: "default", Root: &xivoDefault})
	var problems []string
	for _, err := range errs {
		problems = append(problems, err.Error())
	}
	if len(layers) == 0 {
		return nil, problems
	}
	merged, err := parse.NodeMap(base, config.Merge(layers...))
	if err != nil {
		return nil, append(problems, err.Error())
	}
	return merged, problems
}

// rootFiles reads a daemon's configuration files under the audited root.
type rootFiles struct{ h *Host }

func (f rootFiles) ReadFile(name string) ([]byte, error) { return f.h.ReadFile(name) }
func (f rootFiles) ReadDir(name string) ([]fs.DirEntry, error) {
	return f.h.ReadDir(name)
}
func (f rootFiles) Stat(name string) (fs.FileInfo, error) { return os.Stat(f.h.resolve(name, true)) }

// ThreadUIDs returns the effective uid of every thread of a process
// (/proc/<pid>/task/*/status), so a daemon that dropped privileges on one
// thread only is caught.
func (h *Host) ThreadUIDs(pid int) (map[int]int, error) {
	if !h.Live {
		return nil, errors.New("no processes in an image root")
	}
	dir := "/proc/" + strconv.Itoa(pid) + "/task"
	tasks, err := safefile.ReadDir(dir, MaxDirEntries)
	if err != nil {
		return nil, err
	}
	out := map[int]int{}
	for _, t := range tasks {
		tid, err := strconv.Atoi(t.Name())
		if err != nil {
			continue
		}
		data, err := safefile.ReadRegular(dir+"/"+t.Name()+"/status", maxProcFile)
		if err != nil {
			continue // the thread exited meanwhile
		}
		for _, line := range strings.Split(string(data), "\n") {
			if f := strings.Fields(line); len(f) >= 3 && f[0] == "Uid:" {
				if uid, err := strconv.Atoi(f[2]); err == nil {
					out[tid] = uid
				}
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no readable thread status under %s", dir)
	}
	return out, nil
}

// maxPIDFile bounds a PID file: a number and a newline.
const maxPIDFile = 64

// PIDOf finds a daemon's main process: from its PID file when given and
// alive, else the first process whose executable is /usr/bin/<name>.
func (h *Host) PIDOf(name, pidFile string) (int, error) {
	if !h.Live {
		return 0, errors.New("no processes in an image root")
	}
	if pidFile != "" {
		// The service's user owns its PID file and may have made it a
		// link to /dev/zero, a FIFO or a huge file: read as every host
		// file, a regular file only, and a PID's few bytes at most.
		if data, err := safefile.ReadRegular(pidFile, maxPIDFile); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil && pid > 0 {
				if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); err == nil {
					return pid, nil
				}
			}
		}
	}
	// /proc lists this machine's processes: they are the root's only when
	// the root is this machine's own.
	if filepath.Clean(h.Root) != "/" {
		return 0, fmt.Errorf("no live PID file, and the processes running here are not those of %s", h.Root)
	}
	procs, err := safefile.ReadDir("/proc", MaxDirEntries)
	if err != nil {
		return 0, err
	}
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		comm, err := safefile.ReadRegular("/proc/"+p.Name()+"/comm", maxProcFile)
		if err != nil {
			continue
		}
		c := strings.TrimSpace(string(comm))
		if c == name || (len(name) > 15 && c == name[:15]) { // comm is truncated to 15 bytes
			return pid, nil
		}
	}
	return 0, fmt.Errorf("no running process named %s", name)
}

// Located is a parsed item and the file of the audited system it is in.
type Located[T any] struct {
	Path string
	Item T
}

// dirCache parses every file of one directory once per Host: all services
// of a host share /etc/monit/conf.d and nginx's https-enabled, and reading
// them once per service would make an audit quadratic in services.
type dirCache[T any] struct {
	once  sync.Once
	items []Located[T]
	err   error
}

func (c *dirCache[T]) load(h *Host, dir string, parseFile func([]byte) []T) ([]Located[T], error) {
	c.once.Do(func() {
		entries, err := h.ReadDir(dir)
		if err != nil && !os.IsNotExist(err) {
			c.err = fmt.Errorf("cannot list %s: %v", dir, err)
			return
		}
		for _, e := range entries {
			data, err := h.ReadFile(dir + "/" + e.Name())
			if err != nil {
				continue // a dangling link or a subdirectory: nothing enabled there
			}
			for _, it := range parseFile(data) {
				c.items = append(c.items, Located[T]{Path: dir + "/" + e.Name(), Item: it})
			}
		}
	})
	return c.items, c.err
}

// MonitChecks returns every check of /etc/monit/conf.d (read once).
func (h *Host) MonitChecks() ([]Located[parse.MonitCheck], error) {
	return h.monit.load(h, "/etc/monit/conf.d", parse.ParseMonit)
}

// OwnLocations returns the locations of the file a service's package
// installs, /etc/nginx/locations/https-available/<name>, enabled or not.
func (h *Host) OwnLocations(name string) []Located[parse.NginxLocation] {
	p := "/etc/nginx/locations/https-available/" + name
	data, err := h.ReadFile(p)
	if err != nil {
		return nil
	}
	var out []Located[parse.NginxLocation]
	for _, l := range parse.ParseNginx(data) {
		out = append(out, Located[parse.NginxLocation]{Path: p, Item: l})
	}
	return out
}

// EnabledLocations returns every nginx location enabled in
// /etc/nginx/locations/https-enabled (read once).
func (h *Host) EnabledLocations() ([]Located[parse.NginxLocation], error) {
	return h.nginx.load(h, "/etc/nginx/locations/https-enabled", parse.ParseNginx)
}
