package rules

import (
	"fmt"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/parse"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

// monitCheck: a monit check supervises the daemon.
//
// Static: a `check process <service>` ships (etc/monit/conf.d/<service>,
// debian/<service>.monit, ...), finds the process by the PID file the service
// writes (or `matching`), and starts/stops it through systemctl. Live: the
// check file is installed, and monit reports the process.
func monitCheck() Rule {
	return Rule{
		ID:        "monit-check",
		Title:     "monit supervises the daemon",
		Checklist: "The service is monitored by monit",
		Severity:  Warning,
		Rationale: "monit restarts a hung daemon and alerts the operator; it finds the process by its PID file, so the two must agree. " +
			"(Today's Python daemons rely on systemd Restart= instead; wazo-servicekit ships both, see DESIGN.md.)",
		Remediation: "Ship etc/monit/conf.d/<service>: `check process <service> with pidfile /run/<service>/<service>.pid`, " +
			"`start program = \"/bin/systemctl start <service>.service\"`, `stop program = \"/bin/systemctl stop <service>.service\"`.",
		static: func(s *repo.Service, _ *StaticEnv) []Finding {
			var c *repo.Located[parse.MonitCheck]
			for i := range s.Monit {
				if s.Monit[i].Item.Kind == "process" {
					c = &s.Monit[i]
					break
				}
			}
			if c == nil {
				return []Finding{fail("etc/monit/conf.d/"+s.Name, 0, "no `check process "+s.Name+"` ships with the package")}
			}
			var out []Finding
			pf, from := pidFile(s)
			switch {
			case c.Item.Matching != "":
			case c.Item.PIDFile == "":
				out = append(out, fail(c.Path, c.Item.Line, "the check has neither `with pidfile` nor `matching`"))
			case pf != "" && c.Item.PIDFile != pf:
				out = append(out, fail(c.Path, c.Item.Line, fmt.Sprintf("monit watches %s but %s says the PID file is %s", c.Item.PIDFile, from, pf)))
			case pf == "":
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

func liveMonit(s *LiveService, env *LiveEnv) []Finding {
	checks, err := s.Host.MonitChecks()
	if err != nil {
		return []Finding{unknown(err.Error())}
	}
	var where string
	for _, c := range checks {
		if c.Item.Kind == "process" && c.Item.Name == s.Name {
			where = fmt.Sprintf("%s:%d", c.Path, c.Item.Line)
		}
	}
	if where == "" {
		return []Finding{fail("/etc/monit/conf.d", 0, "no `check process "+s.Name+"` in /etc/monit/conf.d")}
	}
	out := []Finding{pass("monit check at " + where)}
	if !s.Host.Live {
		return append(out, notLive(s, "monit's status"))
	}
	sum, err := env.Command(env.Ctx, "monit", "summary")
	if err != nil {
		return append(out, unknown("monit summary: "+err.Error()))
	}
	for _, line := range strings.Split(string(sum), "\n") {
		if strings.Contains(line, s.Name) {
			if strings.Contains(line, "OK") || strings.Contains(line, "Running") {
				return append(out, pass("monit reports: "+strings.Join(strings.Fields(line), " ")))
			}
			return append(out, fail("", 0, "monit reports: "+strings.Join(strings.Fields(line), " ")))
		}
	}
	return append(out, fail("", 0, "monit summary does not list "+s.Name+" (monit not reloaded?)"))
}
