package fix

import (
	"context"
	"fmt"
	"os/exec"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/parse"
)

// nginxFix publishes the service's REST API at https://wazo/api/<name>/
// (nginx-location, item B20) the way Wazo's daemons do: the package ships
// etc/nginx/locations/https-available/<service> with `location ^~
// /api/<name>/` proxying to its HTTP port on 127.0.0.1 (with its
// debian/<pkg>.install line when needed), and its postinst links it into
// https-enabled on a fresh install. Certain when the model establishes the
// API's name (api.yml's x-xivo-name) and its one plain HTTP port; else
// nothing is written, saying which fact is missing.
func nginxFix(c *ownCtx, rule failing) (string, []ownEdit, string) {
	f := c.facts
	name := f.Service
	create, enable := false, false
	for _, m := range rule.messages {
		switch {
		case strings.HasPrefix(m, "no HTTP API"):
			return "", nil, "no fix: the service has no REST API to publish (" + m + ")"
		case strings.HasPrefix(m, "no nginx `location"):
			create = true
		case strings.HasPrefix(m, "nothing links "):
			enable = true
		default:
			return "", nil, "no fix: the location the package ships is changed by hand (" + m + ")"
		}
	}
	file := name
	if enable && !create {
		// The file the package ships the location in, as the model has it.
		file = ""
		for _, l := range f.Nginx.Value {
			if strings.HasSuffix(l.Value, " /api/"+f.APIName.Value+"/") {
				src, _, _ := strings.Cut(l.Source, ":")
				file = path.Base(src)
				break
			}
		}
	}
	if !packageNameRe.MatchString(file) {
		return "", nil, "no fix: the location file's name " + strconv.Quote(file) + " is not one the fix writes into a postinst"
	}
	var edits []ownEdit
	if create {
		api, port, why := nginxFacts(c)
		if why != "" {
			return "", nil, "no fix: " + why
		}
		rel := "etc/nginx/locations/https-available/" + name
		text := nginxLocationText(api, port)
		edits = append(edits, ownEdit{rel: rel, create: true, certainty: Certain,
			change: func(string) (string, error) { return text, nil },
			verify: func(_, new string) error { return verifyNginxLocation(new, api, port) },
			does: fmt.Sprintf("ships %s: `location ^~ /api/%s/` proxying to http://127.0.0.1:%d/ (%s; %s)",
				rel, api, port, f.APIName.Source, portSource(c))})
		instRel, data, err := packageFile(c, "install")
		switch {
		case err != nil:
			return "", nil, "not written: " + err.Error()
		case instRel == "":
			return "", nil, "not written: expected a debian/" + name + ".install to ship " + rel + " with; found none"
		}
		if e := installEdit(instRel, data, rel); e != nil {
			edits = append(edits, *e)
		}
	}
	post, _, err := packageFile(c, "postinst")
	switch {
	case err != nil:
		return "", nil, "not written: " + err.Error()
	case post == "":
		return "", nil, "not written: expected a debian/" + name +
			".postinst to enable the location in; found none (a new maintainer script is a packaging change to write by hand)"
	}
	edits = append(edits, ownEdit{rel: post, certainty: Certain,
		change: func(old string) (string, error) { return enableLocation(old, file) },
		verify: func(old, new string) error { return verifyEnable(old, new, file) },
		does:   "links https-available/" + file + " into https-enabled on a fresh install (" + post + ")"})
	return c.dir, edits, ""
}

// nginxFacts are the location's API name and port, when the model
// establishes them, else why not.
func nginxFacts(c *ownCtx) (string, int, string) {
	f := c.facts
	if !f.APIName.Known() || f.APIName.Value == "" {
		return "", 0, "the API's name under /api/ is unknown (" + f.APIName.Unknown + ")"
	}
	if !strings.HasSuffix(f.APIName.Source, "x-xivo-name") {
		return "", 0, "the API's name under /api/ is not established: " + f.APIName.Source + " (api.yml's x-xivo-name names it)"
	}
	if !packageNameRe.MatchString(f.APIName.Value) {
		return "", 0, fmt.Sprintf("the API's name %q is not a plain name", f.APIName.Value)
	}
	if !f.Ports.Known() {
		return "", 0, "the service's port is unknown (" + f.Ports.Unknown + ")"
	}
	ports := plainHTTPPorts(c)
	switch len(ports) {
	case 0:
		return "", 0, "the model has no plain HTTP port for nginx to proxy to"
	case 1:
		return f.APIName.Value, ports[0], ""
	}
	return "", 0, fmt.Sprintf("the API's port is not established: %d plain HTTP ports (%v)", len(ports), ports)
}

// plainHTTPPorts are the distinct HTTP ports of the model that are not a
// TLS one (an https setting): nginx proxies in plain HTTP.
func plainHTTPPorts(c *ownCtx) []int {
	seen := map[int]bool{}
	var out []int
	for _, p := range c.facts.Ports.Value {
		if p.HTTP && !strings.Contains(p.Key, "https") && !seen[p.Number] {
			seen[p.Number] = true
			out = append(out, p.Number)
		}
	}
	sort.Ints(out)
	return out
}

func portSource(c *ownCtx) string {
	for _, p := range c.facts.Ports.Value {
		if p.HTTP && !strings.Contains(p.Key, "https") {
			return p.Key + " at " + p.Source
		}
	}
	return ""
}

