package scaffold

import (
	"fmt"
	"regexp"
	"strings"
)

// aclRe is a wazo-auth ACL: dot-separated words, * for one word, # for
// one or more.
var aclRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*(\.([a-z0-9_-]+|\*|#))+$`)

// checkACLs validates the ACLs a service calls other APIs with, keeping the
// order given and dropping repeats.
func checkACLs(acls []string, short string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, a := range acls {
		a = strings.TrimSpace(a)
		if a == "" || seen[a] {
			continue
		}
		if !aclRe.MatchString(a) {
			return nil, fmt.Errorf("ACL %q: want <service>.<resource>.<action> in lowercase words, * or # (e.g. confd.users.read)", a)
		}
		if strings.HasPrefix(a, short+".") {
			return nil, fmt.Errorf("ACL %q is the service's own: list only what it calls on other Wazo APIs", a)
		}
		seen[a] = true
		out = append(out, a)
	}
	return out, nil
}

// keyFilePath is where `wazo-auth-keys service update` writes the key.
func keyFilePath(v *values) string { return "/var/lib/wazo-auth-keys/" + v.Name + "-key.yml" }

// addServiceKey gives a service that calls other Wazo APIs its service key
// by construction: the wazo-auth-keys definition (system user and ACLs),
// shipped and installed, and auth.key_file in its defaults and shipped
// config. A service that calls none gets neither, and no key file.
func addServiceKey(v *values, p *Project) {
	if len(v.ACLs) == 0 {
		return
	}
	var def strings.Builder
	fmt.Fprintf(&def, "# Shipped by %s. `wazo-auth-keys service update` reads this file,\n", v.Name)
	fmt.Fprintf(&def, "# creates the internal user %s with the policy %s-internal\n", v.Name, v.Name)
	fmt.Fprintf(&def, "# of these ACLs, and writes its key to\n# %s (0600, owned by system_user).\n", keyFilePath(v))
	fmt.Fprintf(&def, "%s:\n  system_user: %s\n  acl:\n", v.Name, v.Name)
	for _, a := range v.ACLs {
		fmt.Fprintf(&def, "    - '%s'\n", a)
	}
	p.Files["etc/wazo-auth-keys/conf.d/"+v.Name+".yml"] = []byte(def.String())
	install := "debian/" + v.Name + ".install"
	p.Files[install] = append(p.Files[install], []byte("etc/wazo-auth-keys/conf.d/"+v.Name+".yml etc/wazo-auth-keys/conf.d/\n")...)
	for _, f := range []string{"cmd/" + v.Name + "/defaults.yml", "etc/" + v.Name + "/config.yml"} {
		p.Files[f] = authKeyFile.ReplaceAll(p.Files[f], []byte("${1}  key_file: "+keyFilePath(v)+"\n"))
	}
}

// authKeyFile is the auth: section of a config layer, up to its last key.
var authKeyFile = regexp.MustCompile(`(?m)^(auth:\n(?:  .*\n)+)`)
