package service

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/lazyre"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/parse"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
	"github.com/wazo-platform/wazo-servicekit/safefile"
)

// Listed is what one file of the platform says about the service: the
// lines naming it, or none (Source then says which file was read and what
// it lacks). Absent is set when the sibling checkout is there and the file
// is not: the platform, as given, lacks it. Unknown is set when the file
// could not be seen (no checkout given, unreadable, does not parse), with
// what is missing.
type Listed struct {
	Lines   []Sourced `json:"lines"`
	Source  string    `json:"source,omitempty"`
	Absent  bool      `json:"absent,omitempty"`
	Unknown string    `json:"unknown,omitempty"`
}

// Known reports whether the file was read (or is established absent).
func (l Listed) Known() bool { return l.Unknown == "" }

// Found reports whether a line of the file names the service.
func (l Listed) Found() bool { return len(l.Lines) > 0 }

// Why says what was looked at when no line names the service: what is
// missing when unknown, else the file read or looked for.
func (l Listed) Why() string {
	if l.Unknown != "" {
		return l.Unknown
	}
	return l.Source
}

// PlatformFacts are the facts about the service that live in the other
// repositories of the platform (the sibling checkouts): its HA group, what
// wazo-upgrade restarts, its acceptance, backup documentation, build list,
// SDK project, service key and default-policy rows, and a wazo-nginx
// location. They are derived from a source repository only; an image root
// or a live host has none.
type PlatformFacts struct {
	// HAGroup is the wazo-service group fixing the service's state on an
	// HA secondary (wazo_services, default_services), from bin/wazo-service
	// or else the repository's .servicekit.yml ha_group. Value "" with a
	// Source means the platform's list is wrong: several groups, or no
	// bin/wazo-service in the wazo-service checkout.
	HAGroup Fact[string] `json:"ha_group"`
	// SecondaryStops is the group xivo-config's xivo-manage-slave-services
	// stops on a secondary.
	SecondaryStops Fact[string] `json:"secondary_stops"`
	// UpgradeRestart says whether wazo-upgrade's final `wazo-service
	// restart` starts the service (its script runs it and bin/wazo-service
	// lists the service).
	UpgradeRestart Fact[bool] `json:"upgrade_restart"`
	// AcceptanceHTTP is wazo-acceptance's daily http.feature row for
	// /api/<name>/.
	AcceptanceHTTP Listed `json:"acceptance_http"`
	// ServiceDiscovery is wazo-acceptance's service_discovery.feature row
	// for the service (the file is gone from today's wazo-acceptance).
	ServiceDiscovery Listed `json:"acceptance_service_discovery"`
	// Network is wazo-platform.org's network.md rows naming the service,
	// parsed in NetworkRows.
	Network     Listed       `json:"network_rows"`
	NetworkRows []NetworkRow `json:"-"`
	// BackupDoc is the line of wazo-platform.org's backup and restore page
	// naming /etc/<service>/.
	BackupDoc Listed `json:"backup_documented"`
	// DefaultPolicyACLs are the ACLs wazo-auth-keys' default policies
	// grant (etc/wazo-auth/conf.d/50-wazo-default.yml), whoever they are for.
	DefaultPolicyACLs Listed `json:"default_policy_acls"`
	// ServiceKey is wazo-auth-keys' config.yml definition of the service:
	// its system_user, the source saying how many ACLs it holds.
	ServiceKey Listed `json:"service_key_definition"`
	// BuildList is xivo-build-tools' packages line naming the source
	// package; SDKProject is wazo-sdk's project.yml entry for it.
	BuildList  Listed `json:"build_list"`
	SDKProject Listed `json:"sdk_project"`
	// WazoNginx is a location /api/<name>/ in wazo-nginx's etc/nginx tree,
	// where the platform's own server configuration lives; the parsed
	// location is WazoNginxLocation.
	WazoNginx         Listed                             `json:"wazo_nginx_location"`
	WazoNginxLocation *repo.Located[parse.NginxLocation] `json:"-"`
}

