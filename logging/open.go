package logging

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"syscall"

	"github.com/wazo-platform/wazo-servicekit/safefile"
)

// Open starts logging to path (created 0640 if missing, as the package's
// postinst does: a log may name clients and tokens' ends; always appended to)
// at the level held by level, which the daemon may change at run time
// (PATCH /config debug). An empty path logs to stderr only. The returned
// closer closes the file; it is a *File, which SIGHUP reopens.
func Open(path string, level slog.Leveler, name string) (*slog.Logger, io.Closer, error) {
	if path == "" {
		return slog.New(NewHandler(os.Stderr, nil, level, name)), io.NopCloser(nil), nil
	}
	f := &File{path: path}
	if err := f.Reopen(); err != nil {
		return nil, nil, err
	}
	return slog.New(NewHandler(f, os.Stderr, level, name)), f, nil
}

// File is the log file. Reopen opens the path again (after logrotate moved
// the file away), so lines go to the new file from then on.
type File struct {
	path string
	mu   sync.Mutex
	f    *os.File
}

// Reopen (re)opens the path for appending. As root, the file is opened
// without following a link, in a directory no other user can write.
func (l *File) Reopen() error {
	if err := safefile.CheckDirForRoot(filepath.Dir(l.path)); err != nil {
		return fmt.Errorf("log file %s: %w", l.path, err)
	}
	// O_NONBLOCK: opening a FIFO with no reader would block start-up (and
	// SIGHUP) for good; anything but a regular file is refused below.
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE|syscall.O_NONBLOCK|safefile.OpenFlagsAsRoot(), 0o640)
	if errors.Is(err, syscall.ENXIO) {
		return fmt.Errorf("log file %s: it is a FIFO (no reader), not a regular file; remove it (the daemon creates it) or name a regular file in log_file", l.path)
	}
	if err != nil {
		return fmt.Errorf("cannot open the log file %s as uid %d: %w (the package's postinst creates it owned by the service user)", l.path, os.Geteuid(), err)
	}
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() {
		f.Close()
		if err == nil {
			err = fmt.Errorf("it is %s, not a regular file", safefile.KindOf(info.Mode()))
		}
		return fmt.Errorf("log file %s: %w; remove it (the daemon creates it) or name a regular file in log_file", l.path, err)
	}
	if err := syscall.SetNonblock(int(f.Fd()), false); err != nil {
		f.Close()
		return fmt.Errorf("log file %s: %w", l.path, err)
	}
	l.mu.Lock()
	old := l.f
	l.f = f
	l.mu.Unlock()
	if old != nil {
		old.Close()
	}
	return nil
}

func (l *File) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.f.Write(b)
}

// Close closes the file.
func (l *File) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.f.Close()
}
