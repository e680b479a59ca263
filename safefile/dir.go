package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
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

// MaxWalkEntries is the usual bound of Walk over a checkout: directories
// and files, well above a real repository's (wazo-platform.org has ~10 000).
const MaxWalkEntries = 1 << 18

// ErrWalkBound is passed to a Walk callback once the walk has seen its
// maximum of entries; the walk then stops.
var ErrWalkBound = errors.New("more entries than the walk may visit")

// Walk walks the tree at root as filepath.WalkDir does (symbolic links
// are reported, never followed; every tool's walk of a checkout goes
// through here), visiting at most max entries: the next one is reported to
// fn with ErrWalkBound, and the walk ends there.
func Walk(root string, max int, fn fs.WalkDirFunc) error {
	seen := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if seen++; seen > max {
			fn(p, d, fmt.Errorf("%s: %w (%d)", p, ErrWalkBound, max))
			return fs.SkipAll
		}
		return fn(p, d, err)
	})
	return err
}
