package rules

import (
	"github.com/wazo-platform/wazo-servicekit/internal/debiandata"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

// Account is the system account a package's postinst creates, as fix
// needs it to run the unit as that account.
type Account struct {
	Name  string
	Group string // the account's group when the command names or makes one ("" when not said)
	Path  string // the postinst
	Line  int
}

// CreatedAccount is the first system account the package's postinst
// creates (adduser --system, useradd --system), as user-not-root and
// user-no-login-shell read it; ok is false when it creates none.
func CreatedAccount(s *repo.Service) (Account, bool) {
	c := createUser(s, "")
	if c == nil {
		return Account{}, false
	}
	p := c.Positional(adduserValued...)
	a := Account{Name: p[len(p)-1]}
	a.Path, a.Line = postinstLoc(s, c)
	switch g, _ := c.Option("--ingroup", "--gid", "-g"); {
	case g != "":
		a.Group = g
	case c.Has("--group") || c.Has("-U") || c.Has("--user-group"):
		a.Group = a.Name
	}
	return a, true
}

// Pin is one direct requirement of a service and what the target Debian
// distribution (and a wazo-*-packaging sibling) ships for it, as
// deps-in-debian and deps-pinned-to-debian judge it.
type Pin struct {
	Name, Op, Version string // as the manifest writes it (Op "" when unpinned)
	Path              string
	Line              int
	Wazo              bool   // one of Wazo's own libraries
	Debian            string // the upstream version the distribution ships; "" when it does not package it
	DebianPkg         string
	DebianVersion     string // the full Debian version
	// WazoPkg is the wazo-*-packaging checkout that packages it, at
	// WazoVersion.
	WazoPkg, WazoVersion string
}

// DebianPins lists the direct requirements of each service of the
// repository (by package name) with what dist ships for them, the
// sibling checkouts in siblings ("" for none); manifest is the file they
// come from ("" without go.mod or requirements.txt).
func DebianPins(rp *repo.Repo, siblings string, dist *debiandata.Index) (map[string][]Pin, map[string]string) {
	env := &StaticEnv{Repo: rp, Siblings: siblings, Debian: dist}
	pins, manifests := map[string][]Pin{}, map[string]string{}
	for _, s := range rp.Services {
		deps, manifest := directDeps(s, env)
		manifests[s.Name] = manifest
		for _, d := range deps {
			p := Pin{Name: d.name, Op: d.op, Version: d.version, Path: d.path, Line: d.line, Wazo: d.wazo,
				DebianPkg: d.debianPkg, DebianVersion: d.debian, WazoPkg: d.wazoPkg, WazoVersion: d.wazoVersion}
			if d.debian != "" {
				p.Debian = upstreamOf(d.debian)
			}
			pins[s.Name] = append(pins[s.Name], p)
		}
	}
	return pins, manifests
}
