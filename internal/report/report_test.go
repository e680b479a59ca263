package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/rules"
)

func sample() *rules.Report {
	res := func(rule string, st rules.Status, sev rules.Severity, msg, sup string) rules.Result {
		return rules.Result{Rule: rule, Service: "wazo-x", Severity: sev, Suppressed: sup,
			Finding: rules.Finding{Status: st, Message: msg, Path: "debian/wazo-x.postinst", Line: 3}}
	}
	rep := &rules.Report{Tool: "wazo-servicekit", Mode: "check", Services: []rules.ServiceReport{{Name: "wazo-x", Results: []rules.Result{
		res("user-not-root", rules.Pass, rules.Error, "ok", ""),
		res("documented", rules.Unknown, rules.Info, "no siblings", ""),
		res("monit-check", rules.Fail, rules.Warning, "no monit <check> & co", "systemd supervises it"),
		res("user-no-login-shell", rules.Fail, rules.Error, "shell /bin/bash", ""),
	}}}}
	rep.Summarise()
	return rep
}

func TestText(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, "text", sample(), false); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if !strings.Contains(lines[0], "wazo-x (-): fail — 1 pass, 1 fail, 1 unknown, 1 waived") {
		t.Errorf("summary line %q", lines[0])
	}
	if !strings.Contains(lines[1], "error") || !strings.Contains(lines[1], "debian/wazo-x.postinst:3: shell /bin/bash") {
		t.Errorf("the unsuppressed error must come first: %q", lines[1])
	}
	if strings.Contains(out, "user-not-root") {
		t.Error("passes shown without --verbose")
	}
	if !strings.Contains(out, "reason: systemd supervises it") {
		t.Error("the waiver's reason is missing")
	}
}

func TestJUnitCounts(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, "junit", sample(), false); err != nil {
		t.Fatal(err)
	}
	var s struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Skipped  int `xml:"skipped,attr"`
	}
	if err := xml.Unmarshal(b.Bytes(), &s); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if s.Tests != 4 || s.Failures != 1 || s.Skipped != 2 {
		t.Errorf("%+v", s)
	}
}

func TestSARIFResults(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, "sarif", sample(), false); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct{ Rules []struct{ ID string } }
			}
			Results []struct {
				RuleID, Level string
				RuleIndex     int
				Suppressions  []struct{ Justification string }
			}
		}
	}
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if len(run.Results) != 3 {
		t.Fatalf("%d results, want 3 (passes are not SARIF results)", len(run.Results))
	}
	for _, r := range run.Results {
		if run.Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("ruleIndex %d does not point at %s", r.RuleIndex, r.RuleID)
		}
		if r.RuleID == "monit-check" && (len(r.Suppressions) != 1 || r.Suppressions[0].Justification != "systemd supervises it") {
			t.Errorf("suppression not carried: %+v", r)
		}
	}
}

func TestUnknownFormat(t *testing.T) {
	if err := Write(&bytes.Buffer{}, "xml", sample(), false); err == nil || !strings.Contains(err.Error(), "text, json, sarif, junit") {
		t.Errorf("err %v", err)
	}
}
