// Package pidfile writes the PID file monit and operators rely on, with
// xivo.daemonize's semantics: written atomically, a stale file replaced, a
// live one refused, and removed on exit only if it still holds our pid.
package pidfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// File is a PID file this process owns.
type File struct {
	path string
	pid  int
}

// Create writes "<pid>\n" to path. The content is written to a temporary
// file first and then hard-linked into place, so a reader never sees a
// partial file and two starting daemons cannot both win.
func Create(path string) (*File, error) {
	pid := os.Getpid()
	tmp := fmt.Sprintf("%s.%d", path, pid)
	if err := os.WriteFile(tmp, []byte(strconv.Itoa(pid)+"\n"), 0o644); err != nil {
		return nil, fmt.Errorf("cannot write the PID file in %s as uid %d: %w (the directory must belong to the service user)", filepath.Dir(path), os.Geteuid(), err)
	}
	defer os.Remove(tmp)
	for attempt := 0; attempt < 2; attempt++ {
		err := os.Link(tmp, path)
		if err == nil {
			return &File{path: path, pid: pid}, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("cannot create the PID file %s: %w", path, err)
		}
		other, alive := holder(path)
		if alive {
			return nil, fmt.Errorf("%s holds pid %d, a running %s: is the daemon already running?", path, other, commOf(other))
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("cannot remove the stale PID file %s: %w", path, err)
		}
	}
	return nil, fmt.Errorf("cannot create the PID file %s: another process keeps recreating it", path)
}

// Remove deletes the file if it still holds our pid (a newer instance may
// have replaced it).
func (f *File) Remove() error {
	if f == nil {
		return nil
	}
	data, err := os.ReadFile(f.path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	if pid, _ := strconv.Atoi(strings.TrimSpace(string(data))); pid != f.pid {
		return nil
	}
	return os.Remove(f.path)
}

// Path is where the file is.
func (f *File) Path() string { return f.path }

// holder reads the pid in path and says whether it is a live process running
// the same program as us (anything else makes the file stale: a dead pid, a
// reused pid, garbage).
func holder(path string) (int, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 0 || pid == os.Getpid() {
		return pid, false
	}
	comm := commOf(pid)
	return pid, comm != "" && comm == commOf(os.Getpid())
}

// commOf is the process name in /proc, readable for any user's process.
func commOf(pid int) string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(data))
}