// platformFacts derives the facts of the sibling checkouts for one
// service, after siblingFacts filled its groups.
func (p *Platform) platformFacts(rp *repo.Repo, s *repo.Service, f *Facts) *PlatformFacts {
	if p == nil {
		p = NewPlatform("")
	}
	source := s.Name
	if len(rp.Control) > 0 {
		if src := rp.Control[0].Get("Source"); src != "" {
			source = src
		}
	}
	pf := &PlatformFacts{
		HAGroup:           p.haGroup(rp.Root, s.Name),
		SecondaryStops:    p.secondaryStops(),
		UpgradeRestart:    p.upgradeRestart(f.Groups),
		AcceptanceHTTP:    p.acceptanceHTTP(f.APIName.Value),
		ServiceDiscovery:  p.serviceDiscovery(s.Name),
		BackupDoc:         p.backupDoc(s.Name),
		DefaultPolicyACLs: p.defaultPolicyACLs(),
		ServiceKey:        p.serviceKey(s.Name),
		BuildList:         p.buildList(source),
		SDKProject:        p.sdkProject(source),
		WazoNginx:         p.wazoNginx(f.APIName.Value),
		WazoNginxLocation: p.wazoNginxLocation(f.APIName.Value),
	}
	pf.Network, pf.NetworkRows = p.network(s.Name)
	return pf
}

// unread is the fact of a sibling file that could not be read: absent
// from a checkout that is there, or unknown.
func unread(sf SiblingFile) Listed {
	if sf.Absent {
		return Listed{Lines: []Sourced{}, Absent: true, Source: sf.Why}
	}
	return Listed{Unknown: sf.Why}
}

// ServiceKitManifest is the file `wazo-servicekit new` writes at the root
// of a repository it made, recording choices the platform does not show
// yet (ha_group before wazo-service lists the service).
const ServiceKitManifest = ".servicekit.yml"

var manifestHAGroupRe = lazyre.New(`(?m)^ha_group: (default|wazo)\s*$`)

// haGroup is the service's wazo-service group: bin/wazo-service's, else
// the one the repository's manifest records while wazo-service does not
// list it yet, else (listed nowhere) the default group, never stopped.
func (p *Platform) haGroup(root, name string) Fact[string] {
	sf := p.File("wazo-service", "bin/wazo-service")
	var groups []Sourced
	if sf.OK() {
		groups = ShellGroups(sf.Data, name)
		if len(groups) == 1 {
			return Fact[string]{Value: groups[0].Value, Source: sf.Name() + ":" + groups[0].Source}
		}
	}
	if len(groups) == 0 {
		manifest, _ := safefile.ReadIn(root, ServiceKitManifest, 1<<20)
		if m := manifestHAGroupRe.Compiled().FindSubmatch(manifest); m != nil {
			return Fact[string]{Value: string(m[1]) + "_services", Source: ServiceKitManifest + " ha_group"}
		}
	}
	switch {
	case sf.OK() && len(groups) == 0:
		return Fact[string]{Value: "default_services", Source: sf.Name() + " (in no group: never stopped on a secondary)"}
	case sf.OK():
		return Fact[string]{Source: fmt.Sprintf("%s has %s in %d groups", sf.Name(), name, len(groups))}
	case sf.Absent:
		return Fact[string]{Source: sf.Why}
	}
	return Fact[string]{Unknown: sf.Why}
}

// SlaveServicesScript is xivo-config's script switching an HA node's
// services, and slaveStopRe the group it stops.
const SlaveServicesScript = "sbin/xivo-manage-slave-services"

var slaveStopRe = lazyre.New(`(?m)^[^#\n]*\bwazo-service\s+stop\s+(wazo|default|all)\b`)

// secondaryStops is the wazo-service group an HA secondary stops, as
// xivo-manage-slave-services does it (`wazo-service stop wazo`).
func (p *Platform) secondaryStops() Fact[string] {
	sf := p.File("xivo-config", SlaveServicesScript)
	if !sf.OK() {
		return Fact[string]{Unknown: "xivo-manage-slave-services not seen: " + sf.Why}
	}
	m := slaveStopRe.Compiled().FindSubmatch(sf.Data)
	if m == nil {
		return Fact[string]{Unknown: "xivo-config " + SlaveServicesScript + " has no `wazo-service stop <group>`"}
	}
	g := map[string]string{"wazo": "wazo_services", "default": "default_services", "all": "default_services"}[string(m[1])]
	return Fact[string]{Value: g, Source: fmt.Sprintf("xivo-config %s:%d", SlaveServicesScript, LineOf(sf.Data, string(m[0])))}
}

