package rules

import (
	"github.com/wazo-platform/wazo-servicekit/internal/lazyre"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/debiandata"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/parse"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

// dep is one direct dependency, Go or Python, where it is declared and what
// the target Debian distribution has for it.
type dep struct {
	name, version, op string
	path              string
	line              int
	wazo              bool   // a Wazo Platform library (GitHub archive URL)
	debian            string // Debian version, "" when not packaged
	debianPkg         string
	// wazoPkg is the wazo-*-packaging checkout that packages it ("" when
	// none is in the siblings), wazoVersion that repository's VERSION.
	wazoPkg, wazoVersion string
}

// directDeps lists the service's direct dependencies with their Debian
// counterpart: go.mod requires without "// indirect", requirements.txt lines.
func directDeps(s *repo.Service, env *StaticEnv) (deps []dep, manifest string) {
	if s.GoMod != nil {
		for _, r := range s.GoMod.Entries {
			if r.Indirect {
				continue
			}
			d := dep{name: r.Path, version: r.Version, op: "==", path: s.GoMod.Path, line: r.Line}
			// Wazo's own Go modules (the kit, for a service made by
			// `wazo-servicekit new`) are packaged by Wazo, as its Python
			// libraries are.
			d.wazo = strings.HasPrefix(r.Path, "github.com/wazo-platform/")
			if e, ok := env.Debian.GoModule(r.Path); ok {
				d.debian, d.debianPkg = e.Version, e.Source
			}
			deps = append(deps, d)
		}
		return deps, s.GoMod.Path
	}
	if s.Reqs != nil {
		depends := parse.DependsNames(s.Control.Get("Depends"))
		own := len(s.Reqs.Entries)
		for i, r := range append(append([]parse.Requirement(nil), s.Reqs.Entries...), installRequires(env, s)...) {
			d := dep{name: r.Name, version: r.Version, op: r.Op, path: s.Reqs.Path, line: r.Line}
			if i >= own {
				d.path = "setup.py"
			}
			if r.URL != "" {
				// Wazo's own libraries, from their GitHub archives; a URL
				// requirement is named by its project, not by the archive file.
				d.wazo = wazoBuilt(r.URL)
				if project := urlProject(r.URL); project != "" {
					d.name = project
				} else if d.name == "" {
					d.name = r.URL
				}
			} else if e, ok := pythonInDebian(env, r.Name, depends); ok {
				d.debian, d.debianPkg = e.Version, e.Name
			}
			if !d.wazo {
				// A wazo-*-packaging repository may also replace a package
				// Debian has at another version (python3-consul 1.1.0 over
				// Debian's 1.5.5): the pin is then available from Wazo.
				d.wazoPkg, d.wazoVersion = platformOf(env).Packaging(d.name)
			}
			deps = append(deps, d)
		}
		return deps, s.Reqs.Path
	}
	return nil, ""
}

var (
	editableSelfRe   = lazyre.New(`(?m)^\s*(-e\s+)?\.\s*(#.*)?$`)
	installRequireRe = lazyre.New(`install_requires\s*=\s*\[([^\]]*)\]`)
	pyStringRe       = lazyre.New(`['"]([^'"\n]+)['"]`)
)

// installRequires are the requirements of setup.py's install_requires when
// requirements.txt installs the package itself (`-e .`): pip installs
// them too.
func installRequires(env *StaticEnv, s *repo.Service) []parse.Requirement {
	data, ok := env.Repo.Files["setup.py"]
	if !ok || !editableSelfRe.Match(env.Repo.Files[s.Reqs.Path]) {
		return nil
	}
	m := installRequireRe.Compiled().FindSubmatchIndex(data)
	if m == nil {
		return nil
	}
	var lines []string
	for _, q := range pyStringRe.FindAllStringSubmatch(string(data[m[2]:m[3]]), -1) {
		lines = append(lines, q[1])
	}
	out := parse.ParseRequirements([]byte(strings.Join(lines, "\n")))
	line := strings.Count(string(data[:m[0]]), "\n") + 1
	for i := range out {
		out[i].Line = line
	}
	return out
}

// wazoOrgs are the GitHub organisations whose projects Wazo builds and
// packages itself: wazo-platform, wazo-pbx (its former name) and TinxHQ
// (the company's, e.g. wazo-deployd-client).
var wazoOrgs = []string{"github.com/wazo-platform/", "github.com/wazo-pbx/", "github.com/tinxhq/"}

func wazoBuilt(url string) bool {
	u := strings.ToLower(url)
	for _, org := range wazoOrgs {
		if strings.Contains(u, org) {
			return true
		}
	}
	return false
}

// pythonInDebian finds the Debian package of a requirement: by its
// normalised name, by its name with dots kept (python3-zope.interface), or
// by the package's own Depends naming a python3-<name><suffix> binary
// (cherrypy is python3-cherrypy3).
func pythonInDebian(env *StaticEnv, name string, depends []string) (debiandata.Entry, bool) {
	norm := parse.NormalizePyName(name)
	if e, ok := env.Debian.Python(norm); ok {
		return e, true
	}
	if e, ok := env.Debian.Python(strings.ToLower(name)); ok {
		return e, true
	}
	for _, d := range depends {
		bin, ok := strings.CutPrefix(d, "python3-")
		if !ok {
			continue
		}
		if rest, ok := strings.CutPrefix(parse.NormalizePyName(bin), norm); ok && len(rest) <= 1 && strings.Trim(rest, "0123456789") == "" {
			if e, ok := env.Debian.Python(bin); ok {
				return e, true
			}
		}
	}
	return debiandata.Entry{}, false
}

var githubProjectRe = lazyre.New(`github\.com/[^/\s]+/([^/\s#@]+?)(?:\.git)?(?:/|$|@|#)`)

// urlProject is the project a URL requirement installs:
// https://github.com/wazo-platform/xivo-dao/archive/master.zip is xivo-dao.
func urlProject(url string) string {
	if m := githubProjectRe.FindStringSubmatch(url); m != nil {
		return m[1]
	}
	return ""
}

// noManifest is the verdict without go.mod or requirements.txt: a package
// with no Go or Python code (shell, configuration) has no such dependencies;
// a Python package may declare them elsewhere (setup.py, pyproject.toml),
// which is not read: unknown.
func noManifest(s *repo.Service) []Finding {
	if s.Language == "" {
		return []Finding{pass("no Go or Python code (no go.mod, requirements.txt, setup.py or pyproject.toml): no library dependencies to judge")}
	}
	return []Finding{unknown("no go.mod or requirements.txt at the repository root: nothing to compare with Debian")}
}
