package rules

import (
	"fmt"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

// noLoginShells are the shells that refuse an interactive login.
var noLoginShells = map[string]bool{"/usr/sbin/nologin": true, "/sbin/nologin": true, "/bin/false": true, "/usr/bin/false": true}

// userNoLoginShell: the account cannot open a shell.
//
// Static: the adduser --system call creating the user passes a no-login
// shell or none (Debian's adduser then gives /usr/sbin/nologin), and
// nothing later changes it (usermod -s, chsh); a base-passwd account
// (www-data) has Debian's no-login shell. Live: the passwd entry's shell is
// a no-login shell.
func userNoLoginShell() Rule {
	return Rule{
		ID:        "user-no-login-shell",
		Title:     "The service user has a no-login shell",
		Checklist: "The service default user cannot log in to a shell",
		Severity:  Error,
		Rationale: "A service account with a real shell is a login waiting for a leaked password or key. " +
			"Debian's adduser gives --system users /usr/sbin/nologin unless --shell says otherwise.",
		Remediation: "Create the user with `adduser --system` and no --shell (or `--shell /usr/sbin/nologin`), and never give it a shell later.",
		static: func(s *repo.Service, env *StaticEnv) []Finding {
			user, why, ok := serviceUser(env, s)
			if !ok {
				return []Finding{unknownFact("the service user", why)}
			}
			c := createUser(s, user)
			p, l := postinstLoc(s, c)
			if c == nil {
				if acct, base := baseAccounts[user]; base {
					if noLoginShells[acct.shell] {
						return []Finding{pass(fmt.Sprintf("%s is a Debian base-passwd account with shell %s", user, acct.shell))}
					}
					return []Finding{fail("", 0, fmt.Sprintf("the daemon runs as %s, whose shell is %s", user, acct.shell))}
				}
				return []Finding{fail(p, 0, "no adduser --system call creates "+user+", so its shell is not set by the package")}
			}
			var out []Finding
			shell, ok := c.Option("--shell", "-s")
			switch {
			case !ok:
				shell = adduserDefaultShell + " (adduser's --system default)"
			case !noLoginShells[shell]:
				out = append(out, fail(p, l, fmt.Sprintf("adduser gives %s the login shell %s", user, shell), strings.Join(c.Args, " ")))
			}
			for _, m := range commandsNamed(s, "usermod", "chsh") {
				if sh, ok := m.Option("--shell", "-s"); ok && !noLoginShells[sh] {
					out = append(out, fail(s.Postinst.Path, m.Line, fmt.Sprintf("%s later sets the login shell %s", m.Name(), sh)))
				}
			}
			if len(out) == 0 {
				out = append(out, pass(fmt.Sprintf("%s is created with shell %s at %s:%d", user, shell, p, l)))
			}
			return out
		},
		live: liveUserNoLoginShell,
	}
}

func liveUserNoLoginShell(s *LiveService, _ *LiveEnv) []Finding {
	u, out := liveUserEntry(s)
	if u == nil {
		return out
	}
	if !noLoginShells[u.Shell] {
		return []Finding{fail("/etc/passwd", u.Line, fmt.Sprintf("%s has the login shell %q", u.Name, u.Shell))}
	}
	return []Finding{pass(u.Name + " has shell " + u.Shell)}
}
