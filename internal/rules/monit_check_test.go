package rules

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

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
	got = liveMonit(s, &LiveEnv{Ctx: context.Background(), HTTP: &http.Client{Timeout: time.Second}, Command: failing, MonitURL: "http://127.0.0.1:1"})
	if len(got) != 1 || got[0].Status != Unknown || !strings.Contains(got[0].Message, "cannot connect") || !strings.Contains(got[0].Message, "HTTP interface") {
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

// monitStatusXML is monit's /_status?format=xml as monit 5.3x writes it
// (abridged), with wazo-exampled in the given status and monitor state.
func monitStatusXML(status, monitor int) string {
	return fmt.Sprintf(`<?xml version="1.0" encoding="ISO-8859-1"?>
<monit id="4c1d2e3f" incarnation="1765000000" version="5.34.3">
<server><uptime>180</uptime><poll>120</poll><startdelay>45</startdelay><localhostname>wazo</localhostname><controlfile>/etc/monit/monitrc</controlfile><httpd><address>localhost</address><port>2812</port><ssl>0</ssl></httpd></server>
<platform><name>Linux</name><release>6.12.0</release><version>#1 SMP Debian</version><machine>x86_64</machine><cpu>2</cpu><memory>4012345</memory><swap>0</swap></platform>
<service type="3"><name>wazo-exampled</name><collected_sec>1765000180</collected_sec><collected_usec>1234</collected_usec><status>%d</status><status_hint>0</status_hint><monitor>%d</monitor><monitormode>0</monitormode><onreboot>0</onreboot><pendingaction>0</pendingaction><pid>4242</pid><ppid>1</ppid><uid>999</uid><euid>999</euid><gid>999</gid><uptime>170</uptime></service>
<service type="5"><name>wazo</name><collected_sec>1765000180</collected_sec><collected_usec>1300</collected_usec><status>0</status><status_hint>0</status_hint><monitor>1</monitor><monitormode>0</monitormode><onreboot>0</onreboot><pendingaction>0</pendingaction></service>
</monit>
`, status, monitor)
}

// TestLiveMonitAsksMonitsHTTPInterfaceWhenTheCLICannotRun: the daemon's
// own user cannot run `monit summary` (monit's control file is root's);
// monit's status document answers instead, with the same verdicts.
func TestLiveMonitAsksMonitsHTTPInterfaceWhenTheCLICannotRun(t *testing.T) {
	noCLI := func(_ context.Context, name string, args ...string) ([]byte, error) {
		switch {
		case name == "monit":
			return nil, errors.New("exit status 1: cannot read control file /etc/monit/monitrc")
		case name == "systemctl" && args[0] == "is-active":
			return []byte("active\n"), nil
		case name == "systemctl" && args[0] == "show":
			return []byte("4242\n"), nil
		}
		return nil, errors.New("unexpected command " + name)
	}
	for _, c := range []struct {
		name string
		body string
		code int
		want Status
		say  string
	}{
		{"monitored and fine", monitStatusXML(0, 1), 200, Pass, `status "OK"`},
		{"not monitored", monitStatusXML(0, 0), 200, Fail, "will not restart it"},
		{"start program failed", monitStatusXML(0x1000, 1), 200, Fail, "could not run its start or stop program"},
		{"does not exist while systemd runs it", monitStatusXML(0x200, 1), 200, Pass, "MainPID 4242, which the PID file holds"},
		{"not loaded", strings.Replace(monitStatusXML(0, 1), "<name>wazo-exampled</name>", "<name>wazo-other</name>", 1), 200, Fail, "monit reload"},
		{"not monit", "<html><body>It works</body></html>", 200, Unknown, "not monit's status document"},
		{"refused", "Unauthorized", 401, Unknown, "401"},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/_status" || r.URL.Query().Get("format") != "xml" {
					http.NotFound(w, r)
					return
				}
				w.WriteHeader(c.code)
				fmt.Fprint(w, c.body)
			}))
			defer srv.Close()
			s := monitHost(t, "/run/wazo-exampled/wazo-exampled.pid")
			got := liveMonit(s, &LiveEnv{Ctx: context.Background(), HTTP: srv.Client(), Command: noCLI, MonitURL: srv.URL})
			if len(got) != 1 || got[0].Status != c.want || !strings.Contains(got[0].Message, c.say) {
				t.Fatalf("got %+v, want one %s saying %q", got, c.want, c.say)
			}
		})
	}
}
