package doctor

import "github.com/wazo-platform/wazo-servicekit/config"

// Config is wazo-doctord's configuration: the keys every Wazo daemon has,
// and the audit's own.
type Config struct {
	config.Common `yaml:",inline"`
	Audit         Audit `yaml:"audit"`
}

// Audit says how often the host is re-audited and how long an audit may take.
type Audit struct {
	// CacheSeconds is how long a report is served before the next request
	// triggers a new audit (?refresh=true forces one).
	CacheSeconds config.Seconds `yaml:"cache_seconds"`
	// TimeoutSeconds bounds one audit; probes are bounded individually too.
	TimeoutSeconds config.Seconds `yaml:"timeout_seconds"`
	// ProbeTimeoutSeconds bounds each probe of an audit.
	ProbeTimeoutSeconds config.Seconds `yaml:"probe_timeout_seconds"`
	// Root is the filesystem audited: / on a live host.
	Root string `yaml:"root"`
	// NginxURL is this host's HTTPS front end, probed for /api/<svc>/.
	NginxURL string `yaml:"nginx_url"`
	// MonitURL is monit's HTTP interface, which the audit asks for the
	// state of each check: the daemon's user cannot run `monit summary`.
	MonitURL string `yaml:"monit_url"`
	// Command is the checklist engine each audit runs (wazo-doctord-audit);
	// a relative path is taken in the directory of wazo-doctord's
	// executable.
	Command string `yaml:"command"`
}
