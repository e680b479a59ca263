package rules

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/host"

	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

// monitHost is a live-looking host whose wazo-exampled writes its PID file
// where the config says, with monit's check as packaged.
func monitHost(t *testing.T, checkPIDFile string) *LiveService {
	t.Helper()
	root := t.TempDir()
	const pf = "/run/wazo-exampled/wazo-exampled.pid"
	write(t, root+pf, "4242\n")
	if checkPIDFile != "" {
		write(t, root+"/etc/monit/conf.d/wazo-exampled", "check process wazo-exampled with pidfile "+checkPIDFile+`
	start program = "/usr/bin/systemctl start wazo-exampled.service"
	stop program = "/usr/bin/systemctl stop wazo-exampled.service"
`)
	}
	return &LiveService{Name: "wazo-exampled", Host: &host.Host{Root: root, Live: true},
		Config: map[string]any{"pid_file": pf}}
}

// fakeTools answers monit summary with one row for wazo-exampled in the given
// status, and systemctl as for an active unit whose MainPID is 4242.
func fakeTools(status string, boxed bool) func(ctx context.Context, name string, args ...string) ([]byte, error) {
	return func(_ context.Context, name string, args ...string) ([]byte, error) {
		switch {
		case name == "monit" && boxed:
			return []byte(fmt.Sprintf("Monit 5.34.3 uptime: 3m\n┌──────────┬──────────┬─────────┐\n│ Service Name │ Status │ Type │\n├──────────┼──────────┼─────────┤\n│ wazo-exampled   │ %-20s │ Process │\n│ host   │ OK │ System │\n└──────────┴──────────┴─────────┘\n", status)), nil
		case name == "monit":
			return []byte(fmt.Sprintf("Monit 5.33.0 uptime: 3m\n Service Name                     Status                      Type\n wazo-exampled                    %-27s Process\n host                             OK                          System\n", status)), nil
		case name == "systemctl" && args[0] == "is-active":
			return []byte("active\n"), nil
		case name == "systemctl" && args[0] == "show":
			return []byte("4242\n"), nil
		}
		return nil, errors.New("unexpected command " + name)
	}
}

func TestLiveMonitJudgesTheLoadedCheckNotMonitsSnapshot(t *testing.T) {
	const pf = "/run/wazo-exampled/wazo-exampled.pid"
	cases := []struct {
		name, checkPIDFile, status string
		want                       Status
		say                        string
	}{
		{"running", pf, "Running", Pass, `status "Running"`},
		{"ok", pf, "OK", Pass, `status "OK"`},
		{"does not exist while systemd runs it", pf, "Does not exist", Pass, "MainPID 4242, which the PID file holds"},
		{"initializing", pf, "Initializing", Pass, "MainPID 4242, which the PID file holds"},
		{"not monitored any more", pf, "Not monitored", Fail, "will not restart it"},
		{"check file missing", "", "Running", Fail, "no `check process wazo-exampled`"},
		{"another PID file", "/run/other.pid", "Running", Fail, "writes its PID to " + pf},
	}
	for _, c := range cases {
		for _, boxed := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/boxed=%v", c.name, boxed), func(t *testing.T) {
				s := monitHost(t, c.checkPIDFile)
				got := liveMonit(s, &LiveEnv{Ctx: context.Background(), Command: fakeTools(c.status, boxed)})
				if len(got) != 1 || got[0].Status != c.want || !strings.Contains(got[0].Message, c.say) {
					t.Fatalf("got %+v, want one %s saying %q", got, c.want, c.say)
				}
			})
		}
	}
}

func TestLiveMonitFailsAStartProgramThatBypassesTheUnit(t *testing.T) {
	s := monitHost(t, "/run/wazo-exampled/wazo-exampled.pid")
	write(t, s.Host.Root+"/etc/monit/conf.d/wazo-exampled", `check process wazo-exampled with pidfile /run/wazo-exampled/wazo-exampled.pid
	start program = "/usr/bin/wazo-exampled --daemon"
	stop program = "/usr/bin/systemctl stop wazo-exampled.service"
`)
	got := liveMonit(s, &LiveEnv{Ctx: context.Background(), Command: fakeTools("Running", false)})
	if len(got) != 1 || got[0].Status != Fail || !strings.Contains(got[0].Message, "does not start wazo-exampled.service") {
		t.Fatalf("got %+v", got)
	}
}

func TestLiveMonitSaysWhenMonitHasNotLoadedTheCheck(t *testing.T) {
	s := monitHost(t, "/run/wazo-exampled/wazo-exampled.pid")
	tools := func(_ context.Context, name string, _ ...string) ([]byte, error) {
		return []byte("Monit 5.33.0 uptime: 3m\n host   OK   System\n"), nil
	}
	got := liveMonit(s, &LiveEnv{Ctx: context.Background(), Command: tools})
	if len(got) != 1 || got[0].Status != Fail || !strings.Contains(got[0].Message, "monit reload") {
		t.Fatalf("got %+v", got)
	}
	failing := func(_ context.Context, name string, _ ...string) ([]byte, error) {
		return nil, errors.New("monit: cannot connect to the monit daemon")
	}
	got = liveMonit(s, &LiveEnv{Ctx: context.Background(), Command: failing})
	if len(got) != 1 || got[0].Status != Unknown || !strings.Contains(got[0].Message, "cannot connect") {
		t.Fatalf("got %+v", got)
	}
}

// A package that ships no monit check is judged by wazo-monitoring's
// checks/<service>: unknown when that checkout cannot be seen, a fail when
// it is there without the check.
func TestStaticMonitCheckNeedsWazoMonitoringToFail(t *testing.T) {
	dir := testenv.CopyTree(t, "testdata/go-service", nil)
	remove(t, dir+"/etc/monit/conf.d/wazo-exampled")
	siblings := t.TempDir()
	write(t, siblings+"/wazo-monitoring/checks/wazo-other", "check process wazo-other with pidfile /run/wazo-other.pid\n")
	for _, c := range []struct {
		siblings string
		want     Status
		says     string
	}{
		{"", Unknown, "could not be seen"},
		{siblings, Fail, "nor in wazo-monitoring"},
	} {
		rep, err := Check(dir, CheckOptions{Siblings: c.siblings, Only: []string{"monit-check"}})
		if err != nil {
			t.Fatal(err)
		}
		got := rep.Results()
		if len(got) != 1 || got[0].Status != c.want || !strings.Contains(got[0].Message, c.says) {
			t.Errorf("siblings %q: %+v, want one %s saying %q", c.siblings, got, c.want, c.says)
		}
	}
}
