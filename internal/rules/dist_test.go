package rules

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

// A service whose pins follow bookworm for some dependencies and trixie for
// others: each --dist fails exactly the pins of the other distribution, and
// the report names the distribution it judged against.
func TestCheckJudgesPinsAgainstTheChosenDistribution(t *testing.T) {
	goSvc := testenv.CopyTree(t, "testdata/go-service", nil)
	write(t, filepath.Join(goSvc, "go.mod"), `module example.com/wazo-exampled

go 1.23

require (
	github.com/rabbitmq/amqp091-go v1.5.0
	github.com/spf13/cobra v1.8.1
	gopkg.in/yaml.v3 v3.0.1
)
`)
	pySvc := testenv.CopyTree(t, "testdata/python-service", nil)
	write(t, filepath.Join(pySvc, "requirements.txt"), "flask==2.2.2\npyyaml==6.0.2\nrequests==2.32.3\n")

	for _, c := range []struct {
		dir, dist, report string
		failing           []string // dependency names deps-pinned-to-debian fails
	}{
		{goSvc, "bookworm", "Debian 12 bookworm", []string{"github.com/spf13/cobra"}},
		{goSvc, "trixie", "Debian 13 trixie", []string{"github.com/rabbitmq/amqp091-go"}},
		{goSvc, "", "Debian 13 trixie", []string{"github.com/rabbitmq/amqp091-go"}},
		{pySvc, "12", "Debian 12 bookworm", []string{"pyyaml", "requests"}},
		{pySvc, "trixie", "Debian 13 trixie", []string{"flask"}},
	} {
		rep, err := Check(c.dir, CheckOptions{Dist: c.dist, Only: []string{"deps-pinned-to-debian", "deps-in-debian"}})
		if err != nil {
			t.Fatalf("--dist %q: %v", c.dist, err)
		}
		if !strings.HasPrefix(rep.Debian, c.report+" (index of release ") {
			t.Errorf("--dist %q: report says %q, want %s", c.dist, rep.Debian, c.report)
		}
		var failing []string
		for _, r := range rep.Results() {
			if r.Status != Fail {
				continue
			}
			if r.Rule != "deps-pinned-to-debian" {
				t.Errorf("--dist %q: %s fails: %s", c.dist, r.Rule, r.Message)
				continue
			}
			if !strings.Contains(r.Message, c.report+" has") {
				t.Errorf("--dist %q: message %q does not name %s", c.dist, r.Message, c.report)
			}
			failing = append(failing, strings.Fields(r.Message)[0])
		}
		sort.Strings(failing)
		if strings.Join(failing, " ") != strings.Join(c.failing, " ") {
			t.Errorf("--dist %q on %s: fails %v, want exactly %v", c.dist, filepath.Base(c.dir), failing, c.failing)
		}
	}
	if _, err := Check(goSvc, CheckOptions{Dist: "sid"}); err == nil || !strings.Contains(err.Error(), `unknown Debian distribution "sid"`) {
		t.Errorf("--dist sid: err = %v, want an unknown distribution error", err)
	}
}
