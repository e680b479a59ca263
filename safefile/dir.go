package safefile

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"syscall"
)

// ReadDir lists the directory at path, sorted by name as os.ReadDir does,
// and refuses one of more than max entries with an error naming it, so a
// crafted tree (or /proc on a host with a huge process count) bounds the
// work done on it. A path that is not a directory is refused without being
// opened for reading (a FIFO never blocks).
func ReadDir(path string, max int) ([]fs.DirEntry, error) {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	f := os.NewFile(uintptr(fd), path)
	defer f.Close()
	entries, err := f.ReadDir(max + 1)
	if err != nil && err != io.EOF {
		return nil, err
	}
	if len(entries) > max {
		return nil, fmt.Errorf("%s: more than %d entries: %w", path, max, ErrTooLarge)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	return entries, nil
}
