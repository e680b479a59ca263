package daemon

import (
	"log/slog"

	"github.com/wazo-platform/wazo-servicekit/auth"
	"github.com/wazo-platform/wazo-servicekit/config"
	"github.com/wazo-platform/wazo-servicekit/status"
)

// watchServiceKey adds the service_key component to /status when the
// daemon calls other Wazo APIs with a service key (auth.key_file is set):
// fail while the key file is missing or readable by others, with one warning
// line at start saying why and how to fix it. A daemon that calls no API
// sets no key_file and gets no component.
func watchServiceKey(cfg config.Auth, agg *status.Aggregator, logger *slog.Logger) {
	if cfg.KeyFile == "" {
		return
	}
	if problem := auth.KeyFileProblem(cfg.KeyFile); problem != "" {
		logger.Warn(problem)
	}
	agg.Add("service_key", func() string {
		if auth.KeyFileProblem(cfg.KeyFile) != "" {
			return status.Fail
		}
		return status.OK
	})
}
