package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/rules"
)

func TestScorecardCells(t *testing.T) {
	rep := sample()
	rep.Services[0].Results = append(rep.Services[0].Results,
		rules.Result{Rule: rules.UnusedWaiver, Service: "wazo-x", Severity: rules.Warning,
			Finding: rules.Finding{Status: rules.Fail, Message: "stale"}},
		rules.Result{Rule: "user-not-root", Service: "wazo-x", Severity: rules.Error,
			Finding: rules.Finding{Status: rules.Fail, Message: "runs as <root>"}})
	sc := NewScorecard(rep)
	if want := len(rules.All()) + 1; len(sc.Rules) != want {
		t.Fatalf("%d rows, want every rule and the diagnostic: %d", len(sc.Rules), want)
	}
	if last := sc.Rules[len(sc.Rules)-1]; last.ID != rules.UnusedWaiver || last.Group != GroupDiagnostic {
		t.Errorf("last row %+v, want the diagnostic", last)
	}
	cells := map[string]Cell{}
	for _, c := range sc.Services[0].Cells {
		cells[c.Rule] = c
	}
	for rule, want := range map[string]string{
		"user-not-root":       VerdictFail, // the worst of a pass and a fail
		"documented":          VerdictUnknown,
		"monit-check":         VerdictWaived,
		"user-no-login-shell": VerdictFail,
		"starts-on-boot":      VerdictNotRun,
	} {
		if cells[rule].Verdict != want {
			t.Errorf("%s: %q, want %q", rule, cells[rule].Verdict, want)
		}
	}
	if c := cells["user-not-root"]; c.Message != "runs as <root>" || len(c.Evidence) != 1 || !strings.Contains(c.Evidence[0], "also pass") {
		t.Errorf("folded cell %+v", c)
	}
	if !strings.HasPrefix(cells["starts-on-boot"].Message, "not run") {
		t.Errorf("not-run cell does not say why: %+v", cells["starts-on-boot"])
	}
	var page bytes.Buffer
	if err := WriteScorecard(&page, "html", sc); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(page.String(), "<root>") || !strings.Contains(page.String(), "runs as &lt;root&gt;") {
		t.Error("a finding's message is not escaped in the page")
	}
}

func TestBaselineFromAPlainReport(t *testing.T) {
	old := sample()
	p := filepath.Join(t.TempDir(), "old.json")
	data, _ := json.Marshal(old)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	base, err := LoadBaseline(p)
	if err != nil {
		t.Fatal(err)
	}
	now := sample()
	res := now.Services[0].Results
	res[0].Status = rules.Fail // user-not-root: newly failing
	res[3].Status = rules.Pass // user-no-login-shell: fixed
	now.Summarise()
	sc := NewScorecard(now)
	sc.CompareBaseline(base, "old.json")
	s := sc.Services[0]
	if s.NewFails != 1 || s.Fixed != 1 {
		t.Errorf("new fails %d, fixed %d; want 1 and 1", s.NewFails, s.Fixed)
	}
	var grid bytes.Buffer
	if err := WriteScorecard(&grid, "grid", sc); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"user-not-root                ✗E+", "user-no-login-shell          ✓*", "since old.json"} {
		if !strings.Contains(grid.String(), want) {
			t.Errorf("grid lacks %q:\n%s", want, grid.String())
		}
	}
	for _, bad := range []string{"", "[]", `{"tool":"x"}`} {
		if err := os.WriteFile(p, []byte(bad), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadBaseline(p); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("baseline %q: err %v, want one naming the file", bad, err)
		}
	}
}

// TestScorecardOfACluster: an audit through consul gives one column per
// node and service, and the baseline compares a node's service with itself.
func TestScorecardOfACluster(t *testing.T) {
	node := func(n string, st rules.Status) rules.ServiceReport {
		return rules.ServiceReport{Name: "wazo-x", Node: n, Results: []rules.Result{{Rule: "starts-on-boot", Service: "wazo-x",
			Severity: rules.Error, Finding: rules.Finding{Status: st, Message: string(st)}}}}
	}
	before := &rules.Report{Mode: "audit", Services: []rules.ServiceReport{node("wazo-a", rules.Pass), node("wazo-b", rules.Fail)}}
	now := &rules.Report{Mode: "audit", Services: []rules.ServiceReport{node("wazo-a", rules.Fail), node("wazo-b", rules.Pass), node("wazo-c", rules.Fail)}}
	sc := NewScorecard(now)
	sc.CompareBaseline(NewScorecard(before), "before.json")
	got := map[string][2]int{}
	for _, s := range sc.Services {
		got[s.Key()] = [2]int{s.NewFails, s.Fixed}
	}
	want := map[string][2]int{"wazo-a/wazo-x": {1, 0}, "wazo-b/wazo-x": {0, 1}, "wazo-c/wazo-x": {0, 0}}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: new fails, fixed = %v, want %v", k, got[k], w)
		}
	}
	var grid bytes.Buffer
	if err := WriteScorecard(&grid, "grid", sc); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(grid.String(), "[3] wazo-c/wazo-x: ") {
		t.Errorf("grid does not name the node:\n%s", grid.String())
	}
}
