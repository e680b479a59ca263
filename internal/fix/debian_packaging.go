package fix

import (
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/wazo-platform/wazo-servicekit/internal/debiandata"
	"github.com/wazo-platform/wazo-servicekit/internal/rules"
	"github.com/wazo-platform/wazo-servicekit/safefile"
)

// debianPackagingFix moves the build targets the rule reads from an older
// Debian release to the target one (--dist, the latest stable by
// default): in zuul.yaml every job, template or nodeset name carrying the
// old code name as a dash-separated part (debian-packaging-bookworm,
// wazo-acceptance-bookworm) or the old number after "debian"
// (vm-debian-12-m1m); in the Dockerfile the FROM lines' image tags
// (python:3.11-slim-bookworm), with the Python version of a python image
// moved to the one the target ships. It needs review: the CI template
// for the target must exist in Wazo's CI, and the code may need changes
// to build there. It never rewrites debian/changelog (a new entry and its
// distribution are the release manager's), nor the debhelper level or
// source format: those findings are left, each with why.
func debianPackagingFix(c *ownCtx, rule failing) ([]ownEdit, string) {
	dist := debiandata.Latest
	if c.opts.Dist != "" {
		var err error
		if dist, err = debiandata.Lookup(c.opts.Dist); err != nil {
			return nil, "no fix: " + err.Error()
		}
	}
	num, _ := strconv.Atoi(dist.Number)
	var edits []ownEdit
	edited := map[string]bool{}
	for i, m := range rule.messages {
		p, line := rule.paths[i], rule.lines[i]
		release := releaseNamed(m)
		switch {
		case release != "" && rules.DebianRelease(release) >= num:
			c.leave(p, line, fmt.Sprintf("already targets %s, at or after the fix's target %s (--dist): %s", release, dist, m))
			continue
		case p == "zuul.yaml" && release != "":
			if !edited[p] {
				edits = append(edits, zuulEdit(c.dir, dist, num))
			}
		case p == "Dockerfile" && release != "":
			if !edited[p] {
				e, err := dockerEdit(c.dir, dist, num)
				if err != nil {
					c.leave(p, line, err.Error())
					continue
				}
				edits = append(edits, e)
			}
		case p == "debian/changelog":
			c.leave(p, line, "an existing changelog entry's distribution is not rewritten: a new entry for "+dist.Codename+
				" (its version, its distribution wazo-dev-"+dist.Codename+") is the release manager's")
			continue
		case p == "Jenkinsfile":
			c.leave(p, line, "a Jenkinsfile names releases anywhere in its Groovy: not an edit fix makes safely")
			continue
		default:
			c.leave(p, line, "a packaging change to build and test, not an edit fix makes ("+m+")")
			continue
		}
		edited[p] = true
		if num < rules.DebianRelease(debiandata.Latest.Codename) {
			c.leave(p, line, fmt.Sprintf("moved to %s (--dist), while check wants the latest stable, %s", dist, debiandata.Latest))
		}
	}
	if len(edits) == 0 {
		var why []string
		for _, l := range c.left {
			why = append(why, l.String())
		}
		return nil, "no fix: " + strings.Join(why, "; ")
	}
	return edits, ""
}

// releaseNamed is the release a finding of the rule names as its target
// ("the packaging targets Debian 12 "bookworm" ..."), "" when none.
func releaseNamed(message string) string {
	m := targetRe.FindStringSubmatch(message)
	if m == nil {
		return ""
	}
	return m[1]
}

var targetRe = regexp.MustCompile(`^the packaging targets Debian \d+ "([a-z]+)"`)

// oldRelease says whether a code name is a Debian release before the
// target's number.
func oldRelease(name string, target int) bool {
	n := rules.DebianRelease(name)
	return n > 0 && n < target
}

// zuulNameRe is a zuul.yaml line whose scalar is a plain name: a block
// list item, a "key: value" or a key, with an optional comment.
var zuulNameRe = regexp.MustCompile(`^(\s*(?:- +)?(?:[A-Za-z_][A-Za-z0-9_-]*: +)?)([A-Za-z0-9][A-Za-z0-9_.-]*)(:?)( *(?:#.*)?)$`)

var wordOrNumberRe = regexp.MustCompile(`[a-z]+|\d+`)