// upgradeRestart says whether wazo-upgrade's restart starts the service:
// its upgrade script runs `wazo-service restart` (or start) and
// bin/wazo-service lists the service (groups).
func (p *Platform) upgradeRestart(groups List) Fact[bool] {
	script, why := "", ""
	for _, file := range []string{"bin/real-wazo-upgrade", "bin/wazo-upgrade"} {
		sf := p.File("wazo-upgrade", file)
		if sf.OK() && (strings.Contains(string(sf.Data), "wazo-service restart") || strings.Contains(string(sf.Data), "wazo-service start")) {
			script = file
			break
		}
		if why == "" {
			why = sf.Why
		}
	}
	switch {
	case script == "" && why == "":
		return Fact[bool]{Value: false, Source: "neither wazo-upgrade bin/real-wazo-upgrade nor bin/wazo-upgrade runs wazo-service restart"}
	case script == "":
		return Fact[bool]{Unknown: "wazo-upgrade's restart not seen (" + why + ")"}
	case !groups.Known():
		return Fact[bool]{Unknown: "wazo-upgrade " + script + " runs wazo-service restart; wazo-service not seen (" + groups.Unknown + ")"}
	case len(groups.Value) == 0:
		return Fact[bool]{Value: false, Source: "wazo-upgrade " + script + " runs wazo-service restart, but bin/wazo-service does not list it"}
	}
	return Fact[bool]{Value: true, Source: "wazo-upgrade " + script + " runs wazo-service restart, whose " + groups.Value[0].Value + " lists it"}
}

// acceptanceHTTP finds wazo-acceptance's daily http.feature row for
// /api/<name>/, in today's file or the former one.
func (p *Platform) acceptanceHTTP(apiName string) Listed {
	var reasons []string
	missing := 0
	for _, file := range AcceptanceFiles {
		sf := p.File("wazo-acceptance", file)
		if !sf.OK() {
			reasons = append(reasons, sf.Why)
			if sf.Absent {
				missing++
			}
			continue
		}
		needle := "/api/" + apiName + "/"
		if l := LineOf(sf.Data, needle); l > 0 {
			return Listed{Lines: []Sourced{{needle, fmt.Sprintf("%s:%d", sf.Name(), l)}}}
		}
		return Listed{Lines: []Sourced{}, Source: "wazo-acceptance " + file + " has no " + needle + " row"}
	}
	if missing == len(AcceptanceFiles) {
		return Listed{Lines: []Sourced{}, Absent: true, Source: "wazo-acceptance has neither " + strings.Join(AcceptanceFiles, " nor ") +
			" (looked in " + filepath.Join(p.Dir, "wazo-acceptance") + ")"}
	}
	return Listed{Unknown: reasons[0]}
}

// serviceDiscovery finds the service's row in wazo-acceptance's
// service_discovery.feature.
func (p *Platform) serviceDiscovery(name string) Listed {
	sf := p.File("wazo-acceptance", ServiceDiscoveryFeature)
	if !sf.OK() {
		return unread(sf)
	}
	if l := FeatureRow(sf.Data, name); l > 0 {
		return Listed{Lines: []Sourced{{name, fmt.Sprintf("%s:%d", sf.Name(), l)}}}
	}
	return Listed{Lines: []Sourced{}, Source: "service_discovery.feature has no row for " + name}
}

// NetworkRow is a row of network.md's port table naming the service.
type NetworkRow struct {
	Cells []string
	// Authentication is the row's Authentication column ("" when the
	// table has none).
	Authentication string
	Line           int
}

// HasPort reports whether a cell of the row is the port.
func (r NetworkRow) HasPort(port int) bool {
	for _, c := range r.Cells {
		if c == strconv.Itoa(port) {
			return true
		}
	}
	return false
}

