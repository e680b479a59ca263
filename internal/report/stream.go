package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/rules"
)

// Stream writes a report service by service, as a cluster audit hands its
// nodes over, in the bytes Write gives for the whole report: json, text
// and sarif as the services come; the grid at Close from each column's
// counts and marks; html, the scorecard's JSON and junit at Close too,
// from counts and what each service rendered to a private temporary file
// (see spool) as it came. Nothing else of a service is kept, so a
// stream's memory does not grow with the services' verdicts.
type Stream struct {
	w       io.Writer
	format  string
	opts    Options
	written int     // services (json) or results (sarif) written
	grid    *grid   // grid: the columns so far
	matrix  *matrix // html, scorecard
	sarif   map[string]int
	junit   *junitStream
	head    rules.Report // json: the report's fields
	// Of a baseline (Options.Base): its columns' verdicts by key and
	// rule, and the rows a cell can have, as NewScorecard makes them.
	before    map[string]map[string]string
	rows      map[string]bool
	diagnosed int
}

// CanStream reports whether NewStream writes format.
func CanStream(format string) bool {
	switch format {
	case "json", "text", "grid", "html", "scorecard", "sarif", "junit":
		return true
	}
	return false
}

// NewStream starts writing, in format (see CanStream), the report whose
// header (no services) is head; meta heads the scorecard. With a baseline
// (opts.Baseline names it, opts.Base is its scorecard), each service is
// compared with the baseline's column as it comes; opts.Changes is then
// the stream's own, the changes found so far.
func NewStream(w io.Writer, format string, head *rules.Report, meta *Meta, opts Options) (*Stream, error) {
	if !CanStream(format) {
		return nil, fmt.Errorf("format %q cannot be written service by service (%s can)", format, strings.Join(Formats, ", "))
	}
	if (opts.Baseline != "") != (opts.Base != nil) {
		return nil, fmt.Errorf("a baseline needs its name and its scorecard")
	}
	s := &Stream{w: w, format: format, opts: opts, head: *head}
	s.head.Services = nil
	s.opts.Changes = nil
	if opts.Base != nil {
		s.opts.Changes = map[string]string{}
		s.before = map[string]map[string]string{}
		for _, c := range opts.Base.Services {
			m := map[string]string{}
			for _, cell := range c.Cells {
				m[cell.Rule] = cell.Verdict
			}
			s.before[c.Key()] = m
		}
		s.rows = map[string]bool{}
		for _, r := range rules.All() {
			s.rows[r.ID] = true
		}
	}
	var err error
	switch format {
	case "json":
		err = s.jsonHead(head)
	case "text":
		if head.Debian != "" {
			_, err = fmt.Fprintf(w, "dependencies judged against %s\n", esc(head.Debian))
		}
	case "grid":
		s.grid = newServiceGrid(meta)
		s.grid.baseline = opts.Baseline
	case "html", "scorecard":
		s.matrix, err = newMatrix(format, head, meta, opts)
	case "sarif":
		err = s.sarifHead()
	case "junit":
		s.junit, err = newJUnitStream(head.Mode)
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

// jsonHead writes the report's fields before its services, as the
// indented encoding of the whole report has them.
func (s *Stream) jsonHead(head *rules.Report) error {
	h := *head
	h.Services = []rules.ServiceReport{}
	b, err := json.MarshalIndent(h, "", "  ")
	if err != nil {
		return err
	}
	if b, err = withoutTail(b, "[]\n}", "the report's JSON"); err != nil {
		return err
	}
	_, err = s.w.Write(b)
	return err
}

// withoutTail is b without its tail, which the encoding of what ends with
// an empty list (its elements' place) must end with.
func withoutTail(b []byte, tail, what string) ([]byte, error) {
	head, ok := bytes.CutSuffix(b, []byte(tail))
	if !ok {
		return nil, fmt.Errorf("%s does not end with its list: %.40q", what, b[max(0, len(b)-40):])
	}
	return head, nil
}

// element adds v's JSON, indented as an element of a list at indent, to
// the list written so far (s.written elements).
func (s *Stream) element(b *bytes.Buffer, v any, indent string) error {
	one, err := json.MarshalIndent(v, indent, "  ")
	if err != nil {
		return err
	}
	if s.written == 0 {
		b.WriteString("[\n" + indent)
	} else {
		b.WriteString(",\n" + indent)
	}
	b.Write(one)
	s.written++
	return nil
}

// compare finds, as CompareBaseline does, the cells of each service that
// fail now and did not in the baseline, or pass now and failed there:
// by rule, per service.
func (s *Stream) compare(services []rules.ServiceReport) []map[string]string {
	if s.before == nil {
		return nil
	}
	out := make([]map[string]string, len(services))
	for i, sr := range services {
		worst := map[string]string{}
		for _, r := range sr.Results {
			if !s.rows[r.Rule] {
				if s.diagnosed == MaxDiagnosticRows {
					continue
				}
				s.diagnosed++
				s.rows[r.Rule] = true
			}
			if w, seen := worst[r.Rule]; !seen || verdictRank(verdictOf(r)) > verdictRank(w) {
				worst[r.Rule] = verdictOf(r)
			}
		}
		key := ScoreService{Name: sr.Name, Node: sr.Node}.Key()
		prev, ok := s.before[key]
		if !ok || sr.NotADaemon != "" {
			continue
		}
		for rule, v := range worst {
			change := ""
			switch was := prev[rule]; {
			case v == VerdictFail && was != VerdictFail:
				change = ChangeNewFail
			case v == VerdictPass && was == VerdictFail:
				change = ChangeFixed
			default:
				continue
			}
			if out[i] == nil {
				out[i] = map[string]string{}
			}
			out[i][rule] = change
			s.opts.Changes[ChangeKey(key, rule)] = change
		}
	}
	return out
}

// Services writes (or, for the grid, counts) some services of the report.
func (s *Stream) Services(services []rules.ServiceReport) error {
	changes := s.compare(services)
	switch s.format {
	case "json":
		var b bytes.Buffer
		for _, sr := range services {
			if err := s.element(&b, sr, "    "); err != nil {
				return err
			}
		}
		_, err := s.w.Write(b.Bytes())
		return err
	case "text":
		var b strings.Builder
		writeTextServices(&b, services, s.opts)
		_, err := io.WriteString(s.w, b.String())
		return err
	case "sarif":
		return s.sarifResults(services)
	case "html", "scorecard":
		for i, sr := range services {
			if err := s.matrix.add(sr, changeAt(changes, i)); err != nil {
				return err
			}
		}
		return nil
	case "junit":
		for _, sr := range services {
			if err := s.junit.add(sr, s.opts); err != nil {
				return err
			}
		}
		return nil
	}
	for i, sr := range services {
		s.grid.add(sr, changeAt(changes, i))
	}
	return nil
}

// changeAt is the i-th service's changes (none without a baseline).
func changeAt(changes []map[string]string, i int) map[string]string {
	if changes == nil {
		return nil
	}
	return changes[i]
}

// Close writes what follows the last service, and releases the temporary
// file.
func (s *Stream) Close() error {
	switch s.format {
	case "html", "scorecard":
		return s.matrix.close(s.w)
	case "junit":
		return s.junit.close(s.w)
	case "sarif":
		end := "\n      ]\n    }\n  ]\n}\n"
		if s.written == 0 {
			end = sarifNoResults
		}
		_, err := io.WriteString(s.w, end)
		return err
	case "json":
		// What follows the services: the baseline's changes, if any.
		var b bytes.Buffer
		h := s.head
		h.Services = []rules.ServiceReport{}
		if err := writeReportJSON(&b, &h, s.opts); err != nil {
			return err
		}
		const services = `"services": []`
		i := bytes.Index(b.Bytes(), []byte(services))
		if i < 0 {
			return fmt.Errorf("the report's JSON lost its services")
		}
		end := "\n  ]"
		if s.written == 0 {
			end = "null"
		}
		_, err := io.WriteString(s.w, end+b.String()[i+len(services):])
		return err
	case "text":
		_, err := io.WriteString(s.w, textFoot(s.opts))
		return err
	case "grid":
		return s.grid.write(s.w)
	}
	return nil
}

// Abandon releases what an unfinished stream holds (its temporary file),
// writing nothing more.
func (s *Stream) Abandon() {
	if s.matrix != nil {
		s.matrix.spool.close()
	}
	if s.junit != nil {
		s.junit.spool.close()
	}
}

// sarifNoResults ends the SARIF log of a run, at its results.
const sarifNoResults = "[]\n    }\n  ]\n}\n"

// sarifHead writes the SARIF log up to its results (the driver is the
// catalogue's, known before any service).
func (s *Stream) sarifHead() error {
	driver, index := sarifDriverOf()
	var b bytes.Buffer
	if err := writeJSON(&b, sarifLogOf(driver, []sarifResult{})); err != nil {
		return err
	}
	head, err := withoutTail(b.Bytes(), sarifNoResults, "the SARIF log")
	if err != nil {
		return err
	}
	s.sarif = index
	_, err = s.w.Write(head)
	return err
}

// sarifResults writes the services' results that did not pass.
func (s *Stream) sarifResults(services []rules.ServiceReport) error {
	var b bytes.Buffer
	for _, sr := range services {
		for _, r := range sr.Results {
			if r.Status == rules.Pass {
				continue
			}
			if err := s.element(&b, sarifResultOf(r, s.sarif, s.opts, sr.Node), "        "); err != nil {
				return err
			}
		}
	}
	_, err := s.w.Write(b.Bytes())
	return err
}

// junitStream is JUnit XML written service by service: the totals head the
// document, so each suite is spooled as it comes and copied out at close.
type junitStream struct {
	totals junitSuites
	spool  *spool
	buf    bytes.Buffer
}

func newJUnitStream(mode string) (*junitStream, error) {
	sp, err := newSpool()
	if err != nil {
		return nil, err
	}
	return &junitStream{totals: junitSuites{Name: "wazo-servicekit " + mode}, spool: sp}, nil
}

func (j *junitStream) add(s rules.ServiceReport, opts Options) error {
	suite := junitSuiteOf(s, opts)
	j.totals.count(suite)
	j.buf.Reset()
	j.buf.WriteString("\n")
	enc := xml.NewEncoder(&j.buf)
	enc.Indent("  ", "  ")
	if err := enc.EncodeElement(suite, xml.StartElement{Name: xml.Name{Local: "testsuite"}}); err != nil {
		return err
	}
	_, err := j.spool.add(j.buf.Bytes())
	return err
}

func (j *junitStream) close(w io.Writer) error {
	defer j.spool.close()
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	if err := enc.Encode(j.totals); err != nil {
		return err
	}
	const end = "</testsuites>"
	head, ok := bytes.CutSuffix(b.Bytes(), []byte(end))
	if !ok {
		return fmt.Errorf("the JUnit document does not end with its suites")
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.Write(head)
	if err := j.spool.copyTo(bw); err != nil {
		return err
	}
	if j.spool.size > 0 {
		bw.WriteString("\n")
	}
	bw.WriteString(end + "\n")
	return bw.Flush()
}
