// Package safefile reads and writes files that hostile input may have set
// traps around: a config file that is a FIFO or /dev/zero, a checkout with
// symbolic links planted where a tool writes, a log directory another user
// can write. Every read is bounded and only reads regular files; every write
// under a root walks the path one component at a time with O_NOFOLLOW, so
// no link is ever followed out of it.
package safefile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// ErrTooLarge is returned (wrapped) by the bounded reads.
var ErrTooLarge = errors.New("file too large")

// ReadRegular reads the file at path, at most limit bytes. Anything but a
// regular file (a FIFO, a device, a directory) is refused with a message
// instead of blocking or reading forever: the file is opened O_NONBLOCK and
// checked with fstat before the first read. Symbolic links are followed
// (operators link config files); use ReadIn to confine a read.
func ReadRegular(path string, limit int64) ([]byte, error) {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	return readFD(fd, path, limit)
}

// OpenRegular opens path for reading, refusing anything but a regular
// file as ReadRegular does; the caller bounds what it reads.
func OpenRegular(path string) (*os.File, error) {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	f := os.NewFile(uintptr(fd), path)
	info, err := f.Stat()
	if err == nil && !info.Mode().IsRegular() {
		err = fmt.Errorf("%s: not a regular file (%s): refused", path, KindOf(info.Mode()))
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// readFD checks that fd is a regular file, then reads at most limit bytes
// from it and closes it.
func readFD(fd int, path string, limit int64) ([]byte, error) {
	f := os.NewFile(uintptr(fd), path)
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file (%s): refused", path, KindOf(info.Mode()))
	}
	if info.Size() > limit {
		return nil, fmt.Errorf("%s: %d bytes, more than the %d allowed: %w", path, info.Size(), limit, ErrTooLarge)
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: more than the %d bytes allowed: %w", path, limit, ErrTooLarge)
	}
	return data, nil
}

// KindOf names a file type for an error message ("a FIFO").
func KindOf(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return m.Type().String()
}

// CheckRel refuses a path that could leave the directory it is relative
// to: absolute, empty, or holding "..".
func CheckRel(rel string) error {
	if rel == "" || filepath.IsAbs(rel) || !filepath.IsLocal(rel) || strings.ContainsRune(rel, 0) {
		return fmt.Errorf("%q: not a relative path inside the directory (absolute paths and .. are refused)", rel)
	}
	return nil
}

// openParent opens the directory holding rel under root, one component at
// a time with O_NOFOLLOW, creating missing ones (mode 0755) when create is
// set, and returns its fd and rel's last component. A component that is a
// symbolic link is refused with a message naming it.
func openParent(root, rel string, create bool) (int, string, error) {
	if err := CheckRel(rel); err != nil {
		return -1, "", err
	}
	parts := strings.Split(filepath.ToSlash(filepath.Clean(rel)), "/")
	fd, err := syscall.Open(root, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return -1, "", &fs.PathError{Op: "open", Path: root, Err: err}
	}
	for i, part := range parts[:len(parts)-1] {
		next, err := syscall.Openat(fd, part, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0)
		if err == syscall.ENOENT && create {
			if err = syscall.Mkdirat(fd, part, 0o755); err == nil || err == syscall.EEXIST {
				next, err = syscall.Openat(fd, part, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0)
			}
		}
		if err != nil {
			err = explain(fd, filepath.Join(root, filepath.Join(parts[:i+1]...)), part, err)
			syscall.Close(fd)
			return -1, "", err
		}
		syscall.Close(fd)
		fd = next
	}
	return fd, parts[len(parts)-1], nil
}

// explain turns ELOOP/ENOTDIR on a component into "is a symbolic link".
func explain(dirfd int, path, name string, err error) error {
	if err == syscall.ELOOP || err == syscall.ENOTDIR || err == syscall.ENXIO || err == syscall.EWOULDBLOCK {
		if isLink(dirfd, name) {
			return fmt.Errorf("%s is a symbolic link: refused (nothing is written or read through a link; replace it with a real file or directory)", path)
		}
	}
	return &fs.PathError{Op: "open", Path: path, Err: err}
}

// isLink says whether name in dirfd is a symbolic link, without following it.
func isLink(dirfd int, name string) bool {
	fd, err := syscall.Openat(dirfd, name, oPath|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0)
	if err != nil {
		return false
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	return syscall.Fstat(fd, &st) == nil && st.Mode&syscall.S_IFMT == syscall.S_IFLNK
}

// WriteIn writes data to rel under root with mode perm (whatever the
// umask), creating missing directories. No component is followed if it is
// a symbolic link (the write is refused and says which), rel may not be
// absolute nor hold "..", and an existing non-regular file is refused.
func WriteIn(root, rel string, data []byte, perm fs.FileMode) error {
	dir, name, err := openParent(root, rel, true)
	if err != nil {
		return err
	}
	defer syscall.Close(dir)
	return writeAt(dir, name, filepath.Join(root, rel), data, perm, true)
}

// writeAt replaces the content of name in dirfd (path names it in errors),
// creating it with perm, never through a symbolic link, and refusing
// anything but a regular file. chmod sets perm on an existing file too.
func writeAt(dir int, name, path string, data []byte, perm fs.FileMode, chmod bool) error {
	return copyAt(dir, name, path, bytes.NewReader(data), perm, chmod)
}

// copyAt is writeAt of what r reads.
func copyAt(dir int, name, path string, r io.Reader, perm fs.FileMode, chmod bool) error {
	fd, err := syscall.Openat(dir, name, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_CLOEXEC, uint32(perm.Perm()))
	switch err {
	case nil:
	case syscall.ENXIO:
		return fmt.Errorf("%s: not a regular file (a FIFO): refused", path)
	case syscall.EISDIR:
		return fmt.Errorf("%s: not a regular file (a directory): refused", path)
	default:
		return explain(dir, path, name, err)
	}
	f := os.NewFile(uintptr(fd), path)
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%s: not a regular file (%s): refused", path, KindOf(info.Mode()))
	}
	if err := f.Truncate(0); err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		return err
	}
	if chmod {
		if err := f.Chmod(perm.Perm()); err != nil {
			return err
		}
	}
	return f.Close()
}

