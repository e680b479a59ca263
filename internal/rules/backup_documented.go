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
			var data []byte
			var why, page string
			ok := false
			for _, page = range backupPages {
				if data, why, ok = sibling(env, "wazo-platform.org", page); ok {
					break
				}
			}
			if !ok {
				return []Finding{siblingFinding(env, "wazo-platform.org", backupPages[0], why)}
			}
			if !strings.Contains(string(data), "/etc/"+s.Name+"/") {
				return []Finding{fail("", 0, "wazo-platform.org "+page+" does not list /etc/"+s.Name+"/")}
			}
			return []Finding{pass(fmt.Sprintf("%s:%d lists /etc/%s/", page, lineOf(data, "/etc/"+s.Name+"/"), s.Name))}
		},
	}
}

// backupPages are where wazo-platform.org keeps its backup and restore page:
// a page of its own, or the index of a folder of the same name.
var backupPages = []string{"website/uc-doc/system/backup_restore.md", "website/uc-doc/system/backup_restore/index.md"}
