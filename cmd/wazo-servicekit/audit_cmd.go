package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	consulapi "github.com/wazo-platform/wazo-servicekit/consul"
	"github.com/wazo-platform/wazo-servicekit/internal/report"
	"github.com/wazo-platform/wazo-servicekit/internal/rules"
	"github.com/wazo-platform/wazo-servicekit/internal/scaffold"
	"github.com/wazo-platform/wazo-servicekit/safefile"
)

func auditCommand() command {
	values := map[string]completion{"root": completeDir, "consul-cacert": completeFile, "doctor-cacert": completeFile}
	for k, v := range commonValues {
		values[k] = v
	}
	return command{name: "audit", args: "[--root DIR | --consul URL] [SERVICE...] [flags]", summary: "audit of this host, an image root, or a cluster", define: defineAudit,
		about:  "Audits the Wazo services installed on this host (or under --root, an image root where\nthe probes that need a running system say unknown), or with --consul every node's\nwazo-doctord listed in the cluster's catalog.",
		values: values, findings: "findings at or above --fail-on",
		files: []doc{
			{"/etc/wazo-*/config.yml, /lib/systemd/system/wazo-*.service", "how the installed services are found (under --root when given)"},
		},
		env: []doc{
			{"WAZO_TOKEN", "the wazo-auth token for --consul (doctor.services.read), when --token is not given"},
			{"CONSUL_HTTP_TOKEN", "the consul ACL token for --consul, when --consul-token is not given"},
			{"CONSUL_CACERT", "the CA bundle of the agent's certificate for --consul https://..., when --consul-cacert is not given"},
		},
		examples: []example{
			{"wazo-servicekit audit", "every Wazo service of this host"},
			{"wazo-servicekit audit --root /srv/image wazo-webhookd", "one service of an image root; live probes say unknown"},
			{"wazo-servicekit audit --consul http://127.0.0.1:8500 --format html > cluster.html", "every node's services, one column each"},
		}}
}

func defineAudit(fs *flag.FlagSet) action {
	common := addCommon(fs)
	root := fs.String("root", "/", "audit an image root `DIR` (chroot, debootstrap tree) instead of this host; live probes report unknown there")
	consul := fs.String("consul", "", "audit every node of the cluster: ask each wazo-doctord listed in the catalog of the consul agent at `URL`")
	// The secrets' defaults are read after parsing, so --help (and the
	// man page made from it) never prints them.
	token := fs.String("token", "", "wazo-auth `TOKEN` (doctor.services.read) for --consul; default $WAZO_TOKEN")
	consulToken := fs.String("consul-token", "", "with --consul: consul ACL `TOKEN` for the catalog (X-Consul-Token); default $CONSUL_HTTP_TOKEN, as consul's CLI")
	consulCA := fs.String("consul-cacert", os.Getenv("CONSUL_CACERT"), "with --consul https://...: CA bundle `FILE` of the agent's certificate; default $CONSUL_CACERT, as consul's CLI")
	refresh := fs.Bool("refresh", false, "with --consul: ask each doctord for a fresh audit")
	cluster := clusterFlags{
		doctorCA:    fs.String("doctor-cacert", "", "with --consul: CA bundle that signs the nodes' doctord certificates; a node other than this host\ngets the token only over TLS with a certificate this CA signed for its address"),
		concurrency: fs.Int("concurrency", rules.DefaultConcurrency, fmt.Sprintf("with --consul: nodes asked at once (at most %d)", rules.MaxConcurrency)),
		nodeTimeout: fs.Duration("node-timeout", rules.DefaultNodeTimeout, "with --consul: bound of the questions to one node"),
		deadline:    fs.Duration("deadline", rules.DefaultClusterBudget, "with --consul: bound of the whole audit; nodes not asked by then are unknown"),
		doctordPort: fs.Int("doctord-port", rules.DefaultDoctordPort, "with --consul: the port of this host's wazo-doctord; a loopback entry at another port gets no token"),
	}
	fs.Func("trust-node", "with --consul: `HOST:PORT` of a doctord given the token without --doctor-cacert (repeatable)", func(v string) error {
		cluster.trusted = append(cluster.trusted, v)
		return nil
	})
	nginx := fs.String("nginx", "https://127.0.0.1", "nginx TLS front end `URL` (loopback only)")
	timeout := fs.Duration("probe-timeout", 2*time.Second, "bound of each probe (a `DURATION`: 2s, 500ms)")
	return func(services []string, stdout, stderr io.Writer) (int, error) {
		if *token == "" {
			*token = os.Getenv("WAZO_TOKEN")
		}
		if *consulToken == "" {
			*consulToken = os.Getenv("CONSUL_HTTP_TOKEN")
		}
		th, err := common.validate()
		if err != nil {
			return exitUsage, err
		}
		common.meta = &report.Meta{Version: scaffold.KitVersion(), Date: time.Now().UTC().Format(time.RFC3339)}
		if st, err := os.Stat(*root); err != nil || !st.IsDir() {
			return exitUsage, usagef("--root %s: not a directory", *root)
		}
		if *timeout <= 0 {
			return exitUsage, usagef("--probe-timeout must be positive")
		}
		if *consul != "" {
			if len(services) > 0 || *root != "/" {
				return exitUsage, usagef("--consul audits whole nodes: no SERVICE arguments nor --root with it")
			}
			if _, err := consulapi.ConfigFromURL(*consul); err != nil {
				return exitUsage, usagef("--consul: %v", err)
			}
			if *consulCA != "" {
				if st, err := os.Stat(*consulCA); err != nil || !st.Mode().IsRegular() {
					return exitUsage, usagef("--consul-cacert %s: not a readable file", *consulCA)
				}
			}
			return cluster.audit(rules.ClusterOptions{ConsulURL: *consul, Token: *token,
				ConsulToken: *consulToken, ConsulCAFile: *consulCA, Timeout: *timeout, Refresh: *refresh}, common, th, stdout, stderr)
		}
		rep, err := rules.Audit(context.Background(), rules.AuditOptions{Root: *root, Services: services,
			NginxURL: *nginx, ProbeTimeout: *timeout})
		if err != nil {
			return exitUsage, usageError{err}
		}
		if len(rep.Services) == 0 {
			return exitUsage, usagef("no Wazo service found under %s (no /etc/wazo-*/config.yml nor wazo-*.service unit)", *root)
		}
		return common.emit(rep, th, stdout)
	}
}

