package fix

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/debiandata"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/parse"
	"github.com/wazo-platform/wazo-servicekit/internal/rules"
)

// depsPinsFix moves each failing pin to the version the target Debian
// distribution ships (for a package Debian lacks, the version of the
// wazo-*-packaging checkout that packages it), which fixes
// deps-pinned-to-debian and, for a package Debian or Wazo has at another
// version, deps-in-debian. It needs review: the code may need changes for
// the new version; each package's jump (old -> new) is said, MAJOR jumps
// and downgrades flagged, so the owner knows what to test. A
// requirements.txt line or a setup.py install_requires string is
// rewritten in place, every other byte kept; go.mod is not edited (its
// versions move with go get, which changes go.sum too).
func depsPinsFix(c *ownCtx, rule failing) ([]ownEdit, string) {
	rp, err := c.repo()
	if err != nil {
		return nil, "no fix: " + err.Error()
	}
	dist := debiandata.Latest
	if c.opts.Dist != "" {
		if dist, err = debiandata.Lookup(c.opts.Dist); err != nil {
			return nil, "no fix: " + err.Error()
		}
	}
	ix, err := debiandata.ForDist(dist)
	if err != nil {
		return nil, "no fix: " + err.Error()
	}
	all, manifests := rules.DebianPins(rp, c.opts.Siblings, ix)
	pins, manifest := all[c.service], manifests[c.service]
	type target struct {
		pin       rules.Pin
		want, why string
		flag      string
	}
	var targets []target
	done := map[string]bool{}
	for i, m := range rule.messages {
		p, line := rule.paths[i], rule.lines[i]
		switch {
		case p == "go.mod" || strings.HasSuffix(p, "/go.mod"):
			return nil, "no fix: go.mod's versions are moved with `go get MODULE@vVERSION`, which changes go.sum too: not a line edit (" + m + ")"
		case p != "setup.py" && (p != manifest || !strings.HasSuffix(p, "requirements.txt") || line == 0):
			return nil, fmt.Sprintf("no fix: only requirements.txt's and setup.py's install_requires pins are edited; found %s:%d (%s)", p, line, m)
		}
		var pin *rules.Pin
		for j := range pins {
			// setup.py's install_requires entries share one line: the
			// message names the requirement first.
			if pins[j].Path == p && pins[j].Line == line && !pins[j].Wazo && (p != "setup.py" || strings.HasPrefix(m, pins[j].Name+" ")) {
				pin = &pins[j]
			}
		}
		if pin == nil {
			return nil, fmt.Sprintf("no fix: %s:%d is not a requirement of %s (%s)", p, line, c.service, m)
		}
		key := fmt.Sprintf("%s:%d %s", p, line, pin.Name)
		if done[key] {
			continue
		}
		done[key] = true
		t := target{pin: *pin}
		switch {
		case pin.Debian != "":
			t.want, t.why = pin.Debian, fmt.Sprintf("%s %s in %s", pin.DebianPkg, pin.DebianVersion, ix.Dist)
		case pin.WazoPkg != "" && pin.WazoVersion != "":
			t.want, t.why = pin.WazoVersion, pin.WazoPkg+"'s VERSION"
		default:
			return nil, fmt.Sprintf("no fix: %s is not packaged in %s nor by a wazo-*-packaging checkout: that is packaging work, not a pin (%s)", pin.Name, ix.Dist, m)
		}
		if !pinVersionRe.MatchString(t.want) {
			return nil, fmt.Sprintf("no fix: %s's version %q is not one pip reads", t.why, t.want)
		}
		t.flag = versionJump(pin.Op, pin.Version, t.want)
		targets = append(targets, t)
	}
	if len(targets) == 0 {
		return nil, "no fix: no requirement named"
	}
	// Major jumps first: what the owner must test most.
	sort.SliceStable(targets, func(i, j int) bool {
		return strings.Contains(targets[i].flag, "MAJOR") && !strings.Contains(targets[j].flag, "MAJOR")
	})
	var edits []ownEdit
	for _, t := range targets {
		t := t
		from := t.pin.Op + t.pin.Version
		if t.pin.Op == "==" || t.pin.Op == "===" {
			from = t.pin.Version
		} else if from == "" {
			from = "unpinned"
		}
		does := fmt.Sprintf("%s %s -> %s (%s)", t.pin.Name, from, t.want, t.why)
		if t.flag != "" {
			does += ": " + t.flag
		}
		e := ownEdit{rel: t.pin.Path, certainty: NeedsReview, keepsCR: true, does: does,
			change: func(old string) (string, error) { return repin(old, t.pin.Line, t.pin.Name, t.want) },
			verify: func(old, new string) error { return verifyRepin(old, new, t.pin.Line, t.pin.Name, t.want) }}
		if t.pin.Path == "setup.py" {
			e.keepsCR = false
			e.change = func(old string) (string, error) { return repinSetupPy(old, t.pin.Name, t.want) }
			e.verify = func(old, new string) error { return verifySetupPy(old, new, t.pin.Name, t.want) }
		}
		edits = append(edits, e)
	}
	return edits, ""
}

