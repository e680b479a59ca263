package rules

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/parse"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
	"github.com/wazo-platform/wazo-servicekit/internal/service"
)

// monitCheck: a monit check supervises the daemon.
//
// Static: a `check process <service>` ships with the package
// (etc/monit/conf.d/<service>, debian/<service>.monit, ...) or in
// wazo-monitoring's checks/<service> (with --siblings), finds the process by
// the PID file the service writes (or `matching`), and starts/stops it
// through systemctl. With no check in the package and wazo-monitoring not
// visible, the verdict is unknown: the check may well be there. Live: the check file is installed, and
// monit reports the process.
func monitCheck() Rule {
	return Rule{
		ID:        "monit-check",
		Title:     "monit supervises the daemon",
		Checklist: "The service is monitored by monit",
		Severity:  Warning,
		Rationale: "monit restarts a hung daemon and alerts the operator; it finds the process by its PID file, so the two must agree. " +
			"Wazo's own daemons get their checks from wazo-monitoring's checks/<service>; a new daemon may ship its own.",
		Remediation: "Ship etc/monit/conf.d/<service>: `check process <service> with pidfile /run/<service>/<service>.pid`, " +
			"`start program = \"/bin/systemctl start <service>.service\"`, `stop program = \"/bin/systemctl stop <service>.service\"`.",
		static: func(s *repo.Service, env *StaticEnv) []Finding {
			f := factsOf(env, s)
			var c *repo.Located[parse.MonitCheck]
			for i := range f.MonitChecks {
				if f.MonitChecks[i].Item.Kind == "process" {
					c = &f.MonitChecks[i]
					break
				}
			}
			if c == nil {
				if !f.Monit.Known() {
					return []Finding{unknownFact("the monit checks", f.Monit.Unknown)}
				}
				msg := "no `check process " + s.Name + "` in the package"
				if f.Monit.Source != "" {
					msg += " nor in wazo-monitoring (" + f.Monit.Source + ")"
				}
				return []Finding{fail("etc/monit/conf.d/"+s.Name, 0, msg)}
			}
			var out []Finding
			pids := service.Values(f.PIDFiles)
			switch {
			case c.Item.Matching != "":
			case c.Item.PIDFile == "":
				out = append(out, fail(c.Path, c.Item.Line, "the check has neither `with pidfile` nor `matching`"))
			case len(pids) > 0 && !contains(pids, c.Item.PIDFile):
				out = append(out, fail(c.Path, c.Item.Line, fmt.Sprintf("monit watches %s but the service's PID files are %s (%s)", c.Item.PIDFile, strings.Join(pids, ", "), f.PIDFiles.Value[0].Source)))
			case len(pids) == 0:
				out = append(out, fail(c.Path, c.Item.Line, fmt.Sprintf("monit watches %s but the service writes no PID file", c.Item.PIDFile)))
			}
			for _, prog := range []string{c.Item.StartProgram, c.Item.StopProgram} {
				if prog != "" && !strings.Contains(prog, "systemctl") && !strings.Contains(prog, "wazo-service") {
					out = append(out, fail(c.Path, c.Item.Line, "start/stop program bypasses systemd: "+prog))
				}
			}
			if c.Item.StartProgram == "" {
				out = append(out, fail(c.Path, c.Item.Line, "no `start program`: monit cannot restart the daemon"))
			}
			if len(out) == 0 {
				out = append(out, pass(fmt.Sprintf("%s:%d checks process %s", c.Path, c.Item.Line, c.Item.Name)))
			}
			return out
		},
		live: liveMonit,
	}
}

