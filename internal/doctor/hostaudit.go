package doctor

import (
	"context"

	"github.com/wazo-platform/wazo-servicekit/internal/rules"
)

// HostAuditor audits the Wazo services installed under cfg.Root with the
// rule catalogue's live probes (the same ones as `wazo-servicekit audit`),
// each probe bounded by cfg.ProbeTimeoutSeconds.
func HostAuditor(cfg Audit) Auditor {
	return func(ctx context.Context) (*rules.Report, error) {
		return rules.Audit(ctx, rules.AuditOptions{
			Root:         cfg.Root,
			NginxURL:     cfg.NginxURL,
			ProbeTimeout: cfg.ProbeTimeoutSeconds.Duration(),
		})
	}
}
