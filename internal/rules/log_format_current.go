package rules

import (
	"fmt"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/lazyre"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

// logFormatCurrent: the daemon writes xivo-lib-python's current log line,
// "2026-07-31 15:29:46,123 UTC [pid N] [tid N] (LEVEL) (name): message",
// which Wazo's log tooling reads.
//
// Static: a Go daemon logs through the kit (imports its daemon or logging
// package); a Python daemon calls xivo_logging.setup_logging without a
// log_format of its own. Live: the last line of the log file that starts
// with a timestamp is in the current format.
// xivoSetupLogging is a call of xivo-lib-python's setup_logging (not a
// method of the daemon's own named alike, self._setup_logging).
var xivoSetupLogging = lazyre.New(`(?:^|[^\w.])setup_logging\(|xivo_logging\.setup_logging\(`)

func logFormatCurrent() Rule {
	return Rule{
		ID:        "log-format-current",
		Title:     "Log lines are in xivo-lib-python's current format (time zone, [pid N] [tid N])",
		Checklist: "Wazo practice, beyond the checklist: one log line format across daemons",
		Severity:  Warning,
		Tags:      []string{TagPractice},
		Rationale: "xivo-lib-python's line has the time zone after the milliseconds and the thread id after the process id; " +
			"operators and Wazo's log tooling follow one request across daemons by these lines and their trace ids.",
		Remediation: "Go: log through wazo-servicekit's daemon/logging packages. Python: call xivo.xivo_logging.setup_logging " +
			"with its default log_format, from a current xivo-lib-python.",
		static: func(s *repo.Service, env *StaticEnv) []Finding {
			var setup string
			for _, f := range sourceFiles(env.Repo) {
				p, text := f.Path, string(f.Data)
				if strings.HasSuffix(p, ".go") && kitLoggingImport.MatchString(text) {
					return []Finding{pass(p + " logs through wazo-servicekit, which writes xivo's current line")}
				}
				if strings.HasSuffix(p, ".py") && xivoSetupLogging.MatchString(text) {
					if m := customLogFormat.FindStringIndex(text); m != nil {
						return []Finding{fail(p, strings.Count(text[:m[0]], "\n")+1, "setup_logging is given a log_format of its own: the line is not xivo's current one")}
					}
					setup = p
				}
			}
			if setup != "" {
				return []Finding{pass(setup + " calls xivo_logging.setup_logging with its default format")}
			}
			if len(sourceFiles(env.Repo)) > 0 {
				return []Finding{fail("", 0, "the daemon's code neither imports the kit's daemon/logging (Go) nor calls xivo_logging.setup_logging (Python): it writes a line of its own")}
			}
			return []Finding{unknown("no logging set-up found (the kit's daemon/logging import in Go, xivo_logging.setup_logging in Python): the daemon's code is not in the checkout")}
		},
		live: liveLogFormat,
	}
}

var (
	kitLoggingImport = lazyre.New(`"github\.com/wazo-platform/wazo-servicekit/(daemon|logging)"`)
	customLogFormat  = lazyre.New(`setup_logging\([^)]*\blog_format\s*=`)
)

func liveLogFormat(s *LiveService, _ *LiveEnv) []Finding {
	p := s.logFile()
	if p == "" {
		return []Finding{unknownFact("the log file", s.model().LogFiles.Source)}
	}
	tail := s.seen().LogTail(p)
	if !tail.Known() {
		return []Finding{unknown(tail.Unknown)}
	}
	var last string
	for _, line := range tail.Value {
		if logLineStart.MatchString(line) {
			last = line
		}
	}
	switch {
	case last == "" && !s.Host.Live:
		return []Finding{notLive(s, p+" has no log line")}
	case last == "":
		return []Finding{unknown(p + " has no log line yet")}
	case xivoLogLine.MatchString(last):
		return []Finding{pass(fmt.Sprintf("the last line of %s is in xivo's current format", p))}
	}
	if len(last) > 120 {
		last = last[:120]
	}
	return []Finding{fail(p, 0, fmt.Sprintf("the last line of %s is not xivo's current format (time zone after the milliseconds, [pid N] [tid N]): %q", p, last))}
}
