// Package service is the model of a Wazo service: one set of facts (is it
// a daemon, the user it really runs as, the TCP ports it listens on by
// default, its PID and log files, API spec, nginx locations, monit checks,
// wazo-service groups, backup entries, documentation pages, acceptance
// rows, dependencies), each with the file and line it came from or, when it
// cannot be established, what is missing. The facts are derived once — from
// a source repository and its siblings, from an image root, or from a live
// host — and every rule of the checklist judges them, so check, audit and
// wazo-doctord cannot disagree on who the service is.
package service

import (
	"fmt"
	"sort"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/parse"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
	"github.com/wazo-platform/wazo-servicekit/logging"
)

// Fact is one established value and where it came from, or, when Unknown
// is set, what is missing to establish it. A rule never passes on a fact
// whose Unknown is set.
type Fact[T any] struct {
	Value   T      `json:"value"`
	Source  string `json:"source,omitempty"`
	Unknown string `json:"unknown,omitempty"`
}

// Known reports whether the fact was established.
func (f Fact[T]) Known() bool { return f.Unknown == "" }

// Sourced is one item of a list fact with its own source.
type Sourced struct {
	Value  string `json:"value"`
	Source string `json:"source"`
}

// List is a fact made of items (PID files, locations, groups); an empty
// known list means "established: none".
type List = Fact[[]Sourced]

// Values returns the items' values.
func Values(l List) []string {
	out := make([]string, 0, len(l.Value))
	for _, v := range l.Value {
		out = append(out, v.Value)
	}
	return out
}

// Port is a TCP port the daemon listens on by default.
type Port struct {
	Number int    `json:"port"`
	Key    string `json:"key"` // "rest_api.port", "ExecStart --port"
	// HTTP is true for the REST API's, an HTTP(S) or a WebSocket server's port.
	HTTP   bool   `json:"http"`
	Source string `json:"source"`
}

// Dependency is a requirement and the version it is pinned to ("" when not pinned).
type Dependency struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
	Source  string `json:"source"`
}

// Facts is the model of one service.
type Facts struct {
	Service string `json:"service"`
	// Origin says what the facts were read from: "repository DIR",
	// "image root DIR" or "live host".
	Origin string `json:"origin"`
	// Daemon is true for a package with a systemd unit running a
	// long-lived process; Units lists the unit files.
	Daemon Fact[bool] `json:"daemon"`
	Units  List       `json:"units"`
	// User is the account the process really runs as after the daemon's
	// own privilege drop (root when nothing switches).
	User     Fact[string] `json:"user"`
	Ports    Fact[[]Port] `json:"ports"`
	PIDFiles List         `json:"pid_files"`
	// RunDirs are the directories created for the daemon at start or
	// install, with their owner: "/run/x owned by x".
	RunDirs  List `json:"run_dirs"`
	LogFiles List `json:"log_files"`
	// APISpec lists the api.yml files; APIName is the /api/<name>/ the
	// package publishes the API under.
	APISpec    List         `json:"api_spec"`
	APIName    Fact[string] `json:"api_name"`
	Nginx      List         `json:"nginx_locations"`
	Monit      List         `json:"monit_checks"`
	Groups     List         `json:"wazo_service_groups"`
	Backup     List         `json:"backup_entries"`
	Docs       List         `json:"doc_pages"`
	Acceptance List         `json:"acceptance_rows"`
	// InstallPath is how a fresh install gets the package: the
	// wazo-platform meta-package's Depends, or an install page.
	InstallPath List `json:"install_path"`
	// MetaPackage says whether the wazo-platform meta-package depends on
	// the package (unknown without that checkout).
	MetaPackage Fact[bool]         `json:"in_meta_package"`
	Deps        Fact[[]Dependency] `json:"dependencies"`
	// Platform holds what the sibling checkouts say about the service
	// (nil for an image root or a live host).
	Platform *PlatformFacts `json:"platform,omitempty"`

	// MonitChecks are the parsed checks behind Monit, for the rule that
	// judges what they watch and how they restart it.
	MonitChecks []repo.Located[parse.MonitCheck] `json:"-"`
}

// unknownList is a list fact that could not be established.
func unknownList(why string) List { return List{Unknown: why} }

// Text renders the facts for a reviewer: one fact per line, its value and
// its source, unknowns with what is missing.
func (f *Facts) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s)\n", logging.Escape(f.Service), logging.Escape(f.Origin))
	line := func(name, value, source, unknown string) {
		value, source, unknown = logging.Escape(value), logging.Escape(source), logging.Escape(unknown)
		if unknown != "" {
			fmt.Fprintf(&b, "  %-20s unknown: %s\n", name, unknown)
			return
		}
		if source != "" {
			fmt.Fprintf(&b, "  %-20s %s   [%s]\n", name, value, source)
			return
		}
		fmt.Fprintf(&b, "  %-20s %s\n", name, value)
	}
	list := func(name string, l List) {
		if !l.Known() {
			line(name, "", "", l.Unknown)
			return
		}
		if len(l.Value) == 0 {
			line(name, "none", l.Source, "")
			return
		}
		for i, v := range l.Value {
			n := name
			if i > 0 {
				n = ""
			}
			line(n, v.Value, v.Source, "")
		}
	}
	line("daemon", fmt.Sprint(f.Daemon.Value), f.Daemon.Source, f.Daemon.Unknown)
	list("units", f.Units)
	line("user", f.User.Value, f.User.Source, f.User.Unknown)
	ports := List{Source: f.Ports.Source, Unknown: f.Ports.Unknown}
	ports.Value = []Sourced{}
	for _, p := range f.Ports.Value {
		kind := "tcp"
		if p.HTTP {
			kind = "tcp, http"
		}
		ports.Value = append(ports.Value, Sourced{fmt.Sprintf("%d (%s, %s)", p.Number, p.Key, kind), p.Source})
	}
	list("tcp ports", ports)
	list("pid files", f.PIDFiles)
	list("run directories", f.RunDirs)
	list("log files", f.LogFiles)
	list("api spec", f.APISpec)
	line("api name", f.APIName.Value, f.APIName.Source, f.APIName.Unknown)
	list("nginx locations", f.Nginx)
	list("monit checks", f.Monit)
	list("wazo-service groups", f.Groups)
	list("backup entries", f.Backup)
	list("doc pages", f.Docs)
	list("acceptance rows", f.Acceptance)
	list("install path", f.InstallPath)
	line("in meta-package", fmt.Sprint(f.MetaPackage.Value), f.MetaPackage.Source, f.MetaPackage.Unknown)
	deps := List{Source: f.Deps.Source, Unknown: f.Deps.Unknown, Value: []Sourced{}}
	for _, d := range f.Deps.Value {
		v := d.Name
		if d.Version != "" {
			v += " == " + d.Version
		}
		deps.Value = append(deps.Value, Sourced{v, d.Source})
	}
	list("dependencies", deps)
	if f.Platform != nil {
		for _, pf := range f.Platform.facts() {
			list(pf.name, pf.l)
		}
	}
	return b.String()
}

// PortNumbers returns the distinct port numbers, sorted.
func (f *Facts) PortNumbers() []int {
	seen := map[int]bool{}
	var out []int
	for _, p := range f.Ports.Value {
		if !seen[p.Number] {
			seen[p.Number] = true
			out = append(out, p.Number)
		}
	}
	sort.Ints(out)
	return out
}
