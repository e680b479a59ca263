package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/rules"
)

func TestRulesWritesTheCatalogue(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"--rules"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var all []struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(out.Bytes(), &all); err != nil {
		t.Fatal(err)
	}
	if len(all) != len(rules.All()) || all[0].ID != rules.All()[0].ID {
		t.Errorf("%d rules, first %+v; want %d, first %s", len(all), all[0], len(rules.All()), rules.All()[0].ID)
	}
}

func TestBadCommandLinesExit2AndUnauditableRootsExit1(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"extra"}, 2, `unexpected argument "extra"`},
		{[]string{"--nope"}, 2, "flag provided but not defined"},
		{[]string{"--root", t.TempDir()}, 1, "cannot audit"},
	} {
		var out, errOut bytes.Buffer
		code := run(c.args, &out, &errOut)
		if code != c.code || !strings.Contains(errOut.String(), c.says) || out.Len() != 0 {
			t.Errorf("%v: exit %d, stderr %q, stdout %d bytes; want exit %d saying %q and nothing on stdout", c.args, code, errOut.String(), out.Len(), c.code, c.says)
		}
	}
}
