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

// pidFileRef is a PID file the daemon or a worker it spawns writes.
type pidFileRef struct{ path, key, from string }

// pidFiles lists every PID file the service writes: settings named
// pid_file, pidfile or *_pid_file at any depth of config.yml or the code's
// defaults (celery.worker_pid_file: a worker's), the unit's PIDFile= and
// ExecStart --pidfile=.
func pidFiles(s *repo.Service) []pidFileRef {
	var out []pidFileRef
	seen := map[string]bool{}
	add := func(p, key, from string) {
		if strings.HasPrefix(p, "/") && !seen[p] {
			seen[p] = true
			out = append(out, pidFileRef{p, key, from})
		}
	}
	for _, c := range []*repo.Config{s.Config, s.Defaults} {
		if c == nil {
			continue
		}
		walkSettings(c.Map, "", func(key string, v any) {
			last := key[strings.LastIndex(key, ".")+1:]
			if p, ok := v.(string); ok && (last == "pid_file" || last == "pidfile" || strings.HasSuffix(last, "_pid_file")) {
				add(p, key, c.Path)
			}
		})
	}
	if s.Unit != nil {
		if v, ok := s.Unit.Unit.Get("Service", "PIDFile"); ok {
			add(v.Text, "PIDFile=", s.Unit.Path)
		}
		if v, ok := s.Unit.Unit.Get("Service", "ExecStart"); ok {
			for _, a := range strings.Fields(v.Text) {
				if p, ok := strings.CutPrefix(a, "--pidfile="); ok {
					add(p, "ExecStart --pidfile", s.Unit.Path)
				}
			}
		}
	}
	return out
}

// walkSettings calls fn for every leaf of a configuration map, with its
// dotted key, bounded in depth.
func walkSettings(m map[string]any, prefix string, fn func(key string, v any)) {
	if strings.Count(prefix, ".") > 16 {
		return
	}
	for k, v := range m {
		key := k
		if prefix != "" {
			key = prefix + "." + k
		}
		if sub, ok := v.(map[string]any); ok {
			walkSettings(sub, key, fn)
			continue
		}
		fn(key, v)
	}
}

// pidFileWritable: the PID file's directory is created for the user.
//
// Static: for every PID file the service or a worker it spawns writes (see
// pidFiles), its directory is created owned by the user (ExecStartPre=install -d -o USER DIR, RuntimeDirectory= with
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
		static: func(s *repo.Service, env *StaticEnv) []Finding {
			files := pidFiles(s)
			if len(files) == 0 {
				return []Finding{pass("the service writes no PID file (no pid_file setting in config.yml or the code's defaults, no PIDFile= nor --pidfile in the unit): the item does not apply")}
			}
			user, why, ok := serviceUser(env, s)
			if !ok {
				return []Finding{unknownFact("the service user", why)}
			}
			var out []Finding
			pf, from := pidFile(s)
			if s.Unit != nil && pf != "" {
				if v, ok := s.Unit.Unit.Get("Service", "PIDFile"); ok && v.Text != pf {
					out = append(out, fail(s.Unit.Path, v.Line, fmt.Sprintf("PIDFile=%s but %s says pid_file %s", v.Text, from, pf)))
				}
			}
			done := map[string]bool{}
			for _, f := range files {
				d := dir(f.path)
				if done[d] {
					continue
				}
				done[d] = true
				if made, where := pidDirMade(s, user, d); made {
					out = append(out, pass(fmt.Sprintf("%s (%s, from %s) is in %s, created for %s by %s", f.path, f.key, f.from, d, user, where)))
				} else {
					out = append(out, fail(unitPath(s), 0, fmt.Sprintf("nothing creates %s owned by %s (%s %s from %s)", d, user, f.key, f.path, f.from)))
				}
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
