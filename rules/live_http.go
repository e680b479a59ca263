package rules

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"time"

	"github.com/wazo-platform/wazo-servicekit/probe/parse"
)

// insecureLoopbackClient talks to nginx on loopback, whose certificate is
// the host's own self-signed one. It refuses any address that is not
// loopback, so a misconfigured URL can never send traffic off the host.
func insecureLoopbackClient(timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: timeout}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // loopback only, see DialContext
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				h, _, err := net.SplitHostPort(addr)
				if err != nil {
					return nil, err
				}
				if ip := net.ParseIP(h); h != "localhost" && (ip == nil || !ip.IsLoopback()) {
					return nil, fmt.Errorf("refusing %s: live probes only reach loopback", addr)
				}
				return dialer.DialContext(ctx, network, addr)
			},
		},
	}
}

// runTool runs a read-only command with the probe's deadline.
func runTool(ctx context.Context, name string, args ...string) ([]byte, error) {
	out, err := exec.CommandContext(ctx, name, args...).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok && len(ee.Stderr) > 0 {
			return out, fmt.Errorf("%v: %s", err, strings.TrimSpace(string(ee.Stderr)))
		}
	}
	return out, err
}

// apiVersions are the basePaths Wazo daemons use (conventions.md §0.7).
var apiVersions = []string{"1.0", "1.1", "0.1", "0.2"}

