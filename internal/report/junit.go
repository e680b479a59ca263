package report

import (
	"encoding/xml"
	"io"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/rules"
)

// JUnit XML: one testsuite per service, one testcase per result. A
// failure is <failure>, unknown is <skipped> (it was not checked), a
// waived failure is <skipped> with who waived it and why.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// junitSuiteOf is a service's suite.
func junitSuiteOf(s rules.ServiceReport, opts Options) junitSuite {
	suite := junitSuite{Name: s.Name}
	for _, r := range s.Results {
		c := junitCase{Name: r.Rule, Classname: s.Name, File: r.Path, Line: r.Line}
		switch {
		case r.Status == rules.Fail && r.Suppressed == "":
			msg := r.Message
			if opts.change(r, s.Node) == ChangeNewFail {
				msg = "NEW since " + opts.Baseline + ": " + msg
			}
			c.Failure = &junitFailure{Message: msg, Type: string(r.Severity), Text: strings.Join(r.Evidence, "\n")}
			suite.Failures++
		case r.Status == rules.Fail:
			c.Skipped = &junitSkipped{Message: "waived: " + r.Suppressed}
			if r.WaivedBy != "" {
				c.Skipped.Message = "waived by the " + r.WaivedBy + ": " + r.Suppressed
			}
			suite.Skipped++
		case r.Status == rules.Unknown:
			c.Skipped = &junitSkipped{Message: "unknown: " + r.Message}
			suite.Skipped++
		default:
			c.SystemOut = r.Message
			if opts.change(r, s.Node) == ChangeFixed {
				c.SystemOut = "FIXED since " + opts.Baseline + ": " + r.Message
			}
		}
		suite.Cases = append(suite.Cases, c)
	}
	suite.Tests = len(suite.Cases)
	return suite
}

func (out *junitSuites) count(suite junitSuite) {
	out.Tests += suite.Tests
	out.Failures += suite.Failures
	out.Skipped += suite.Skipped
}

func writeJUnit(w io.Writer, rep *rules.Report, opts Options) error {
	out := junitSuites{Name: "wazo-servicekit " + rep.Mode}
	for _, s := range rep.Services {
		suite := junitSuiteOf(s, opts)
		out.count(suite)
		out.Suites = append(out.Suites, suite)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
