package fix

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/parse"
)

// maintainer-scripts' two findings, fixed in the service's own repository.
// Depends: adduser is a list entry (certain); `set -e` makes a step that
// failed silently fail the install (needs review).
const (
	msgAdduser = "the postinst calls adduser but Depends lacks adduser"
	msgSetE    = "the postinst does not `set -e`"
)

// maintainerScriptsFix fixes maintainer-scripts' two findings.
func maintainerScriptsFix(c *ownCtx, rule failing) ([]ownEdit, string) {
	service := c.service
	var edits []ownEdit
	for i, m := range rule.messages {
		switch {
		case m == msgAdduser:
			edits = append(edits, ownEdit{rel: "debian/control", certainty: Certain,
				change: func(old string) (string, error) { return addDepends(old, service, "adduser") },
				verify: func(old, new string) error { return verifyAddedDepends(old, new, service, "adduser") },
				does:   "adds adduser to the Depends of " + service + " in debian/control"})
		case strings.HasPrefix(m, msgSetE) && rule.paths[i] != "":
			edits = append(edits, ownEdit{rel: rule.paths[i], certainty: NeedsReview,
				change: addSetE, verify: verifySetE,
				does: "adds `set -e` after the shebang of " + rule.paths[i] + ": a step that failed unnoticed now fails the install"})
		default:
			return nil, "no fix for: " + m
		}
	}
	return edits, ""
}

// addDepends appends name to the Depends field of the paragraph of package
// pkg: on a line of its own when the field has one entry per continuation
// line, else after the field's last entry.
func addDepends(old, pkg, name string) (string, error) {
	lines := strings.Split(old, "\n")
	cur, start, end := "", -1, -1
	for i := 0; i < len(lines) && start < 0; i++ {
		l := lines[i]
		if strings.TrimSpace(l) == "" {
			cur = ""
			continue
		}
		k, v, ok := strings.Cut(l, ":")
		if !ok || l[0] == ' ' || l[0] == '\t' {
			continue
		}
		if strings.EqualFold(k, "Package") {
			cur = strings.TrimSpace(v)
		}
		if strings.EqualFold(k, "Depends") && cur == pkg {
			start, end = i, i
			for end+1 < len(lines) && len(lines[end+1]) > 0 && (lines[end+1][0] == ' ' || lines[end+1][0] == '\t') {
				end++
			}
		}
	}
	if start < 0 {
		return "", fmt.Errorf("expected a Package: %s paragraph with a Depends: field; found none", pkg)
	}
	last := strings.TrimRight(lines[end], " \t")
	if strings.HasPrefix(strings.TrimSpace(last), "#") || strings.HasSuffix(last, "|") {
		return "", fmt.Errorf("expected the Depends: field to end with an entry; found line %d: %q", end+1, lines[end])
	}
	out := append([]string{}, lines[:end]...)
	if end > start {
		// Entries on continuation lines: a new line, indented alike.
		ind := lines[end][:len(lines[end])-len(strings.TrimLeft(lines[end], " \t"))]
		if strings.HasSuffix(last, ",") {
			out = append(out, last, ind+name+",")
		} else {
			out = append(out, last+",", ind+name)
		}
	} else if strings.HasSuffix(last, ",") {
		out = append(out, last+" "+name+",")
	} else {
		out = append(out, last+", "+name)
	}
	return strings.Join(append(out, lines[end+1:]...), "\n"), nil
}

// verifyAddedDepends checks that the control file parses as before, with
// only pkg's Depends changed: its entries and name once more.
func verifyAddedDepends(old, new, pkg, name string) error {
	a, b := parse.ParseDeb822([]byte(old)), parse.ParseDeb822([]byte(new))
	if len(a) != len(b) {
		return fmt.Errorf("%d paragraphs before, %d after", len(a), len(b))
	}
	for i := range a {
		if len(a[i].Fields) != len(b[i].Fields) {
			return fmt.Errorf("paragraph %d: fields added or removed", i+1)
		}
		for k, va := range a[i].Fields {
			vb := b[i].Fields[k]
			if a[i].Get("Package") == pkg && strings.EqualFold(k, "Depends") {
				want := append(parse.DependsNames(va), name)
				if got := parse.DependsNames(vb); strings.Join(got, ",") != strings.Join(want, ",") {
					return fmt.Errorf("the Depends field after the edit: %v, want %v", got, want)
				}
				continue
			}
			if va != vb {
				return fmt.Errorf("field %s of paragraph %d changed", k, i+1)
			}
		}
	}
	return nil
}

// addSetE puts `set -e` on the line after a shell shebang.
func addSetE(old string) (string, error) {
	first, rest, ok := strings.Cut(old, "\n")
	if !ok || !strings.HasPrefix(first, "#!") || !(strings.HasSuffix(first, "/sh") || strings.HasSuffix(first, "/bash")) {
		return "", fmt.Errorf("expected a #!/bin/sh or #!/bin/bash first line; found %q", first)
	}
	return first + "\nset -e\n" + rest, nil
}

// verifySetE checks the script is the old one with one line added, and
// that sh still parses it (sh -n, bounded in time).
func verifySetE(old, new string) error {
	if strings.Replace(new, "\nset -e\n", "\n", 1) != old {
		return fmt.Errorf("more than `set -e` changed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-n")
	cmd.Stdin = strings.NewReader(new)
	var out bytes.Buffer
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("sh -n: %v %s", err, strings.TrimSpace(out.String()))
	}
	return nil
}
