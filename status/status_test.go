package status

import (
	"encoding/json"
	"testing"
)

func TestReportIsWazosStatusBody(t *testing.T) {
	a := NewAggregator()
	a.Add("rest_api", func() string { return OK })
	a.Add("service_discovery", func() string { return Fail })
	a.Add("bus_publisher", func() string { return "degraded" }) // anything but ok is fail
	body, _ := json.Marshal(a.Report())
	want := `{"bus_publisher":{"status":"fail"},"rest_api":{"status":"ok"},"service_discovery":{"status":"fail"}}`
	if string(body) != want {
		t.Errorf("got %s, want %s", body, want)
	}
}
