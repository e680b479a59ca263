package logging

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func openTestLog(t *testing.T) (string, *slog.Logger, *File) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "wazo-test.log")
	l, closer, err := Open(path, slog.LevelInfo, "x")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closer.Close() })
	return path, l, closer.(*File)
}

func fileText(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// A buffered line reaches the file by itself, with no Flush nor Close:
// what `tail -f` shows lags the daemon by flushDelay at most.
func TestBufferedLineReachesTheFileUnasked(t *testing.T) {
	path, l, _ := openTestLog(t)
	l.Info("response: GET /1.0/status")
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(fileText(t, path), "response: GET /1.0/status"); time.Sleep(5 * time.Millisecond) { // polling interval
		if time.Now().After(deadline) {
			t.Fatal("a logged line is still not in the file after 10 s")
		}
	}
}

// A warning is in the file when the call returns, after the lines logged
// before it.
func TestWarningIsWrittenAtOnceInOrder(t *testing.T) {
	path, l, _ := openTestLog(t)
	l.Info("first")
	l.Warn("second")
	text := fileText(t, path)
	if i, j := strings.Index(text, "first"), strings.Index(text, "second"); i < 0 || j < i {
		t.Errorf("after a warning the file holds %q: want the info line, then the warning", text)
	}
}

// Close loses no line and keeps each writer's lines in order, whatever
// the buffer held; lines beyond the buffer's size are written as they
// come.
func TestCloseWritesEveryLineInOrder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wazo-test.log")
	l, closer, err := Open(path, slog.LevelInfo, "x")
	if err != nil {
		t.Fatal(err)
	}
	const writers, lines = 4, 3000 // about 4 × 3000 × 80 bytes: several buffers
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < lines; i++ {
				l.Info(fmt.Sprintf("writer %d line %d", w, i))
			}
		}()
	}
	wg.Wait()
	if err := closer.Close(); err != nil {
		t.Fatal(err)
	}
	next := make([]int, writers)
	for _, line := range strings.Split(strings.TrimSuffix(fileText(t, path), "\n"), "\n") {
		var w, i int
		_, text, _ := strings.Cut(line, "): ")
		if _, err := fmt.Sscanf(text, "writer %d line %d", &w, &i); err != nil || w < 0 || w >= writers {
			t.Fatalf("unexpected line %q", line)
		}
		if i != next[w] {
			t.Fatalf("writer %d: line %d where %d was due", w, i, next[w])
		}
		next[w]++
	}
	for w, n := range next {
		if n != lines {
			t.Errorf("writer %d: %d lines in the file, want %d", w, n, lines)
		}
	}
}

// Reopen writes what was logged before it to the old file (logrotate
// moved it away) and what follows to the new one.
func TestReopenWritesTheBufferToTheOldFile(t *testing.T) {
	path, l, file := openTestLog(t)
	l.Info("before the rotation")
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	if err := file.Reopen(); err != nil {
		t.Fatal(err)
	}
	l.Info("after the rotation")
	file.Flush()
	old, cur := fileText(t, path+".1"), fileText(t, path)
	if !strings.Contains(old, "before the rotation") || strings.Contains(old, "after") {
		t.Errorf("rotated file: %q", old)
	}
	if !strings.Contains(cur, "after the rotation") || strings.Contains(cur, "before") {
		t.Errorf("new file: %q", cur)
	}
}
