package logging

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A FIFO as the log file is refused whether or not something reads it: an
// open without reader blocked start-up, one with a reader sent the log to
// whoever reads it.
func TestLogFileMustBeARegularFile(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo.log")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Open(fifo, slog.LevelInfo, "wazo-test"); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("FIFO without reader: %v", err)
	}
	reader, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	if _, _, err := Open(fifo, slog.LevelInfo, "wazo-test"); err == nil || !strings.Contains(err.Error(), "it is a FIFO, not a regular file") {
		t.Errorf("FIFO with a reader: %v", err)
	}
	if _, _, err := Open("/dev/null", slog.LevelInfo, "wazo-test"); err == nil || !strings.Contains(err.Error(), "device") {
		t.Errorf("/dev/null: %v", err)
	}
}
