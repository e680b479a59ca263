package auth

import "testing"

func TestACLGrantsWithWazoAuthWildcards(t *testing.T) {
	for _, c := range []struct {
		granted, required string
		want              bool
	}{
		{"doctor.#", "doctor.rules.read", true},
		{"doctor.#", "doctor", false}, // # is one word or more
		{"doctor.#", "doctors.rules.read", false},
		{"doctor.*.read", "doctor.rules.read", true},
		{"doctor.*.read", "doctor.rules.x.read", false},
		{"confd.users.*.read", "confd.users.{id}.read", true},
		{"confd.#.read", "confd.users.me.read", true},
		{"confd.#.read", "confd.users.me.update", false},
		{"doctor.rules.read", "doctor.rules.read", true},
		{"doctor.rules.read", "doctor.rules.update", false},
	} {
		if got := ACLGrants(c.granted, c.required); got != c.want {
			t.Errorf("ACLGrants(%q, %q) = %v, want %v", c.granted, c.required, got, c.want)
		}
	}
}
