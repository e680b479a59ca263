// Package privilege switches a daemon started as root to its system user,
// process-wide, and proves it: every thread in /proc/self/task is checked.
//
// Go 1.16+ applies syscall.Setuid/Setgid/Setgroups to all threads; the
// x/sys/unix variants do not (golang/go#53444), which is why this package
// uses syscall and then verifies instead of trusting.
package privilege

import (
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
)

// Identity is a uid, a primary gid and the supplementary groups.
type Identity struct {
	Name   string
	UID    int
	GID    int
	Groups []int
}

// Lookup reads the user and its groups from the system databases.
func Lookup(name string) (Identity, error) {
	u, err := user.Lookup(name)
	if err != nil {
		return Identity{}, fmt.Errorf("unknown user %q: %w (the package's postinst creates it; set `user` or -u to an existing one)", name, err)
	}
	id := Identity{Name: name}
	id.UID, _ = strconv.Atoi(u.Uid)
	id.GID, _ = strconv.Atoi(u.Gid)
	gids, err := u.GroupIds()
	if err != nil {
		return Identity{}, fmt.Errorf("cannot list the groups of %q: %w", name, err)
	}
	for _, g := range gids {
		n, err := strconv.Atoi(g)
		if err == nil {
			id.Groups = append(id.Groups, n)
		}
	}
	sort.Ints(id.Groups)
	return id, nil
}

// Drop becomes the user name: supplementary groups, then gid, then uid (in
// that order: after setuid we could no longer change groups). When the
// process already runs as that user it only verifies. A non-root process
// asked to become someone else gets an error, as xivo's change_user would.
func Drop(name string) (Identity, error) {
	id, err := Lookup(name)
	if err != nil {
		return id, err
	}
	if os.Geteuid() == id.UID && os.Getuid() == id.UID {
		return id, VerifyThreads(Identity{UID: id.UID, GID: os.Getgid()})
	}
	if os.Geteuid() != 0 {
		return id, fmt.Errorf("running as uid %d, cannot become %s (uid %d): start the daemon as root or as %s", os.Geteuid(), name, id.UID, name)
	}
	if err := syscall.Setgroups(id.Groups); err != nil {
		return id, fmt.Errorf("setgroups(%v) for %s: %w", id.Groups, name, err)
	}
	if err := syscall.Setgid(id.GID); err != nil {
		return id, fmt.Errorf("setgid(%d) for %s: %w", id.GID, name, err)
	}
	if err := syscall.Setuid(id.UID); err != nil {
		return id, fmt.Errorf("setuid(%d) for %s: %w", id.UID, name, err)
	}
	return id, VerifyThreads(id)
}

// VerifyThreads reads the Uid, Gid (real, effective, saved, filesystem) and,
// when want.Groups is set, the Groups of every thread of this process, and
// fails if any differs from want. A daemon must refuse to go on then.
func VerifyThreads(want Identity) error {
	tasks, err := filepath.Glob("/proc/self/task/*/status")
	if err != nil || len(tasks) == 0 {
		return fmt.Errorf("cannot list this process's threads in /proc/self/task: %v", err)
	}
	for _, status := range tasks {
		ids, err := ReadTaskIDs(status)
		if err != nil {
			if os.IsNotExist(err) {
				continue // the thread ended meanwhile
			}
			return err
		}
		for _, uid := range ids.UIDs {
			if uid != want.UID {
				return fmt.Errorf("thread %s still has uid %v, want %d everywhere: refusing to run", status, ids.UIDs, want.UID)
			}
		}
		for _, gid := range ids.GIDs {
			if gid != want.GID {
				return fmt.Errorf("thread %s still has gid %v, want %d everywhere: refusing to run", status, ids.GIDs, want.GID)
			}
		}
		if want.Groups != nil && !sameInts(ids.Groups, want.Groups) {
			return fmt.Errorf("thread %s has groups %v, want %v: refusing to run", status, ids.Groups, want.Groups)
		}
	}
	return nil
}

// TaskIDs are the ids a /proc/<pid>/task/<tid>/status file shows.
type TaskIDs struct {
	UIDs, GIDs, Groups []int
}

// ReadTaskIDs parses the Uid:, Gid: and Groups: lines of a status file.
func ReadTaskIDs(path string) (TaskIDs, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return TaskIDs{}, err
	}
	var ids TaskIDs
	for _, line := range strings.Split(string(data), "\n") {
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		var dst *[]int
		switch key {
		case "Uid":
			dst = &ids.UIDs
		case "Gid":
			dst = &ids.GIDs
		case "Groups":
			dst = &ids.Groups
			*dst = []int{}
		default:
			continue
		}
		for _, f := range strings.Fields(value) {
			n, err := strconv.Atoi(f)
			if err != nil {
				return TaskIDs{}, fmt.Errorf("%s: unexpected %s line %q", path, key, line)
			}
			*dst = append(*dst, n)
		}
	}
	if len(ids.UIDs) != 4 || len(ids.GIDs) != 4 {
		return TaskIDs{}, fmt.Errorf("%s: no Uid/Gid lines with four ids", path)
	}
	sort.Ints(ids.Groups)
	return ids, nil
}

func sameInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
