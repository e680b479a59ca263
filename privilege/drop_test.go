package privilege

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadTaskIDs(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name, content string
		wantErr       bool
		uids, groups  string
	}{
		{"normal", "Name:\tx\nUid:\t999\t999\t999\t999\nGid:\t998\t998\t998\t998\nGroups:\t1001 998 \n", false, "[999 999 999 999]", "[998 1001]"},
		{"no groups", "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\t\n", false, "[0 0 0 0]", "[]"},
		{"truncated", "Uid:\t0\t0\n", true, "", ""},
		{"garbage", "Uid:\tx y z w\nGid:\t0 0 0 0\n", true, "", ""},
	} {
		path := filepath.Join(dir, c.name)
		os.WriteFile(path, []byte(c.content), 0o644)
		ids, err := ReadTaskIDs(path)
		if (err != nil) != c.wantErr {
			t.Errorf("%s: err %v", c.name, err)
			continue
		}
		if err == nil && (fmtInts(ids.UIDs) != c.uids || fmtInts(ids.Groups) != c.groups) {
			t.Errorf("%s: uids %v groups %v", c.name, ids.UIDs, ids.Groups)
		}
	}
}

func TestVerifyThreadsOnThisProcess(t *testing.T) {
	self := Identity{UID: os.Getuid(), GID: os.Getgid()}
	if err := VerifyThreads(self); err != nil {
		t.Errorf("this process's own ids: %v", err)
	}
	other := Identity{UID: os.Getuid() + 1, GID: os.Getgid()}
	if err := VerifyThreads(other); err == nil || !strings.Contains(err.Error(), "refusing to run") {
		t.Errorf("a uid no thread has must be refused, got %v", err)
	}
}

func TestDropRefusesUnknownUser(t *testing.T) {
	if _, err := Drop("no-such-user-wsk"); err == nil || !strings.Contains(err.Error(), "no-such-user-wsk") {
		t.Errorf("got %v", err)
	}
}

func fmtInts(v []int) string { return fmt.Sprint(v) }
