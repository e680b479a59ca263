package parse

import (
	"strconv"
	"strings"
)

// PasswdEntry is one line of /etc/passwd.
type PasswdEntry struct {
	Name  string
	UID   int
	GID   int
	Home  string
	Shell string
	Line  int
}

// GroupEntry is one line of /etc/group.
type GroupEntry struct {
	Name    string
	GID     int
	Members []string
	Line    int
}

// ParsePasswd reads passwd(5) lines; malformed lines (wrong field count,
// non-numeric ids) are skipped and counted in bad so a probe can say so.
func ParsePasswd(data []byte) (entries []PasswdEntry, bad int) {
	for i, line := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(line) == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, ":")
		if len(f) != 7 {
			bad++
			continue
		}
		uid, err1 := strconv.Atoi(f[2])
		gid, err2 := strconv.Atoi(f[3])
		if err1 != nil || err2 != nil {
			bad++
			continue
		}
		entries = append(entries, PasswdEntry{Name: f[0], UID: uid, GID: gid, Home: f[5], Shell: f[6], Line: i + 1})
	}
	return entries, bad
}

// ParseGroup reads group(5) lines, skipping malformed ones (counted in bad).
func ParseGroup(data []byte) (entries []GroupEntry, bad int) {
	for i, line := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(line) == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, ":")
		if len(f) != 4 {
			bad++
			continue
		}
		gid, err := strconv.Atoi(f[2])
		if err != nil {
			bad++
			continue
		}
		var members []string
		for _, m := range strings.Split(f[3], ",") {
			if m = strings.TrimSpace(m); m != "" {
				members = append(members, m)
			}
		}
		entries = append(entries, GroupEntry{Name: f[0], GID: gid, Members: members, Line: i + 1})
	}
	return entries, bad
}
