package main

import (
	"fmt"
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
