package rules

import (
	"fmt"
	"os"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/parse"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

// logFile is the path the daemon logs to (see repo.Service.LogFile).
func logFile(s *repo.Service) string { return s.LogFile() }

// logFileWritable: the log file exists before the first start and belongs
// to the service user.
//
// Static: the postinst creates the log file owned by the user (`install -o
// USER ... LOG` or `touch LOG` + `chown USER LOG`). Live: the log file is
// owned by (or group-writable for) the service user.
func logFileWritable() Rule {
	return Rule{
		ID:        "log-file-writable",
		Title:     "The service user owns its log file",
		Checklist: "The service default user has write permissions for the default log file",
		Severity:  Error,
		Rationale: "Wazo daemons open their log after dropping root (xivo setup_logging runs after change_user): " +
			"a root-owned log file stops the daemon at start-up.",
		Remediation: "In the postinst's configure: `install -m 0640 -o <user> -g <user> /dev/null /var/log/<service>.log` " +
			"(only if it does not exist yet), or `touch` then `chown <user>:<user>` it.",
		static: func(s *repo.Service, env *StaticEnv) []Finding {
			user, where, ok := serviceUser(env, s)
			if !ok {
				return []Finding{unknownFact("the service user", where)}
			}
			lf := logFile(s)
			if user == "root" {
				return []Finding{pass(fmt.Sprintf("the daemon runs as root (%s), which can write %s (whether it should is user-not-root's question)", where, lf))}
			}
			for _, c := range commandsNamed(s, "install", "chown") {
				if ownsTo(c, user, lf) {
					return []Finding{pass(fmt.Sprintf("%s:%d gives %s to %s", s.Postinst.Path, c.Line, lf, user))}
				}
			}
			p, _ := postinstLoc(s, nil)
			return []Finding{fail(p, 0, fmt.Sprintf("the postinst never hands %s to %s (no `install -o %s ... %s` nor `chown %s ... %s`)", lf, user, user, lf, user, lf))}
		},
		live: liveLogFileWritable,
	}
}

func liveLogFileWritable(s *LiveService, _ *LiveEnv) []Finding {
	u, out := liveUserEntry(s)
	if u == nil {
		return out
	}
	return []Finding{ownedBy(s, s.logFile(), u)}
}

// ownedBy judges whether the account can write a path: owner, or group
// with group-write.
func ownedBy(s *LiveService, p string, u *parse.PasswdEntry) Finding {
	o, err := s.Host.Stat(p)
	if err != nil {
		if os.IsNotExist(err) {
			return fail(p, 0, p+" does not exist: the daemon cannot create it after dropping root")
		}
		return unknown(err.Error())
	}
	switch {
	case o.Mode.Perm()&0o002 != 0:
		return fail(p, 0, fmt.Sprintf("%s is world-writable (%v): any local user can forge or fill it", p, o.Mode.Perm()))
	case o.UID == u.UID:
		return pass(fmt.Sprintf("%s is owned by %s (%v)", p, u.Name, o.Mode.Perm()))
	case o.GID == u.GID && o.Mode.Perm()&0o020 != 0:
		return pass(fmt.Sprintf("%s is group-writable for %s's group (%v)", p, u.Name, o.Mode.Perm()))
	}
	return fail(p, 0, fmt.Sprintf("%s is owned by uid %d gid %d mode %v: %s (uid %d) cannot write it", p, o.UID, o.GID, o.Mode.Perm(), u.Name, u.UID))
}
