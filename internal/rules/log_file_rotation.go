package rules

import (
	"fmt"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

// logFileRotation: rotation keeps the log writable by the service user.
//
// Static: a logrotate entry covers the log file and uses copytruncate (the
// daemon keeps its O_APPEND descriptor), or `create MODE <user> <group>`.
// A `create` without the service user hands the new file to root.
func logFileRotation() Rule {
	return Rule{
		ID:        "log-file-rotation",
		Title:     "logrotate keeps the log file writable by the service user",
		Checklist: "The service default user has write permissions for the default log file",
		Severity:  Warning,
		Rationale: "An unrotated log fills /var/log; a rotation that recreates the file as root makes it unwritable after the first night.",
		Remediation: "Ship debian/<service>.logrotate with `/var/log/<service>.log { daily rotate 15 compress copytruncate missingok }` " +
			"(the shape of Wazo's own packages).",
		static: func(s *repo.Service, env *StaticEnv) []Finding {
			lf := logFile(s)
			user, why, ok := serviceUser(env, s)
			if !ok {
				return []Finding{unknownFact("the service user", why)}
			}
			if len(s.Rotate) == 0 {
				return []Finding{fail("debian/"+s.Name+".logrotate", 0, "no logrotate entry for "+lf)}
			}
			e := s.Rotate[0]
			if _, ok := e.Item.Directives["copytruncate"]; ok {
				return []Finding{pass(fmt.Sprintf("%s:%d rotates %s with copytruncate", e.Path, e.Item.Line, lf))}
			}
			if c, ok := e.Item.Directives["create"]; ok {
				f := strings.Fields(c)
				if len(f) >= 2 && f[1] == user {
					return []Finding{pass(fmt.Sprintf("%s:%d recreates %s as %s", e.Path, e.Item.Line, lf, user))}
				}
				return []Finding{fail(e.Path, e.Item.Line, fmt.Sprintf("`create %s` recreates %s without owner %s", c, lf, user))}
			}
			return []Finding{fail(e.Path, e.Item.Line, "the logrotate entry has neither copytruncate nor `create MODE "+user+" GROUP`: the new file would belong to root")}
		},
	}
}