// clusterFlags are audit --consul's bounds and trust.
type clusterFlags struct {
	doctorCA                 *string
	concurrency, doctordPort *int
	nodeTimeout, deadline    *time.Duration
	trusted                  []string
}

// audit runs a cluster audit. On top of the contract: it could not run (3)
// when no doctord answered, and it has findings (1) when any node or entry
// could not be audited, whatever --fail-on says: a cluster gate cannot go
// green on nodes it did not see. The report is written node by node as
// the nodes answer (report.Stream), on stdout and into each --output (by
// way of a private temporary file, copied to its path once the run is
// done), each node compared with --baseline's columns as it comes.
func (c clusterFlags) audit(opts rules.ClusterOptions, common *commonFlags, th threshold, stdout, stderr io.Writer) (int, error) {
	if *c.concurrency < 1 || *c.nodeTimeout <= 0 || *c.deadline <= 0 || *c.doctordPort < 1 || *c.doctordPort > 65535 {
		return exitUsage, usagef("--concurrency, --node-timeout, --deadline and --doctord-port must be positive (the port at most 65535)")
	}
	opts.DoctorCAFile, opts.TrustedNodes, opts.DoctordPort = *c.doctorCA, c.trusted, *c.doctordPort
	opts.Concurrency, opts.NodeTimeout, opts.Budget = *c.concurrency, *c.nodeTimeout, *c.deadline
	var (
		t    tally
		all  rules.ClusterReport
		outs streamOutputs
	)
	defer outs.abandon()
	begin := func(head *rules.Report, entries int) error {
		all.Report = head
		format, ok := common.streamFormat(entries)
		if !ok {
			return nil
		}
		return outs.begin(stdout, format, common, head)
	}
	node := func(srs []rules.ServiceReport) error {
		for _, s := range srs {
			t.add(s, th)
		}
		if outs == nil {
			return all.Add(srs)
		}
		return outs.services(srs)
	}
	err := rules.StreamCluster(context.Background(), opts, begin, node)
	var runErr *rules.ClusterRunError
	var wErr *writeError
	switch {
	case errors.As(err, &runErr):
		// The agent did not answer, answered nonsense or listed nothing:
		// the command line was fine, the run could not be done.
		return exitCouldNotRun, fmt.Errorf("audit --consul: %v", err)
	case errors.As(err, &wErr):
		return exitCouldNotRun, wErr.err
	case err != nil:
		return exitUsage, usageError{err}
	}
	var code int
	if outs != nil {
		if err := outs.close(); err != nil {
			return exitCouldNotRun, err
		}
		code, err = t.exitCode(th)
	} else {
		code, err = common.emit(all.Report, th, stdout)
	}
	if err != nil && code != exitCouldNotRun {
		return code, err
	}
	switch {
	case t.answered == 0:
		return exitCouldNotRun, fmt.Errorf("audit --consul: no doctord answered (%d %s result(s) say why)", t.gaps, rules.NodeUnreachable)
	case err != nil:
		return code, err
	case t.gaps > 0 && code == exitClean:
		fmt.Fprintf(stderr, "wazo-servicekit: %d part(s) of the cluster not audited (see %s): not clean\n", t.gaps, rules.NodeUnreachable)
		return exitFindings, nil
	}
	return code, nil
}