var pinVersionRe = regexp.MustCompile(`^[0-9][0-9A-Za-z.+!_-]*$`)

// versionJump says what the owner must test in a move from op+old to new:
// "MAJOR jump" when the first number changes (or the second under 0.x),
// "downgrade" when the new version is older, "was unpinned" without a pin.
func versionJump(op, old, new string) string {
	if op != "==" && op != "===" {
		return "was not pinned: test against " + new
	}
	a, b := versionNumbers(old), versionNumbers(new)
	var flags []string
	if len(a) > 0 && len(b) > 0 && (a[0] != b[0] || (a[0] == 0 && len(a) > 1 && len(b) > 1 && a[1] != b[1])) {
		flags = append(flags, "MAJOR jump")
	}
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			if b[i] < a[i] {
				flags = append(flags, "downgrade")
			}
			break
		}
	}
	return strings.Join(flags, ", ")
}

// versionNumbers is the leading dotted numbers of a version: 2.32.3rc1 is
// [2 32 3].
func versionNumbers(v string) []int {
	var out []int
	for _, part := range strings.Split(v, ".") {
		n := 0
		for n < len(part) && part[n] >= '0' && part[n] <= '9' {
			n++
		}
		if n == 0 {
			break
		}
		x, err := strconv.Atoi(part[:n])
		if err != nil {
			break
		}
		out = append(out, x)
		if n < len(part) {
			break
		}
	}
	return out
}

// oneSpecRe is a single version specifier: its operator, the spacing
// after it, the version.
var oneSpecRe = regexp.MustCompile(`^(===|==|~=|!=|>=|<=|>|<)(\s*)([^\s,]+)$`)

var reqLineRe = regexp.MustCompile(`^(\s*)([A-Za-z0-9][A-Za-z0-9._-]*)(\s*\[[^\]]*\])?(\s*)([^;#]*?)(\s*(?:[;#].*)?)$`)

// repin rewrites line n of a requirements file so that it pins name at
// want: a single specifier becomes == want with the spacing after its
// operator kept, several (or none) become ==want; the name, extras,
// markers, comment and line ending kept.
func repin(old string, n int, name, want string) (string, error) {
	lines := strings.Split(old, "\n")
	if n < 1 || n > len(lines) {
		return "", fmt.Errorf("expected a requirement of %s at line %d; found %d lines", name, n, len(lines))
	}
	raw := lines[n-1]
	body, cr := strings.CutSuffix(raw, "\r")
	crs := ""
	if cr {
		crs = "\r"
	}
	if strings.Contains(body, "--hash") || strings.HasSuffix(strings.TrimSpace(body), "\\") {
		return "", fmt.Errorf("expected a one-line requirement without --hash at line %d; found %q", n, raw)
	}
	next, err := repinText(body, name, want)
	if err != nil {
		return "", fmt.Errorf("%v at line %d; found %q", err, n, raw)
	}
	lines[n-1] = next + crs
	return strings.Join(lines, "\n"), nil
}

// repinText rewrites one requirement so that it pins name at want: a
// single specifier becomes == want with the spacing after its operator
// kept, several (or none) become ==want; the name, extras, markers and
// comment kept.
func repinText(body, name, want string) (string, error) {
	m := reqLineRe.FindStringSubmatch(body)
	if m == nil || parse.NormalizePyName(m[2]) != parse.NormalizePyName(name) {
		return "", fmt.Errorf("expected a requirement of %s", name)
	}
	next := "==" + want
	if sm := oneSpecRe.FindStringSubmatch(m[5]); sm != nil {
		if sm[1] == "==" && sm[3] == want {
			return body, nil
		}
		next = "==" + sm[2] + want // the spacing after the operator kept
	}
	if m[5] == "" {
		// Unpinned: the pin goes right after the name, the spacing
		// before a comment or marker kept after it.
		return m[1] + m[2] + m[3] + next + m[4] + m[6], nil
	}
	return m[1] + m[2] + m[3] + m[4] + next + m[6], nil
}

