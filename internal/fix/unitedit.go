package fix

import (
	"fmt"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/parse"
)

// unitLine is a "Key=value" line to put in a unit's section.
type unitLine struct{ key, value string }

// lineEnding is the file's line ending: CRLF when its first line ends so.
func lineEnding(text string) string {
	if first, _, ok := strings.Cut(text, "\n"); ok && strings.HasSuffix(first, "\r") {
		return "\r\n"
	}
	return "\n"
}

// sectionBounds finds a unit section: the index of its header line and of
// the line after its last setting (its continuation lines included).
func sectionBounds(lines []string, section string) (header, end int, err error) {
	header = -1
	for i, l := range lines {
		t := strings.TrimSpace(strings.TrimSuffix(l, "\r"))
		if strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]") {
			if header >= 0 {
				break
			}
			if t == "["+section+"]" {
				header, end = i, i+1
			}
			continue
		}
		if header >= 0 && t != "" && t[0] != '#' && t[0] != ';' {
			end = i + 1
		}
	}
	if header < 0 {
		return 0, 0, fmt.Errorf("expected a [%s] section; found none", section)
	}
	if last := strings.TrimSpace(strings.TrimSuffix(lines[end-1], "\r")); strings.HasSuffix(last, "\\") {
		return 0, 0, fmt.Errorf("expected the [%s] section to end with a complete setting; found a continued line %d: %q", section, end, lines[end-1])
	}
	return header, end, nil
}

// addToSection inserts the settings at the end of a unit's section (or,
// with before set, right before that key's first line in the section), in
// the file's line ending; every other line stays as it was.
func addToSection(old, section, before string, add []unitLine) (string, error) {
	lines := strings.Split(old, "\n")
	header, at, err := sectionBounds(lines, section)
	if err != nil {
		return "", err
	}
	if before != "" {
		found := false
		for i := header + 1; i < at; i++ {
			k, _, ok := strings.Cut(strings.TrimSpace(lines[i]), "=")
			if ok && strings.TrimSpace(k) == before {
				at, found = i, true
				break
			}
		}
		if !found {
			return "", fmt.Errorf("expected a %s= line in [%s]; found none", before, section)
		}
	}
	cr := strings.TrimSuffix(lineEnding(old), "\n")
	ins := make([]string, len(add))
	for i, l := range add {
		ins[i] = l.key + "=" + l.value + cr
	}
	out := append(append(append([]string{}, lines[:at]...), ins...), lines[at:]...)
	return strings.Join(out, "\n"), nil
}

// verifyUnitAdded checks that the edited unit is the old one with the
// settings' lines added, nothing else, and that it parses to the old
// settings, each in its order, plus the added ones.
func verifyUnitAdded(old, new, section string, add []unitLine) error {
	added := map[string]bool{}
	for _, l := range add {
		added[l.key+"="+l.value] = true
	}
	var kept []string
	for _, l := range strings.Split(new, "\n") {
		if t := strings.TrimSuffix(l, "\r"); added[t] {
			delete(added, t)
			continue
		}
		kept = append(kept, l)
	}
	if len(added) > 0 || strings.Join(kept, "\n") != old {
		return fmt.Errorf("more than the added settings changed")
	}
	// Parsed, the new unit holds every old value in its order, and the
	// added ones.
	a, b := parse.ParseUnit([]byte(old)), parse.ParseUnit([]byte(new))
	secs := map[string]bool{section: true}
	for sec := range a.Sections {
		secs[sec] = true
	}
	for sec := range b.Sections {
		secs[sec] = true
	}
	for sec := range secs {
		keys := map[string]bool{}
		for k := range a.Sections[sec] {
			keys[k] = true
		}
		for k := range b.Sections[sec] {
			keys[k] = true
		}
		for k := range keys {
			want := map[string]int{}
			if sec == section {
				for _, l := range add {
					if l.key == k {
						want[l.value]++
					}
				}
			}
			var rest []string
			for _, w := range b.Sections[sec][k] {
				if want[w.Text] > 0 {
					want[w.Text]--
					continue
				}
				rest = append(rest, w.Text)
			}
			for v, n := range want {
				if n > 0 {
					return fmt.Errorf("[%s] %s=%s is not read after the edit", sec, k, v)
				}
			}
			vs := a.Sections[sec][k]
			if len(rest) != len(vs) {
				return fmt.Errorf("[%s] %s= changed", sec, k)
			}
			for i := range vs {
				if vs[i].Text != rest[i] {
					return fmt.Errorf("[%s] %s= changed", sec, k)
				}
			}
		}
	}
	return nil
}

// unitEdit is the edit adding settings to a unit's section.
func unitEdit(rel, section, before string, add []unitLine, certainty Certainty, does string) ownEdit {
	return ownEdit{rel: rel, certainty: certainty, keepsCR: true, does: does,
		change: func(old string) (string, error) { return addToSection(old, section, before, add) },
		verify: func(old, new string) error { return verifyUnitAdded(old, new, section, add) }}
}
