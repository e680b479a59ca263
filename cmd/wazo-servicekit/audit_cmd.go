package main

import (
	"context"
	"flag"
	"io"
	"os"
	"time"

	"github.com/wazo-platform/wazo-servicekit/rules"
)

func cmdAudit(args []string, stdout, stderr io.Writer) (int, error) {
	fs := flag.NewFlagSet("audit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	common := addCommon(fs)
	root := fs.String("root", "/", "audit an image root (chroot, debootstrap tree) instead of this host; live probes report unknown there")
	consul := fs.String("consul", "", "consul agent URL (default: each service's consul config)")
	nginx := fs.String("nginx", "https://127.0.0.1", "nginx TLS front end (loopback only)")
	timeout := fs.Duration("probe-timeout", 2*time.Second, "bound of each probe")
	services, err := parseInterleaved(fs, args)
	if err != nil {
		return exitUsage, err
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
	rep, err := rules.Audit(context.Background(), rules.AuditOptions{Root: *root, Services: services,
		ConsulURL: *consul, NginxURL: *nginx, ProbeTimeout: *timeout})
	if err != nil {
		return exitUsage, usageError{err}
	}
	if len(rep.Services) == 0 {
		return exitUsage, usagef("no Wazo service found under %s (no /etc/wazo-*/config.yml nor wazo-*.service unit)", *root)
	}
	return common.emit(rep, sev, stdout)
}