// network reads network.md's rows naming the service: a row is a line
// with a cell equal to the name; the Authentication column is the one the
// first line naming it declares.
func (p *Platform) network(name string) (Listed, []NetworkRow) {
	sf := p.File("wazo-platform.org", NetworkPage)
	if !sf.OK() {
		return unread(sf), nil
	}
	out := Listed{Lines: []Sourced{}}
	var rows []NetworkRow
	authCol := -1
	for i, line := range strings.Split(string(sf.Data), "\n") {
		cells := strings.Split(line, "|")
		for j := range cells {
			cells[j] = strings.TrimSpace(cells[j])
		}
		row := NetworkRow{Cells: cells, Line: i + 1}
		if authCol < 0 {
			for j, c := range cells {
				if strings.EqualFold(c, "Authentication") {
					authCol = j
				}
			}
		} else if len(cells) > authCol {
			row.Authentication = cells[authCol]
		}
		for _, c := range cells {
			if c == name {
				rows = append(rows, row)
				out.Lines = append(out.Lines, Sourced{strings.Trim(strings.Join(cells, " | "), " |"), fmt.Sprintf("%s:%d", sf.Name(), i+1)})
				break
			}
		}
	}
	if len(rows) == 0 {
		out.Source = sf.Name() + " has no row naming " + name
	}
	return out, rows
}

// BackupPages are where wazo-platform.org keeps its backup and restore
// page: a page of its own, or the index of a folder of the same name.
var BackupPages = []string{"website/uc-doc/system/backup_restore.md", "website/uc-doc/system/backup_restore/index.md"}

// backupDoc finds /etc/<service>/ on wazo-platform.org's backup page.
func (p *Platform) backupDoc(name string) Listed {
	var first, last SiblingFile
	for i, page := range BackupPages {
		sf := p.File("wazo-platform.org", page)
		if i == 0 {
			first = sf
		}
		last = sf
		if !sf.OK() {
			continue
		}
		want := "/etc/" + name + "/"
		if l := LineOf(sf.Data, want); l > 0 {
			return Listed{Lines: []Sourced{{want, fmt.Sprintf("%s:%d", sf.Name(), l)}}}
		}
		return Listed{Lines: []Sourced{}, Source: "wazo-platform.org " + page + " does not list " + want}
	}
	if first.Absent {
		return unread(first)
	}
	return Listed{Unknown: last.Why}
}

// DefaultPolicyFile is wazo-auth-keys' layer of wazo-auth's default
// policies.
const DefaultPolicyFile = "etc/wazo-auth/conf.d/50-wazo-default.yml"

// defaultPolicyACLs lists the ACLs wazo-auth-keys' default policies grant.
func (p *Platform) defaultPolicyACLs() Listed {
	sf := p.File("wazo-auth-keys", DefaultPolicyFile)
	if !sf.OK() {
		return unread(sf)
	}
	grants, err := decodeOnce(p, "policy grants", sf, PolicyGrants)
	if err != nil {
		return Listed{Unknown: err.Error()}
	}
	out := Listed{Lines: []Sourced{}, Source: sf.Name()}
	for _, g := range grants {
		out.Lines = append(out.Lines, Sourced{g, fmt.Sprintf("%s:%d", sf.Name(), LineOf(sf.Data, g))})
	}
	return out
}

// policyFile is a wazo-auth conf.d layer's default_policies.
type policyFile struct {
	DefaultPolicies map[string]struct {
		ACL []string `yaml:"acl"`
	} `yaml:"default_policies"`
}

// PolicyGrants reads the ACLs a wazo-auth config layer grants through its
// default policies (wazo-auth appends the lists of every conf.d file).
func PolicyGrants(name string, data []byte) ([]string, error) {
	var f policyFile
	if err := parse.DecodeYAML(name, data, &f); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(f.DefaultPolicies))
	for n := range f.DefaultPolicies {
		names = append(names, n)
	}
	sort.Strings(names) // the same facts on every run
	var out []string
	for _, n := range names {
		out = append(out, f.DefaultPolicies[n].ACL...)
	}
	return out, nil
}

// KeyDefinition is a wazo-auth-keys service definition: the account the
// key file is written for and the ACLs of the service.
type KeyDefinition struct {
	SystemUser string   `yaml:"system_user"`
	ACL        []string `yaml:"acl"`
}

// KeyDefinitions reads wazo-auth-keys service definitions
// (`<service>: {system_user, acl}`).
func KeyDefinitions(name string, data []byte) (map[string]KeyDefinition, error) {
	var defs map[string]KeyDefinition
	if err := parse.DecodeYAML(name, data, &defs); err != nil {
		return nil, err
	}
	return defs, nil
}

// KeysConfig is wazo-auth-keys' own list of service definitions.
const KeysConfig = "etc/wazo-auth-keys/config.yml"

