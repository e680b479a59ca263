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
	"syscall"

	"github.com/wazo-platform/wazo-servicekit/safefile"
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
	if err := safefile.CheckDirForRoot(filepath.Dir(path)); err != nil {
		return nil, fmt.Errorf("PID file %s: %w", path, err)
	}
	tmp := fmt.Sprintf("%s.%d", path, pid)
	if err := writeNew(tmp, []byte(strconv.Itoa(pid)+"\n")); err != nil {
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

// writeNew creates path, which must not exist (not even as a link), with
// data. A stale temporary file of a dead process with our pid is replaced.
func writeNew(path string, data []byte) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL | syscall.O_NOFOLLOW
	f, err := os.OpenFile(path, flags, 0o644)
	if errors.Is(err, fs.ErrExist) {
		os.Remove(path) // our pid's name: left by a dead process (unlink never follows a link)
		f, err = os.OpenFile(path, flags, 0o644)
	}
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// readPID reads a PID file without following a link or blocking on a FIFO.
func readPID(path string) ([]byte, error) {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	f := os.NewFile(uintptr(fd), path)
	defer f.Close()
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	buf := make([]byte, 64)
	n, err := f.Read(buf)
	if err != nil && n == 0 {
		return nil, err
	}
	return buf[:n], nil
}

// Remove deletes the file if it still holds our pid (a newer instance may
// have replaced it).
func (f *File) Remove() error {
	if f == nil {
		return nil
	}
	data, err := readPID(f.path)
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
	data, err := readPID(path)
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
