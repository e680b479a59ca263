package scaffold

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/mod/modfile"
)

// copies are wazo-doctord's own files (see internal/doctordsrc): a new
// service's packaging, shipped config, main, config layers, api.yml and
// /config resource are derived from them by the rewrites below, so the
// flagship daemon and every generated service never drift apart.
//
//go:embed all:testdata/doctord
var copies embed.FS

const copiesRoot = "testdata/doctord"

// rewrite is one mechanical change of a copied file. Pattern must match at
// least once in every file the rewrite applies to (when Must is set), so a
// change to wazo-doctord's files that a rewrite no longer fits fails
// TestGenerateDerivesEveryFile instead of passing through silently.
type rewrite struct {
	Files   string // path.Match pattern on the copy's path, "*" matches one segment; "" = every file
	Pattern *regexp.Regexp
	Replace func(v *values) string // the replacement, literal unless Expand
	Expand  bool                   // expand ${1} groups (values are passed through dollar())
	Must    bool
}

// dollar escapes a value for a replacement that expands groups.
func dollar(s string) string { return strings.ReplaceAll(s, "$", "$$") }

func lit(s string) *regexp.Regexp { return regexp.MustCompile(regexp.QuoteMeta(s)) }

// rewrites turn wazo-doctord into wazo-<name>. Order matters: the prose
// rewrites run after the names are replaced.
var rewrites = []rewrite{
	// wazo-doctord's source package also ships the kit as a -dev package; a
	// new service ships its binary only (one binary package: dh_auto_install
	// puts it straight into debian/<name>, no .install line needed).
	{Files: "debian/rules", Pattern: regexp.MustCompile(`(?s)\n# wazo-doctord ships the binary only\..*\z`), Must: true,
		Replace: func(*values) string {
			return "\n# A service, not a Go library: ship the binary, not a golang-*-dev source tree.\noverride_dh_auto_install:\n\tdh_auto_install -- --no-source\n"
		}},
	{Files: "debian/*.install", Pattern: regexp.MustCompile(`(?m)^usr/bin/wazo-doctord\n`), Must: true, Replace: func(*values) string { return "" }},
	// wazo-doctord's checklist engine, a process of its own, is not part of a service.
	{Files: "debian/*.install", Pattern: regexp.MustCompile(`(?m)^usr/bin/wazo-doctord-audit .*\n`), Must: true, Replace: func(*values) string { return "" }},
	{Files: "docs/man/*", Pattern: regexp.MustCompile(`(?m)^\.TP\n\.I /usr/lib/wazo-doctord/wazo-doctord-audit\n(?:[^.].*\n)*`), Must: true, Replace: func(*values) string { return "" }},
	{Files: "debian/rules", Pattern: regexp.MustCompile(`(?m)^# \.\.\. its checklist engine.*\n(?:#.*\n)*DH_GOLANG_BUILDPKG \+= .*/cmd/wazo-doctord-audit\n`), Must: true, Replace: func(*values) string { return "" }},
	// wazo-servicekit's own end-to-end harness is not part of a service.
	{Files: "debian/rules", Pattern: regexp.MustCompile(`(?m)^# Not part of the daemon, and importing.*\n(?:#.*\n)*export DH_GOLANG_EXCLUDES := test/e2e\n`), Must: true, Replace: func(*values) string { return "" }},
	{Files: "debian/rules", Pattern: regexp.MustCompile(`(?m)^# \.\.\. and the CLI, for the wazo-servicekit package\.\nDH_GOLANG_BUILDPKG \+= .*\n`), Must: true, Replace: func(*values) string { return "" }},
	// Go sources: the service's own package instead of doctor.
	{Files: "*.go", Pattern: lit(`"github.com/wazo-platform/wazo-servicekit/internal/doctor"`), Replace: func(v *values) string { return strconv.Quote(v.Module + "/" + v.Pkg) }},
	{Files: "*.go", Pattern: regexp.MustCompile(`\bdoctor\.`), Replace: func(v *values) string { return v.Pkg + "." }},
	{Files: "*.go", Pattern: regexp.MustCompile(`(?m)^package doctor$`), Replace: func(v *values) string { return "package " + v.Pkg }},
	{Files: "cmd/*/main.go", Pattern: regexp.MustCompile(`(?s)\A// Command wazo-doctord .*?\npackage main`), Must: true,
		Replace: func(v *values) string {
			return comment(fmt.Sprintf("Command %s: %s. It serves a Wazo REST API on 127.0.0.1:%d (behind nginx at https://<host>/api/%s/).", v.Name, v.Description, v.Port, v.Short)) + "package main"
		}},
	// Names, port, API version everywhere.
	{Pattern: lit("wazo-doctord"), Replace: func(v *values) string { return v.Name }},
	{Pattern: lit("WAZO-DOCTORD"), Replace: func(v *values) string { return strings.ToUpper(v.Name) }},
	{Pattern: lit("/api/doctor"), Replace: func(v *values) string { return "/api/" + v.Short }},
	{Pattern: regexp.MustCompile(`\bdoctor\.(status|config)\.`), Expand: true, Replace: func(v *values) string { return dollar(v.Short) + ".$1." }},
	// wazo-auth policy: the admin policy gets the service's whole ACL prefix.
	{Files: "etc/wazo-auth/conf.d/*.yml", Pattern: lit("'doctor.#'"), Must: true, Replace: func(v *values) string { return "'" + v.Short + ".#'" }},
	{Pattern: regexp.MustCompile(`\b9504\b`), Replace: func(v *values) string { return strconv.Itoa(v.Port) }},
	{Pattern: lit("/1.0/"), Replace: func(v *values) string { return "/" + v.APIVersion + "/" }},
	// api.yml: the service's name, version and description.
	{Files: "internal/doctor/api.yml", Pattern: regexp.MustCompile(`(?m)^x-xivo-name: .*$`), Must: true, Replace: func(v *values) string { return "x-xivo-name: " + v.Short }},
	{Files: "internal/doctor/api.yml", Pattern: regexp.MustCompile(`(?m)^basePath: .*$`), Must: true, Replace: func(v *values) string { return "basePath: /" + v.APIVersion }},
	{Files: "internal/doctor/api.yml", Pattern: regexp.MustCompile(`(?m)^(info:\n(?:  .*\n)*?)  description: .*$`), Must: true, Expand: true, Replace: func(v *values) string { return "${1}  description: " + dollar(strconv.Quote(v.Description)) }},
	// Packaging: the new repository and module.
	{Files: "debian/*", Pattern: lit("github.com/wazo-platform/wazo-servicekit"), Replace: func(v *values) string { return v.Module }},
	{Files: "debian/*", Pattern: lit("wazo-servicekit"), Replace: func(v *values) string { return v.Name }},
	{Files: "docs/man/*", Pattern: lit(`"wazo-servicekit"`), Replace: func(v *values) string { return strconv.Quote(v.Name) }},
	// The kit is a build dependency of the new service (dh-golang builds in
	// GOPATH mode from packaged sources): wazo-servicekit's source package
	// must ship it as a -dev package for this to resolve.
	{Files: "debian/control", Pattern: regexp.MustCompile(`(?m)^( golang-github-rabbitmq-amqp091-go-dev,\n)`), Must: true, Expand: true,
		Replace: func(*values) string { return "${1} golang-github-wazo-platform-wazo-servicekit-dev,\n" }},
	// golang.org/x/mod is for wazo-servicekit's own tools (go.mod parsing),
	// not the kit: a service does not build with it.
	{Files: "debian/control", Pattern: regexp.MustCompile(`(?m)^ golang-golang-x-mod-dev,\n`), Must: true, Replace: func(*values) string { return "" }},
	// Prose that describes the doctor.
	{Files: "debian/control", Pattern: regexp.MustCompile(`(?s)\nDescription: [^\n]*\n(.*?\n \.\n).*\z`), Must: true, Expand: true,
		Replace: func(v *values) string {
			return "\nDescription: " + dollar(v.Description) + "\n${1}" + dollar(wrap(fmt.Sprintf("%s: %s. It serves a Wazo REST API on 127.0.0.1:%d, published by nginx under /api/%s/.", v.Name, v.Description, v.Port, v.Short), " ", 72)) + "\n"
		}},
	{Files: "debian/*.service", Pattern: regexp.MustCompile(`(?m)^Description=.*$`), Must: true, Replace: func(v *values) string { return "Description=" + v.Name + " server (" + v.Description + ")" }},
	{Files: "debian/*.service", Pattern: regexp.MustCompile(`(?m)^# Relaxed to read-only: the doctor.*\n(?:#.*\n)*ProtectHome=read-only\n`), Must: true,
		Replace: func(*values) string { return "ProtectHome=yes\n" }},
	{Files: "debian/*.service", Pattern: regexp.MustCompile(`(?m)^# Relaxed: the doctor audits.*\n(?:#.*\n)*ProtectProc=default\n`), Must: true,
		Replace: func(*values) string { return "ProtectProc=invisible\n" }},
	// The wazo group (stopped on HA secondaries): `wazo-service disable`
	// leaves /var/lib/wazo/disabled, and the unit must not start while it
	// exists, at boot or on upgrade. wazo-doctord is of the default group.
	{Files: "debian/*.service", Pattern: regexp.MustCompile(`(?m)^(Documentation=.*\n)`), Must: true, Expand: true,
		Replace: func(v *values) string {
			if v.HAGroup != "wazo" {
				return "${1}"
			}
			return "${1}# wazo-service's wazo group: stopped on an HA secondary, whose\n# `wazo-service disable` leaves /var/lib/wazo/disabled.\nConditionPathExists=!/var/lib/wazo/disabled\n"
		}},
	{Files: "debian/*.service", Pattern: regexp.MustCompile(`(?m)^ProcSubset=all$`), Replace: func(*values) string { return "ProcSubset=pid" }},
	{Files: "debian/*.service", Pattern: regexp.MustCompile(`(?m)^# Relaxed: PrivateUsers=.*\n(?:#.*\n)*PrivateUsers=no\n`), Must: true,
		Replace: func(*values) string {
			return "# PrivateUsers=yes would also do if the service reads no file owned by\n# users other than root and itself.\nPrivateUsers=no\n"
		}},
	{Files: "docs/man/*", Pattern: regexp.MustCompile(`(?m)^(\S+) \\- .*$`), Must: true, Expand: true, Replace: func(v *values) string { return "${1} \\- " + dollar(manEscape(v.Description)) }},
	{Files: "docs/man/*", Pattern: regexp.MustCompile(`(?s)(\.SH DESCRIPTION\n\.B [^\n]+\n).*?(\n\.PP\n)`), Must: true, Expand: true,
		Replace: func(v *values) string {
			return "${1}" + dollar(manEscape(wrap("is a Wazo daemon: "+v.Description+".", "", 72))) + "${2}"
		}},
}

