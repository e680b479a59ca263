package config

import "time"

// Common holds the keys every Wazo daemon shares. A
// daemon embeds it inline in its own config struct:
//
//	type Config struct {
//		config.Common `yaml:",inline"`
//		MyKey string `yaml:"my_key"`
//	}
//
// Field names follow the YAML keys of Wazo's shipped config.yml files so that
// an operator's conf.d file written for a Python daemon means the same here.
type Common struct {
	ConfigFile       string `yaml:"config_file"`
	ExtraConfigFiles string `yaml:"extra_config_files"`
	Debug            bool   `yaml:"debug"`
	LogLevel         string `yaml:"log_level"`
	LogFile          string `yaml:"log_file"`
	PIDFile          string `yaml:"pid_file"`
	User             string `yaml:"user"`
	// UUID is XIVO_UUID, read from the environment (never from files), as
	// xivo.config_helper.set_xivo_uuid does.
	UUID string `yaml:"uuid"`

	Auth             Auth             `yaml:"auth"`
	Bus              Bus              `yaml:"bus"`
	RestAPI          RestAPI          `yaml:"rest_api"`
	Consul           Consul           `yaml:"consul"`
	ServiceDiscovery ServiceDiscovery `yaml:"service_discovery"`
}

// Auth locates wazo-auth, which checks every token.
type Auth struct {
	Host    string  `yaml:"host"`
	Port    int     `yaml:"port"`
	Prefix  *string `yaml:"prefix"`
	HTTPS   bool    `yaml:"https"`
	Timeout Seconds `yaml:"timeout"`
	KeyFile string  `yaml:"key_file"`
	// Username and Password come from the key file's service_id and
	// service_key unless set in a config file or on the command line.
	Username string `yaml:"username"`
	Password string `yaml:"password"`
}

// Bus is the RabbitMQ connection used to publish events.
type Bus struct {
	Username     string `yaml:"username"`
	Password     string `yaml:"password"`
	Host         string `yaml:"host"`
	Port         int    `yaml:"port"`
	ExchangeName string `yaml:"exchange_name"`
	ExchangeType string `yaml:"exchange_type"`
	// Enabled is false when the daemon has no bus at all; Wazo daemons always
	// have one, but a kit user may not.
	Enabled bool `yaml:"enabled"`
}

// RestAPI is the HTTP listener. Wazo daemons listen in plain HTTP on
// loopback; nginx terminates TLS.
type RestAPI struct {
	Listen string `yaml:"listen"`
	Port   int    `yaml:"port"`
	CORS   CORS   `yaml:"cors"`
	// MaxBodyBytes bounds request bodies; larger ones get 413.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// DrainTimeout bounds how long in-flight requests may run after SIGTERM,
	// in seconds.
	DrainTimeout Seconds `yaml:"drain_timeout"`
	// ReadTimeout bounds reading a whole request, body included, WriteTimeout
	// writing its answer, and IdleTimeout how long a keep-alive connection
	// may wait for its next request, in seconds; MaxConnections bounds the
	// open connections (quiet ones are closed first to make room). Zero
	// means the default of ServerLimits.
	ReadTimeout    Seconds `yaml:"read_timeout"`
	WriteTimeout   Seconds `yaml:"write_timeout"`
	IdleTimeout    Seconds `yaml:"idle_timeout"`
	MaxConnections int     `yaml:"max_connections"`
}

// Defaults of the HTTP server's limits: a request has 30 s to arrive, its
// answer 60 s to leave, a keep-alive connection waits 30 s for the next
// one, and at most 1024 connections are open (fewer when the file
// descriptor limit is lower, see daemon).
const (
	DefaultReadTimeout    Seconds = 30
	DefaultWriteTimeout   Seconds = 60
	DefaultIdleTimeout    Seconds = 30
	DefaultMaxConnections         = 1024
)

// ServerLimits returns the timeouts and the connection limit, defaults
// applied to what is unset.
func (r RestAPI) ServerLimits() (read, write, idle time.Duration, maxConns int) {
	read, write, idle = limit(r.ReadTimeout, DefaultReadTimeout), limit(r.WriteTimeout, DefaultWriteTimeout), limit(r.IdleTimeout, DefaultIdleTimeout)
	maxConns = r.MaxConnections
	if maxConns <= 0 {
		maxConns = DefaultMaxConnections
	}
	return read, write, idle, maxConns
}

// limit is s, or def when s is unset (zero or less).
func limit(s, def Seconds) time.Duration {
	if s <= 0 {
		return def.Duration()
	}
	return s.Duration()
}

// CORS mirrors xivo's flask-cors settings.
type CORS struct {
	Enabled      bool     `yaml:"enabled"`
	AllowHeaders []string `yaml:"allow_headers"`
	AllowOrigins []string `yaml:"allow_origins"`
}

// Consul is how to reach the local consul agent.
type Consul struct {
	Scheme string `yaml:"scheme"`
	Host   string `yaml:"host"`
	Port   int    `yaml:"port"`
	Token  string `yaml:"token"`
	// Verify is true, false, or the path of a CA bundle, as in python-consul.
	Verify Verify `yaml:"verify"`
}

// ServiceDiscovery drives registration in consul.
type ServiceDiscovery struct {
	Enabled                   bool     `yaml:"enabled"`
	AdvertiseAddress          string   `yaml:"advertise_address"`
	AdvertiseAddressInterface string   `yaml:"advertise_address_interface"`
	AdvertisePort             int      `yaml:"advertise_port"`
	TTLInterval               Seconds  `yaml:"ttl_interval"`
	RefreshInterval           Seconds  `yaml:"refresh_interval"`
	RetryInterval             Seconds  `yaml:"retry_interval"`
	ExtraTags                 []string `yaml:"extra_tags"`
}

// Verify is consul's "verify": a boolean or a CA file path.
type Verify struct {
	Enabled bool
	CAFile  string
}

// CommonConfig gives the daemon package the shared keys of any config struct
// that embeds Common.
func (c *Common) CommonConfig() *Common { return c }
