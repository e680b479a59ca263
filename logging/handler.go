// Package logging writes Wazo's log lines through log/slog:
//
//	2026-11-28 16:44:38,123 UTC [pid 1234] [tid 1240] (INFO) (wazo_doctord.http): message key=value
//
// which is xivo-lib-python's current line: local time with milliseconds and
// the time zone's abbreviation, process id, thread id (here the kernel id of
// the OS thread that wrote the line), level, logger name, message.
//
// The file is opened with O_APPEND, so logrotate's copytruncate (what every
// Wazo logrotate file uses) is safe without reopening.
package logging

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/wazo-platform/wazo-servicekit/config"
)

// LoggerKey is the attribute that names the logger, printed in the second
// parentheses as Python's logging does.
const LoggerKey = "logger"

// Named returns a logger whose lines say which part of the daemon wrote them.
func Named(l *slog.Logger, name string) *slog.Logger {
	return l.With(slog.String(LoggerKey, name))
}

// Handler formats records as Wazo log lines. One Write call per line, under
// a mutex, so lines from concurrent requests never interleave.
type Handler struct {
	out    *output
	level  slog.Leveler
	name   string
	prefix string // preformatted attributes from With
	group  string
}

type output struct {
	mu     sync.Mutex
	w      io.Writer
	stderr io.Writer // also gets records at stderrLevel and above (nil: none)
	pid    string
	buf    []byte
	now    func() time.Time
	// second and secondText cache the line's date, time and zone up to the
	// second ("2006-01-02 15:04:05" and "MST"), formatted once a second.
	second     int64
	secondText []byte
	zoneText   []byte
}

// stderrLevel is where records are copied to stderr as well, so that
// `systemctl status` and the journal show what went wrong.
const stderrLevel = slog.LevelWarn

// NewHandler writes to w at level and above; when stderr is not nil, records
// at WARNING and above are copied there too.
func NewHandler(w, stderr io.Writer, level slog.Leveler, name string) *Handler {
	return &Handler{
		out:   &output{w: w, stderr: stderr, pid: strconv.Itoa(os.Getpid()), now: time.Now},
		level: level,
		name:  name,
	}
}

// Enabled reports whether level is logged.
func (h *Handler) Enabled(_ context.Context, level slog.Level) bool {
	return level >= h.level.Level()
}

// Handle writes one line.
func (h *Handler) Handle(_ context.Context, r slog.Record) error {
	o := h.out
	tid := threadID()
	o.mu.Lock()
	defer o.mu.Unlock()
	t := r.Time
	if t.IsZero() {
		t = o.now()
	}
	b := o.appendLinePrefix(o.buf[:0], t, tid)
	b = append(b, LevelName(r.Level)...)
	b = append(b, ") ("...)
	name := h.name
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == LoggerKey && h.group == "" {
			name = a.Value.String()
		}
		return true
	})
	b = appendEscaped(b, name)
	b = append(b, "): "...)
	b = appendEscaped(b, r.Message)
	b = append(b, h.prefix...)
	r.Attrs(func(a slog.Attr) bool {
		if a.Key != LoggerKey || h.group != "" {
			b = appendAttr(b, h.group, a)
		}
		return true
	})
	b = truncateLine(b)
	b = append(b, '\n')
	o.buf = b
	_, err := o.w.Write(b)
	if r.Level >= stderrLevel {
		// A warning or an error is in the file at once, with what was
		// logged before it (a buffered File holds lines back briefly).
		if f, ok := o.w.(interface{ Flush() error }); ok && err == nil {
			err = f.Flush()
		}
		if o.stderr != nil && o.stderr != o.w {
			o.stderr.Write(b)
		}
	}
	return err
}

// appendLinePrefix writes what comes before the level:
// "2006-01-02 15:04:05,000 MST [pid N] [tid N] (". The date and the zone are
// formatted once per second of t (and again when the zone changes).
func (o *output) appendLinePrefix(b []byte, t time.Time, tid int) []byte {
	if sec := t.Unix(); sec != o.second || o.secondText == nil {
		o.second = sec
		o.secondText = t.AppendFormat(o.secondText[:0], "2006-01-02 15:04:05")
		o.zoneText = t.AppendFormat(o.zoneText[:0], "MST")
	}
	b = append(b, o.secondText...)
	b = append(b, ',')
	ms := t.Nanosecond() / 1e6
	b = append(b, byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10), ' ')
	b = append(b, o.zoneText...)
	b = append(b, " [pid "...)
	b = append(b, o.pid...)
	b = append(b, "] [tid "...)
	b = strconv.AppendInt(b, int64(tid), 10)
	return append(b, "] ("...)
}

