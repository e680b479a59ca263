package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestFIFOLogFileStopsStartUpWithAMessage: a FIFO as log_file blocked
// start-up in open() with SIGTERM and SIGINT ignored; now the daemon says
// it is not a regular file and exits.
func TestFIFOLogFileStopsStartUpWithAMessage(t *testing.T) {
	dir := worldReadableTempDir(t)
	fifo := filepath.Join(dir, "fifo.log")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	p := launch(t, devConfig(t, fmt.Sprintf("log_file: %s\n", fifo)), []string{"--dev"})
	if code := p.waitExit(t, 10*time.Second); code != 1 || !strings.Contains(p.stderr.String(), "it is a FIFO") || !strings.Contains(p.stderr.String(), "not a regular file") {
		t.Errorf("exit %d, stderr:\n%s", code, p.stderr)
	}
}

// TestLogFileIsNotWorldReadable: the daemon created a missing log file
// 0644, readable by every user (the package's postinst creates it 0640).
func TestLogFileIsNotWorldReadable(t *testing.T) {
	logFile := filepath.Join(worldReadableTempDir(t), "d.log")
	p := start(t, devConfig(t, fmt.Sprintf("log_file: %s\n", logFile)), []string{"--dev"})
	info, err := os.Stat(logFile)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm()&0o007 != 0 {
		t.Errorf("log file created with mode %04o: readable by every user", info.Mode().Perm())
	}
	p.stop(t)
}

// TestSIGTERMWritesEveryAccessLine: the log file is written in batches;
// the stop writes what is left, so every request answered before SIGTERM
// has its response line, in the order the requests were answered, and the
// log ends with the stop's own line.
func TestSIGTERMWritesEveryAccessLine(t *testing.T) {
	logFile := filepath.Join(worldReadableTempDir(t), "d.log")
	p := start(t, devConfig(t, fmt.Sprintf("log_file: %s\n", logFile)), []string{"--dev"})
	const requests = 300
	client := &http.Client{Timeout: 10 * time.Second}
	for i := 0; i < requests; i++ {
		resp, err := client.Get(p.url(fmt.Sprintf("/1.0/api/api.yml?n=%d", i)))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if code := p.stop(t); code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, p.stderr)
	}
	data, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	next := 0
	for _, line := range strings.Split(string(data), "\n") {
		if strings.Contains(line, "response: GET /1.0/api/api.yml?n=") {
			if want := fmt.Sprintf("?n=%d ", next); !strings.Contains(line, want) {
				t.Fatalf("response line %q where the one of request %d was due", line, next)
			}
			next++
		}
	}
	if next != requests {
		t.Errorf("%d response lines for %d requests answered before SIGTERM", next, requests)
	}
	// The last line, at INFO after the stop's warning, only the stop writes.
	if !strings.HasSuffix(string(data), "wazo-doctord stopped\n") {
		t.Errorf("the log does not end with the stop line:\n%s", data[max(0, len(data)-300):])
	}
}