// serviceKey is wazo-auth-keys' config.yml definition of the service: one
// line, its system_user.
func (p *Platform) serviceKey(name string) Listed {
	sf := p.File("wazo-auth-keys", KeysConfig)
	if !sf.OK() {
		return unread(sf)
	}
	defs, err := decodeOnce(p, "key definitions", sf, KeyDefinitions)
	if err != nil {
		return Listed{Unknown: err.Error()}
	}
	d, ok := defs[name]
	if !ok {
		return Listed{Lines: []Sourced{}, Source: sf.Name() + " does not define " + name}
	}
	return Listed{Lines: []Sourced{{d.SystemUser, fmt.Sprintf("%s, %d ACLs", keyLine(sf, name), len(d.ACL))}}}
}

// BuildPackages is xivo-build-tools' list of the source packages Wazo's
// build machines build, one a line.
const BuildPackages = "etc/xivo-build-tools/packages"

// buildList finds the source package on a line of its own in
// xivo-build-tools' list.
func (p *Platform) buildList(source string) Listed {
	sf := p.File("xivo-build-tools", BuildPackages)
	if !sf.OK() {
		return unread(sf)
	}
	for i, l := range strings.Split(string(sf.Data), "\n") {
		if strings.TrimSpace(l) == source {
			return Listed{Lines: []Sourced{{source, fmt.Sprintf("%s:%d", sf.Name(), i+1)}}}
		}
	}
	return Listed{Lines: []Sourced{}, Source: sf.Name() + " does not list " + source}
}

// sdkProject finds the source package's entry in wazo-sdk's project.yml
// (what `wdk mount` knows).
func (p *Platform) sdkProject(source string) Listed {
	sf := p.File("wazo-sdk", "project.yml")
	if !sf.OK() {
		return unread(sf)
	}
	projects, err := decodeOnce(p, "projects", sf, decodeYAML[map[string]any])
	if err != nil {
		return Listed{Unknown: sf.Name() + " does not parse: " + err.Error()}
	}
	if _, ok := projects[source]; !ok {
		return Listed{Lines: []Sourced{}, Source: sf.Name() + " has no " + source + " entry"}
	}
	return Listed{Lines: []Sourced{{source, keyLine(sf, source)}}}
}

// keyLine is "repo/file:line" of a top-level YAML key, or the file alone
// when the key is written another way (quoted, in a flow mapping).
func keyLine(sf SiblingFile, key string) string {
	for i, l := range strings.Split(string(sf.Data), "\n") {
		if strings.HasPrefix(l, key+":") {
			return fmt.Sprintf("%s:%d", sf.Name(), i+1)
		}
	}
	return sf.Name()
}

// Bounds of the walk of wazo-nginx's etc/nginx tree.
const (
	maxNginxFiles    = 256
	maxNginxFileSize = 256 << 10
)

// nginxTree is wazo-nginx's etc/nginx tree, read once: every location of
// its files in walk order, or why it was not read.
type nginxTree struct {
	locs    []repo.Located[parse.NginxLocation]
	why     string
	unknown bool // no sibling checkouts given
	read    bool // the tree was walked
}

// wazoNginxTree reads wazo-nginx/etc/nginx once (bounded in files and
// size, following no link).
func (p *Platform) wazoNginxTree() *nginxTree {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.nginx != nil {
		return p.nginx
	}
	t := &nginxTree{}
	p.nginx = t
	if p.Dir == "" {
		t.why, t.unknown = "wazo-nginx not looked at: no --siblings", true
		return t
	}
	root := filepath.Join(p.Dir, "wazo-nginx", "etc", "nginx")
	if st, err := os.Lstat(root); err != nil || !st.IsDir() {
		t.why = "no wazo-nginx/etc/nginx in " + p.Dir
		return t
	}
	files := 0
	_ = safefile.Walk(root, safefile.MaxWalkEntries, func(fp string, d fs.DirEntry, err error) error {
		if err != nil || files >= maxNginxFiles {
			return filepath.SkipDir
		}
		if !d.Type().IsRegular() {
			return nil // directories are walked; links and devices are not followed
		}
		files++
		rel, _ := filepath.Rel(p.Dir, fp)
		data, err := safefile.ReadIn(p.Dir, rel, maxNginxFileSize)
		if err != nil {
			return nil
		}
		for _, l := range parse.ParseNginx(data) {
			t.locs = append(t.locs, repo.Located[parse.NginxLocation]{Path: filepath.ToSlash(rel), Item: l})
		}
		return nil
	})
	t.why, t.read = "not in wazo-nginx/etc/nginx either", true
	return t
}

