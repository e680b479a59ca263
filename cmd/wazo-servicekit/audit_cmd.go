package main

import (
	"context"
	"io"
	"os"
	"time"

	"github.com/wazo-platform/wazo-servicekit/internal/rules"
)

func cmdAudit(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlags("audit")
	common := addCommon(fs)
	root := fs.String("root", "/", "audit an image root (chroot, debootstrap tree) instead of this host; live probes report unknown there")
	consul := fs.String("consul", "", "audit every node of the cluster: ask each wazo-doctord listed in this consul agent's catalog")
	// The secrets' defaults are read after parsing, so --help (and the
	// man page made from it) never prints them.
	token := fs.String("token", "", "wazo-auth token (doctor.services.read) for --consul; default $WAZO_TOKEN")
	consulToken := fs.String("consul-token", "", "with --consul: consul ACL token for the catalog (X-Consul-Token); default $CONSUL_HTTP_TOKEN, as consul's CLI")
	consulCA := fs.String("consul-cacert", os.Getenv("CONSUL_CACERT"), "with --consul https://...: CA bundle of the agent's certificate; default $CONSUL_CACERT, as consul's CLI")
	refresh := fs.Bool("refresh", false, "with --consul: ask each doctord for a fresh audit")
	nginx := fs.String("nginx", "https://127.0.0.1", "nginx TLS front end (loopback only)")
	timeout := fs.Duration("probe-timeout", 2*time.Second, "bound of each probe")
	services, err := parseInterleaved(fs, args)
	if err != nil {
		return exitUsage, err
	}
	if *token == "" {
		*token = os.Getenv("WAZO_TOKEN")
	}
	if *consulToken == "" {
		*consulToken = os.Getenv("CONSUL_HTTP_TOKEN")
	}
	sev, err := common.validate()
	if err != nil {
		return exitUsage, err
	}
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
		rep, err := rules.AuditCluster(context.Background(), rules.ClusterOptions{ConsulURL: *consul, Token: *token,
			ConsulToken: *consulToken, ConsulCAFile: *consulCA, Timeout: *timeout, Refresh: *refresh})
		if err != nil {
			return exitUsage, usageError{err}
		}
		return common.emit(rep, sev, stdout)
	}
	rep, err := rules.Audit(context.Background(), rules.AuditOptions{Root: *root, Services: services,
		NginxURL: *nginx, ProbeTimeout: *timeout})
	if err != nil {
		return exitUsage, usageError{err}
	}
	if len(rep.Services) == 0 {
		return exitUsage, usagef("no Wazo service found under %s (no /etc/wazo-*/config.yml nor wazo-*.service unit)", *root)
	}
	return common.emit(rep, sev, stdout)
}
