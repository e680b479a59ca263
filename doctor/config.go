package doctor

import "github.com/wazo-platform/wazo-servicekit/config"

// Config is wazo-doctord's configuration: the keys every Wazo daemon has,
// and the audit's own.
type Config struct {
	config.Common `yaml:",inline"`
}
