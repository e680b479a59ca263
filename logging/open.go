package logging

import (
	"fmt"
	"io"
	"log/slog"
	"os"
)

// Open starts logging to path (created 0644 if missing, always appended to)
// at the level held by level, which the daemon may change at run time
// (PATCH /config debug). An empty path logs to stderr only. The returned
// closer closes the file.
func Open(path string, level slog.Leveler, name string) (*slog.Logger, io.Closer, error) {
	if path == "" {
		return slog.New(NewHandler(os.Stderr, nil, level, name)), io.NopCloser(nil), nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot open the log file %s as uid %d: %w (the package's postinst creates it owned by the service user)", path, os.Geteuid(), err)
	}
	return slog.New(NewHandler(f, os.Stderr, level, name)), f, nil
}
