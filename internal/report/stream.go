package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/rules"
)

// Stream writes a report service by service, as a cluster audit hands its
// nodes over, in the bytes Write gives for the whole report: json and
// text as the services come, the grid at Close from each column's counts
// and marks. Nothing else of a service is kept, so a stream's memory does
// not grow with the services' verdicts.
type Stream struct {
	w       io.Writer
	format  string
	opts    Options
	written int   // services written (json)
	grid    *grid // grid: the columns so far
}

// CanStream reports whether NewStream writes format.
func CanStream(format string) bool {
	return format == "json" || format == "text" || format == "grid"
}

// NewStream starts writing, in format (see CanStream), the report whose
// header (no services) is head; meta heads the grid. A baseline needs the
// whole report: it is refused here.
func NewStream(w io.Writer, format string, head *rules.Report, meta *Meta, opts Options) (*Stream, error) {
	if !CanStream(format) || opts.Baseline != "" {
		return nil, fmt.Errorf("format %q cannot be written service by service (json, text and grid can, without a baseline)", format)
	}
	s := &Stream{w: w, format: format, opts: opts}
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
	const tail = "[]\n}"
	if !bytes.HasSuffix(b, []byte(tail)) {
		return fmt.Errorf("the report's JSON does not end with its services: %.40q", b[max(0, len(b)-40):])
	}
	_, err = s.w.Write(b[:len(b)-len(tail)])
	return err
}

// Services writes (or, for the grid, counts) some services of the report.
func (s *Stream) Services(services []rules.ServiceReport) error {
	switch s.format {
	case "json":
		var b bytes.Buffer
		for _, sr := range services {
			one, err := json.MarshalIndent(sr, "    ", "  ")
			if err != nil {
				return err
			}
			if s.written == 0 {
				b.WriteString("[\n    ")
			} else {
				b.WriteString(",\n    ")
			}
			b.Write(one)
			s.written++
		}
		_, err := s.w.Write(b.Bytes())
		return err
	case "text":
		var b strings.Builder
		writeTextServices(&b, services, s.opts)
		_, err := io.WriteString(s.w, b.String())
		return err
	}
	for _, sr := range services {
		s.grid.add(sr)
	}
	return nil
}

// Close writes what follows the last service.
func (s *Stream) Close() error {
	switch s.format {
	case "json":
		end := "\n  ]\n}\n"
		if s.written == 0 {
			end = "null\n}\n"
		}
		_, err := io.WriteString(s.w, end)
		return err
	case "grid":
		return s.grid.write(s.w)
	}
	return nil
}
