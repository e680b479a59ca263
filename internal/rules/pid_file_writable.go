package rules

import (
	"fmt"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

// pidFile is the PID file the service writes ("" if none): config
// pid_file, else the unit's PIDFile=.
func pidFile(s *repo.Service) (string, string) {
	if s.Config != nil {
		if p, ok := s.Config.String("pid_file"); ok && p != "" {
			return p, s.Config.Path
		}
	}
	if s.Unit != nil {
		if v, ok := s.Unit.Unit.Get("Service", "PIDFile"); ok {
			return v.Text, s.Unit.Path
		}
	}
	return "", ""
}

// pidFileWritable: the PID file's directory is created for the user.
//
// Static: when the service writes a PID file, its directory is created owned
// by the user (ExecStartPre=install -d -o USER DIR, RuntimeDirectory= with
// User=, or the postinst), and the unit's PIDFile= (if
// any) names the same file. A service without PID file passes. Live: the
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
		static: func(s *repo.Service, _ *StaticEnv) []Finding {
			pf, from := pidFile(s)
			if pf == "" {
				return []Finding{pass("the service writes no PID file (neither config pid_file nor PIDFile=)")}
			}
			user, _ := serviceUser(s)
			d := dir(pf)
			var out []Finding
			if s.Unit != nil {
				if v, ok := s.Unit.Unit.Get("Service", "PIDFile"); ok && v.Text != pf {
					out = append(out, fail(s.Unit.Path, v.Line, fmt.Sprintf("PIDFile=%s but %s says pid_file %s", v.Text, from, pf)))
				}
			}
			if made, where := pidDirMade(s, user, d); made {
				out = append(out, pass(fmt.Sprintf("%s is created for %s by %s", d, user, where)))
			} else {
				p := "debian/" + s.Name + ".service"
				if s.Unit != nil {
					p = s.Unit.Path
				}
				out = append(out, fail(p, 0, fmt.Sprintf("nothing creates %s owned by %s (pid_file %s from %s)", d, user, pf, from)))
			}
			return out
		},
		live: livePIDDir,
	}
}

func pidDirMade(s *repo.Service, user, d string) (bool, string) {
	if s.Unit != nil {
		u := s.Unit.Unit
		for _, v := range u.Sections["Service"]["ExecStartPre"] {
			f := strings.Fields(strings.TrimLeft(v.Text, "-+!@:"))
			if len(f) > 0 && strings.HasSuffix(f[0], "install") {
				c := commandOf(f, v.Line)
				if ownsTo(c, user, d) {
					return true, fmt.Sprintf("%s:%d", s.Unit.Path, v.Line)
				}
			}
		}
		if rd, ok := u.Get("Service", "RuntimeDirectory"); ok {
			if usr, ok := u.Get("Service", "User"); ok && usr.Text == user {
				for _, name := range strings.Fields(rd.Text) {
					if "/run/"+name == d {
						return true, fmt.Sprintf("%s:%d (RuntimeDirectory)", s.Unit.Path, rd.Line)
					}
				}
			}
		}
	}
	for _, c := range commandsNamed(s, "install", "chown") {
		if ownsTo(c, user, d) {
			return true, fmt.Sprintf("%s:%d", s.Postinst.Path, c.Line)
		}
	}
	return false, ""
}

func livePIDDir(s *LiveService, _ *LiveEnv) []Finding {
	pf := s.pidFile()
	if pf == "" {
		return []Finding{pass("the service writes no PID file")}
	}
	if !s.Host.Live {
		return []Finding{notLive(s, dir(pf)+" (a tmpfs created at start)")}
	}
	u, out := liveUserEntry(s)
	if u == nil {
		return out
	}
	out = []Finding{ownedBy(s, dir(pf), u)}
	if s.Host.Exists(pf) {
		out = append(out, ownedBy(s, pf, u))
	}
	return out
}
