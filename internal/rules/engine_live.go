package rules

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/host"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/parse"
	"github.com/wazo-platform/wazo-servicekit/internal/service"
)

// LiveService is what the live probes know about one installed service.
// Who the service is (its user, PID and log files) is the model's facts
// derived from what the package installed (service.FromObserved: the
// same derivation as `facts --root` and `facts` on the live host), never
// a per-service list; what the host shows beyond that is its observations.
type LiveService struct {
	Name           string
	Host           *host.Host
	Config         map[string]any
	ConfigProblems []string
	UnitPath       string
	Unit           *parse.Unit
	UnitErr        error

	mu    sync.Mutex
	obs   *service.Observed
	facts *service.Facts
}

// seen is what the host shows of the service (its process, accounts,
// files, what other packages installed for it), each observation read
// once, when a probe first asks. A probe judges these, never the host's
// files itself.
func (s *LiveService) seen() *service.Observed {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.obs == nil || s.obs.Host != s.Host || s.obs.Name != s.Name {
		o := service.Observe(s.Host, s.Name)
		if s.Config != nil || len(s.ConfigProblems) > 0 {
			o.WithConfig(s.Config, s.ConfigProblems)
		}
		if s.Unit != nil || s.UnitErr != nil {
			o.WithUnit(s.UnitPath, s.Unit, s.UnitErr)
		}
		s.obs, s.facts = o, nil
	}
	return s.obs
}

// model is the service's facts as `facts` derives them from this host,
// over the same observations, derived once when a probe first asks.
func (s *LiveService) model() *service.Facts {
	o := s.seen()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.facts == nil {
		s.facts = service.FromObserved(o)
	}
	return s.facts
}

// LiveEnv carries the audit-wide settings to live probes.
type LiveEnv struct {
	Ctx context.Context
	// ConsulURL overrides the agent address from the service's config.
	ConsulURL string
	// NginxURL is the TLS front end (default https://127.0.0.1).
	NginxURL string
	// MonitURL is monit's HTTP interface, asked when `monit summary`
	// cannot run (default DefaultMonitURL).
	MonitURL string
	// HTTP is the client for loopback probes (bounded by its Timeout).
	HTTP *http.Client
	// HTTPSInsecure is the client for nginx on loopback (self-signed certificate).
	HTTPSInsecure *http.Client
	// Command runs a read-only tool (systemctl is-active, monit summary)
	// with a time bound; replaced in tests.
	Command func(ctx context.Context, name string, args ...string) ([]byte, error)
}