var (
	installRequiresRe = regexp.MustCompile(`install_requires\s*=\s*\[([^\]]*)\]`)
	pyStringRe        = regexp.MustCompile(`(['"])([^'"\n]+)(['"])`)
)

// installRequires finds setup.py's install_requires list: each string's
// span (its contents, without the quotes) and text.
func installRequires(text string) ([][2]int, error) {
	m := installRequiresRe.FindStringSubmatchIndex(text)
	if m == nil {
		return nil, fmt.Errorf("expected an install_requires=[...] list of strings in setup.py; found none")
	}
	if len(installRequiresRe.FindAllStringIndex(text, 2)) > 1 {
		return nil, fmt.Errorf("expected one install_requires list in setup.py; found several")
	}
	var spans [][2]int
	for _, q := range pyStringRe.FindAllStringSubmatchIndex(text[m[2]:m[3]], -1) {
		if text[m[2]+q[2]] != text[m[2]+q[6]] {
			return nil, fmt.Errorf("expected quoted strings in install_requires; found %q", text[m[2]+q[0]:m[2]+q[1]])
		}
		spans = append(spans, [2]int{m[2] + q[4], m[2] + q[5]})
	}
	return spans, nil
}

// repinSetupPy rewrites the install_requires string of name so that it
// pins want; every other byte of setup.py kept.
func repinSetupPy(old, name, want string) (string, error) {
	spans, err := installRequires(old)
	if err != nil {
		return "", err
	}
	var found []string
	for _, sp := range spans {
		req := old[sp[0]:sp[1]]
		found = append(found, req)
		if next, err := repinText(req, name, want); err == nil {
			return old[:sp[0]] + next + old[sp[1]:], nil
		}
	}
	return "", fmt.Errorf("expected a requirement of %s in install_requires; found %q", name, found)
}

// verifySetupPy checks that setup.py changed inside one install_requires
// string only, and that the list still reads as before except name, now
// pinned at want.
func verifySetupPy(old, new, name, want string) error {
	a, err := installRequires(old)
	if err != nil {
		return err
	}
	b, err := installRequires(new)
	if err != nil {
		return fmt.Errorf("after the edit: %v", err)
	}
	if len(a) != len(b) {
		return fmt.Errorf("%d install_requires strings before, %d after", len(a), len(b))
	}
	changed := 0
	for i := range a {
		x, y := old[a[i][0]:a[i][1]], new[b[i][0]:b[i][1]]
		if x == y {
			continue
		}
		changed++
		r := parse.ParseRequirements([]byte(y))
		if len(r) != 1 || parse.NormalizePyName(r[0].Name) != parse.NormalizePyName(name) || r[0].Op != "==" || r[0].Version != want {
			return fmt.Errorf("%q does not pin %s at %s", y, name, want)
		}
		if old[:a[i][0]] != new[:b[i][0]] || old[a[i][1]:] != new[b[i][1]:] {
			return fmt.Errorf("more than the string of %s changed", name)
		}
	}
	if changed > 1 {
		return fmt.Errorf("%d install_requires strings changed", changed)
	}
	return nil
}

// verifyRepin checks that only line n changed, and that it parses as a
// == pin of name at want, as every other line parses as before.
func verifyRepin(old, new string, n int, name, want string) error {
	a, b := strings.Split(old, "\n"), strings.Split(new, "\n")
	if len(a) != len(b) {
		return fmt.Errorf("the line count changed")
	}
	for i := range a {
		if i != n-1 && a[i] != b[i] {
			return fmt.Errorf("line %d changed", i+1)
		}
	}
	if strings.HasSuffix(a[n-1], "\r") != strings.HasSuffix(b[n-1], "\r") {
		return fmt.Errorf("line %d's ending changed", n)
	}
	ra, rb := parse.ParseRequirements([]byte(old)), parse.ParseRequirements([]byte(new))
	if len(ra) != len(rb) {
		return fmt.Errorf("%d requirements before, %d after", len(ra), len(rb))
	}
	for i := range ra {
		x, y := ra[i], rb[i]
		if x.Line == n {
			if y.Line != n || parse.NormalizePyName(y.Name) != parse.NormalizePyName(name) || y.Op != "==" || strings.TrimSpace(y.Version) != want {
				return fmt.Errorf("line %d reads %s%s%s, want %s==%s", n, y.Name, y.Op, y.Version, name, want)
			}
			continue
		}
		if x != y {
			return fmt.Errorf("the requirement of line %d changed", x.Line)
		}
	}
	return nil
}
