package service

import (
	"strings"
	"testing"
)

// TestConfDLayerIsTheDaemons: a shipped conf.d file overrides config.yml
// key by key (the first file by name winning): its port, PID file and log
// file are the daemon's, cited at their file and line, and what it
// overrides is gone.
func TestConfDLayerIsTheDaemons(t *testing.T) {
	f := factsOfRepo(t, with(daemon(), files{
		"etc/wazo-quuxd/conf.d/10-first.yml":  "# shipped override\nrest_api:\n  port: 9598\nlog_file: /var/log/wazo-quuxd/quuxd.log\n",
		"etc/wazo-quuxd/conf.d/20-second.yml": "rest_api:\n  port: 9597\npid_file: /run/wazo-quuxd/other.pid\n",
		"etc/wazo-quuxd/conf.d/.hidden.yml":   "rest_api:\n  port: 9596\n",
	}))
	var ports []string
	for _, p := range f.Ports.Value {
		ports = append(ports, p.Key+" "+p.Source)
	}
	got := strings.Join(ports, ", ")
	want := "rest_api.port etc/wazo-quuxd/conf.d/10-first.yml:3, websocket.port wazo_quuxd/config.py:5"
	if got != want {
		t.Errorf("ports: %s\nwant %s", got, want)
	}
	for _, c := range []struct {
		name string
		l    List
		want string
	}{
		{"pid files", f.PIDFiles, "/run/wazo-quuxd/other.pid etc/wazo-quuxd/conf.d/20-second.yml:3 pid_file"},
		{"log files", f.LogFiles, "/var/log/wazo-quuxd/quuxd.log etc/wazo-quuxd/conf.d/10-first.yml:4 log_file"},
	} {
		var items []string
		for _, v := range c.l.Value {
			items = append(items, v.Value+" "+v.Source)
		}
		if got := strings.Join(items, ", "); got != c.want {
			t.Errorf("%s: %s\nwant %s", c.name, got, c.want)
		}
	}
}

// TestConfDMergesSections: a conf.d file setting only a section's port
// keeps the section's other keys from config.yml, so a port whose section
// says where to listen only in config.yml is still a listening port.
func TestConfDMergesSections(t *testing.T) {
	f := factsOfRepo(t, with(daemon(), files{
		"etc/wazo-quuxd/config.yml":          "rest_api:\n  listen: 127.0.0.1\n  port: 9599\nstats:\n  listen: 127.0.0.1\n",
		"etc/wazo-quuxd/conf.d/50-stats.yml": "stats:\n  port: 9595\n",
	}))
	found := false
	for _, p := range f.Ports.Value {
		found = found || (p.Number == 9595 && p.Source == "etc/wazo-quuxd/conf.d/50-stats.yml:2")
	}
	if !found {
		t.Errorf("stats.port set in conf.d under a section listening in config.yml not found: %+v", f.Ports)
	}
}
