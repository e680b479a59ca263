package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestSummariseShowsFailuresAndSkipReasonsOnly(t *testing.T) {
	in := strings.Join([]string{
		`{"Action":"run","Package":"p","Test":"TestOK"}`,
		`{"Action":"output","Package":"p","Test":"TestOK","Output":"=== RUN   TestOK\n"}`,
		`{"Action":"output","Package":"p","Test":"TestOK","Output":"quiet detail\n"}`,
		`{"Action":"pass","Package":"p","Test":"TestOK"}`,
		`{"Action":"output","Package":"p","Test":"TestBad","Output":"    x_test.go:9: want 2, got 3\n"}`,
		`{"Action":"fail","Package":"p","Test":"TestBad"}`,
		`{"Action":"output","Package":"p","Test":"TestTool","Output":"    x_test.go:4: needs monit: make deps installs it\n"}`,
		`{"Action":"output","Package":"p","Test":"TestTool","Output":"--- SKIP: TestTool (0.00s)\n"}`,
		`{"Action":"skip","Package":"p","Test":"TestTool"}`,
		`{"Action":"output","Package":"p","Output":"FAIL\n"}`,
		`{"Action":"output","Package":"p","Output":"FAIL\tp\t0.01s\n"}`,
		`{"Action":"fail","Package":"p"}`,
	}, "\n")
	var out bytes.Buffer
	got, err := summarise(strings.NewReader(in), &out)
	if err != nil {
		t.Fatal(err)
	}
	if got.passed != 1 || got.failed != 1 || got.skipped != 1 || got.brokenPackages != 1 {
		t.Errorf("tally %+v, want 1 passed, 1 failed, 1 skipped, 1 package failed", got)
	}
	if len(got.skips) != 1 || got.skips[0] != "p TestTool: x_test.go:4: needs monit: make deps installs it" {
		t.Errorf("skips %q", got.skips)
	}
	if s := out.String(); !strings.Contains(s, "want 2, got 3") || strings.Contains(s, "quiet detail") || !strings.Contains(s, "FAIL\tp\t0.01s") {
		t.Errorf("printed:\n%s", s)
	}
}
