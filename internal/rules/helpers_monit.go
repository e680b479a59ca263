package rules

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// DefaultMonitURL is monit's HTTP interface on a Wazo host: wazo-monitoring's
// monitrc serves it on localhost:2812 to local clients without a password.
// A daemon's own user cannot run `monit summary` (the control file is
// root's); it can read this.
const DefaultMonitURL = "http://127.0.0.1:2812"

// maxMonitStatus bounds the status document read from monit.
const maxMonitStatus = 4 << 20

// Monit's status document: its service status is a set of event bits, its
// monitor field a state.
const (
	monitEventNonExist = 0x200
	monitEventExec     = 0x1000
	monitNotMonitored  = 0
	monitMonitored     = 1
)

// monitService is one <service> of monit's /_status?format=xml.
type monitService struct {
	Name    string `xml:"name"`
	Status  int    `xml:"status"`
	Monitor int    `xml:"monitor"`
}

// monitHTTPStatus reads name's entry from monit's status document at base.
func monitHTTPStatus(env *LiveEnv, base, name string) (svc monitService, listed bool, err error) {
	req, err := http.NewRequestWithContext(env.Ctx, http.MethodGet, strings.TrimRight(base, "/")+"/_status?format=xml", nil)
	if err != nil {
		return svc, false, err
	}
	resp, err := env.HTTP.Do(req)
	if err != nil {
		return svc, false, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return svc, false, fmt.Errorf("%s answered %s", base, resp.Status)
	}
	var doc struct {
		XMLName  xml.Name       `xml:"monit"`
		Services []monitService `xml:"service"`
	}
	dec := xml.NewDecoder(io.LimitReader(resp.Body, maxMonitStatus))
	// Monit writes ISO-8859-1; the fields read here are ASCII.
	dec.CharsetReader = func(_ string, in io.Reader) (io.Reader, error) { return in, nil }
	if err := dec.Decode(&doc); err != nil {
		return svc, false, fmt.Errorf("%s: not monit's status document: %v", base, err)
	}
	for _, s := range doc.Services {
		if s.Name == name {
			return s, true, nil
		}
	}
	return svc, false, nil
}

// describe says a monit service's state in the words of `monit summary`.
func (m monitService) describe() string {
	switch {
	case m.Monitor == monitNotMonitored:
		return "Not monitored"
	case m.Status&monitEventExec != 0:
		return "Execution failed"
	case m.Status&monitEventNonExist != 0:
		return "Does not exist"
	case m.Status == 0 && m.Monitor == monitMonitored:
		return "OK"
	case m.Status == 0:
		return "Initializing"
	}
	return fmt.Sprintf("failed (events 0x%x)", m.Status)
}
