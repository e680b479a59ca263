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
	"time"

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
//
// Lines are gathered in a buffer and written together: one write per
// line was a system call per request, the largest cost of the access
// log under load. Nothing waits long in the buffer: it is written
// flushDelay after its first line at the latest, once it holds
// flushSize, at once for a line at WARNING and above (Flush, from the
// handler), before Reopen moves to a new file, and by Close when the
// daemon stops. Lines keep their order. What the buffer holds is lost
// only if the process dies without stopping (SIGKILL, a Go fatal error):
// the lines of the last flushDelay at most.
type File struct {
	path  string
	mu    sync.Mutex
	f     *os.File
	buf   []byte
	timer *time.Timer // armed while buf holds lines
}

// flushDelay is the longest a line waits in the buffer: below what
// anyone watching `tail -f` would notice.
const flushDelay = 50 * time.Millisecond

// flushSize is how much the buffer holds before it is written.
const flushSize = 64 << 10

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
	if old != nil {
		l.flushLocked() // what was logged before goes to the old file
	}
	l.f = f
	l.mu.Unlock()
	if old != nil {
		old.Close()
	}
	return nil
}

// Write adds one or more whole lines to the buffer (see File).
func (l *File) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var err error
	if len(l.buf)+len(b) > flushSize {
		err = l.flushLocked()
		if len(b) > flushSize {
			if _, werr := l.f.Write(b); werr != nil {
				return 0, werr
			}
			return len(b), err
		}
	}
	if len(l.buf) == 0 {
		if l.timer == nil {
			l.timer = time.AfterFunc(flushDelay, func() { l.Flush() })
		} else {
			l.timer.Reset(flushDelay)
		}
	}
	l.buf = append(l.buf, b...)
	return len(b), err
}

// Flush writes the buffered lines to the file now.
func (l *File) Flush() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.flushLocked()
}

// flushLocked writes the buffer; lines a failed write did not take are
// dropped, as an unbuffered write would have lost them, so that a full
// disk cannot grow the buffer.
func (l *File) flushLocked() error {
	if len(l.buf) == 0 {
		return nil
	}
	_, err := l.f.Write(l.buf)
	if cap(l.buf) > 2*flushSize {
		l.buf = nil
	} else {
		l.buf = l.buf[:0]
	}
	return err
}

// Close writes the buffered lines and closes the file.
func (l *File) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.timer != nil {
		l.timer.Stop()
	}
	err := l.flushLocked()
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	return err
}
