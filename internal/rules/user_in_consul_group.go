package rules

import (
	"fmt"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

// userInConsulGroup: a service reading the default consul config is in group consul.
//
// Static: if the package links /var/lib/consul/default_xivo_consul_*.yml
// into its conf.d (debian/<pkg>.links) or its config names a file under
// /var/lib/consul, the postinst adds the user to group consul (adduser USER
// consul, usermod -aG consul USER). Otherwise the item does not apply: pass.
func userInConsulGroup() Rule {
	return Rule{
		ID:          "user-in-consul-group",
		Title:       "The service user is in group consul when it reads the default consul config",
		Checklist:   "The service default user is part of the consul group if the service needs the default consul config file",
		Severity:    Warning,
		Rationale:   "/var/lib/consul/default_xivo_consul_*.yml are 0640 consul:consul: a non-root reader needs the group.",
		Remediation: "In the postinst, after creating the user: `adduser <user> consul`.",
		static: func(s *repo.Service, env *StaticEnv) []Finding {
			var need string
			for _, l := range s.Links {
				if strings.Contains(l.Item, "/var/lib/consul/") {
					need = l.Path
				}
			}
			if s.Config != nil && need == "" && strings.Contains(string(s.Config.Data), "/var/lib/consul/") {
				need = s.Config.Path
			}
			if need == "" {
				return []Finding{pass("the package does not use the default consul config files under /var/lib/consul")}
			}
			user, why, ok := serviceUser(env, s)
			if !ok {
				return []Finding{unknownFact("the service user", why)}
			}
			for _, c := range commandsNamed(s, "adduser", "usermod", "gpasswd") {
				args := " " + strings.Join(c.Args[1:], " ") + " "
				if strings.Contains(args, " consul ") && strings.Contains(args, " "+user+" ") {
					return []Finding{pass(fmt.Sprintf("%s:%d adds %s to consul", s.Postinst.Path, c.Line, user))}
				}
			}
			p, _ := postinstLoc(s, nil)
			return []Finding{fail(p, 0, fmt.Sprintf("%s reads /var/lib/consul files but the postinst never adds %s to group consul", need, user))}
		},
		live: liveConsulGroup,
	}
}

func liveConsulGroup(s *LiveService, _ *LiveEnv) []Finding {
	if len(s.seen().ConsulConfigLinks().Value) == 0 {
		return []Finding{pass("the service does not read the default consul config files")}
	}
	u, out := liveUserEntry(s)
	if u == nil {
		return out
	}
	group := s.seen().AccountGroup("consul")
	if !group.Known() {
		return []Finding{unknown(group.Unknown)}
	}
	g := group.Value
	if g == nil {
		return []Finding{fail("/etc/group", 0, "no group consul, yet the service links /var/lib/consul files")}
	}
	if u.GID == g.GID || contains(g.Members, u.Name) {
		return []Finding{pass(u.Name + " is in group consul")}
	}
	return []Finding{fail("/etc/group", g.Line, u.Name+" is not in group consul")}
}
