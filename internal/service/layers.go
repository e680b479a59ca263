package service

import (
	"fmt"
	"sort"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

// layers are the configuration files the daemon reads, the one that wins
// first: the shipped conf.d files (in name order, the first file winning),
// config.yml, the code's defaults.
func layers(s *repo.Service) []*repo.Config {
	var out []*repo.Config
	for _, c := range append(append([]*repo.Config(nil), s.ConfD...), s.Config, s.Defaults) {
		if c != nil {
			out = append(out, c)
		}
	}
	return out
}

// maxMergeDepth bounds the nesting merged, as WalkSettings bounds its walk.
const maxMergeDepth = 16

// effective is the configuration as the daemon sees it: the layers merged
// key by key, the first layer declaring a key winning (a null declares
// nothing), sections merged with their counterparts below.
func effective(ls []*repo.Config) map[string]any {
	out := map[string]any{}
	for _, c := range ls {
		mergeUnder(out, c.Map, 0)
	}
	return out
}

// mergeUnder adds to dst what src declares that dst does not.
func mergeUnder(dst, src map[string]any, depth int) {
	for k, v := range src {
		if v == nil {
			continue
		}
		have, ok := dst[k]
		if !ok {
			if sub, isMap := v.(map[string]any); isMap && depth < maxMergeDepth {
				cp := map[string]any{}
				mergeUnder(cp, sub, depth+1)
				v = cp
			}
			dst[k] = v
			continue
		}
		dm, dIsMap := have.(map[string]any)
		sm, sIsMap := v.(map[string]any)
		if dIsMap && sIsMap && depth < maxMergeDepth {
			mergeUnder(dm, sm, depth+1)
		}
	}
}

// origin is the index of the layer a dotted key's value comes from, and
// "file:line" for it.
func origin(ls []*repo.Config, key string) (int, string) {
	path := strings.Split(key, ".")
	for i, c := range ls {
		if c.Has(path...) {
			return i, fmt.Sprintf("%s:%d", c.Path, c.Line(path...))
		}
	}
	return len(ls), "?"
}

// layeredSetting is a key of the effective configuration with the layer
// it comes from.
type layeredSetting struct {
	key    string
	value  any
	layer  int
	source string // file:line
}

// byLayer lists keys of the effective configuration with their source,
// the winning layer's first (conf.d, then config.yml, then the defaults),
// each layer's in the order given.
func byLayer(ls []*repo.Config, keys []string, values []any) []layeredSetting {
	out := make([]layeredSetting, 0, len(keys))
	for i, k := range keys {
		layer, src := origin(ls, k)
		out = append(out, layeredSetting{k, values[i], layer, src})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].layer < out[j].layer })
	return out
}
