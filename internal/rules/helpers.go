package rules

import (
	"path"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/parse"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

// adduserValued are adduser/useradd options that take a value.
var adduserValued = []string{"--home", "-d", "--shell", "-s", "--uid", "-u", "--gid", "-g", "--ingroup",
	"--gecos", "--comment", "-c", "--firstuid", "--lastuid", "--firstgid", "--lastgid", "--conf", "-G", "--groups", "--add-extra-groups"}

// serviceUser is the model's effective service user (see
// service.StaticUser) and where it comes from; ok is false when it cannot
// be established, with where saying what is missing.
func serviceUser(env *StaticEnv, s *repo.Service) (user, where string, ok bool) {
	u := factsOf(env, s).User
	if !u.Known() {
		return "", u.Unknown, false
	}
	return u.Value, u.Source, true
}

// baseAccount is a system account every Debian system has (base-passwd),
// with the shell and home Debian gives it.
type baseAccount struct{ shell, home string }

// baseAccounts are the base-passwd accounts a daemon may run as.
var baseAccounts = map[string]baseAccount{
	"www-data": {"/usr/sbin/nologin", "/var/www"},
	"nobody":   {"/usr/sbin/nologin", "/nonexistent"},
	"daemon":   {"/usr/sbin/nologin", "/usr/sbin"},
	"root":     {"/bin/bash", "/root"},
}

// adduserDefaultShell is the shell Debian's adduser gives a --system user
// when --shell is not passed.
const adduserDefaultShell = "/usr/sbin/nologin"

// createUser finds the postinst command creating a system user (adduser
// --system / useradd --system); with user != "", only one creating it.
func createUser(s *repo.Service, user string) *parse.Command {
	if s.Postinst == nil {
		return nil
	}
	for i, c := range s.Postinst.Commands {
		n := c.Name()
		if (n != "adduser" && n != "useradd") || !(c.Has("--system") || c.Has("-r")) {
			continue
		}
		p := c.Positional(adduserValued...)
		if len(p) == 0 {
			continue
		}
		if user == "" || p[len(p)-1] == user {
			return &s.Postinst.Commands[i]
		}
	}
	return nil
}

// postinstLoc is "debian/x.postinst" and the line of c.
func postinstLoc(s *repo.Service, c *parse.Command) (string, int) {
	if s.Postinst == nil {
		return "debian/" + s.Name + ".postinst", 0
	}
	if c == nil {
		return s.Postinst.Path, 0
	}
	return s.Postinst.Path, c.Line
}

func asInt(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case float64:
		return int(n), n == float64(int(n))
	}
	return 0, false
}

// lineOf returns the 1-based line of the first occurrence of needle (0 if absent).
func lineOf(data []byte, needle string) int {
	i := strings.Index(string(data), needle)
	if i < 0 {
		return 0
	}
	return strings.Count(string(data[:i]), "\n") + 1
}

// commandsNamed returns the postinst commands with a given program name.
func commandsNamed(s *repo.Service, names ...string) []parse.Command {
	if s.Postinst == nil {
		return nil
	}
	var out []parse.Command
	for _, c := range s.Postinst.Commands {
		for _, n := range names {
			if c.Name() == n {
				out = append(out, c)
			}
		}
	}
	return out
}

// ownsTo reports whether a command (install -o U, chown U[:G]) hands path to user.
func ownsTo(c parse.Command, user, target string) bool {
	hasTarget := false
	for _, a := range c.Args[1:] {
		if a == target || strings.TrimSuffix(a, "/") == strings.TrimSuffix(target, "/") {
			hasTarget = true
		}
	}
	if !hasTarget {
		return false
	}
	switch c.Name() {
	case "install":
		o, _ := c.Option("-o", "--owner")
		g, _ := c.Option("-g", "--group")
		return o == user || (g == user && strings.Contains(strings.Join(c.Args, " "), "-m"))
	case "chown":
		p := c.Positional()
		if len(p) < 2 {
			return false
		}
		owner, group, _ := strings.Cut(p[0], ":")
		if owner == "" {
			owner = group
		}
		return owner == user
	}
	return false
}

func dir(p string) string { return path.Dir(p) }

func commandOf(args []string, line int) parse.Command { return parse.Command{Args: args, Line: line} }

// unknownFact is the verdict of a rule whose fact could not be
// established: it names the fact and what is missing.
func unknownFact(fact, missing string) Finding {
	return unknown(fact + " is not established: " + missing)
}
