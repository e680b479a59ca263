package logging

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestLineIsXivoAsctimePidTidLevelnameNameMessage pins the line to
// xivo-lib-python's current default format, whose fields are, in order:
// asctime ("2006-01-02 15:04:05" date, a comma, milliseconds on three digits,
// a space and the local time zone's abbreviation), "[pid " process "]",
// "[tid " thread "]", "(" levelname ")", "(" name "): " message.
func TestLineIsXivoAsctimePidTidLevelnameNameMessage(t *testing.T) {
	zone := time.FixedZone("CEST", 2*3600)
	at := time.Date(2026, 7, 31, 15, 29, 46, 7_900_000, zone)
	line := formatOne(t, at, slog.LevelWarn, "wazo-test.http", "GET /1.0/status")

	pid := strconv.Itoa(os.Getpid())
	want := regexp.MustCompile(`^2026-07-31 15:29:46,007 CEST \[pid ` + pid + `\] \[tid [1-9]\d*\] \(WARNING\) \(wazo-test\.http\): GET /1\.0/status\n$`)
	if !want.MatchString(line) {
		t.Errorf("got %q, want xivo's asctime [pid] [tid] (levelname) (name): message", line)
	}
}

// TestLineMatchesUpstreamFormat renders xivo-lib-python's own format
// definition, read from a checkout, with this line's values and compares:
// when upstream changes a field or a separator, this fails.
func TestLineMatchesUpstreamFormat(t *testing.T) {
	repos := os.Getenv("WAZO_REPOS")
	if repos == "" {
		t.Skip("WAZO_REPOS=DIR")
	}
	src, err := os.ReadFile(filepath.Join(repos, "xivo-lib-python", "xivo", "xivo_logging.py"))
	if err != nil {
		t.Fatal(err)
	}
	format := upstreamFormat(t, string(src))

	at := time.Date(2026, 7, 31, 15, 29, 46, 123_000_000, time.UTC)
	line := formatOne(t, at, slog.LevelInfo, "wazo-test", "hello")
	tid := regexp.MustCompile(`\[tid (\d+)\]`).FindStringSubmatch(line)
	if tid == nil {
		t.Fatalf("no thread id in %q", line)
	}
	values := map[string]string{
		"asctime":   "2026-07-31 15:29:46,123 UTC",
		"process":   strconv.Itoa(os.Getpid()),
		"thread":    tid[1],
		"levelname": "INFO",
		"name":      "wazo-test",
		"message":   "hello",
	}
	field := regexp.MustCompile(`%\((\w+)\)[sd]`)
	var missing []string
	rendered := field.ReplaceAllStringFunc(format, func(m string) string {
		name := field.FindStringSubmatch(m)[1]
		v, ok := values[name]
		if !ok {
			missing = append(missing, name)
		}
		return v
	})
	if len(missing) > 0 {
		t.Fatalf("upstream format %q has fields the kit does not write: %v", format, missing)
	}
	if line != rendered+"\n" {
		t.Errorf("kit line %q differs from upstream's format rendered: %q", line, rendered)
	}
}

func formatOne(t *testing.T, at time.Time, level slog.Level, name, msg string) string {
	t.Helper()
	var out bytes.Buffer
	h := NewHandler(&out, nil, slog.LevelDebug, name)
	if err := h.Handle(context.Background(), slog.NewRecord(at, level, msg, 0)); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// upstreamFormat joins the string literals of DEFAULT_LOG_FORMAT = (...).
func upstreamFormat(t *testing.T, src string) string {
	t.Helper()
	start := strings.Index(src, "DEFAULT_LOG_FORMAT = (")
	if start < 0 {
		t.Fatal("xivo_logging.py: no DEFAULT_LOG_FORMAT = ( ... )")
	}
	body := src[start:]
	body = body[:strings.Index(body, ")\n")+1]
	var b strings.Builder
	for _, lit := range regexp.MustCompile(`'([^']*)'`).FindAllStringSubmatch(body, -1) {
		b.WriteString(lit[1])
	}
	if b.Len() == 0 {
		t.Fatal("xivo_logging.py: DEFAULT_LOG_FORMAT has no string literal")
	}
	return b.String()
}