// fetchSpec GETs <base>/<ver>/api/api.yml for the known versions and
// returns the first document served.
func fetchSpec(env *LiveEnv, client *http.Client, base string) (map[string]any, string, error) {
	var lastErr error
	for _, v := range apiVersions {
		u := base + "/" + v + "/api/api.yml"
		req, err := http.NewRequestWithContext(env.Ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, u, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, u, err // nothing listens: no point trying other versions
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
		resp.Body.Close()
		if err != nil {
			return nil, u, err
		}
		if resp.StatusCode == http.StatusNotFound {
			lastErr = fmt.Errorf("%s: 404", u)
			continue
		}
		if resp.StatusCode != http.StatusOK {
			return nil, u, fmt.Errorf("%s: HTTP %d", u, resp.StatusCode)
		}
		m, err := parse.YAMLMap(u, body)
		return m, u, err
	}
	return nil, base, lastErr
}

func liveAPISpec(s *LiveService, env *LiveEnv) []Finding {
	port, ok := s.num("rest_api", "port")
	if !ok {
		return []Finding{fail("/etc/"+s.Name+"/config.yml", 0, "no rest_api.port in the installed config")}
	}
	if !s.Host.Live {
		return []Finding{notLive(s, "api.yml on port "+fmt.Sprint(port))}
	}
	doc, u, err := fetchSpec(env, env.HTTP, fmt.Sprintf("http://127.0.0.1:%d", port))
	if err != nil {
		return []Finding{fail("", 0, fmt.Sprintf("GET %s: %v", u, err))}
	}
	var out []Finding
	if p, ok := asInt(doc["x-xivo-port"]); !ok || p != port {
		out = append(out, fail("", 0, fmt.Sprintf("%s: x-xivo-port %v, but the daemon listens on %d", u, doc["x-xivo-port"], port)))
	}
	if n, _ := doc["x-xivo-name"].(string); n == "" {
		out = append(out, fail("", 0, u+": no x-xivo-name"))
	}
	if sw, _ := doc["swagger"].(string); sw != "2.0" && doc["openapi"] == nil {
		out = append(out, fail("", 0, u+": not a swagger 2.0 / openapi document"))
	}
	if len(out) == 0 {
		out = append(out, pass(fmt.Sprintf("%s serves api.yml with x-xivo-port %d, x-xivo-name %v", u, port, doc["x-xivo-name"])))
	}
	return out
}

// apiNames are the /api/<name>/ prefixes the service may be published
// under: its name without wazo-, or without the final d too (see api-spec).
func apiNames(name string) []string {
	short := strings.TrimPrefix(strings.TrimPrefix(name, "wazo-"), "xivo-")
	out := []string{short}
	if t, ok := strings.CutSuffix(short, "d"); ok && t != "" {
		out = append(out, t)
	}
	return out
}

func liveNginxEnabled(s *LiveService, env *LiveEnv) []Finding {
	dirEnabled := "/etc/nginx/locations/https-enabled"
	locs, err := s.Host.EnabledLocations()
	if err != nil {
		return []Finding{unknown(err.Error())}
	}
	var prefix, where string
	for _, l := range locs {
		for _, n := range apiNames(s.Name) {
			if l.Item.Path == "/api/"+n+"/" {
				prefix, where = l.Item.Path, fmt.Sprintf("%s:%d", l.Path, l.Item.Line)
			}
		}
	}
	if prefix == "" {
		return []Finding{fail(dirEnabled, 0, fmt.Sprintf("no enabled location for /api/%s/ in %s", apiNames(s.Name)[0], dirEnabled))}
	}
	out := []Finding{pass("enabled location " + prefix + " at " + where)}
	if !s.Host.Live {
		return append(out, notLive(s, "GET through nginx"))
	}
	doc, u, err := fetchSpec(env, env.HTTPSInsecure, strings.TrimSuffix(env.NginxURL, "/")+strings.TrimSuffix(prefix, "/"))
	if err != nil {
		var ue *url.Error
		if ok := asURLError(err, &ue); ok && !strings.Contains(err.Error(), "HTTP") {
			return append(out, unknown(fmt.Sprintf("GET %s: %v (is nginx listening?)", u, err)))
		}
		return append(out, fail("", 0, fmt.Sprintf("GET %s: %v", u, err)))
	}
	if bp, _ := doc["basePath"].(string); !strings.HasPrefix(bp, strings.TrimSuffix(prefix, "/")) {
		out = append(out, fail("", 0, fmt.Sprintf("%s: basePath %q is not under %s: X-Script-Name not honoured", u, bp, prefix)))
	} else {
		out = append(out, pass(fmt.Sprintf("GET %s through nginx: basePath %s", u, bp)))
	}
	return out
}

func asURLError(err error, target **url.Error) bool {
	ue, ok := err.(*url.Error)
	if ok {
		*target = ue
	}
	return ok
}

func liveConsulCatalog(s *LiveService, env *LiveEnv) []Finding {
	if !s.Host.Live {
		return []Finding{notLive(s, "consul catalog")}
	}
	if en, _ := s.Config["service_discovery"].(map[string]any)["enabled"].(bool); !en {
		return []Finding{fail("/etc/"+s.Name+"/config.yml", 0, "service_discovery.enabled is not true: the service does not register")}
	}
	base := env.ConsulURL
	if base == "" {
		host := s.str("consul", "host")
		if host == "" {
			return []Finding{unknown("consul.host is not configured and no --consul URL was given")}
		}
		scheme := s.str("consul", "scheme")
		if scheme == "" {
			scheme = "http"
		}
		port, ok := s.num("consul", "port")
		if !ok {
			port = 8500
		}
		base = fmt.Sprintf("%s://%s:%d", scheme, host, port)
	}
	req, err := http.NewRequestWithContext(env.Ctx, http.MethodGet, strings.TrimSuffix(base, "/")+"/v1/agent/health/service/name/"+url.PathEscape(s.Name)+"?format=json", nil)
	if err != nil {
		return []Finding{unknown(err.Error())}
	}
	if tok := s.str("consul", "token"); tok != "" {
		req.Header.Set("X-Consul-Token", tok)
	}
	resp, err := env.HTTP.Do(req)
	if err != nil {
		return []Finding{unknown("consul agent unreachable: " + err.Error())}
	}
	defer resp.Body.Close()
	var entries []struct {
		AggregatedStatus string
		Service          struct {
			ID   string
			Port int
		}
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode == http.StatusNotFound {
		return []Finding{fail("", 0, "the consul agent has no service named "+s.Name)}
	}
	if err := json.Unmarshal(body, &entries); err != nil {
		return []Finding{unknown(fmt.Sprintf("consul answered HTTP %d, not the health list: %v", resp.StatusCode, err))}
	}
	if len(entries) == 0 {
		return []Finding{fail("", 0, "the consul agent has no service named "+s.Name)}
	}
	port, _ := s.num("rest_api", "port")
	for _, e := range entries {
		if e.AggregatedStatus == "passing" {
			if adv, ok := s.num("service_discovery", "advertise_port"); ok && e.Service.Port != adv {
				return []Finding{fail("", 0, fmt.Sprintf("registered on port %d, config advertises %d", e.Service.Port, adv))}
			}
			return []Finding{pass(fmt.Sprintf("consul: %s (%s) passing on port %d (listens on %d)", s.Name, e.Service.ID, e.Service.Port, port))}
		}
	}
	return []Finding{fail("", 0, fmt.Sprintf("consul has %d instance(s) of %s, none passing (first: %s)", len(entries), s.Name, entries[0].AggregatedStatus))}
}