// threadID is the kernel id of the calling OS thread, what the [tid N]
// field shows for the goroutine that logs.
func threadID() int { return syscall.Gettid() }

// WithAttrs returns a handler that adds attrs to every line; the logger
// attribute changes the logger name instead.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	var b []byte
	for _, a := range attrs {
		if a.Key == LoggerKey && h.group == "" {
			c.name = a.Value.String()
			continue
		}
		b = appendAttr(b, h.group, a)
	}
	c.prefix = h.prefix + string(b)
	return &c
}

// WithGroup prefixes later attribute keys with name.
func (h *Handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	c := *h
	if c.group != "" {
		c.group += "."
	}
	c.group += name
	return &c
}

func appendAttr(b []byte, group string, a slog.Attr) []byte {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return b
	}
	key := a.Key
	if group != "" {
		key = group + "." + key
	}
	if a.Value.Kind() == slog.KindGroup {
		for _, sub := range a.Value.Group() {
			b = appendAttr(b, key, sub)
		}
		return b
	}
	b = append(b, ' ')
	b = appendEscaped(b, key)
	b = append(b, '=')
	switch a.Value.Kind() {
	case slog.KindDuration:
		return appendDuration(b, a.Value.Duration())
	case slog.KindInt64:
		return strconv.AppendInt(b, a.Value.Int64(), 10)
	case slog.KindUint64:
		return strconv.AppendUint(b, a.Value.Uint64(), 10)
	case slog.KindBool:
		return strconv.AppendBool(b, a.Value.Bool())
	case slog.KindString:
		return appendString(b, a.Value.String())
	}
	return appendString(b, a.Value.String())
}

// appendDuration writes d as time.Duration's String does below a second
// (92.029µs, 1.5ms) and in seconds above (2.25s), in integers: no float
// formatting, no allocation.
func appendDuration(b []byte, d time.Duration) []byte {
	if d == 0 {
		return append(b, "0s"...)
	}
	u := uint64(d)
	if d < 0 {
		b = append(b, '-')
		u = -u
	}
	switch {
	case u < 1e3:
		b = strconv.AppendUint(b, u, 10)
		return append(b, "ns"...)
	case u < 1e6:
		return append(appendFraction(b, u, 1e3, 3), "µs"...)
	case u < 1e9:
		return append(appendFraction(b, u, 1e6, 6), "ms"...)
	}
	return append(appendFraction(b, u, 1e9, 9), 's')
}

// appendFraction writes u/unit as a decimal number, its fraction (of
// digits digits) without trailing zeros.
func appendFraction(b []byte, u, unit uint64, digits int) []byte {
	b = strconv.AppendUint(b, u/unit, 10)
	frac := u % unit
	if frac == 0 {
		return b
	}
	var buf [9]byte
	for i := digits - 1; i >= 0; i-- {
		buf[i] = byte('0' + frac%10)
		frac /= 10
	}
	n := digits
	for buf[n-1] == '0' {
		n--
	}
	b = append(b, '.')
	return append(b, buf[:n]...)
}

// appendString quotes values that would be ambiguous on a log line, or
// carry a control character (quoted with Go escapes).
func appendString(b []byte, s string) []byte {
	if s == "" || strings.ContainsAny(s, " \t\n\"=") || needsEscape(s) {
		return strconv.AppendQuote(b, s)
	}
	return append(b, s...)
}

// LevelName is Python's name for a level.
func LevelName(l slog.Level) string {
	switch {
	case l >= config.LevelCritical:
		return "CRITICAL"
	case l >= slog.LevelError:
		return "ERROR"
	case l >= slog.LevelWarn:
		return "WARNING"
	case l >= slog.LevelInfo:
		return "INFO"
	default:
		return "DEBUG"
	}
}