// movedName is the name with every old release part moved to the target:
// a dash-separated code name, or the number after "debian".
func movedName(name string, dist debiandata.Dist, target int) string {
	parts := strings.Split(name, "-")
	for i, p := range parts {
		if oldRelease(p, target) {
			parts[i] = dist.Codename
		}
		if n, err := strconv.Atoi(p); err == nil && i > 0 && parts[i-1] == "debian" && n > 0 && n < target && n >= 9 {
			parts[i] = dist.Number
		}
	}
	return strings.Join(parts, "-")
}

// zuulRenames reads the names of zuul.yaml to move, old -> new, line by
// line; an old release part anywhere else than in such a name (a flow
// list, a quoted or multi-word value) is a shape the fix does not edit.
func zuulRenames(text string, dist debiandata.Dist, target int) (map[string]string, error) {
	renames := map[string]string{}
	names := map[string]bool{}
	olds := map[string]bool{}
	for i, l := range strings.Split(text, "\n") {
		l = strings.TrimSuffix(l, "\r")
		if strings.HasPrefix(strings.TrimSpace(l), "#") {
			continue
		}
		m := zuulNameRe.FindStringSubmatch(l)
		if m == nil {
			body, _, _ := strings.Cut(l, "#")
			for _, w := range wordOrNumberRe.FindAllString(body, -1) {
				if oldRelease(w, target) {
					return nil, fmt.Errorf("expected every name naming %s as a block list item or a \"key: name\" line; found line %d: %q", w, i+1, l)
				}
			}
			continue
		}
		name := m[2]
		names[name] = true
		if moved := movedName(name, dist, target); moved != name {
			renames[name] = moved
			for _, p := range strings.Split(name, "-") {
				if oldRelease(p, target) {
					olds[p] = true
				}
			}
		}
	}
	if len(renames) == 0 {
		return nil, fmt.Errorf("expected a job, template or nodeset name naming a release before %s; found none", dist.Codename)
	}
	if len(olds) > 1 {
		var list []string
		for o := range olds {
			list = append(list, o)
		}
		sort.Strings(list)
		return nil, fmt.Errorf("expected the names of one release; found %s: which builds to keep is the owner's", strings.Join(list, " and "))
	}
	for old, moved := range renames {
		if names[moved] {
			return nil, fmt.Errorf("expected no name %s already (moving %s would make two); found one", moved, old)
		}
	}
	return renames, nil
}

// renameZuul moves the names on their lines, every other byte kept.
func renameZuul(text string, renames map[string]string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		body, cr := strings.CutSuffix(l, "\r")
		if strings.HasPrefix(strings.TrimSpace(body), "#") {
			continue
		}
		m := zuulNameRe.FindStringSubmatch(body)
		if m == nil || renames[m[2]] == "" {
			continue
		}
		lines[i] = m[1] + renames[m[2]] + m[3] + m[4]
		if cr {
			lines[i] += "\r"
		}
	}
	return strings.Join(lines, "\n")
}

// zuulEdit moves zuul.yaml's names to the target release; what it does
// names each move, read from the checkout now (the edit reads it again).
func zuulEdit(dir string, dist debiandata.Dist, target int) ownEdit {
	moves := ""
	if data, err := safefile.ReadIn(dir, "zuul.yaml", maxFile); err == nil {
		if renames, err := zuulRenames(string(data), dist, target); err == nil {
			var said []string
			for o, n := range renames {
				said = append(said, o+" -> "+n)
			}
			sort.Strings(said)
			moves = " (" + strings.Join(said, ", ") + ")"
		}
		// Tox templates name a Python version, which the release sets.
		if py := targetPython(dist); py != "" {
			var other []string
			for _, l := range strings.Split(string(data), "\n") {
				m := zuulNameRe.FindStringSubmatch(strings.TrimSuffix(l, "\r"))
				if m == nil {
					continue
				}
				if v := toxPyRe.FindStringSubmatch(m[2]); v != nil && "3."+v[1] != py && !contains(other, m[2]) {
					other = append(other, m[2])
				}
			}
			if len(other) > 0 {
				moves += "; " + strings.Join(other, ", ") + " test another Python than " + dist.Codename + "'s python3 " + py + ": not moved"
			}
		}
	}
	e := ownEdit{rel: "zuul.yaml", certainty: NeedsReview, keepsCR: true, once: "debian-packaging zuul.yaml",
		does: "moves zuul.yaml's jobs, templates and nodesets to " + dist.String() + moves +
			"; review: each must exist in Wazo's CI for " + dist.Codename + ", and the build may need code changes there"}
	e.change = func(old string) (string, error) {
		renames, err := zuulRenames(old, dist, target)
		if err != nil {
			return "", err
		}
		return renameZuul(old, renames), nil
	}
	e.verify = func(old, new string) error {
		renames, err := zuulRenames(old, dist, target)
		if err != nil {
			return err
		}
		return verifyZuul(old, new, renames)
	}
	return e
}

