package safefile

import (
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"syscall"
)

// WriteOutput writes data to path, a file the user named on the command
// line (a report), replacing what it held. The tools often run inside a
// checkout someone else wrote, so path is treated as possibly planted:
//   - its last component is never followed if it is a symbolic link, and an
//     existing FIFO, device or directory there is refused;
//   - a relative path that stays below the working directory (the usual
//     "--output html=scorecard.html") follows no link at any component;
//   - the directories of an absolute path, or of one climbing with "..",
//     are the user's own words and are followed as given.
//
// Nothing is created but the file itself, with mode perm.
func WriteOutput(path string, data []byte, perm fs.FileMode) error {
	dir, name, err := openOutputDir(path)
	if err != nil {
		return err
	}
	defer syscall.Close(dir)
	return writeAt(dir, name, path, data, perm, false)
}

// CopyOutput is WriteOutput of what r reads, so a large report is not
// held in memory to be written.
func CopyOutput(path string, r io.Reader, perm fs.FileMode) error {
	dir, name, err := openOutputDir(path)
	if err != nil {
		return err
	}
	defer syscall.Close(dir)
	return copyAt(dir, name, path, r, perm, false)
}

// CheckOutput says whether WriteOutput(path, ...) would be refused (a link
// or a non-regular file in the way, a missing directory), without writing,
// so a command can refuse before it does any work.
func CheckOutput(path string) error {
	dir, name, err := openOutputDir(path)
	if err != nil {
		return err
	}
	defer syscall.Close(dir)
	return checkRegularAt(dir, name, path)
}

// openOutputDir opens the directory path's file goes in (see WriteOutput
// for which links are followed) and returns its fd and the file's name.
func openOutputDir(path string) (int, string, error) {
	if path == "" || filepath.Base(path) == "." || filepath.Base(path) == ".." || path[len(path)-1] == '/' {
		return -1, "", fmt.Errorf("%q: not a file path", path)
	}
	if !filepath.IsAbs(path) && filepath.IsLocal(path) {
		return openParent(".", path, false)
	}
	dir := filepath.Dir(path)
	fd, err := syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return -1, "", &fs.PathError{Op: "open", Path: dir, Err: err}
	}
	return fd, filepath.Base(path), nil
}