// wazoNginxLocation is the first location /api/<name>/ of wazo-nginx's
// tree, nil if none.
func (p *Platform) wazoNginxLocation(apiName string) *repo.Located[parse.NginxLocation] {
	want := "/api/" + apiName + "/"
	t := p.wazoNginxTree()
	for i := range t.locs {
		if t.locs[i].Item.Path == want {
			l := t.locs[i]
			return &l
		}
	}
	return nil
}

// wazoNginx is the fact of a location /api/<name>/ in wazo-nginx.
func (p *Platform) wazoNginx(apiName string) Listed {
	t := p.wazoNginxTree()
	if l := p.wazoNginxLocation(apiName); l != nil {
		return Listed{Lines: []Sourced{{l.Item.Path, fmt.Sprintf("%s:%d", l.Path, l.Item.Line)}}}
	}
	if t.unknown {
		return Listed{Unknown: t.why}
	}
	return Listed{Lines: []Sourced{}, Source: t.why, Absent: !t.read}
}

// facts lists the platform facts as lists, for the text form.
func (pf *PlatformFacts) facts() []struct {
	name string
	l    List
} {
	str := func(f Fact[string]) List {
		if !f.Known() {
			return unknownList(f.Unknown)
		}
		v := f.Value
		if v == "" {
			v = "none settled"
		}
		return List{Value: []Sourced{{v, f.Source}}}
	}
	listed := func(l Listed) List {
		if !l.Known() {
			return unknownList(l.Unknown)
		}
		return List{Value: l.Lines, Source: l.Source}
	}
	// The default policies grant hundreds of ACLs: the text says how many.
	policy := listed(pf.DefaultPolicyACLs)
	if pf.DefaultPolicyACLs.Found() {
		policy = List{Value: []Sourced{{fmt.Sprintf("%d ACLs", len(pf.DefaultPolicyACLs.Lines)), pf.DefaultPolicyACLs.Source}}}
	}
	restart := unknownList(pf.UpgradeRestart.Unknown)
	if pf.UpgradeRestart.Known() {
		restart = List{Value: []Sourced{{fmt.Sprint(pf.UpgradeRestart.Value), pf.UpgradeRestart.Source}}}
	}
	return []struct {
		name string
		l    List
	}{
		{"ha group", str(pf.HAGroup)},
		{"secondary stops", str(pf.SecondaryStops)},
		{"upgrade restarts it", restart},
		{"acceptance http row", listed(pf.AcceptanceHTTP)},
		{"service discovery", listed(pf.ServiceDiscovery)},
		{"network.md rows", listed(pf.Network)},
		{"backup documented", listed(pf.BackupDoc)},
		{"default policy acls", policy},
		{"service key", listed(pf.ServiceKey)},
		{"build list", listed(pf.BuildList)},
		{"sdk project", listed(pf.SDKProject)},
		{"wazo-nginx location", listed(pf.WazoNginx)},
	}
}

// Packaging finds the sibling wazo-*-packaging checkout that packages a
// dependency (wazo-python-<name>-packaging, written with or without the
// dashes and a py prefix or suffix: swagger-py is
// wazo-python-swaggerpy-packaging) and its VERSION; "" when none is among
// the checkouts.
func (p *Platform) Packaging(name string) (repoName, version string) {
	norm := parse.NormalizePyName(name)
	if !packagingNameRe.MatchString(norm) || len(norm) > 100 {
		return "", "" // not a name a checkout could have: never a path
	}
	shorts := []string{norm, strings.ReplaceAll(norm, "-", ""), strings.TrimSuffix(strings.TrimPrefix(norm, "py"), "-py"), strings.TrimPrefix(norm, "python-")}
	for _, short := range shorts {
		for _, cand := range []string{"wazo-python-" + short + "-packaging", "wazo-" + short + "-packaging", "wazo-golang-" + short + "-packaging"} {
			if p.HasCheckout(cand) {
				v := p.File(cand, "VERSION")
				return cand, strings.TrimSpace(string(v.Data))
			}
		}
	}
	return "", ""
}
