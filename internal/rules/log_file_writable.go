package rules

import (
	"fmt"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

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
			logs := factsOf(env, s).LogFiles
			if len(logs.Value) == 0 {
				return []Finding{fail("", 0, "no default log file ("+logs.Source+"): the item is about the service's log file")}
			}
			lf := logs.Value[0].Value
			if user == "root" {
				return []Finding{pass(fmt.Sprintf("the daemon runs as root (%s), which can write %s (whether it should is user-not-root's question)", where, lf))}
			}
			for _, c := range commandsNamed(s, "install", "chown") {
				if ownsTo(c, user, lf) {
					return []Finding{pass(fmt.Sprintf("%s:%d gives %s to %s", s.Postinst.Path, c.Line, lf, user))}
				}
			}
			if s.Unit != nil {
				// The unit may hand it over at each start (ExecStartPre=install -o).
				for _, v := range s.Unit.Unit.Sections["Service"]["ExecStartPre"] {
					args := strings.Fields(strings.TrimLeft(v.Text, "-+!@:"))
					if len(args) > 0 && (strings.HasSuffix(args[0], "install") || strings.HasSuffix(args[0], "chown")) && ownsTo(commandOf(args, v.Line), user, lf) {
						return []Finding{pass(fmt.Sprintf("%s:%d ExecStartPre gives %s to %s", s.Unit.Path, v.Line, lf, user))}
					}
				}
			}
			p, _ := postinstLoc(s, nil)
			return []Finding{fail(p, 0, fmt.Sprintf("the postinst never hands %s to %s (no `install -o %s ... %s` nor `chown %s ... %s`)", lf, user, user, lf, user, lf))}
		},
		live: liveLogFileWritable,
	}
}

func liveLogFileWritable(s *LiveService, _ *LiveEnv) []Finding {
	logs := s.model().LogFiles
	if len(logs.Value) == 0 {
		return []Finding{fail("", 0, "no default log file ("+logs.Source+"): the item is about the service's log file")}
	}
	u, out := liveUserEntry(s)
	if u == nil {
		return out
	}
	return []Finding{ownedBy(s, logs.Value[0].Value, u)}
}
