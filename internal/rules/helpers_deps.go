package rules

import (
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/parse"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

// dep is one direct dependency, Go or Python, where it is declared and what
// Debian 13 has for it.
type dep struct {
	name, version, op string
	path              string
	line              int
	wazo              bool   // a Wazo Platform library (GitHub archive URL)
	debian            string // Debian version, "" when not packaged
	debianPkg         string
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
		for _, r := range s.Reqs.Entries {
			d := dep{name: r.Name, version: r.Version, op: r.Op, path: s.Reqs.Path, line: r.Line}
			if r.URL != "" {
				// Wazo's own libraries, from their GitHub archives (wazo-pbx is
				// the organisation's former name).
				d.wazo = strings.Contains(r.URL, "github.com/wazo-platform/") || strings.Contains(r.URL, "github.com/wazo-pbx/")
				if d.name == "" {
					d.name = r.URL
				}
			} else if e, ok := env.Debian.Python(parse.NormalizePyName(r.Name)); ok {
				d.debian, d.debianPkg = e.Version, e.Name
			}
			deps = append(deps, d)
		}
		return deps, s.Reqs.Path
	}
	return nil, ""
}

// missingFromDebian are the dependencies neither Debian 13 nor Wazo Platform packages.
func missingFromDebian(deps []dep) []dep {
	var out []dep
	for _, d := range deps {
		if d.debian == "" && !d.wazo {
			out = append(out, d)
		}
	}
	return out
}

func noManifest(s *repo.Service) []Finding {
	return []Finding{unknown("no go.mod or requirements.txt at the repository root: nothing to compare with Debian")}
}
