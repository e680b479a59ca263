package report

import (
	"fmt"
	"io"
	"os"

	"github.com/wazo-platform/wazo-servicekit/internal/rules"
	"github.com/wazo-platform/wazo-servicekit/safefile"
)

// MaxSpoolBytes bounds what a stream keeps on disk of the services it was
// handed (rendered cells, suites): a cluster audit reads at most
// rules.MaxClusterBytes of answers, and each answer byte renders as a few
// bytes of a page (escaped, repeated in a cell's title), so this is room
// for the largest audit, and a stop for anything beyond.
const MaxSpoolBytes = 16 * rules.MaxClusterBytes

// spool is where a stream keeps each service's rendered detail until the
// output's layout, known at the end, lets it be copied out (a safefile.PrivateTemp).
type spool struct {
	f           *os.File
	size, limit int64
}

func newSpool() (*spool, error) {
	f, err := safefile.PrivateTemp()
	if err != nil {
		return nil, fmt.Errorf("the report: %v", err)
	}
	return &spool{f: f, limit: MaxSpoolBytes}, nil
}

// add appends b and says where it starts.
func (s *spool) add(b []byte) (int64, error) {
	at := s.size
	if at+int64(len(b)) > s.limit {
		return 0, fmt.Errorf("the report's services render to more than %d MiB: not written", s.limit>>20)
	}
	if _, err := s.f.WriteAt(b, at); err != nil {
		return 0, fmt.Errorf("temporary file of the report: %v", err)
	}
	s.size += int64(len(b))
	return at, nil
}

// read returns n bytes at off, in buf when it is large enough.
func (s *spool) read(buf []byte, off int64, n int) ([]byte, error) {
	if cap(buf) < n {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	if _, err := s.f.ReadAt(buf, off); err != nil {
		return nil, fmt.Errorf("temporary file of the report: %v", err)
	}
	return buf, nil
}

// copyTo writes everything added, in order.
func (s *spool) copyTo(w io.Writer) error {
	_, err := io.Copy(w, io.NewSectionReader(s.f, 0, s.size))
	return err
}

func (s *spool) close() {
	if s != nil && s.f != nil {
		s.f.Close()
		s.f = nil
	}
}
