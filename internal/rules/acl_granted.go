package rules

import (
	"fmt"
	"sort"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
	"github.com/wazo-platform/wazo-servicekit/internal/service"
)

// aclGranted: every ACL the API checks starts with the service's name and
// a wazo-auth policy grants it, so an administrator can call the API.
//
// Static: the ACLs of the handlers (Go `Require("<acl>")`, Python
// `@required_acl('<acl>')`) start with `<x-xivo-name>.`, and each is
// granted by a policy the package ships (etc/wazo-auth/conf.d/*.yml) or by
// Wazo's default policies (wazo-auth-keys' etc/wazo-auth/conf.d, with
// --siblings). Live: the installed package's /etc/wazo-auth/conf.d file
// parses and grants the service's ACL prefix.
func aclGranted() Rule {
	return Rule{
		ID:        "acl-granted",
		Title:     "Every ACL the API checks is <name>.… and granted by a wazo-auth policy",
		Checklist: "Wazo practice, beyond the checklist: ACLs under the service's name, granted to the admin policy",
		Severity:  Error,
		Tags:      []string{TagPractice},
		Rationale: "wazo-auth answers a token check with the ACLs of the token's policies. An ACL no policy grants can be held by nobody: " +
			"the API is unusable on a real Wazo. ACLs under another service's name would be granted by that service's `<name>.#`.",
		Remediation: "Name every ACL <x-xivo-name>.<resource>.<action>, and ship etc/wazo-auth/conf.d/50-<service>.yml with " +
			"`default_policies: {wazo_default_admin_policy: {acl: ['<name>.#']}}` (wazo-auth appends conf.d lists to its own).",
		static: func(s *repo.Service, env *StaticEnv) []Finding {
			short := aclPrefix(s)
			uses := requiredACLs(env)
			if len(uses) == 0 {
				if why, rest := restAPI(s); !rest {
					return []Finding{pass("no REST API (" + why + "): no ACL to grant")}
				}
				if decl, _ := declaredPorts(s); len(decl) > 0 {
					if auth := networkAuth(factsOf(env, s).Platform, decl[0].port); strings.EqualFold(auth, "no") {
						return []Finding{pass(fmt.Sprintf("network.md says the API on port %d has no authentication, and no handler checks an ACL: nothing to grant", decl[0].port))}
					}
				}
				return []Finding{unknown("no ACL found in the handler code (Go `.Require(\"<acl>\"`, Python `@required_acl('<acl>')`)")}
			}
			var out []Finding
			outside := 0
			for _, u := range uses {
				if strings.HasPrefix(u.ACL, short+".") {
					continue
				}
				// One finding per ACL, not per use, and a bounded list:
				// a generated tree of a million uses is still one screen.
				if outside++; outside <= maxACLFindings {
					out = append(out, fail(u.Path, u.Line, fmt.Sprintf("ACL %s is not under the service's name %s.%s", u.ACL, short, usesNote(u))))
				}
			}
			if outside > maxACLFindings {
				out = append(out, fail("", 0, fmt.Sprintf("and %d more ACLs not under the service's name %s.", outside-maxACLFindings, short)))
			}
			sources, problems := shippedPolicies(env.Repo, s)
			out = append(out, problems...)
			known := "wazo-auth-keys' default policies"
			defaults := factsOf(env, s).Platform.DefaultPolicyACLs
			why, ok := defaults.Why(), defaults.Known() && !defaults.Absent
			if ok {
				sources[defaults.Source] = service.Values(service.List{Value: defaults.Lines})
			}
			var missing []string
			notGranted := 0
			for _, u := range uses {
				if grantedBy(sources, u.ACL) == "" {
					if notGranted++; notGranted <= maxACLFindings {
						missing = append(missing, fmt.Sprintf("%s (%s:%d)", u.ACL, u.Path, u.Line))
					}
				}
			}
			if notGranted > maxACLFindings {
				missing = append(missing, fmt.Sprintf("and %d more", notGranted-maxACLFindings))
			}
			switch {
			case len(missing) > 0 && !ok:
				return append(out, unknown(fmt.Sprintf("no shipped policy grants %s; %s %s", strings.Join(missing, ", "), known, why)))
			case len(missing) > 0:
				return append(out, fail("", 0, "no shipped or default wazo-auth policy grants "+strings.Join(missing, ", ")))
			}
			if len(out) > 0 {
				return out
			}
			var names []string
			for n := range sources {
				names = append(names, n)
			}
			sort.Strings(names)
			return []Finding{pass(fmt.Sprintf("%d ACLs under %s., all granted (policies: %s)", len(uses), short, strings.Join(names, ", ")))}
		},
		live: liveACLGranted,
	}
}

// maxACLFindings bounds the ACLs acl-granted names one by one.
const maxACLFindings = 20

// usesNote says how many times an ACL is required when more than once.
func usesNote(u aclUse) string {
	if u.Uses > 1 {
		return fmt.Sprintf(" (required %d times; the first here)", u.Uses)
	}
	return ""
}

func liveACLGranted(s *LiveService, _ *LiveEnv) []Finding {
	dir := service.AuthPolicyDir
	if policy := s.seen().AuthPolicy(); policy.Value.Path != "" {
		p, data := policy.Value.Path, policy.Value.Data
		grants, err := policyGrants(p, data)
		if err != nil {
			return []Finding{fail(p, 0, "the wazo-auth policy file does not parse: "+err.Error())}
		}
		for _, g := range grants {
			if strings.HasSuffix(g, ".#") && !strings.Contains(strings.TrimSuffix(g, ".#"), ".") {
				return []Finding{pass(fmt.Sprintf("%s grants %s through wazo-auth's default policies", p, g))}
			}
		}
		return []Finding{fail(p, 0, fmt.Sprintf("%s grants %v: no <name>.# for the service's API", p, grants))}
	}
	return []Finding{fail(dir, 0, fmt.Sprintf("no %s/50-%s.yml: no wazo-auth policy grants the service's ACLs, so no user can call its API", dir, s.Name))}
}
