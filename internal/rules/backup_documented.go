package rules

import (
	"fmt"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

// backupDocumented: the backup documentation lists the directory too.
//
// Static (with --siblings): wazo-platform.org's backup_restore.md names
// /etc/<service>/, mirroring BACKUP_LIST.
func backupDocumented() Rule {
	return Rule{
		ID:          "backup-documented",
		Title:       "The backup documentation lists /etc/<service>/",
		Checklist:   "The service config files are listed in the documentation for files backup",
		Severity:    Info,
		Rationale:   "backup_restore.md must mirror BACKUP_LIST exactly: operators rely on it to know what a restore brings back.",
		Remediation: "Add `/etc/<service>/` to website/uc-doc/system/backup_restore.md, section \"What is actually backed-up?\".",
		static: func(s *repo.Service, env *StaticEnv) []Finding {
			data, why, ok := sibling(env, "wazo-platform.org", "website/uc-doc/system/backup_restore.md")
			if !ok {
				return []Finding{siblingFinding(env, "wazo-platform.org", "website/uc-doc/system/backup_restore.md", why)}
			}
			if !strings.Contains(string(data), "/etc/"+s.Name+"/") {
				return []Finding{fail("", 0, "wazo-platform.org backup_restore.md does not list /etc/"+s.Name+"/")}
			}
			return []Finding{pass(fmt.Sprintf("backup_restore.md:%d lists /etc/%s/", lineOf(data, "/etc/"+s.Name+"/"), s.Name))}
		},
	}
}
