package realworld

import (
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/rules"
)

// TestTableDaemonsReadsTheRows: a repository with a row for a daemon-only
// rule is a daemon; one with rows for the package rules only is not.
func TestTableDaemonsReadsTheRows(t *testing.T) {
	rows := []verdict{
		{repo: "wazo-exampled", rule: "debian-packaging"},
		{repo: "wazo-exampled", rule: "user-not-root"},
		{repo: "wazo-example-cron", rule: "debian-packaging"},
		{repo: "wazo-example-cron", rule: "deps-in-debian"},
	}
	got := tableDaemons(rows)
	if !got["wazo-exampled"] || got["wazo-example-cron"] {
		t.Errorf("tableDaemons = %v, want wazo-exampled only", got)
	}
}

// TestServiceOfPicksTheRepositorysService: the service named like the
// repository first, else the only one, else an error naming the candidates.
func TestServiceOfPicksTheRepositorysService(t *testing.T) {
	two := &rules.Report{Services: []rules.ServiceReport{{Name: "wazo-c4-aio"}, {Name: "wazo-c4-router"}}}
	if sr, err := serviceOf(two, "wazo-c4-router"); err != nil || sr.Name != "wazo-c4-router" {
		t.Errorf("serviceOf(two, wazo-c4-router) = %v, %v", sr, err)
	}
	one := &rules.Report{Services: []rules.ServiceReport{{Name: "wazo-confgend"}}}
	if sr, err := serviceOf(one, "xivo-confgend"); err != nil || sr.Name != "wazo-confgend" {
		t.Errorf("serviceOf(one, xivo-confgend) = %v, %v", sr, err)
	}
	if _, err := serviceOf(two, "wazo-c4"); err == nil || !strings.Contains(err.Error(), "wazo-c4-aio") {
		t.Errorf("serviceOf(two, wazo-c4) error = %v, want one naming the services found", err)
	}
}