// verifyZuul checks that new is old with the names moved on their lines
// and nothing else, and that it parses as YAML to old's structure with
// the names moved.
func verifyZuul(old, new string, renames map[string]string) error {
	a, b := strings.Split(old, "\n"), strings.Split(new, "\n")
	if len(a) != len(b) {
		return fmt.Errorf("lines added or removed")
	}
	back := make([]string, 0, 2*len(renames))
	for o, n := range renames {
		back = append(back, n, o)
	}
	undo := strings.NewReplacer(back...)
	for i := range a {
		if a[i] != b[i] && undo.Replace(b[i]) != a[i] {
			return fmt.Errorf("line %d: more than a name changed", i+1)
		}
	}
	var before, after any
	if err := yaml.Unmarshal([]byte(old), &before); err != nil {
		return fmt.Errorf("expected YAML; found: %v", err)
	}
	if err := yaml.Unmarshal([]byte(new), &after); err != nil {
		return fmt.Errorf("no longer parses as YAML: %v", err)
	}
	if !reflect.DeepEqual(renamed(before, renames), after) {
		return fmt.Errorf("parsed, more than the names changed")
	}
	return nil
}

// renamed is a parsed YAML value with every string (key or value) that
// names a renamed job moved.
func renamed(v any, renames map[string]string) any {
	switch x := v.(type) {
	case string:
		if n, ok := renames[x]; ok {
			return n
		}
		return x
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = renamed(e, renames)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[renamed(k, renames).(string)] = renamed(e, renames)
		}
		return out
	case map[any]any:
		out := make(map[any]any, len(x))
		for k, e := range x {
			out[renamed(k, renames)] = renamed(e, renames)
		}
		return out
	}
	return v
}

// targetPython is the major.minor version of the distribution's
// python3 ("3.13"), "" when the index does not say.
func targetPython(dist debiandata.Dist) string {
	ix, err := debiandata.ForDist(dist)
	if err != nil {
		return ""
	}
	e, ok := ix.Binary("python3-minimal")
	if !ok {
		return ""
	}
	parts := strings.SplitN(e.Upstream(), ".", 3)
	if len(parts) < 2 {
		return ""
	}
	return parts[0] + "." + parts[1]
}

// toxPyRe is a tox template's Python version in a zuul name (py311).
var toxPyRe = regexp.MustCompile(`(?:^|-)py3(\d+)(?:-|$)`)

// fromRe is a Dockerfile FROM line: its flags, image and what follows
// (AS name).
var fromRe = regexp.MustCompile(`(?i)^(\s*FROM\s+)((?:--\S+\s+)*)(\S+)(.*)$`)

