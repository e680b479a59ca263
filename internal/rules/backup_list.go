package rules

import (
	"fmt"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

// backupList: wazo-backup saves the service's config directory.
//
// Static (with --siblings): wazo-backup/bin/wazo-backup's BACKUP_LIST holds
// /etc/<service>/. Live: the installed /usr/sbin/wazo-backup does.
func backupList() Rule {
	return Rule{
		ID:          "backup-list",
		Title:       "wazo-backup saves /etc/<service>/",
		Checklist:   "The service config files are copied by wazo-backup",
		Severity:    Warning,
		Rationale:   "An operator's conf.d overrides are lost on restore unless wazo-backup's list names the directory.",
		Remediation: "Add `/etc/<service>/` to BACKUP_LIST in wazo-backup's bin/wazo-backup, between the other /etc/wazo-*/ entries.",
		static: func(s *repo.Service, env *StaticEnv) []Finding {
			backup := factsOf(env, s).Backup
			switch {
			case !backup.Known():
				return []Finding{unknownFact("wazo-backup's entries", backup.Unknown)}
			case len(backup.Value) == 0:
				return []Finding{fail("", 0, backup.Source)}
			}
			return []Finding{pass(fmt.Sprintf("%s lists /etc/%s/", backup.Value[0].Source, s.Name))}
		},
		live: liveBackupList,
	}
}

func liveBackupList(s *LiveService, _ *LiveEnv) []Finding {
	entries := s.seen().BackupEntries()
	switch {
	case !entries.Known():
		return []Finding{unknown(entries.Unknown)}
	case len(entries.Value) == 0:
		return []Finding{fail("", 0, entries.Source+" does not list /etc/"+s.Name+"/")}
	}
	return []Finding{pass(fmt.Sprintf("%s lists /etc/%s/", entries.Value[0].Source, s.Name))}
}
