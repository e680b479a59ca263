package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/rules"
)

// rules --explain names where the kit, the packaging and the generator
// satisfy the rule, in text and in JSON.
func TestRulesExplainNamesWhereTheRuleIsSatisfied(t *testing.T) {
	code, out, errs := runCLI(t, "rules", "--explain", "monit-check")
	if code != exitClean {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"kit code:       pidfile.Create", "packaging:      etc/monit/conf.d/wazo-doctord", "generated from: internal/scaffold/testdata/doctord/etc/monit/conf.d/wazo-doctord"} {
		if !strings.Contains(out, want) {
			t.Errorf("--explain lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = runCLI(t, "rules", "--explain", "monit-check", "--format", "json")
	var got struct {
		ID    string
		Where rules.Where
	}
	if err := json.Unmarshal([]byte(out), &got); code != exitClean || err != nil || got.ID != "monit-check" || len(got.Where.Packaging) == 0 {
		t.Fatalf("exit %d, %v: %s", code, err, out)
	}
}
