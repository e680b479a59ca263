package rules

import (
	"fmt"
	"sort"
)

// constructors lists every rule of the catalogue, in checklist order. Each
// constructor lives in its own file with the rule's documentation.
var constructors = []func() Rule{
	userNotRoot, userNoLoginShell, userHomeNotInHome,
	logFileWritable, logFileRotation,
	pidFileWritable,
	userInConsulGroup,
	wazoServiceListed,
	monitCheck,
	installsCleanly, startsOnBoot, restartsOnUpgrade, haSecondaryState,
	documented, backupList, backupDocumented,
	consulRegistration, acceptanceServiceDiscovery,
	portConvention, portAllocation, portConsistent, portDocumented,
	apiSpec, nginxLocation, acceptanceHTTP,
	debianPackaging, depsInDebian, depsPinnedToDebian, depsWazoPackaging,
	filesParse,
	// Wazo practice beyond the checklist (tagged practice).
	serviceKeyProvisioned, aclGranted, haUnitCondition, logFormatCurrent, touchPointsListed, maintainerScripts,
}

// All returns the catalogue in checklist order. Each call builds a fresh
// slice, so callers may sort or filter it.
func All() []Rule {
	out := make([]Rule, 0, len(constructors))
	for _, c := range constructors {
		r := c()
		r.Probes = nil
		if r.static != nil {
			r.Probes = append(r.Probes, "static")
		}
		if r.live != nil {
			r.Probes = append(r.Probes, "live")
		}
		out = append(out, r)
	}
	return out
}

// ByID returns one rule, or an error listing the known IDs.
func ByID(id string) (Rule, error) {
	var ids []string
	for _, r := range All() {
		if r.ID == id {
			return r, nil
		}
		ids = append(ids, r.ID)
	}
	sort.Strings(ids)
	return Rule{}, fmt.Errorf("no rule %q; known rules: %v (see `wazo-servicekit rules`)", id, ids)
}
