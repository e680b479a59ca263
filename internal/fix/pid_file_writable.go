package fix

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/rules"
	"github.com/wazo-platform/wazo-servicekit/internal/service"
)

// pidFileWritableFix makes the PID file's directory under /run the service
// user's at every start, as Wazo's units do: RuntimeDirectory= when the
// unit itself runs as the user (systemd then makes it theirs), else
// ExecStartPre=/usr/bin/install -d -o USER [-g GROUP] DIR before
// ExecStart= (the daemon starts as root and drops to the user itself). It
// needs review: the directory's mode and who else writes there are the
// owner's to check. A daemon with no PID file, or one kept directly in
// /run or outside it, is left alone, saying why.
func pidFileWritableFix(c *ownCtx, _ failing) ([]ownEdit, string) {
	f := c.facts
	if f == nil {
		return nil, "no fix: the service is not in the model"
	}
	if len(f.PIDFiles.Value) == 0 {
		return nil, "no fix: the daemon writes no PID file (" + f.PIDFiles.Source + "); making it write one is a change of its code " +
			"or configuration, and a PIDFile= that nothing writes would satisfy check without satisfying the item"
	}
	if !f.User.Known() || f.User.Value == "root" {
		return nil, "no fix: the service user is not established as a non-root account (" + f.User.Source + f.User.Unknown + ")"
	}
	user := f.User.Value
	s, err := c.pkg()
	if err != nil {
		return nil, "no fix: " + err.Error()
	}
	if s.Unit == nil {
		return nil, "no fix: the package ships no systemd unit to create the directory at start"
	}
	dirs, why := unmadePIDDirs(f, user)
	if why != "" {
		return nil, "no fix: " + why
	}
	if len(dirs) == 0 {
		return nil, "no fix: every PID directory is already made for " + user + "; the failure is not the directory's"
	}
	unit := s.Unit.Unit
	if v, ok := unit.Get("Service", "User"); ok && v.Text == user {
		if rd, ok := unit.Get("Service", "RuntimeDirectory"); ok {
			return nil, fmt.Sprintf("no fix: expected no RuntimeDirectory= in %s to add one; found %s:%d RuntimeDirectory=%s", s.Unit.Path, s.Unit.Path, rd.Line, rd.Text)
		}
		var names []string
		for _, d := range dirs {
			names = append(names, strings.TrimPrefix(d, "/run/"))
		}
		line := unitLine{"RuntimeDirectory", strings.Join(names, " ")}
		does := fmt.Sprintf("sets RuntimeDirectory=%s in %s: systemd makes %s owned by %s (the unit's User=) at each start; "+
			"review: the directory is removed when the service stops", line.value, s.Unit.Path, strings.Join(dirs, " "), user)
		return []ownEdit{unitEdit(s.Unit.Path, "Service", "", []unitLine{line}, NeedsReview, does)}, ""
	}
	group := ""
	if acct, ok := rules.CreatedAccount(s); ok && acct.Name == user {
		group = acct.Group
	} else if user == "www-data" {
		group = "www-data"
	}
	cmd := "/usr/bin/install -d -o " + user
	if group != "" {
		cmd += " -g " + group
	}
	var add []unitLine
	for _, d := range dirs {
		add = append(add, unitLine{"ExecStartPre", cmd + " " + d})
	}
	does := fmt.Sprintf("adds ExecStartPre=%s %s to %s before ExecStart=: %s is made %s's at each start (the daemon starts "+
		"as root and drops to %s); review: its mode (0755) and whether anything else writes there", cmd, strings.Join(dirs, " "), s.Unit.Path,
		strings.Join(dirs, " "), user, user)
	return []ownEdit{unitEdit(s.Unit.Path, "Service", "ExecStart", add, NeedsReview, does)}, ""
}

// unmadePIDDirs are the directories of the service's PID files that
// nothing makes for user, each /run/<name> (a /var/run one read as /run);
// why says which PID file is not in a directory of its own under /run.
func unmadePIDDirs(f *service.Facts, user string) (dirs []string, why string) {
	made := map[string]bool{}
	for _, rd := range f.RunDirs.Value {
		made[strings.Replace(rd.Value, "/var/run/", "/run/", 1)] = true
	}
	seen := map[string]bool{}
	for _, pf := range f.PIDFiles.Value {
		d := strings.Replace(path.Dir(path.Clean(pf.Value)), "/var/run/", "/run/", 1)
		if seen[d] || made[d+" owned by "+user] {
			continue
		}
		seen[d] = true
		if !runDirRe.MatchString(d) {
			return nil, fmt.Sprintf("the PID file %s (%s) is not in a directory of its own under /run: "+
				"moving it to /run/%s/ is a configuration change", pf.Value, pf.Source, f.Service)
		}
		dirs = append(dirs, d)
	}
	return dirs, ""
}

// runDirRe is a directory under /run a unit may name: plain path
// components only (no space, quote, specifier or line break).
var runDirRe = regexp.MustCompile(`^/run(/[A-Za-z0-9._@+-]+)+$`)
