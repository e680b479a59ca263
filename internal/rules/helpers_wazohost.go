package rules

import (
	"path"
	"sort"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/auth"
	"github.com/wazo-platform/wazo-servicekit/internal/lazyre"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
	"github.com/wazo-platform/wazo-servicekit/internal/service"
)

// Helpers of the Wazo-practice rules: ACLs, wazo-auth policies, the
// wazo-auth-keys definitions and xivo's log line.

// aclUse is one ACL the service's code requires of its callers.
type aclUse struct {
	ACL, Path string // where it is first required
	Line      int
	Uses      int // how many times the code requires it in all
}

var (
	goRequireRe  = lazyre.New(`\.Require\(\s*"([^"\n]+)"`)
	pyRequiredRe = lazyre.New(`@required_acl\(\s*['"]([^'"\n]+)['"]`)
)

// sourceFiles are the repository's Go and Python sources that are not
// tests (read once per repository, bounded: repo.Sources).
func sourceFiles(r *repo.Repo) []repo.File { return r.Sources() }

// requiredACLs finds the ACLs the handlers check: the kit's
// `Require("<acl>", ...)` in Go, `@required_acl('<acl>')` in Python (tests
// left out): one entry per distinct ACL, at its first use in path order,
// with its count of uses. Computed once per check (env.acls), in one pass
// over the sources.
func requiredACLs(env *StaticEnv) []aclUse {
	env.aclsOnce.Do(func() { env.acls = scanACLs(sourceFiles(env.Repo)) })
	return env.acls
}

func scanACLs(files []repo.File) []aclUse {
	var out []aclUse
	index := map[string]int{}
	for _, f := range files {
		re := goRequireRe
		if strings.HasSuffix(f.Path, ".py") {
			re = pyRequiredRe
		}
		text := string(f.Data)
		line, counted := 1, 0
		for _, m := range re.FindAllStringSubmatchIndex(text, -1) {
			line += strings.Count(text[counted:m[0]], "\n")
			counted = m[0]
			acl := text[m[2]:m[3]]
			if i, ok := index[acl]; ok {
				out[i].Uses++
				continue
			}
			index[acl] = len(out)
			out = append(out, aclUse{ACL: acl, Path: f.Path, Line: line, Uses: 1})
		}
	}
	return out
}

// policyGrants reads the ACLs a wazo-auth config layer grants through its
// default policies (see service.PolicyGrants).
func policyGrants(name string, data []byte) ([]string, error) {
	return service.PolicyGrants(name, data)
}

// shippedPolicies are the repository's etc/wazo-auth/conf.d/*.yml files the
// package installs, with the ACLs each grants.
func shippedPolicies(r *repo.Repo, s *repo.Service) (map[string][]string, []Finding) {
	out := map[string][]string{}
	var problems []Finding
	for p, data := range r.Files {
		if path.Dir(p) != "etc/wazo-auth/conf.d" || !strings.HasSuffix(p, ".yml") || !s.Installed(p) {
			continue
		}
		grants, err := policyGrants(p, data)
		if err != nil {
			problems = append(problems, fail(p, 0, "the wazo-auth policy file does not parse: "+err.Error()))
			continue
		}
		out[p] = grants
	}
	return out, problems
}

// grantedBy returns the name of the first policy source granting acl.
func grantedBy(sources map[string][]string, acl string) string {
	names := make([]string, 0, len(sources))
	for n := range sources {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		for _, g := range sources[n] {
			if auth.ACLGrants(g, acl) {
				return n + " (" + g + ")"
			}
		}
	}
	return ""
}

// keyDefinitions reads wazo-auth-keys service definitions (see
// service.KeyDefinitions).
func keyDefinitions(name string, data []byte) (map[string]service.KeyDefinition, error) {
	return service.KeyDefinitions(name, data)
}

// keyFileOf is the path `wazo-auth-keys service update` writes a
// service's key to.
func keyFileOf(service string) string { return "/var/lib/wazo-auth-keys/" + service + "-key.yml" }

// xivoLogLine is xivo-lib-python's current line: asctime with milliseconds
// and the time zone, [pid N], [tid N], (LEVEL), (logger): message.
var xivoLogLine = lazyre.New(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (?:[A-Z]{3,5}|[-+]\d{2,4}) \[pid \d+\] \[tid \d+\] \((?:DEBUG|INFO|WARNING|ERROR|CRITICAL)\) \([^)]*\): `)

// logLineStart is the start of any xivo log line, old or current.
var logLineStart = lazyre.New(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} `)

// aclPrefix is the service's name in ACLs: the name its API is reached at
// (/api/<name>/, call-logd for wazo-call-logd, whose x-xivo-name is
// call-logs), see repo.Service.APIName.
func aclPrefix(s *repo.Service) string {
	return s.APIName()
}
