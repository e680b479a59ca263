package rules

import (
	"fmt"

	"github.com/wazo-platform/wazo-servicekit/probe/repo"
)

// logFile is the path the daemon logs to: config log_file, else Wazo's
// /var/log/<service>.log.
func logFile(s *repo.Service) string {
	if s.Config != nil {
		if lf, ok := s.Config.String("log_file"); ok && lf != "" {
			return lf
		}
	}
	return "/var/log/" + s.Name + ".log"
}

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
		static: func(s *repo.Service, _ *StaticEnv) []Finding {
			user, _ := serviceUser(s)
			lf := logFile(s)
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