// writeError is the report's output failing mid-way.
type writeError struct{ err error }

func (e *writeError) Error() string { return e.err.Error() }

// streamOutput is one report a cluster audit writes node by node: on
// stdout, or for --output FORMAT=PATH into a temporary file, copied to
// PATH at the end, so a run that fails leaves PATH as it was.
type streamOutput struct {
	stream *report.Stream
	spec   string   // FORMAT=PATH
	tmp    *os.File // nil for stdout
}

type streamOutputs []*streamOutput

// begin starts stdout's stream in format, and one per --output.
func (o *streamOutputs) begin(stdout io.Writer, format string, common *commonFlags, head *rules.Report) error {
	opts := report.Options{Verbose: *common.verbose}
	for i, past := range common.past {
		opts.History = append(opts.History, report.HistoryOf(filepath.Base(common.history[i]), past))
	}
	if common.base != nil {
		opts.Baseline, opts.Base = filepath.Base(*common.baseline), common.base
	}
	s, err := report.NewStream(stdout, format, head, common.meta, opts)
	if err != nil {
		return &writeError{err}
	}
	*o = append(*o, &streamOutput{stream: s})
	for _, spec := range common.outputs {
		f, _, _ := strings.Cut(spec, "=")
		tmp, err := safefile.PrivateTemp()
		if err != nil {
			return &writeError{fmt.Errorf("--output %s: %v", spec, err)}
		}
		s, err := report.NewStream(tmp, f, head, common.meta, opts)
		if err != nil {
			tmp.Close()
			return &writeError{fmt.Errorf("--output %s: %v", spec, err)}
		}
		*o = append(*o, &streamOutput{stream: s, spec: spec, tmp: tmp})
	}
	return nil
}

func (o streamOutputs) services(srs []rules.ServiceReport) error {
	for _, out := range o {
		if err := out.stream.Services(srs); err != nil {
			return &writeError{out.wrap(err)}
		}
	}
	return nil
}

// close ends every stream, then copies each --output to its path.
func (o streamOutputs) close() error {
	for _, out := range o {
		if err := out.stream.Close(); err != nil {
			return out.wrap(err)
		}
	}
	for _, out := range o {
		if out.tmp == nil {
			continue
		}
		_, p, _ := strings.Cut(out.spec, "=")
		if _, err := out.tmp.Seek(0, io.SeekStart); err != nil {
			return out.wrap(err)
		}
		// Never through a link: the path may lie in a checkout. It was
		// checked before the run; failing now, the run could not be
		// completed.
		if err := safefile.CopyOutput(p, out.tmp, 0o644); err != nil {
			return out.wrap(err)
		}
	}
	return nil
}

// abandon releases every stream and temporary file.
func (o streamOutputs) abandon() {
	for _, out := range o {
		out.stream.Abandon()
		if out.tmp != nil {
			out.tmp.Close()
		}
	}
}

func (out *streamOutput) wrap(err error) error {
	if out.tmp == nil {
		return err
	}
	return fmt.Errorf("--output %s: %v", out.spec, err)
}

// streamClusterReports is false only in tests, which compare a cluster
// audit's streamed report with the report held whole.
var streamClusterReports = true

// streamFormat is the format a cluster audit of entries catalogue entries
// writes node by node on stdout, or false when the run needs the whole
// report (an --output format that cannot stream,
// or no --format for a single entry, whose default depends on how many
// services it answers for).
func (c *commonFlags) streamFormat(entries int) (string, bool) {
	if !streamClusterReports {
		return "", false
	}
	for _, o := range c.outputs {
		if f, _, _ := strings.Cut(o, "="); !report.CanStream(f) {
			return "", false
		}
	}
	format := *c.format
	if !c.formatGiven() {
		if entries < 2 {
			return "", false
		}
		// Each entry is at least one service report: more than one
		// makes the grid the default, as for any report.
		format = "grid"
	}
	return format, report.CanStream(format)
}