// ReadIn reads rel under root, at most limit bytes, following no symbolic
// link (refused with a message) and only a regular file. A missing file
// gives an error satisfying errors.Is(err, fs.ErrNotExist).
func ReadIn(root, rel string, limit int64) ([]byte, error) {
	dir, name, err := openParent(root, rel, false)
	if err != nil {
		return nil, err
	}
	defer syscall.Close(dir)
	path := filepath.Join(root, rel)
	fd, err := syscall.Openat(dir, name, syscall.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, explain(dir, path, name, err)
	}
	return readFD(fd, path, limit)
}

// CheckWritable says whether WriteIn(root, rel, ...) would be refused
// because of a symbolic link or a non-regular file on the way, without
// writing or creating anything, so a tool can refuse before its first write.
func CheckWritable(root, rel string) error {
	dir, name, err := openParent(root, rel, false)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // missing directories will be created
	}
	if err != nil {
		return err
	}
	defer syscall.Close(dir)
	return checkRegularAt(dir, name, filepath.Join(root, rel))
}

// checkRegularAt says whether name in dirfd is absent or a regular file
// (not a symbolic link), without following or opening it for I/O.
func checkRegularAt(dir int, name, path string) error {
	fd, err := syscall.Openat(dir, name, oPath|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0)
	if err == syscall.ENOENT {
		return nil
	}
	if err != nil {
		return &fs.PathError{Op: "open", Path: path, Err: err}
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return &fs.PathError{Op: "stat", Path: path, Err: err}
	}
	if st.Mode&syscall.S_IFMT == syscall.S_IFLNK {
		return fmt.Errorf("%s is a symbolic link: refused (nothing is written or read through a link; replace it with a real file or directory)", path)
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return fmt.Errorf("%s: not a regular file: refused", path)
	}
	return nil
}

// oPath is Linux's O_PATH, which package syscall does not name: opens the
// link itself when given with O_NOFOLLOW.
const oPath = 0x200000