// imageRe is an image reference fix rewrites: nothing a diff, a shell or
// a terminal reads as something else.
var imageRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/:@-]*$`)

// pyVersionRe is the Python version a python image's tag starts with.
var pyVersionRe = regexp.MustCompile(`^3\.\d+(\.\d+)?$`)

// dockerEdit moves the Dockerfile's FROM images to the target release.
// The target's Python version is read now: without it the fix writes
// nothing (a python image would keep a version the release may not have).
func dockerEdit(dir string, dist debiandata.Dist, target int) (ownEdit, error) {
	py := targetPython(dist)
	does := "moves the Dockerfile's base image to " + dist.String()
	if data, err := safefile.ReadIn(dir, "Dockerfile", maxFile); err == nil {
		var said []string
		for _, l := range strings.Split(string(data), "\n") {
			if m := fromRe.FindStringSubmatch(strings.TrimSuffix(l, "\r")); m != nil {
				if moved, old, err := moveFrom(m[3], dist, target, py); err == nil && old && !contains(said, m[3]+" -> "+moved) {
					said = append(said, m[3]+" -> "+moved)
				}
			}
		}
		if len(said) > 0 {
			does += " (" + strings.Join(said, ", ") + ")"
		}
	}
	if py != "" {
		does += "; a python image's Python moves to " + py + ", " + dist.Codename + "'s python3"
	}
	does += "; review: the image tag must exist, and the code may need changes to build there"
	e := ownEdit{rel: "Dockerfile", certainty: NeedsReview, keepsCR: true, does: does, once: "debian-packaging Dockerfile"}
	e.change = func(old string) (string, error) { return moveFroms(old, dist, target, py) }
	e.verify = func(old, new string) error { return verifyFroms(old, new, dist, target, py) }
	return e, nil
}

// moveFrom is a FROM line's image moved to the target, and whether it
// names an old release; an image pinned by digest is refused (the digest
// is the old image's).
func moveFrom(image string, dist debiandata.Dist, target int, py string) (string, bool, error) {
	ref, digest, hasDigest := strings.Cut(image, "@")
	name, tag, ok := rules.ImageTag(ref)
	if !ok {
		return image, false, nil
	}
	parts := strings.Split(tag, "-")
	old := false
	for i, p := range parts {
		if oldRelease(p, target) {
			parts[i], old = dist.Codename, true
		}
	}
	if !old {
		return image, false, nil
	}
	if !imageRe.MatchString(image) {
		return "", true, fmt.Errorf("expected an image reference (letters, digits, ._/:@-); found %q", image)
	}
	if hasDigest {
		return "", true, fmt.Errorf("expected an image named by its tag; found %s pinned by digest %s, the old image's", ref, digest)
	}
	base := name[strings.LastIndex(name, "/")+1:]
	if base == "python" && py != "" && pyVersionRe.MatchString(parts[0]) {
		parts[0] = py
	}
	return name + ":" + strings.Join(parts, "-"), true, nil
}

// moveFroms moves every FROM image naming an old release, every other
// byte kept.
func moveFroms(text string, dist debiandata.Dist, target int, py string) (string, error) {
	lines := strings.Split(text, "\n")
	moved := 0
	for i, l := range lines {
		body, cr := strings.CutSuffix(l, "\r")
		m := fromRe.FindStringSubmatch(body)
		if m == nil {
			continue
		}
		if strings.HasSuffix(strings.TrimSpace(body), "\\") {
			return "", fmt.Errorf("expected FROM on one line; found line %d continued: %q", i+1, body)
		}
		image, old, err := moveFrom(m[3], dist, target, py)
		if err != nil {
			return "", fmt.Errorf("line %d: %v", i+1, err)
		}
		if !old {
			continue
		}
		moved++
		lines[i] = m[1] + m[2] + image + m[4]
		if cr {
			lines[i] += "\r"
		}
	}
	if moved == 0 {
		return "", fmt.Errorf("expected a FROM image tagged with a release before %s; found none", dist.Codename)
	}
	return strings.Join(lines, "\n"), nil
}

// verifyFroms checks that only FROM lines changed, each to the same
// image name, flags and stage, and that no FROM names an old release.
func verifyFroms(old, new string, dist debiandata.Dist, target int, py string) error {
	a, b := strings.Split(old, "\n"), strings.Split(new, "\n")
	if len(a) != len(b) {
		return fmt.Errorf("lines added or removed")
	}
	for i := range a {
		if a[i] == b[i] {
			continue
		}
		ma, mb := fromRe.FindStringSubmatch(strings.TrimSuffix(a[i], "\r")), fromRe.FindStringSubmatch(strings.TrimSuffix(b[i], "\r"))
		if ma == nil || mb == nil || ma[1] != mb[1] || ma[2] != mb[2] || ma[4] != mb[4] || strings.HasSuffix(a[i], "\r") != strings.HasSuffix(b[i], "\r") {
			return fmt.Errorf("line %d: more than a FROM image changed", i+1)
		}
		na, _, _ := strings.Cut(ma[3], ":")
		nb, _, _ := strings.Cut(mb[3], ":")
		if na != nb {
			return fmt.Errorf("line %d: the image %s became %s", i+1, na, nb)
		}
		if again, old, err := moveFrom(mb[3], dist, target, py); err != nil || old || again != mb[3] {
			return fmt.Errorf("line %d: %s still names an older release", i+1, mb[3])
		}
	}
	return nil
}
