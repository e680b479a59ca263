package rules

import (
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
			doc := factsOf(env, s).Platform.BackupDoc
			switch {
			case !doc.Known():
				return []Finding{unknownFact("the backup page's entry", doc.Unknown)}
			case !doc.Found():
				return []Finding{fail("", 0, doc.Source)}
			}
			return []Finding{pass(doc.Lines[0].Source + " lists " + doc.Lines[0].Value)}
		},
	}
}
