package rules

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// checklistBullets reads the bullets of the guidelines page (a copy of
// wazo-platform.org's new-service.md as rendered, in testdata).
func checklistBullets(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile("testdata/new-service-guidelines.txt")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		if _, b, ok := strings.Cut(line, "• "); ok {
			out = append(out, strings.TrimSpace(b))
		}
	}
	if len(out) < 20 {
		t.Fatalf("only %d bullets read from the guidelines: the copy is broken", len(out))
	}
	return out
}

// conventionsSay reports whether text is part of a paragraph of the
// guidelines' Conventions section (before the checklist), which a rule may
// implement too (the HTTP port convention).
func conventionsSay(t *testing.T, text string) bool {
	t.Helper()
	data, err := os.ReadFile("testdata/new-service-guidelines.txt")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(data), "\nConventions\n")
	if !ok {
		t.Fatal("the guidelines copy has no Conventions section")
	}
	section, _, _ := strings.Cut(rest, "\nChecklist\n")
	for _, para := range strings.Split(section, "\n") {
		if text != "" && strings.Contains(para, text) {
			return true
		}
	}
	return false
}

func TestEveryChecklistBulletHasARule(t *testing.T) {
	covered := map[string][]string{}
	for _, r := range All() {
		covered[r.Checklist] = append(covered[r.Checklist], r.ID)
	}
	for _, b := range checklistBullets(t) {
		if len(covered[b]) == 0 {
			t.Errorf("no rule implements checklist bullet %q", b)
		}
	}
}

var kebab = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

func TestEveryRuleIsComplete(t *testing.T) {
	bullets := map[string]bool{}
	for _, b := range checklistBullets(t) {
		bullets[b] = true
	}
	seen := map[string]bool{}
	for _, r := range All() {
		t.Run(r.ID, func(t *testing.T) {
			if !kebab.MatchString(r.ID) || seen[r.ID] {
				t.Errorf("ID %q is not a unique kebab-case ID", r.ID)
			}
			seen[r.ID] = true
			switch {
			case r.IsPractice() && (bullets[r.Checklist] || !strings.HasPrefix(r.Checklist, "Wazo practice, beyond the checklist: ")):
				t.Errorf("practice rule: checklist %q must say \"Wazo practice, beyond the checklist: ...\"", r.Checklist)
			case !r.IsPractice() && !bullets[r.Checklist] && !conventionsSay(t, r.Checklist):
				t.Errorf("checklist %q is not the exact text of a bullet nor of the Conventions section", r.Checklist)
			}
			if r.Severity.Rank() == 0 {
				t.Errorf("severity %q", r.Severity)
			}
			if r.Title == "" || r.Rationale == "" || r.Remediation == "" {
				t.Error("title, rationale and remediation are required")
			}
			if !r.HasStatic() {
				t.Error("no static probe")
			}
			if len(r.Probes) == 0 || r.Probes[0] != "static" {
				t.Errorf("Probes = %v", r.Probes)
			}
		})
	}
}

func TestByID(t *testing.T) {
	if r, err := ByID("monit-check"); err != nil || r.ID != "monit-check" {
		t.Fatalf("ByID(monit-check) = %v, %v", r.ID, err)
	}
	if _, err := ByID("no-such-rule"); err == nil || !strings.Contains(err.Error(), "monit-check") {
		t.Fatalf("ByID(no-such-rule) error %v does not list the known IDs", err)
	}
}

// TestEveryRuleHasAReading: `rules --explain` states each rule's reading.
func TestEveryRuleHasAReading(t *testing.T) {
	ids := map[string]bool{}
	for _, r := range All() {
		ids[r.ID] = true
		if len(ReadingOf(r.ID)) < 40 {
			t.Errorf("%s: no reading of its item (engine_reading.go)", r.ID)
		}
	}
	for id := range readings {
		if !ids[id] {
			t.Errorf("engine_reading.go has a reading for %s, which the catalogue lacks", id)
		}
	}
}
