package fix

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/parse"
	"github.com/wazo-platform/wazo-servicekit/safefile"
)

// monitFix writes the monit check the service lacks (monit-check, item
// B8). A daemon of the platform (wazo-platform's Depends) gets Wazo's
// wazo-monitoring checks/<service>, which wazo-monitoring-update activates
// on every Wazo host; another package ships etc/monit/conf.d/<service>
// itself (with its debian/<pkg>.install line when needed), as `new` does.
// The check finds the process by the service's PID file, or by its
// ExecStart program when it writes none, and starts and stops it through
// systemctl: how it is watched and restarted needs review.
func monitFix(c *ownCtx, rule failing) (string, []ownEdit, string) {
	f := c.facts
	name := f.Service
	if len(f.MonitChecks) > 0 {
		m := f.MonitChecks[0]
		return "", nil, fmt.Sprintf("no fix: %s:%d has a check; what it watches and how it restarts the daemon are changed by hand (%s)",
			m.Path, m.Item.Line, strings.Join(rule.messages, "; "))
	}
	watch, why := monitWatch(c)
	if watch == "" {
		return "", nil, "no fix: " + why
	}
	text := "check process " + name + " " + watch + "\n" +
		"\tstart program = \"/bin/systemctl start " + name + ".service\"\n" +
		"\tstop program = \"/bin/systemctl stop " + name + ".service\"\n" +
		"\tif 5 restarts within 5 cycles then unmonitor\n"
	check := ownEdit{create: true, certainty: NeedsReview,
		change: func(string) (string, error) { return text, nil },
		verify: func(_, new string) error { return verifyMonitCheck(new, name) }}
	review := "; review how it finds the process and that systemctl start/stop is how the daemon restarts"
	if f.MetaPackage.Known() && f.MetaPackage.Value && isDir(filepath.Join(c.opts.Siblings, "wazo-monitoring")) {
		check.rel = "checks/" + name
		check.does = "creates wazo-monitoring's checks/" + name + ": `check process " + name + " " + watch + "` (" + name +
			" is in wazo-platform's Depends, and wazo-monitoring-update activates every check it ships)" + review
		return filepath.Join(c.opts.Siblings, "wazo-monitoring"), []ownEdit{check}, ""
	}
	check.rel = "etc/monit/conf.d/" + name
	check.does = "ships etc/monit/conf.d/" + name + ": `check process " + name + " " + watch + "` (" + notPlatform(f.MetaPackage.Known(), f.MetaPackage.Value) + ")" + review
	edits := []ownEdit{check}
	rel, data, err := packageFile(c, "install")
	switch {
	case err != nil:
		return "", nil, "not written: " + err.Error()
	case rel == "":
		return "", nil, "not written: expected a debian/" + name + ".install to ship " + check.rel + " with; found none"
	}
	if e := installEdit(rel, data, check.rel); e != nil {
		edits = append(edits, *e)
	}
	return c.dir, edits, ""
}

// notPlatform says why the package ships its own check.
func notPlatform(known, inPlatform bool) string {
	switch {
	case !known:
		return "whether wazo-platform depends on it is unknown"
	case inPlatform:
		return "no wazo-monitoring checkout"
	}
	return "not in wazo-platform's Depends: a check in wazo-monitoring would be activated on hosts without the package"
}

// monitWatch is how the check finds the process: `with pidfile P` for the
// service's PID file, else `matching "<ExecStart program>"`; "" and why
// when neither is established.
func monitWatch(c *ownCtx) (string, string) {
	f := c.facts
	if !f.PIDFiles.Known() {
		return "", "the service's PID file is unknown (" + f.PIDFiles.Unknown + ")"
	}
	// The daemon's own PID file (named after it); else its program, not a
	// worker's PID file; else the worker's.
	var worker string
	for _, p := range f.PIDFiles.Value {
		if !plainPathRe.MatchString(p.Value) {
			return "", fmt.Sprintf("the PID file %q (%s) is not a plain absolute path", p.Value, p.Source)
		}
		if strings.Contains(path.Base(p.Value), f.Service) {
			return "with pidfile " + p.Value, ""
		}
		if worker == "" {
			worker = p.Value
		}
	}
	prog, why := execStartProgram(c)
	switch {
	case prog == "" && worker != "":
		return "with pidfile " + worker, ""
	case prog == "":
		return "", "the service writes no PID file and " + why
	}
	// The program's path as a word of the command line (not the
	// beginning of a longer name, a -wait helper's).
	return `matching "` + prog + `([[:space:]]|$)"`, ""
}

// execStartProgram is the program the service's unit runs (ExecStart's
// first word, without systemd's prefixes), or "" and why.
func execStartProgram(c *ownCtx) (string, string) {
	if !c.facts.Units.Known() || len(c.facts.Units.Value) == 0 {
		return "", "no unit says which program runs"
	}
	src, _, _ := strings.Cut(c.facts.Units.Value[0].Source, ":")
	data, err := safefile.ReadIn(c.dir, src, maxFile)
	if err != nil {
		return "", "its unit cannot be read: " + err.Error()
	}
	v, ok := parse.ParseUnit(data).Get("Service", "ExecStart")
	if !ok {
		return "", src + " has no ExecStart="
	}
	words := strings.Fields(v.Text)
	if len(words) == 0 {
		return "", src + " has an empty ExecStart="
	}
	prog := strings.TrimLeft(words[0], "-@:+!")
	if interpreterRe.MatchString(path.Base(prog)) {
		// The script the interpreter runs names the process.
		prog = ""
		for _, w := range words[1:] {
			if strings.HasPrefix(w, "/") {
				prog = w
				break
			}
		}
	}
	if !plainPathRe.MatchString(prog) || regexp.QuoteMeta(prog) != prog {
		return "", fmt.Sprintf("%s:%d ExecStart (%q) names no program path a monit pattern can match as is", src, v.Line, v.Text)
	}
	return prog, ""
}

// interpreterRe names the programs whose process is told apart by the
// script they run.
var interpreterRe = regexp.MustCompile(`^(python[0-9.]*|sh|bash|dash|perl|node|env)$`)

// verifyMonitCheck re-parses the check written: one `check process
// <name>`, watching a PID file or a pattern, started and stopped through
// systemctl on the service's unit.
func verifyMonitCheck(text, name string) error {
	checks := parse.ParseMonit([]byte(text))
	if len(checks) != 1 {
		return fmt.Errorf("%d checks parsed, want 1", len(checks))
	}
	m := checks[0]
	unit := name + ".service"
	switch {
	case m.Kind != "process" || m.Name != name:
		return fmt.Errorf("check %s %s, want check process %s", m.Kind, m.Name, name)
	case m.PIDFile == "" && m.Matching == "":
		return fmt.Errorf("neither a pidfile nor a pattern parsed")
	case m.StartProgram != "/bin/systemctl start "+unit || m.StopProgram != "/bin/systemctl stop "+unit:
		return fmt.Errorf("start %q and stop %q, want systemctl on %s", m.StartProgram, m.StopProgram, unit)
	}
	return nil
}

// isDir reports whether p is a directory, not through a link.
func isDir(p string) bool {
	st, err := os.Lstat(p)
	return err == nil && st.IsDir()
}
