package daemon

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wazo-platform/wazo-servicekit/config"
)

// TestMain lets a test run Main in a child process (DAEMON_TEST_MAIN=1).
func TestMain(m *testing.M) {
	if os.Getenv("DAEMON_TEST_MAIN") == "1" {
		os.Exit(Main(slowStartSpec(os.Getenv("DAEMON_TEST_MARKER")), os.Args[1:]))
	}
	os.Exit(m.Run())
}

type testConfig struct {
	config.Common `yaml:",inline"`
}

// blockingStart is a component whose Start takes as long as its context
// lets it (as one waiting on a slow dependency would), after creating
// marker so the test knows start-up is under way.
type blockingStart struct{ marker string }

func (c blockingStart) Start(ctx context.Context) error {
	os.WriteFile(c.marker, nil, 0o644)
	<-ctx.Done()
	return ctx.Err()
}

func (blockingStart) Stop(context.Context) error { return nil }

func slowStartSpec(marker string) Spec {
	return Spec{
		Name:     "wazo-test",
		Defaults: []byte("config_file: ''\nlog_level: info\nrest_api: {listen: 127.0.0.1, port: " + os.Getenv("DAEMON_TEST_PORT") + ", drain_timeout: 5}\n"),
		Config:   &testConfig{},
		Setup: func(*Runtime) (http.Handler, []Component, error) {
			return http.NotFoundHandler(), []Component{blockingStart{marker}}, nil
		},
	}
}

// TestSIGTERMDuringStartUpStopsCleanly: SIGTERM and SIGINT were ignored
// until start-up ended (a component had its 10 s, then the daemon exited
// 1). Now a stop signal ends start-up at once and the exit is clean.
func TestSIGTERMDuringStartUpStopsCleanly(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		marker := filepath.Join(t.TempDir(), "starting")
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), "DAEMON_TEST_MAIN=1", "DAEMON_TEST_MARKER="+marker, fmt.Sprintf("DAEMON_TEST_PORT=%d", port))
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		deadline := time.Now().Add(20 * time.Second)
		for {
			if _, err := os.Stat(marker); err == nil {
				break
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				<-done
				t.Fatalf("the component never started; stderr:\n%s", stderr.String())
			}
			time.Sleep(10 * time.Millisecond) // polling interval
		}
		cmd.Process.Signal(sig)
		<-done
		if code := cmd.ProcessState.ExitCode(); code != 0 || !strings.Contains(stderr.String(), "during start-up") || strings.Contains(stderr.String(), "failed to start") {
			t.Errorf("%v during start-up: exit %d, stderr:\n%s", sig, code, stderr.String())
		}
	}
}
