package rules

import (
	"fmt"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

// userHomeNotInHome: the account has no /home directory.
//
// Static: the adduser --home value is /var/lib/<...> or /nonexistent (the
// --system default when --home is absent). Live: the passwd home is not
// under /home and no /home/<user> exists.
func userHomeNotInHome() Rule {
	return Rule{
		ID:          "user-home-not-in-home",
		Title:       "The service user's home is /var/lib/<service> or none, never /home",
		Checklist:   "The service default user does not have a /home/user, only a /var/lib/user if necessary",
		Severity:    Error,
		Rationale:   "/home is for people: backups, quotas and audits treat it so. A daemon's state belongs to /var/lib (FHS).",
		Remediation: "Pass `--home /var/lib/<service>` (add `--no-create-home` if the daemon keeps no state) to adduser.",
		static: func(s *repo.Service, env *StaticEnv) []Finding {
			user, why, ok := serviceUser(env, s)
			if !ok {
				return []Finding{unknownFact("the service user", why)}
			}
			c := createUser(s, user)
			p, l := postinstLoc(s, c)
			if c == nil {
				if acct, base := baseAccounts[user]; base && !strings.HasPrefix(acct.home, "/home") {
					return []Finding{pass(fmt.Sprintf("%s is a Debian base-passwd account with home %s, not under /home", user, acct.home))}
				}
				return []Finding{fail(p, 0, "no adduser --system call creates "+user+", so its home is not set by the package")}
			}
			home, ok := c.Option("--home", "-d")
			switch {
			case !ok:
				return []Finding{pass("no --home: adduser --system gives /nonexistent")}
			case strings.HasPrefix(home, "/home/") || home == "/home":
				return []Finding{fail(p, l, fmt.Sprintf("home of %s is %s, under /home", user, home))}
			case strings.HasPrefix(home, "/var/lib/") || home == "/nonexistent":
				return []Finding{pass(fmt.Sprintf("home of %s is %s (%s:%d)", user, home, p, l))}
			}
			return []Finding{fail(p, l, fmt.Sprintf("home of %s is %s: want /var/lib/<service> or /nonexistent", user, home))}
		},
		live: liveUserHome,
	}
}

func liveUserHome(s *LiveService, _ *LiveEnv) []Finding {
	u, out := liveUserEntry(s)
	if u == nil {
		return out
	}
	if u.Home == "/home" || strings.HasPrefix(u.Home, "/home/") {
		return []Finding{fail("/etc/passwd", u.Line, fmt.Sprintf("%s's home is %s", u.Name, u.Home))}
	}
	if s.seen().Present("/home/" + u.Name).Value {
		return []Finding{fail("/home/"+u.Name, 0, "/home/"+u.Name+" exists")}
	}
	return []Finding{pass(fmt.Sprintf("%s's home is %s; no /home/%s", u.Name, u.Home, u.Name))}
}
