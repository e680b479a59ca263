package rules

import (
	"fmt"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

// installsCleanly: a fresh install leaves a configured, running service.
//
// Static: the postinst is a `set -e` script with the #DEBHELPER# token (so
// dh_installsystemd's enable/start snippets run), control's Depends has
// adduser when the postinst calls it, the unit is shipped for
// dh_installsystemd, and debian/<pkg>.install ships every etc/ file the
// other rules read (config, nginx location, monit check, rsyslog). Live: dpkg reports the package "install ok installed".
func installsCleanly() Rule {
	return Rule{
		ID:        "installs-cleanly",
		Title:     "A fresh install creates, enables and starts the service",
		Checklist: "The service is correctly installed on a fresh install",
		Severity:  Error,
		Rationale: "debhelper enables and starts the unit only through the #DEBHELPER# snippets; a postinst that fails half-way leaves the package unconfigured.",
		Remediation: "debian/<service>.postinst: `#!/bin/sh`, `set -e`, the configure work, then `#DEBHELPER#`; " +
			"Depends: adduser; ship debian/<service>.service.",
		static: func(s *repo.Service, env *StaticEnv) []Finding {
			f := factsOf(env, s)
			var out []Finding
			user, why, ok := serviceUser(env, s)
			if !ok {
				return []Finding{unknownFact("the service user", why)}
			}
			_, base := baseAccounts[user]
			switch {
			case s.Postinst == nil && (user != "root" || len(s.Nginx) > 0):
				out = append(out, fail("debian/"+s.Name+".postinst", 0, "no postinst: nothing creates the user, log file or nginx link"))
			case s.Postinst == nil:
				// A root daemon without nginx location needs nothing made for it.
			default:
				if !strings.Contains(string(env.Repo.Files[s.Postinst.Path]), "#DEBHELPER#") {
					out = append(out, fail(s.Postinst.Path, 0, "no #DEBHELPER# token: dh_installsystemd cannot enable and start the unit"))
				}
				if user != "root" && !base && createUser(s, user) == nil {
					out = append(out, fail(s.Postinst.Path, 0, fmt.Sprintf("the daemon runs as %s (%s) but the postinst never creates that account", user, why)))
				}
			}
			if s.Unit == nil {
				out = append(out, fail("debian/"+s.Name+".service", 0, "no systemd unit ships with the package"))
			}
			out = append(out, notInstalled(s)...)
			path := f.InstallPath
			if !path.Known() {
				out = append(out, unknownFact("the fresh-install path", path.Unknown))
			}
			for _, o := range out {
				if o.Status == Fail || o.Status == Unknown {
					return out
				}
			}
			how := "installed by " + path.Value[0].Value + " (" + path.Value[0].Source + ")"
			if s.Postinst == nil {
				return []Finding{pass(fmt.Sprintf("%s; no postinst, none needed: the daemon runs as root and ships no nginx location; unit %s", how, s.Unit.Path))}
			}
			return []Finding{pass(fmt.Sprintf("%s; %s creates what the daemon needs and has #DEBHELPER#; unit %s", how, s.Postinst.Path, s.Unit.Path))}
		},
		live: liveInstalled,
	}
}

// notInstalled reports the files under etc/ that other rules rely on (the
// config, nginx location, monit check, rsyslog and logrotate files) but
// that debian/<pkg>.install does not ship: they pass in the repository and
// are missing on the host.
func notInstalled(s *repo.Service) []Finding {
	var files []string
	if s.Config != nil {
		files = append(files, s.Config.Path)
	}
	for _, l := range s.Nginx {
		files = append(files, l.Path)
	}
	for _, m := range s.Monit {
		files = append(files, m.Path)
	}
	for _, r := range s.Rotate {
		files = append(files, r.Path)
	}
	files = append(files, s.Rsyslog...)
	var out []Finding
	seen := map[string]bool{}
	for _, f := range files {
		if seen[f] || !strings.HasPrefix(f, "etc/") {
			continue // debian/<pkg>.* files are installed by their dh_ tool
		}
		seen[f] = true
		if s.Install == nil {
			if s.Language == "python" {
				out = append(out, unknown("no debian/"+s.Name+".install: "+f+" may be shipped by setup.py data_files, which this check does not read"))
				continue
			}
			out = append(out, fail(f, 0, f+" is never installed: there is no debian/"+s.Name+".install"))
			continue
		}
		if !s.Installed(f) {
			out = append(out, fail(f, 0, f+" is not shipped: no debian/"+s.Name+".install line matches it"))
		}
	}
	return out
}

func liveInstalled(s *LiveService, _ *LiveEnv) []Finding {
	pkg := s.seen().DpkgStatus()
	switch p := pkg.Value; {
	case !pkg.Known():
		return []Finding{unknown(pkg.Unknown)}
	case p.Listed && p.Status != "install ok installed":
		return []Finding{fail("/var/lib/dpkg/status", p.Line, fmt.Sprintf("dpkg status of %s is %q", s.Name, p.Status))}
	case p.Listed:
		return []Finding{pass(s.Name + " " + p.Version + " is installed and configured")}
	}
	return []Finding{unknown("no dpkg package named " + s.Name + " (installed from source?)")}
}
