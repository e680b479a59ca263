package rules

import (
	"fmt"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

// userNotRoot: the daemon's account is a dedicated system user, never root.
//
// Static: the model's service user (the unit's User=, else ExecStart's
// --user/--uid/-u, else the default configuration's user when the code
// switches to it, else root) is not root. Live: the passwd entry has a
// non-zero uid, and every thread of the running daemon has it.
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
		static: func(s *repo.Service, env *StaticEnv) []Finding {
			user, where, ok := serviceUser(env, s)
			if !ok {
				return []Finding{unknownFact("the service user", where)}
			}
			if user == "root" || user == "0" {
				return []Finding{fail(unitPath(s), 0, "the service user is root ("+where+")")}
			}
			var ev []string
			if c := createUser(s, user); c != nil {
				p, l := postinstLoc(s, c)
				ev = append(ev, fmt.Sprintf("%s:%d creates it", p, l))
			} else if _, base := baseAccounts[user]; base {
				ev = append(ev, user+" is a Debian base-passwd account")
			}
			return []Finding{pass(fmt.Sprintf("the service user is %s (%s)", user, where), ev...)}
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
		return []Finding{fail("/etc/passwd", u.Line, fmt.Sprintf("%s has uid 0 (the service user: %s)", u.Name, s.user().Source))}
	}
	out = []Finding{pass(fmt.Sprintf("%s has uid %d", u.Name, u.UID))}
	if !s.Host.Live {
		return append(out, notLive(s, "threads' uids"))
	}
	proc := s.seen().MainProcess(s.pidFile())
	if !proc.Known() {
		return append(out, unknown(proc.Unknown))
	}
	pid, uids := proc.Value.PID, proc.Value.ThreadUIDs
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
