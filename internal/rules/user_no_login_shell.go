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
// Static: the adduser call passes --shell /usr/sbin/nologin (or /bin/false)
// explicitly, and nothing later changes the shell (usermod -s, chsh). Relying
// on adduser's default is reported too: Debian's default for --system users
// has changed between releases and a reader cannot see it in the script.
// Live: the passwd entry's shell is a no-login shell.
func userNoLoginShell() Rule {
	return Rule{
		ID:        "user-no-login-shell",
		Title:     "The service user has a no-login shell",
		Checklist: "The service default user cannot log in to a shell",
		Severity:  Error,
		Rationale: "A service account with a real shell is a login waiting for a leaked password or key. " +
			"No Wazo script passes --shell today (conventions.md §9.2): saying it explicitly is the only way the package states it.",
		Remediation: "Add `--shell /usr/sbin/nologin` to the adduser call of the postinst.",
		static: func(s *repo.Service, _ *StaticEnv) []Finding {
			user, _ := serviceUser(s)
			c := createUser(s, user)
			p, l := postinstLoc(s, c)
			if c == nil {
				return []Finding{fail(p, 0, "no adduser --system call creates "+user+", so its shell is not set by the package")}
			}
			var out []Finding
			shell, ok := c.Option("--shell", "-s")
			switch {
			case !ok:
				out = append(out, fail(p, l, "adduser does not pass --shell: the shell is adduser's default, not stated by the package", strings.Join(c.Args, " ")))
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
