package rules

import (
	"embed"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Departure is what a platform profile's waiver says besides the waiver
// itself: why the platform departs from the checklist item, what shows it,
// and how the guidelines page could say what the platform does. The drift
// report prints it; only profiles may carry it.
type Departure struct {
	// Practice is what the services share instead of what the text says.
	Practice string `yaml:"practice"`
	// Deleted is a file of a sibling repository the checklist names and
	// the platform deleted ({service} stands for each service's name):
	// the drift report looks up the commit that deleted it.
	Deleted string `yaml:"deleted"`
	// Bullet is the checklist line as the guidelines page writes it, and
	// Edit the line suggested instead ("" with Bullet set: remove it).
	Bullet string `yaml:"bullet"`
	Edit   string `yaml:"edit"`
	// Dist makes the waiver apply only to failures that do not fail when
	// the rule judges against this Debian distribution (the platform's
	// target) instead: the service keeps what differs from both.
	Dist string `yaml:"dist"`
	// failsOnDist holds distKey of each failure of the rule against Dist,
	// filled by Profile.Prepare.
	failsOnDist map[string]bool
}

// departureKeys are the keys only a profile's waivers may have.
var departureKeys = map[string]bool{"practice": true, "deleted": true, "bullet": true, "edit": true, "dist": true}

// Profile is a platform profile: a waiver set owned by the platform, with
// reason and expiry per entry, for the checklist items where the platform
// as a whole departs from its own checklist. Its waived failures show as
// waived by the platform, never hidden, so what stays red is each
// service's own.
type Profile struct {
	Name        string
	Owner       string
	Description string
	Waivers     []*Waiver
}

//go:embed profiles/*.yml
var profileFiles embed.FS

// ProfileNames lists the shipped profiles.
func ProfileNames() []string {
	entries, _ := profileFiles.ReadDir("profiles")
	var out []string
	for _, e := range entries {
		out = append(out, strings.TrimSuffix(e.Name(), ".yml"))
	}
	sort.Strings(out)
	return out
}

// LoadProfile reads a shipped profile by name; every Check of a run wants
// its own (Prepare fills it per repository).
func LoadProfile(name string) (*Profile, error) {
	file := path.Join("profiles", name+".yml")
	data, err := profileFiles.ReadFile(file)
	if err != nil || strings.ContainsAny(name, "/.") {
		return nil, fmt.Errorf("no profile %q (want one of %s)", name, strings.Join(ProfileNames(), ", "))
	}
	keys := map[string]bool{}
	for k := range waiverKeys {
		keys[k] = true
	}
	for k := range departureKeys {
		keys[k] = true
	}
	var head struct {
		Profile     string `yaml:"profile"`
		Owner       string `yaml:"owner"`
		Description string `yaml:"description"`
	}
	ws, err := parseWaivers(file, data, map[string]bool{"profile": true, "owner": true, "description": true, "waivers": true}, keys)
	if err != nil {
		return nil, err
	}
	if err := yaml.Unmarshal(data, &head); err != nil || head.Profile != name {
		return nil, fmt.Errorf("%s: its profile key says %q, not %q", file, head.Profile, name)
	}
	for _, w := range ws {
		w.Platform = name
	}
	return &Profile{Name: name, Owner: head.Owner, Description: head.Description, Waivers: ws}, nil
}

// Prepare judges dir again against each waiver's Dist, for the waivers
// that only apply to what the platform's distribution accepts. One profile
// may be prepared for several repositories.
func (p *Profile) Prepare(dir string, opts CheckOptions) error {
	for _, w := range p.Waivers {
		if w.Dist == "" {
			continue
		}
		o := opts
		o.Dist, o.Only = w.Dist, []string{w.Rule}
		rep, err := Check(dir, o)
		if err != nil {
			return fmt.Errorf("profile %s: judging %s against %s: %v", p.Name, w.Rule, w.Dist, err)
		}
		if w.failsOnDist == nil {
			w.failsOnDist = map[string]bool{}
		}
		for _, r := range rep.Results() {
			if r.Status == Fail {
				w.failsOnDist[distKey(r)] = true
			}
		}
	}
	return nil
}

// distKey names a finding across two runs: service, rule, file and line.
func distKey(r Result) string {
	return r.Service + "\x00" + r.Rule + "\x00" + r.Path + ":" + strconv.Itoa(r.Line)
}

// Explains returns the profile's waiver whose cause r is (nil: none): the
// drift report counts a fleet's failures by it.
func (p *Profile) Explains(r Result) *Waiver {
	if r.Status != Fail {
		return nil
	}
	for _, w := range p.Waivers {
		if w.matches(r) {
			return w
		}
	}
	return nil
}
