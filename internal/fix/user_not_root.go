package fix

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/rules"
)

// userNotRootFix makes the shipped unit run the daemon as the account the
// postinst creates: User= (and Group= when the postinst names the group)
// at the end of [Service], with RuntimeDirectory= for the directories of
// its PID files under /run, which the account could not write otherwise. It needs review: a daemon written to start as
// root and drop privileges itself may read root-only files or bind a
// privileged port before it drops them. Without an account created by
// the postinst, or with unit commands that need root, it writes nothing.
func userNotRootFix(c *ownCtx, _ failing) ([]ownEdit, string) {
	s, err := c.pkg()
	if err != nil {
		return nil, "no fix: " + err.Error()
	}
	if s.Unit == nil {
		return nil, "no fix: the package ships no systemd unit to set User= in"
	}
	unit := s.Unit.Unit
	if v, ok := unit.Get("Service", "User"); ok {
		return nil, fmt.Sprintf("no fix: %s:%d says User=%s; whether it must run as root is the owner's call", s.Unit.Path, v.Line, v.Text)
	}
	acct, ok := rules.CreatedAccount(s)
	if !ok {
		return nil, "no fix: the postinst creates no system account (adduser --system) for the unit to run as; " +
			"which account the daemon should be, and what it must own, is a packaging change to write by hand"
	}
	if !accountNameRe.MatchString(acct.Name) || (acct.Group != "" && !accountNameRe.MatchString(acct.Group)) {
		return nil, fmt.Sprintf("no fix: expected %s:%d to create an account named as adduser accepts it; found %q (group %q)", acct.Path, acct.Line, acct.Name, acct.Group)
	}
	// Every other command of the unit would run as the account too.
	for _, key := range []string{"ExecStartPre", "ExecStartPost", "ExecCondition", "ExecReload", "ExecStop", "ExecStopPost"} {
		for _, v := range unit.Sections["Service"][key] {
			if !strings.HasPrefix(v.Text, "+") && !strings.HasPrefix(v.Text, "!") {
				return nil, fmt.Sprintf("no fix: %s:%d %s=%s would then run as %s, not root: make it privileged (a + prefix) "+
					"or use RuntimeDirectory=, then run fix again", s.Unit.Path, v.Line, key, v.Text, acct.Name)
			}
		}
	}
	portsNote := ""
	if c.facts != nil && !c.facts.Ports.Known() {
		portsNote = "; its ports are not known (" + c.facts.Ports.Unknown + "): check none is below 1024"
	}
	if c.facts != nil {
		for _, p := range c.facts.Ports.Value {
			if p.Number < 1024 {
				return nil, fmt.Sprintf("no fix: the daemon listens on port %d (%s), which %s could not bind without CAP_NET_BIND_SERVICE", p.Number, p.Source, acct.Name)
			}
		}
	}
	add := []unitLine{{"User", acct.Name}}
	if acct.Group != "" {
		add = append(add, unitLine{"Group", acct.Group})
	}
	// The PID file's directory: root could write anywhere in /run, the
	// account only in a directory made for it at each start.
	if c.facts != nil {
		dirs, why := unmadePIDDirs(c.facts, acct.Name)
		if why != "" {
			return nil, "no fix: " + why
		}
		// A RuntimeDirectory= the unit has becomes the account's with User=.
		rd, hasRD := unit.Get("Service", "RuntimeDirectory")
		var names []string
		for _, d := range dirs {
			if n := strings.TrimPrefix(d, "/run/"); !hasRD || !contains(strings.Fields(rd.Text), n) {
				names = append(names, n)
			}
		}
		if hasRD && len(names) > 0 {
			return nil, fmt.Sprintf("no fix: the PID directories %s would need adding to %s:%d RuntimeDirectory=%s", strings.Join(dirs, " "), s.Unit.Path, rd.Line, rd.Text)
		}
		if len(names) > 0 {
			add = append(add, unitLine{"RuntimeDirectory", strings.Join(names, " ")})
		}
	}
	var set []string
	for _, l := range add {
		set = append(set, l.key+"="+l.value)
	}
	does := fmt.Sprintf("sets %s in %s, the account %s:%d creates; review: the daemon then starts as %s, "+
		"not as root dropping privileges itself, so every file it reads at start (configuration, keys, certificates) "+
		"and writes (log, run and data directories) must be %s's%s", strings.Join(set, " and "), s.Unit.Path, acct.Path, acct.Line, acct.Name, acct.Name, portsNote)
	return []ownEdit{unitEdit(s.Unit.Path, "Service", "", add, NeedsReview, does)}, ""
}

// accountNameRe is a user or group name as adduser accepts it: nothing
// else goes into a unit.
var accountNameRe = regexp.MustCompile(`^[a-z_][a-z0-9_-]{0,31}$`)
