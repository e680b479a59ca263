// Package ports is the registry of known Wazo ports, kept as data
// (registry.yml) so that `wazo-servicekit ports`, the port rule and the
// service generator agree on which ports are taken and which is next.
package ports

import (
	_ "embed"
	"fmt"
	"sort"
	"sync"

	"gopkg.in/yaml.v3"
)

//go:embed registry.yml
var registryYAML []byte

// Entry is one known port.
type Entry struct {
	Port       int    `yaml:"port" json:"port"`
	Daemon     string `yaml:"daemon" json:"daemon"`
	Proto      string `yaml:"proto" json:"proto"`
	Listen     string `yaml:"listen" json:"listen,omitempty"`
	Source     string `yaml:"source" json:"source"`
	Historical bool   `yaml:"historical" json:"historical,omitempty"`
	Unverified bool   `yaml:"unverified" json:"unverified,omitempty"`
}

// Registry is the parsed registry.
type Registry struct {
	BlockStart      int     `yaml:"block_start" json:"block_start"`
	BlockEnd        int     `yaml:"block_end" json:"block_end"`
	CommonTestPorts []int   `yaml:"common_test_ports" json:"common_test_ports"`
	Ports           []Entry `yaml:"ports" json:"ports"`
}

// Load parses the embedded registry. It fails only if the embedded data is
// broken, which a test catches.
func Load() (*Registry, error) {
	return Parse(registryYAML)
}

// Default is the embedded registry, parsed once per process (read-only
// after parsing).
var Default = sync.OnceValues(Load)

// Parse reads a registry document and checks that it is usable: a block
// start, and no port claimed by two different current daemons.
func Parse(data []byte) (*Registry, error) {
	var r Registry
	if err := yaml.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("ports registry: %v", err)
	}
	if r.BlockStart <= 0 || r.BlockEnd < r.BlockStart {
		return nil, fmt.Errorf("ports registry: block_start and block_end (>= block_start) are required")
	}
	seen := map[int]string{}
	for _, e := range r.Ports {
		if e.Port <= 0 || e.Port > 65535 || e.Daemon == "" {
			return nil, fmt.Errorf("ports registry: bad entry %+v (port 1-65535 and daemon are required)", e)
		}
		if d, ok := seen[e.Port]; ok && d != e.Daemon {
			return nil, fmt.Errorf("ports registry: port %d claimed by %s and %s", e.Port, d, e.Daemon)
		}
		seen[e.Port] = e.Daemon
	}
	sort.SliceStable(r.Ports, func(i, j int) bool { return r.Ports[i].Port < r.Ports[j].Port })
	return &r, nil
}

// Owners returns the registry entries for a port (a port may appear for
// one daemon with several protocols).
func (r *Registry) Owners(port int) []Entry {
	var out []Entry
	for _, e := range r.Ports {
		if e.Port == port {
			out = append(out, e)
		}
	}
	return out
}

// PortsOf returns the ports registered for a daemon.
func (r *Registry) PortsOf(daemon string) []int {
	var out []int
	for _, e := range r.Ports {
		if e.Daemon == daemon {
			out = append(out, e.Port)
		}
	}
	return out
}

// InBlock reports whether port lies in Wazo's HTTP API block.
func (r *Registry) InBlock(port int) bool { return port >= r.BlockStart && port <= r.BlockEnd }

// IsCommonTestPort reports whether port is one of the ports developers use
// for test HTTP servers (the checklist's "8000, 8080, etc.").
func (r *Registry) IsCommonTestPort(port int) bool {
	for _, p := range r.CommonTestPorts {
		if p == port {
			return true
		}
	}
	return false
}

// Next returns the next free port for a new daemon and why: one above the
// highest port registered in the block (historical ports count as taken),
// skipping common test ports.
func (r *Registry) Next() (int, string) {
	highest, owner := r.BlockStart-1, ""
	for _, e := range r.Ports {
		if r.InBlock(e.Port) && e.Port > highest {
			highest, owner = e.Port, e.Daemon
		}
	}
	next := highest + 1
	for r.IsCommonTestPort(next) || len(r.Owners(next)) > 0 {
		next++
	}
	return next, fmt.Sprintf("the HTTP API block starts at %d; its highest registered port is %d (%s); %d is the next unused one",
		r.BlockStart, highest, owner, next)
}
