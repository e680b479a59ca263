package rules

import (
	"io/fs"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/auth"
	"github.com/wazo-platform/wazo-servicekit/internal/lazyre"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/parse"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
	"github.com/wazo-platform/wazo-servicekit/safefile"
)

// Helpers of the Wazo-practice rules: ACLs, wazo-auth policies, the
// wazo-auth-keys definitions and xivo's log line.

// aclUse is one ACL the service's code requires of its callers.
type aclUse struct {
	ACL, Path string
	Line      int
}

var (
	goRequireRe   = lazyre.New(`\.Require\(\s*"([^"\n]+)"`)
	pyRequiredRe  = lazyre.New(`@required_acl\(\s*['"]([^'"\n]+)['"]`)
	notServedPath = lazyre.New(`(^|/)(testdata|tests?|integration_tests)/|_test\.go$`)
)

// Bounds of the source scan: a crafted checkout cannot make it read more.
const (
	maxSourceFiles = 4000
	maxSourceBytes = 512 << 10
)

// sourceFiles reads the repository's Go and Python sources that are not
// tests, in path order: regular files only, no link followed, each read
// bounded, at most maxSourceFiles.
func sourceFiles(r *repo.Repo) []repo.File {
	var out []repo.File
	filepath.WalkDir(r.Root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || len(out) >= maxSourceFiles {
			return filepath.SkipDir
		}
		rel := filepath.ToSlash(strings.TrimPrefix(strings.TrimPrefix(p, r.Root), string(filepath.Separator)))
		if d.IsDir() {
			if name := d.Name(); rel != "" && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "vendor" || notServedPath.MatchString(rel+"/")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || notServedPath.MatchString(rel) || !(strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, ".py")) {
			return nil
		}
		if data, err := safefile.ReadIn(r.Root, filepath.FromSlash(rel), maxSourceBytes); err == nil {
			out = append(out, repo.File{Path: rel, Data: data})
		}
		return nil
	})
	return out
}

// requiredACLs finds the ACLs the handlers check: the kit's
// `Require("<acl>", ...)` in Go, `@required_acl('<acl>')` in Python (tests
// left out), in path order.
func requiredACLs(r *repo.Repo) []aclUse {
	var out []aclUse
	for _, f := range sourceFiles(r) {
		p := f.Path
		re := goRequireRe
		if strings.HasSuffix(p, ".py") {
			re = pyRequiredRe
		}
		text := string(f.Data)
		for _, m := range re.FindAllStringSubmatchIndex(text, -1) {
			out = append(out, aclUse{ACL: text[m[2]:m[3]], Path: p, Line: strings.Count(text[:m[0]], "\n") + 1})
		}
	}
	return out
}

// policyFile is a wazo-auth conf.d layer's default_policies.
type policyFile struct {
	DefaultPolicies map[string]struct {
		ACL []string `yaml:"acl"`
	} `yaml:"default_policies"`
}

// policyGrants reads the ACLs a wazo-auth config layer grants through its
// default policies (wazo-auth appends the lists of every conf.d file).
func policyGrants(name string, data []byte) ([]string, error) {
	var f policyFile
	if err := parse.DecodeYAML(name, data, &f); err != nil {
		return nil, err
	}
	var out []string
	for _, p := range f.DefaultPolicies {
		out = append(out, p.ACL...)
	}
	return out, nil
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

// keyDefinitions reads wazo-auth-keys service definitions
// (`<service>: {system_user, acl}`).
func keyDefinitions(name string, data []byte) (map[string]keyDefinition, error) {
	var defs map[string]keyDefinition
	if err := parse.DecodeYAML(name, data, &defs); err != nil {
		return nil, err
	}
	return defs, nil
}

type keyDefinition struct {
	SystemUser string   `yaml:"system_user"`
	ACL        []string `yaml:"acl"`
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