// liveMonit judges what the checklist item asks: monit has loaded a check
// for the service that finds its real PID file and starts and stops its
// unit. Monit's process status is only a snapshot taken once per cycle (a
// restarted daemon reads "Does not exist" until the next one), so it decides
// nothing on its own: when it disagrees with systemd the finding says so.
func liveMonit(s *LiveService, env *LiveEnv) []Finding {
	installed := s.seen().MonitInstalled()
	if !installed.Known() {
		return []Finding{unknown(installed.Unknown)}
	}
	checks := installed.Value
	var c *repo.Located[parse.MonitCheck]
	for i := range checks {
		if checks[i].Item.Kind == "process" && checks[i].Item.Name == s.Name {
			c = &checks[i]
		}
	}
	if c == nil {
		return []Finding{fail("/etc/monit/conf.d", 0, "no `check process "+s.Name+"` in /etc/monit/conf.d")}
	}
	where := fmt.Sprintf("%s:%d", c.Path, c.Item.Line)
	var out []Finding
	pids := s.model().PIDFiles
	switch {
	case c.Item.Matching != "":
	case c.Item.PIDFile == "":
		out = append(out, fail(c.Path, c.Item.Line, "the check has neither `with pidfile` nor `matching`"))
	case len(pids.Value) == 0:
		out = append(out, fail(c.Path, c.Item.Line, fmt.Sprintf("monit watches %s but %s writes no PID file (%s)", c.Item.PIDFile, s.Name, pids.Source)))
	case !contains(service.Values(pids), c.Item.PIDFile):
		out = append(out, fail(c.Path, c.Item.Line, fmt.Sprintf("monit watches %s but %s writes its PID to %s", c.Item.PIDFile, s.Name, strings.Join(service.Values(pids), ", "))))
	}
	for _, p := range []struct{ verb, prog string }{{"start", c.Item.StartProgram}, {"stop", c.Item.StopProgram}} {
		if !controlsUnit(p.prog, p.verb, s.Name) {
			out = append(out, fail(c.Path, c.Item.Line, fmt.Sprintf("the %s program %q does not %s %s.service (want `systemctl %s %s.service`)", p.verb, p.prog, p.verb, s.Name, p.verb, s.Name)))
		}
	}
	if len(out) > 0 {
		return out
	}
	if !s.Host.Live {
		return []Finding{pass("monit check at " + where + " finds " + s.Name + " by its PID file and starts/stops its unit"), notLive(s, "whether monit has loaded it")}
	}
	// `monit summary` needs monit's control file, which only root reads;
	// the daemon's own user asks monit's HTTP interface instead.
	var status, from string
	var listed bool
	if sum, err := env.Command(env.Ctx, "monit", "summary"); err == nil {
		status, listed = monitStatus(string(sum), s.Name)
		from = "`monit summary`"
	} else {
		base := env.MonitURL
		if base == "" {
			base = DefaultMonitURL
		}
		svc, ok, herr := monitHTTPStatus(env, base, s.Name)
		if herr != nil {
			return []Finding{unknown(fmt.Sprintf("monit check at %s, but neither `monit summary` (%v) nor monit's HTTP interface (%v) answered, so whether monit loaded it is unknown", where, err, herr))}
		}
		status, listed = svc.describe(), ok
		from = "monit's status at " + base
	}
	if !listed {
		return []Finding{fail(c.Path, c.Item.Line, "monit has not loaded "+where+": "+from+" does not list "+s.Name+" (run `monit reload`)")}
	}
	loaded := "monit has loaded " + where + " (status " + strconv.Quote(status) + ")"
	switch st := strings.ToLower(status); {
	case strings.HasPrefix(st, "not monitored"):
		return []Finding{fail(c.Path, c.Item.Line, loaded+": monit no longer watches it and will not restart it (run `monit monitor "+s.Name+"`)")}
	case strings.Contains(st, "execution failed"):
		return []Finding{fail(c.Path, c.Item.Line, loaded+": monit could not run its start or stop program")}
	case st == "ok" || st == "running":
		return []Finding{pass(loaded)}
	}
	return []Finding{pass(loaded + "; " + systemdView(s, env))}
}

// controlsUnit reports whether a monit start/stop program starts/stops the
// service's systemd unit (directly, or through wazo-service).
func controlsUnit(prog, verb, name string) bool {
	f := strings.Fields(prog)
	for i, w := range f {
		if (strings.HasSuffix(w, "systemctl") || strings.HasSuffix(w, "wazo-service")) && i+1 < len(f) && f[i+1] == verb {
			if strings.HasSuffix(w, "wazo-service") {
				return true
			}
			for _, u := range f[i+2:] {
				if u == name || u == name+".service" {
					return true
				}
			}
		}
	}
	return false
}

// monitStatus finds a service's status column in `monit summary` output:
// "<name>  <status>  <type>" rows, in a box-drawn table on a terminal and a
// plain one otherwise.
func monitStatus(summary, name string) (status string, listed bool) {
	boxes := strings.NewReplacer("│", " ", "┃", " ", "|", " ")
	for _, line := range strings.Split(summary, "\n") {
		f := strings.Fields(boxes.Replace(line))
		if len(f) < 2 || f[0] != name {
			continue
		}
		f = f[1:]
		if len(f) > 1 && monitTypes[strings.ToLower(f[len(f)-1])] {
			f = f[:len(f)-1]
		}
		return strings.Join(f, " "), true
	}
	return "", false
}

// monitTypes are the service types monit prints in summary's last column.
var monitTypes = map[string]bool{"process": true, "program": true, "file": true, "fifo": true, "filesystem": true,
	"directory": true, "host": true, "system": true, "net": true, "network": true}

// systemdView says what systemd knows of the unit, for a monit status that
// is not "OK": the process monit will find at its next cycle, or the one
// it is about to start.
func systemdView(s *LiveService, env *LiveEnv) string {
	unit := s.Name + ".service"
	active, err := env.Command(env.Ctx, "systemctl", "is-active", unit)
	state := strings.TrimSpace(string(active))
	if state == "" && err != nil {
		return "monit's snapshot is a cycle old and systemd could not be asked: " + err.Error()
	}
	if state != "active" {
		return "systemd says the unit is " + state + ": monit starts it at its next cycle"
	}
	out, _ := env.Command(env.Ctx, "systemctl", "show", "-p", "MainPID", "--value", unit)
	mainPID, _ := strconv.Atoi(strings.TrimSpace(string(out)))
	held := s.seen().PIDInFile(s.pidFile())
	filePID, perr := strconv.Atoi(held.Value)
	if held.Known() && perr == nil && mainPID > 0 && filePID == mainPID {
		return fmt.Sprintf("monit's snapshot is a cycle old: systemd runs the unit with MainPID %d, which the PID file holds", mainPID)
	}
	return fmt.Sprintf("monit's snapshot is a cycle old: systemd says the unit is active (MainPID %d; the PID file %s holds %q)", mainPID, s.pidFile(), held.Value)
}