// nginxLocationText is the location block of an API, in the layout of
// Wazo's own location files.
func nginxLocationText(api string, port int) string {
	return "location ^~ /api/" + api + "/ {\n" +
		"    proxy_pass http://127.0.0.1:" + strconv.Itoa(port) + "/;\n\n" +
		"    proxy_set_header    Host                $http_host;\n" +
		"    proxy_set_header    X-Script-Name       /api/" + api + ";\n" +
		"    proxy_set_header    X-Forwarded-For     $proxy_add_x_forwarded_for;\n" +
		"    proxy_set_header    X-Forwarded-Proto   $scheme;\n" +
		"}\n"
}

// verifyNginxLocation re-parses the location written: one block, ^~
// /api/<api>/, proxying to the port with the trailing slash, X-Script-Name
// /api/<api>.
func verifyNginxLocation(text, api string, port int) error {
	locs := parse.ParseNginx([]byte(text))
	if len(locs) != 1 {
		return fmt.Errorf("%d locations parsed, want 1", len(locs))
	}
	l := locs[0]
	want := fmt.Sprintf("http://127.0.0.1:%d/", port)
	switch {
	case l.Modifier != "^~" || l.Path != "/api/"+api+"/":
		return fmt.Errorf("location %s %s, want ^~ /api/%s/", l.Modifier, l.Path, api)
	case l.ProxyPass != want:
		return fmt.Errorf("proxy_pass %s, want %s", l.ProxyPass, want)
	case l.Headers["x-script-name"] != "/api/"+api:
		return fmt.Errorf("X-Script-Name %q, want /api/%s", l.Headers["x-script-name"], api)
	}
	return nil
}

var (
	configureArmRe = regexp.MustCompile(`^\s*configure\s*\)\s*(#.*)?$`)
	caseOpenRe     = regexp.MustCompile(`^\s*case\s.*\sin\s*(#.*)?$`)
	esacRe         = regexp.MustCompile(`^\s*esac\b`)
	armEndRe       = regexp.MustCompile(`;;\s*(#.*)?$`)
)

// enableLocation adds, at the end of the postinst's `configure)` arm, the
// link of the location into https-enabled on a fresh install ($2, the
// version configured before, empty), indented as the arm's body.
func enableLocation(old, file string) (string, error) {
	lines := strings.Split(old, "\n")
	start := -1
	for i, l := range lines {
		if configureArmRe.MatchString(l) {
			start = i
			break
		}
	}
	if start < 0 {
		return "", fmt.Errorf("expected a `configure)` arm of a case on $1; found none")
	}
	end, depth := -1, 0
	for i := start + 1; i < len(lines) && end < 0; i++ {
		switch l := lines[i]; {
		case caseOpenRe.MatchString(l):
			depth++
		case esacRe.MatchString(l) && depth > 0:
			depth--
		case esacRe.MatchString(l):
			return "", fmt.Errorf("expected the `configure)` arm (line %d) to end with ;;; found esac at line %d", start+1, i+1)
		case depth == 0 && armEndRe.MatchString(l):
			end = i
		}
	}
	if end < 0 {
		return "", fmt.Errorf("expected the `configure)` arm (line %d) to end with ;;; found no end", start+1)
	}
	if strings.TrimSpace(lines[end]) != ";;" {
		return "", fmt.Errorf("expected the `configure)` arm to end with ;; on a line of its own; found line %d: %q", end+1, lines[end])
	}
	ind, step := bodyIndent(lines, start, end)
	block := []string{
		ind + `if [ -z "$2" ]; then`,
		ind + step + "ln -sf /etc/nginx/locations/https-available/" + file + " /etc/nginx/locations/https-enabled/" + file,
		ind + "fi",
	}
	if strings.TrimSpace(lines[end-1]) != "" && end-1 > start {
		block = append([]string{""}, block...)
	}
	out := append(append(append([]string{}, lines[:end]...), block...), lines[end:]...)
	return strings.Join(out, "\n"), nil
}

// bodyIndent is the indentation of the arm's first body line (else the
// arm's own plus one step) and one step of the file's indentation.
func bodyIndent(lines []string, start, end int) (string, string) {
	lead := func(l string) string { return l[:len(l)-len(strings.TrimLeft(l, " \t"))] }
	step := "    "
	if strings.HasPrefix(lead(lines[start]), "\t") {
		step = "\t"
	}
	for i := start + 1; i < end; i++ {
		if strings.TrimSpace(lines[i]) != "" {
			l := lead(lines[i])
			if strings.HasPrefix(l, "\t") {
				step = "\t"
			}
			return l, step
		}
	}
	return lead(lines[start]) + step, step
}

// verifyEnable checks the postinst is the old one with lines added only,
// that its shell still parses it (sh -n, or bash -n for a bash script;
// bounded in time) and that it now links the file into https-enabled.
func verifyEnable(old, new, file string) error {
	o, n := strings.Split(old, "\n"), strings.Split(new, "\n")
	j := 0
	for _, l := range n {
		if j < len(o) && l == o[j] {
			j++
		}
	}
	if j != len(o) || len(n)-len(o) > 4 {
		return fmt.Errorf("more than the link's lines changed")
	}
	linked := false
	for _, cmd := range parse.ParseShell([]byte(new)) {
		j := strings.Join(cmd.Args, " ")
		linked = linked || cmd.Name() == "ln" && strings.Contains(j, "https-enabled/"+file)
	}
	if !linked {
		return fmt.Errorf("no ln into https-enabled/%s parsed", file)
	}
	shell := "sh"
	if first, _, _ := strings.Cut(old, "\n"); strings.HasPrefix(first, "#!") && strings.HasSuffix(strings.TrimSpace(first), "bash") {
		shell = "bash"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, shell, "-n")
	cmd.Stdin = strings.NewReader(new)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s -n: %v %s", shell, err, strings.TrimSpace(string(out)))
	}
	return nil
}