// comment formats text as a Go line comment, wrapped.
func comment(text string) string { return wrap(text, "// ", 76) + "\n" }

// wrap fills text into lines of at most width columns, each with prefix;
// the result has no final newline.
func wrap(text, prefix string, width int) string {
	var lines []string
	line := prefix
	for _, w := range strings.Fields(text) {
		if line != prefix && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = prefix
		}
		if line != prefix {
			line += " "
		}
		line += w
	}
	return strings.Join(append(lines, line), "\n")
}

// manEscape keeps roff from reading a leading dot or quote as a request,
// and escapes backslashes and dashes.
func manEscape(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	s = strings.ReplaceAll(s, "-", `\-`)
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, ".") || strings.HasPrefix(l, "'") {
			l = `\&` + l
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// derivedPath maps a copy's path to its place in the new repository.
func derivedPath(p string, v *values) string {
	p = strings.ReplaceAll(p, "wazo-doctord", v.Name)
	if strings.HasPrefix(p, "internal/doctor/") {
		p = v.Pkg + "/" + strings.TrimPrefix(p, "internal/doctor/")
	}
	return p
}

// notDerived are copies used as inputs rather than files of the new
// repository (go.mod and go.sum give the kit's requirements).
// The wazo-servicekit CLI's packaging is the kit's own, not a service's.
var notDerived = map[string]bool{"go.mod.txt": true, "go.sum.txt": true,
	"debian/wazo-servicekit.install": true, "debian/wazo-servicekit.manpages": true,
	"debian/wazo-servicekit.lintian-overrides": true, "debian/clean": true}

// leftover finds what must never survive a derivation: the doctor's name,
// its port.
var leftover = regexp.MustCompile(`(?i)doctor|\b9504\b`)

// deriveAll applies the rewrites to every copy and returns the new files by
// path. It fails when a required rewrite no longer matches or when a
// derived file still mentions the doctor: wazo-doctord's files changed in a
// way scaffold/derive.go must learn.
func deriveAll(v *values) (map[string][]byte, error) {
	out := map[string][]byte{}
	sub, err := fs.Sub(copies, copiesRoot)
	if err != nil {
		return nil, err
	}
	var paths []string
	err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !notDerived[p] {
			paths = append(paths, p)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	for _, p := range paths {
		data, err := fs.ReadFile(sub, p)
		if err != nil {
			return nil, err
		}
		text := string(data)
		switch {
		case p == "internal/doctor/api.yml":
			if text, err = filterAPISpec(text, v); err != nil {
				return nil, err
			}
		case matchFiles("cmd/*/*.yml", p) || matchFiles("etc/wazo-doctord/config.yml", p):
			text = keepCommonKeys(text)
		case matchFiles("*.lintian-overrides", p):
			if text = dropDoctorOverrides(text); text == "" {
				continue
			}
		}
		for i, rw := range rewrites {
			if rw.Files != "" && !matchFiles(rw.Files, p) {
				continue
			}
			if !rw.Pattern.MatchString(text) {
				if rw.Must {
					return nil, fmt.Errorf("%w: rewrite %d (%s) no longer matches wazo-doctord's %s", ErrInternal, i, rw.Pattern, p)
				}
				continue
			}
			if rw.Expand {
				text = rw.Pattern.ReplaceAllString(text, rw.Replace(v))
			} else {
				text = rw.Pattern.ReplaceAllLiteralString(text, rw.Replace(v))
			}
		}
		if loc := leftover.FindStringIndex(text); loc != nil {
			line := strings.Count(text[:loc[0]], "\n") + 1
			return nil, fmt.Errorf("%w: %s derived from wazo-doctord's %s still says %q at line %d", ErrInternal, derivedPath(p, v), p, text[loc[0]:loc[1]], line)
		}
		out[derivedPath(p, v)] = []byte(text)
	}
	return out, nil
}

// matchFiles matches a rewrite's Files pattern: "*.go" matches by base
// name anywhere, other patterns match the whole path.
func matchFiles(pattern, p string) bool {
	if !strings.Contains(pattern, "/") {
		ok, _ := path.Match(pattern, path.Base(p))
		return ok
	}
	ok, _ := path.Match(pattern, p)
	return ok
}

// kitVersion is the version of wazo-servicekit the copies come from (its
// debian/changelog), recorded in .servicekit.yml and required in go.mod.
var sourceLineRe = regexp.MustCompile(`(?m)^Source: ([a-z0-9][a-z0-9.+-]*)$`)

// kitSourcePackage is the kit's Debian source package (its debian/control's
// Source), the one that builds golang-github-wazo-platform-wazo-servicekit-dev.
func kitSourcePackage() string {
	data, _ := fs.ReadFile(copies, copiesRoot+"/debian/control")
	if m := sourceLineRe.FindSubmatch(data); m != nil {
		return string(m[1])
	}
	return ""
}

// KitVersion is this kit's version (its Debian changelog's), the one
// `new` records and the CLI reports.
func KitVersion() string { return kitVersion() }

func kitVersion() string {
	data, err := copies.ReadFile(copiesRoot + "/debian/changelog")
	if err != nil {
		return "0.0.0"
	}
	m := regexp.MustCompile(`^\S+ \(([^)]+)\)`).FindSubmatch(data)
	if m == nil {
		return "0.0.0"
	}
	return string(m[1])
}

// toolOnlyModules are requirements of this repository that only its tools
// use, never the kit: a generated service does not need them
// (TestToolOnlyModulesAreWhatTheKitDoesNotImport keeps the list true).
var toolOnlyModules = map[string]bool{"golang.org/x/mod": true}

// kitRequires returns the kit's own requirements ("path version", from its
// go.mod, read by golang.org/x/mod/modfile) and the go.sum lines for them:
// the new module needs them to build.
func kitRequires() ([]string, []byte, error) {
	mod, err := copies.ReadFile(copiesRoot + "/go.mod.txt")
	if err != nil {
		return nil, nil, err
	}
	sum, err := copies.ReadFile(copiesRoot + "/go.sum.txt")
	if err != nil {
		return nil, nil, err
	}
	f, err := modfile.ParseLax("go.mod", mod, nil)
	if err != nil {
		return nil, nil, err
	}
	var reqs []string
	for _, r := range f.Require {
		if !toolOnlyModules[r.Mod.Path] {
			reqs = append(reqs, r.Mod.Path+" "+r.Mod.Version)
		}
	}
	sort.Strings(reqs)
	var kept []string
	for _, l := range strings.SplitAfter(string(sum), "\n") {
		if path, _, _ := strings.Cut(l, " "); !toolOnlyModules[path] {
			kept = append(kept, l)
		}
	}
	return reqs, []byte(strings.Join(kept, "")), nil
}

// tidyGoMod lays a rendered go.mod out as `go mod tidy` writes it: direct
// requirements in one block, indirect ones in another, canonical format.
func tidyGoMod(data []byte) ([]byte, error) {
	f, err := modfile.Parse("go.mod", data, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: the rendered go.mod does not parse: %v", ErrInternal, err)
	}
	reqs := make([]*modfile.Require, len(f.Require))
	copy(reqs, f.Require)
	f.SetRequireSeparateIndirect(reqs)
	f.Cleanup()
	return modfile.Format(f.Syntax), nil
}