// lookup walks the merged config; nil when a key is missing or a level is
// not a mapping (an operator's file may hold anything).
func (s *LiveService) lookup(path ...string) any {
	var v any = s.Config
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func (s *LiveService) str(path ...string) string {
	str, _ := s.lookup(path...).(string)
	return str
}

func (s *LiveService) num(path ...string) (int, bool) { return asInt(s.lookup(path...)) }

func (s *LiveService) boolean(path ...string) (value, ok bool) {
	value, ok = s.lookup(path...).(bool)
	return value, ok
}

// user is the model's service user: the running daemon's account on a
// live host, else what the unit and the installed code make it.
func (s *LiveService) user() service.Fact[string] { return s.model().User }

// logFile is the model's default log file, "" when the package names none.
func (s *LiveService) logFile() string { return first(s.model().LogFiles) }

// pidFile is the model's first PID file (the daemon's own), "" when none.
func (s *LiveService) pidFile() string { return first(s.model().PIDFiles) }

// apiPort is the model's REST API port (rest_api.port, in the installed
// config or the code's defaults), else its first HTTP port; known is false
// with why when the model's ports are unknown, port 0 when it has none.
func (s *LiveService) apiPort() (port int, source string, known bool) {
	ports := s.model().Ports
	if !ports.Known() {
		return 0, ports.Unknown, false
	}
	for _, p := range ports.Value {
		if p.Key == "rest_api.port" {
			return p.Number, p.Source, true
		}
	}
	for _, p := range ports.Value {
		if p.HTTP {
			return p.Number, p.Source, true
		}
	}
	return 0, ports.Source, true
}

func first(l service.List) string {
	if len(l.Value) == 0 {
		return ""
	}
	return l.Value[0].Value
}

// AuditOptions configure a live audit.
type AuditOptions struct {
	Root      string   // "/" or "" for this host; an image root otherwise
	Services  []string // restrict to these; nil finds them all
	ConsulURL string
	NginxURL  string
	// MonitURL is monit's HTTP interface (default DefaultMonitURL).
	MonitURL string
	// ProbeTimeout bounds each probe (default 2 s).
	ProbeTimeout time.Duration
	// Concurrency bounds probes in flight (default 8).
	Concurrency int
	// Command overrides how tools are run (tests).
	Command func(ctx context.Context, name string, args ...string) ([]byte, error)
}

// Audit runs every live probe of the catalogue against the Wazo services
// installed under opts.Root, concurrently, each probe bounded in time. On an
// image root, the probes needing a running system report unknown. The
// error is for a root that cannot be read at all.
func Audit(ctx context.Context, opts AuditOptions) (*Report, error) {
	h := host.Open(opts.Root)
	names := opts.Services
	if len(names) == 0 {
		var err error
		if names, err = h.Services(); err != nil {
			return nil, err
		}
	}
	if opts.ProbeTimeout <= 0 {
		opts.ProbeTimeout = 2 * time.Second
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 8
	}
	env := LiveEnv{ConsulURL: opts.ConsulURL, NginxURL: opts.NginxURL, MonitURL: opts.MonitURL, Command: opts.Command,
		HTTP: &http.Client{Timeout: opts.ProbeTimeout}, HTTPSInsecure: insecureLoopbackClient(opts.ProbeTimeout)}
	if env.NginxURL == "" {
		env.NginxURL = "https://127.0.0.1"
	}
	if env.Command == nil {
		env.Command = runTool
	}
	rep := &Report{Tool: "wazo-servicekit", Mode: "audit", Target: h.Root}
	var live []Rule
	for _, r := range All() {
		if r.live != nil {
			live = append(live, r)
		}
	}
	rep.Services = make([]ServiceReport, len(names))
	sem := make(chan struct{}, opts.Concurrency)
	var wg sync.WaitGroup
	for i, name := range names {
		o := service.Observe(h, name)
		pkg := o.Package()
		s := &LiveService{Name: name, Host: h, Config: pkg.Config, ConfigProblems: pkg.ConfigProblems,
			UnitPath: pkg.UnitPath, Unit: pkg.Unit, UnitErr: pkg.UnitErr, obs: o}
		rep.Services[i] = ServiceReport{Name: name, Results: make([]Result, 0, len(live))}
		results := make([][]Finding, len(live))
		if absent := absentFrom(h, s); absent != "" {
			for j, r := range live {
				results[j] = []Finding{unknown(absent + ": nothing to probe")}
				if r.ID == "installs-cleanly" {
					results[j] = []Finding{fail("/var/lib/dpkg/status", 0, absent)}
				}
			}
			s.ConfigProblems = nil
		} else {
			// Who the service is, derived once before the probes: its
			// reading is not any one probe's time.
			s.model()
		}
		for j, r := range live {
			if results[j] != nil {
				continue
			}
			wg.Add(1)
			go func(j int, r Rule) {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				results[j] = runLive(ctx, r, s, env, opts.ProbeTimeout)
			}(j, r)
		}
		wg.Wait()
		for j, r := range live {
			for _, f := range results[j] {
				rep.Services[i].Results = append(rep.Services[i].Results, Result{Rule: r.ID, Service: name, Severity: r.Severity, Finding: f})
			}
		}
		if len(s.ConfigProblems) > 0 {
			for _, p := range s.ConfigProblems {
				rep.Services[i].Results = append(rep.Services[i].Results, Result{Rule: "files-parse", Service: name, Severity: Error, Finding: fail("", 0, p)})
			}
		}
	}
	rep.Summarise()
	return rep, nil
}

// absentFrom says why a service asked for by name is not on the audited
// system at all (no package, no unit, no /etc/<name>), or "" when any of
// them is there.
func absentFrom(h *host.Host, s *LiveService) string {
	if s.UnitErr == nil || h.Exists("/etc/"+s.Name) {
		return ""
	}
	if pkg := s.seen().DpkgStatus(); pkg.Known() && pkg.Value.Listed {
		return ""
	}
	return fmt.Sprintf("%s is not installed on %s: dpkg does not list it, and there is no %s.service unit nor /etc/%s", s.Name, h.Root, s.Name, s.Name)
}

// runLive runs one probe with its own deadline; a probe that overruns or
// panics reports unknown with the reason.
func runLive(ctx context.Context, r Rule, s *LiveService, env LiveEnv, timeout time.Duration) []Finding {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	env.Ctx = ctx
	done := make(chan []Finding, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- []Finding{unknown(fmt.Sprintf("internal error in probe %s: %v (please report it)", r.ID, p))}
			}
		}()
		done <- r.live(s, &env)
	}()
	select {
	case out := <-done:
		if len(out) == 0 {
			out = []Finding{unknown("the probe returned no verdict")}
		}
		return out
	case <-ctx.Done():
		return []Finding{unknown(fmt.Sprintf("probe did not answer within %s", timeout))}
	}
}

// notLive is the unknown verdict of a probe that needs a running system.
func notLive(s *LiveService, what string) Finding {
	return unknown(what + ": " + s.Host.Root + " is an image root, nothing runs there")
}

func sortedKeys(m map[int]int) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}
