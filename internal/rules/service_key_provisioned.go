package rules

import (
	"fmt"
	"path"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
	"github.com/wazo-platform/wazo-servicekit/internal/service"
)

// serviceKeyProvisioned: a daemon that calls other Wazo APIs with its own
// identity (auth.key_file set) has its key provisioned by wazo-auth-keys.
//
// Static: auth.key_file is /var/lib/wazo-auth-keys/<service>-key.yml and a
// wazo-auth-keys definition of <service> with the service user as
// system_user is shipped (etc/wazo-auth-keys/conf.d/<service>.yml, installed)
// or in wazo-auth-keys' config.yml (--siblings). Live: the key file exists,
// is a regular file readable by its owner only, owned by the service user.
func serviceKeyProvisioned() Rule {
	return Rule{
		ID:        "service-key-provisioned",
		Title:     "A service that calls Wazo APIs gets its service key from wazo-auth-keys, 0600, owned by its user",
		Checklist: "Wazo practice, beyond the checklist: service keys from wazo-auth-keys",
		Severity:  Error,
		Tags:      []string{TagPractice},
		Rationale: "A daemon calling another Wazo API authenticates with the service_id/service_key that " +
			"`wazo-auth-keys service update` writes to /var/lib/wazo-auth-keys/<service>-key.yml (0600, owned by the definition's system_user), " +
			"from /etc/wazo-auth-keys/config.yml and conf.d. Without a definition no key is written; a key readable by others leaks the service's identity.",
		Remediation: "Ship etc/wazo-auth-keys/conf.d/<service>.yml (`<service>: {system_user: <user>, acl: [...]}`) in the package and set " +
			"auth.key_file: /var/lib/wazo-auth-keys/<service>-key.yml; on the host run `wazo-auth-keys service update`. " +
			"A service that calls no API sets no key_file.",
		static: func(s *repo.Service, env *StaticEnv) []Finding {
			keyFile, set, ok := s.SettingString("auth", "key_file")
			if !ok || keyFile == "" {
				return []Finding{pass("sets no auth.key_file: the service calls no Wazo API with a key of its own")}
			}
			if keyFile != keyFileOf(s.Name) {
				return []Finding{fail(set.Path, set.Line, fmt.Sprintf("auth.key_file is %s, but wazo-auth-keys writes %s", keyFile, keyFileOf(s.Name)))}
			}
			user, why, ok := serviceUser(env, s)
			if !ok {
				return []Finding{unknownFact("the service user", why)}
			}
			check := func(where string, defs map[string]service.KeyDefinition) (Finding, bool) {
				d, ok := defs[s.Name]
				if !ok {
					return Finding{}, false
				}
				if d.SystemUser != user {
					return fail(where, 0, fmt.Sprintf("the wazo-auth-keys definition of %s has system_user %q, but the service runs as %q: the key file would not be readable", s.Name, d.SystemUser, user)), true
				}
				return pass(fmt.Sprintf("%s defines %s (system_user %s, %d ACLs): wazo-auth-keys writes %s for it", where, s.Name, user, len(d.ACL), keyFile)), true
			}
			for p, data := range env.Repo.Files {
				if path.Dir(p) != "etc/wazo-auth-keys/conf.d" || !strings.HasSuffix(p, ".yml") {
					continue
				}
				defs, err := keyDefinitions(p, data)
				if err != nil {
					return []Finding{fail(p, 0, "does not parse: "+err.Error())}
				}
				if f, found := check(p, defs); found {
					if !s.Installed(p) {
						return []Finding{fail(p, 0, p+" defines the service but debian/"+s.Name+".install does not ship it")}
					}
					return []Finding{f}
				}
			}
			def := factsOf(env, s).Platform.ServiceKey
			switch {
			case !def.Known():
				return []Finding{unknownFact("wazo-auth-keys' definition of "+s.Name, "no etc/wazo-auth-keys/conf.d/"+s.Name+".yml in the repository, and wazo-auth-keys' own list: "+def.Unknown)}
			case def.Absent:
				return []Finding{fail("", 0, "no etc/wazo-auth-keys/conf.d/"+s.Name+".yml in the repository, and "+def.Source)}
			case !def.Found():
				return []Finding{fail("", 0, fmt.Sprintf("auth.key_file is set but neither the repository (etc/wazo-auth-keys/conf.d/%s.yml) nor wazo-auth-keys' config.yml defines %s: no key is ever written", s.Name, s.Name))}
			}
			if d := def.Lines[0]; d.Value != user {
				return []Finding{fail("", 0, fmt.Sprintf("the wazo-auth-keys definition of %s (%s) has system_user %q, but the service runs as %q: the key file would not be readable", s.Name, d.Source, d.Value, user))}
			}
			return []Finding{pass(fmt.Sprintf("%s defines %s (system_user %s): wazo-auth-keys writes %s for it", def.Lines[0].Source, s.Name, user, keyFile))}
		},
		live: liveServiceKey,
	}
}

func liveServiceKey(s *LiveService, _ *LiveEnv) []Finding {
	keyFile := s.str("auth", "key_file")
	if keyFile == "" {
		return []Finding{pass("sets no auth.key_file: the service calls no Wazo API with a key of its own")}
	}
	u, out := liveUserEntry(s)
	if u == nil {
		return out
	}
	key := s.seen().File(keyFile)
	o := key.Value
	switch {
	case !key.Known():
		return []Finding{unknown(key.Unknown)}
	case !o.Exists:
		return []Finding{fail(keyFile, 0, keyFile+" does not exist: run `wazo-auth-keys service update` (the package must ship its definition in /etc/wazo-auth-keys/conf.d)")}
	case !o.Mode.IsRegular():
		return []Finding{fail(keyFile, 0, keyFile+" is not a regular file")}
	case o.Mode.Perm()&0o077 != 0:
		return []Finding{fail(keyFile, 0, fmt.Sprintf("%s is mode %04o: readable beyond its owner (wazo-auth-keys writes it 0600)", keyFile, o.Mode.Perm()))}
	case o.UID != u.UID:
		return []Finding{fail(keyFile, 0, fmt.Sprintf("%s is owned by uid %d, not %s (uid %d): the daemon cannot read its key", keyFile, o.UID, u.Name, u.UID))}
	}
	return []Finding{pass(fmt.Sprintf("%s is 0600 and owned by %s", keyFile, u.Name))}
}
