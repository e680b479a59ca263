package rules

import (
	"fmt"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
	"github.com/wazo-platform/wazo-servicekit/internal/service"
)

// pidFileWritable: the PID file's directory is created for the user.
//
// Static: the model's PID files (the daemon's and its workers'); none is a
// fail. For each, its directory is created owned by the service user
// (ExecStartPre=install -d -o USER DIR, RuntimeDirectory= with User=, or
// the postinst), or the service user is root. Live: the
// directory exists owned by the user (a running host only: /run is a tmpfs).
func pidFileWritable() Rule {
	return Rule{
		ID:        "pid-file-writable",
		Title:     "The PID file's directory belongs to the service user",
		Checklist: "The service default user has write permissions for the PID file and its directory",
		Severity:  Error,
		Rationale: "The daemon writes its PID file after dropping root (xivo pidfile_context); monit finds the process by it.",
		Remediation: "Add `ExecStartPre=/usr/bin/install -d -o <user> -g <user> /run/<service>` to the unit " +
			"(or RuntimeDirectory=<service> with User=<user>), and keep PIDFile= equal to config pid_file.",
		static: func(s *repo.Service, env *StaticEnv) []Finding {
			f := factsOf(env, s)
			if len(f.PIDFiles.Value) == 0 {
				return []Finding{fail(unitPath(s), 0, "no PID file: "+f.PIDFiles.Source)}
			}
			if !f.User.Known() {
				return []Finding{unknownFact("the service user", f.User.Unknown)}
			}
			user := f.User.Value
			var out []Finding
			done := map[string]bool{}
			for _, pf := range f.PIDFiles.Value {
				d := dir(pf.Value)
				if done[d] {
					continue
				}
				done[d] = true
				switch made, where := pidDirMade(s, f, user, d); {
				case user == "root":
					out = append(out, pass(fmt.Sprintf("%s (%s): the service user is root, which can write it and %s", pf.Value, pf.Source, d)))
				case made:
					out = append(out, pass(fmt.Sprintf("%s (%s) is in %s, created for %s by %s", pf.Value, pf.Source, d, user, where)))
				default:
					out = append(out, fail(unitPath(s), 0, fmt.Sprintf("nothing creates %s owned by %s (PID file %s from %s)", d, user, pf.Value, pf.Source)))
				}
			}
			return out
		},

		live: livePIDDir,
	}
}

// pidDirMade says whether the PID file's directory is created for the
// user: a run directory of the model (RuntimeDirectory=, ExecStartPre
// install -d -o), or the postinst.
func pidDirMade(s *repo.Service, f *service.Facts, user, d string) (bool, string) {
	for _, rd := range f.RunDirs.Value {
		if rd.Value == d+" owned by "+user || rd.Value == strings.TrimSuffix(d, "/")+" owned by "+user ||
			strings.Replace(rd.Value, "/var/run/", "/run/", 1) == strings.Replace(d, "/var/run/", "/run/", 1)+" owned by "+user {
			return true, rd.Source
		}
	}
	if strings.HasPrefix(d, "/run/") || strings.HasPrefix(d, "/var/run/") {
		// A tmpfs: what the postinst makes there is gone after a reboot.
		return false, ""
	}
	for _, c := range commandsNamed(s, "install", "chown") {
		if ownsTo(c, user, d) {
			return true, fmt.Sprintf("%s:%d", s.Postinst.Path, c.Line)
		}
	}
	return false, ""
}

func livePIDDir(s *LiveService, _ *LiveEnv) []Finding {
	pids := s.model().PIDFiles
	if len(pids.Value) == 0 {
		return []Finding{fail(s.UnitPath, 0, "no PID file: "+pids.Source)}
	}
	if !s.Host.Live {
		return []Finding{notLive(s, dir(pids.Value[0].Value)+" (a tmpfs created at start)")}
	}
	u, out := liveUserEntry(s)
	if u == nil {
		return out
	}
	out = nil
	done := map[string]bool{}
	for _, pf := range pids.Value {
		if d := dir(pf.Value); !done[d] {
			done[d] = true
			out = append(out, ownedBy(s, d, u))
		}
		if s.seen().Present(pf.Value).Value {
			out = append(out, ownedBy(s, pf.Value, u))
		}
	}
	return out
}
