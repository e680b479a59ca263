package safefile

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
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
//
// Every directory above it is checked too, and every symbolic link on the
// way (/var/run to /run): each must belong to root, and a directory above
// may be writable by others only with the sticky bit (/tmp), where no one
// can replace another's entry. Otherwise the user owning an ancestor could
// swap the directory below it for a link to a directory of root's.
func CheckDirForRoot(dir string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	return checkDirForUID(dir, 0)
}

// maxLinks bounds the symbolic links followed while checking a path, as
// the kernel does (ELOOP).
const maxLinks = 40

// checkDirForUID is CheckDirForRoot for the owner uid (a test runs it for
// its own uid).
func checkDirForUID(dir string, uid uint32) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil // opening the file in it will say what is wrong
	}
	if err := checkAncestors(abs, uid); err != nil {
		return err
	}
	return checkLastDir(dir, uid)
}

// checkAncestors walks abs from / one name at a time without following
// links blindly: each directory above the last must be safe, and each link
// belong to uid and sit in a safe directory, before it is followed.
func checkAncestors(abs string, uid uint32) error {
	names := strings.Split(strings.TrimPrefix(filepath.Clean(abs), "/"), "/")
	cur, links := "/", 0
	for len(names) > 0 {
		name := names[0]
		names = names[1:]
		if name == "" || name == "." {
			continue
		}
		if name == ".." {
			cur = filepath.Dir(cur)
			continue
		}
		next := filepath.Join(cur, name)
		info, st := ownerOf(os.Lstat(next))
		if st == nil {
			return nil // opening the file in it will say what is wrong
		}
		if info.Mode()&os.ModeSymlink != 0 {
			if links++; links > maxLinks {
				return fmt.Errorf("%s: more than %d symbolic links on the way", abs, maxLinks)
			}
			if st.Uid != uid {
				return fmt.Errorf("%s is a symbolic link owned by uid %d, on the way to %s, and this process runs as root: that user could point it at another directory; set `user` to the service user, or use a path only root controls", next, st.Uid, abs)
			}
			target, err := os.Readlink(next)
			if err != nil {
				return nil
			}
			if filepath.IsAbs(target) {
				cur = "/"
			}
			names = append(strings.Split(target, "/"), names...)
			continue
		}
		if len(names) > 0 { // a directory above the last
			mode := info.Mode()
			others := mode.Perm()&0o002 != 0 || mode.Perm()&0o020 != 0 && st.Gid != 0
			switch {
			case st.Uid != uid:
				return fmt.Errorf("%s belongs to uid %d, above %s, and this process runs as root: that user could replace what is below it with a link; set `user` to the service user, or use a directory whose every parent belongs to root", next, st.Uid, abs)
			case others && mode&os.ModeSticky == 0:
				return fmt.Errorf("%s is writable by other users (mode %04o) without the sticky bit, above %s, and this process runs as root: another user could replace what is below it with a link; set `user` to the service user, or use a directory whose every parent only root writes", next, mode.Perm(), abs)
			}
		}
		cur = next
	}
	return nil
}

// ownerOf is a stat's result with its owner and group, or a nil Stat_t
// when the stat failed.
func ownerOf(info os.FileInfo, err error) (os.FileInfo, *syscall.Stat_t) {
	if err != nil {
		return nil, nil
	}
	st, _ := info.Sys().(*syscall.Stat_t)
	return info, st
}

// checkLastDir checks the directory the file goes in: owned by uid and
// writable by no other user (logrotate's rule for the directory of a log).
func checkLastDir(dir string, uid uint32) error {
	info, st := ownerOf(os.Stat(dir))
	if st == nil {
		return nil // opening the file in it will say what is wrong
	}
	mode := info.Mode().Perm()
	switch {
	case st.Uid != uid:
		return fmt.Errorf("%s belongs to uid %d, and this process runs as root: another user could plant a link there; set `user` to the service user, or use a directory owned by root", filepath.Clean(dir), st.Uid)
	case mode&0o002 != 0, mode&0o020 != 0 && st.Gid != 0:
		return fmt.Errorf("%s is writable by other users (mode %04o), and this process runs as root: another user could plant a link there; set `user` to the service user, or use a directory only root writes", filepath.Clean(dir), mode)
	}
	return nil
}
