package safefile

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// OpenFlagsAsRoot are the flags to add when root opens a file in a
// directory: never through a symbolic link someone planted.
func OpenFlagsAsRoot() int {
	if os.Geteuid() == 0 {
		return syscall.O_NOFOLLOW
	}
	return 0
}

// CheckDirForRoot refuses, when this process runs as root, a directory
// where another user could plant a link or a file for root to write
// through: one not owned by root, or writable by others, or by a group
// other than root's (logrotate's rule for the directory of a log). It does
// nothing for other users, who can only write where they may.
func CheckDirForRoot(dir string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	info, err := os.Stat(dir)
	if err != nil {
		return nil // opening the file in it will say what is wrong
	}
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	mode := info.Mode().Perm()
	switch {
	case st.Uid != 0:
		return fmt.Errorf("%s belongs to uid %d, and this process runs as root: another user could plant a link there; set `user` to the service user, or use a directory owned by root", filepath.Clean(dir), st.Uid)
	case mode&0o002 != 0, mode&0o020 != 0 && st.Gid != 0:
		return fmt.Errorf("%s is writable by other users (mode %04o), and this process runs as root: another user could plant a link there; set `user` to the service user, or use a directory only root writes", filepath.Clean(dir), mode)
	}
	return nil
}
