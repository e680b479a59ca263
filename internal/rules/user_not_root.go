package rules

import (
	"fmt"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/parse"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

// userNotRoot: the daemon's account is a dedicated system user, never root.
//
// Static: the account named by config `user` (or the unit's User=) is not
// root and the postinst creates it with adduser --system. Live: the passwd
// entry has a non-zero uid, and every thread of the running daemon has it.
func userNotRoot() Rule {
	return Rule{
		ID:        "user-not-root",
		Title:     "The daemon runs as a dedicated system user, not root",
		Checklist: "The service default user is not root",
		Severity:  Error,
		Rationale: "A daemon exposing a REST API must not hold root's privileges: a bug in it would own the PBX. " +
			"Wazo daemons load their config as root, then drop to `user` (xivo change_user).",
		Remediation: "Set `user: <service>` in etc/<service>/config.yml and create the account in debian/<service>.postinst: " +
			"`adduser --system --group --quiet --home /var/lib/<service> --no-create-home --shell /usr/sbin/nologin <service>`.",
		static: func(s *repo.Service, _ *StaticEnv) []Finding {
			user, where := serviceUser(s)
			if user == "root" || user == "0" {
				return []Finding{fail("", 0, "the service user is root ("+where+")")}
			}
			if s.Unit != nil {
				if v, ok := s.Unit.Unit.Get("Service", "User"); ok && v.Text != user {
					return []Finding{fail(s.Unit.Path, v.Line, fmt.Sprintf("the unit runs the daemon as %s but %s says user %s", v.Text, where, user))}
				}
			}
			c := createUser(s, user)
			if c == nil {
				if _, base := baseAccounts[user]; base {
					return []Finding{pass(fmt.Sprintf("runs as %s (from %s), a Debian base-passwd system account", user, where))}
				}
				p, _ := postinstLoc(s, nil)
				return []Finding{fail(p, 0, fmt.Sprintf("no `adduser --system ... %s` in the postinst: the user the daemon drops to (%s, from %s) is never created", user, user, where))}
			}
			p, l := postinstLoc(s, c)
			return []Finding{pass(fmt.Sprintf("runs as system user %s (from %s), created at %s:%d", user, where, p, l))}
		},
		live: liveUserNotRoot,
	}
}

func liveUserNotRoot(s *LiveService, env *LiveEnv) []Finding {
	u, out := liveUserEntry(s)
	if u == nil {
		return out
	}
	if u.UID == 0 {
		return []Finding{fail("/etc/passwd", u.Line, s.user()+" has uid 0")}
	}
	out = []Finding{pass(fmt.Sprintf("%s has uid %d", u.Name, u.UID))}
	if !s.Host.Live {
		return append(out, notLive(s, "threads' uids"))
	}
	pid, err := s.Host.PIDOf(s.Name, s.pidFile())
	if err != nil {
		return append(out, unknown("threads' uids: "+err.Error()))
	}
	uids, err := s.Host.ThreadUIDs(pid)
	if err != nil {
		return append(out, unknown(fmt.Sprintf("threads of pid %d: %v", pid, err)))
	}
	var wrong []string
	for _, tid := range sortedKeys(uids) {
		if uids[tid] != u.UID {
			wrong = append(wrong, fmt.Sprintf("tid %d uid %d", tid, uids[tid]))
		}
	}
	if len(wrong) > 0 {
		return append(out, fail("/proc/"+fmt.Sprint(pid), 0, fmt.Sprintf("%d of %d threads do not run as %s (uid %d)", len(wrong), len(uids), u.Name, u.UID), wrong...))
	}
	return append(out, pass(fmt.Sprintf("all %d threads of pid %d run as uid %d", len(uids), pid, u.UID)))
}

func liveUserEntry(s *LiveService) (*parse.PasswdEntry, []Finding) {
	u, err := s.Host.User(s.user())
	if err != nil {
		return nil, []Finding{unknown(err.Error())}
	}
	if u == nil {
		return nil, []Finding{fail("/etc/passwd", 0, "no passwd entry for "+s.user())}
	}
	return u, nil
}
