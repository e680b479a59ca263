package scaffold

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var wpepRowRe = regexp.MustCompile(`^\| \*\*([A-Za-z]+)\*\* \| (.*) \|$`)

// wpepShape reads a WPEP's preamble keys and its level-2 headings, and
// says what breaks the format of wpep0001.md.
func wpepShape(text string) (keys, headings []string, problem string) {
	lines := strings.Split(text, "\n")
	if len(lines) < 3 || lines[0] != "| Key | Value |" || lines[1] != "| ---: | :--- |" {
		return nil, nil, "no `| Key | Value |` / `| ---: | :--- |` table at the top"
	}
	i := 2
	for ; i < len(lines) && lines[i] != ""; i++ {
		m := wpepRowRe.FindStringSubmatch(lines[i])
		if m == nil {
			return nil, nil, "preamble row not `| **Key** | value |`: " + lines[i]
		}
		keys = append(keys, m[1])
	}
	for _, l := range lines[i:] {
		if strings.HasPrefix(l, "## ") {
			headings = append(headings, strings.TrimPrefix(l, "## "))
		}
	}
	return keys, headings, ""
}

func TestWPEPDraftIsInTheWPEPFormat(t *testing.T) {
	p, err := Plan(Options{Name: "wazo-exampled", Description: "Example service", HAGroup: "wazo", ACLs: []string{"confd.users.read"}})
	if err != nil {
		t.Fatal(err)
	}
	draft := string(p.WPEPDraft([]ChecklistItem{
		{Rule: "user-not-root", Checklist: "The service default user is not root", Status: "pass"},
		{Rule: "backup-list", Checklist: "The service config files are copied by wazo-backup", Status: "fail", Message: "not | listed"},
		{Rule: "log-format-current", Status: "pass", Practice: true},
	}, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)))
	keys, headings, problem := wpepShape(draft)
	if problem != "" {
		t.Fatalf("%s:\n%s", problem, draft)
	}
	if strings.Join(keys, ",") != "Title,Number,Date,Authors,Status,Tickets" {
		t.Errorf("preamble keys %v", keys)
	}
	if strings.Join(headings, ",") != "Abstract,Motivation,Proposition" {
		t.Errorf("sections %v", headings)
	}
	for _, want := range []string{"| **Number** | XXXX |", "| **Date** | 2026-12-01 |", "port 9505", "ACL prefix: `exampled.`",
		"`service_registered`", "`service_deregistered`", "wazo-service group `wazo`", "`confd.users.read`",
		"| The service default user is not root | `user-not-root` | pass |", `fail: not \| listed`, "| `log-format-current` | pass |"} {
		if !strings.Contains(draft, want) {
			t.Errorf("draft lacks %q:\n%s", want, draft)
		}
	}
	if p.WPEPPath() != "wpep/XXXX-wazo-exampled.md" {
		t.Errorf("path %s", p.WPEPPath())
	}

	// The real WPEPs have the same preamble and sections.
	repos := os.Getenv("WAZO_REPOS")
	if repos == "" {
		t.Skip("WAZO_REPOS=DIR")
	}
	real, _ := filepath.Glob(filepath.Join(repos, "wpep", "wpep[0-9]*.md"))
	if len(real) == 0 {
		t.Fatalf("no wpep*.md in %s/wpep", repos)
	}
	for _, f := range real {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rk, rh, problem := wpepShape(string(data))
		if problem != "" {
			t.Errorf("%s: %s: the shape test does not read the real format", f, problem)
			continue
		}
		// Same keys in the same order (Tickets, which wpep0001 asks for, may be absent).
		if got := strings.Join(rk, ","); !strings.HasPrefix(strings.Join(keys, ","), got) {
			t.Errorf("%s: preamble keys %v, the draft has %v", filepath.Base(f), rk, keys)
		}
		for _, h := range []string{"Abstract", "Motivation", "Proposition"} {
			if !contains(rh, h) {
				t.Logf("%s has no ## %s (sections: %v)", filepath.Base(f), h, rh)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
