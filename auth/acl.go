package auth

import "strings"

// ACLGrants reports whether a granted ACL of a wazo-auth policy covers the
// required one, with wazo-auth's wildcards: `*` stands for one word, `#` for
// one or more (so `confd.#` covers `confd.users.read`). Words are
// dot-separated; a "{id}" placeholder of a route's ACL is one word.
func ACLGrants(granted, required string) bool {
	return wordsMatch(strings.Split(granted, "."), strings.Split(required, "."))
}

func wordsMatch(grant, req []string) bool {
	switch {
	case len(grant) == 0:
		return len(req) == 0
	case grant[0] == "#":
		for n := 1; n <= len(req); n++ {
			if wordsMatch(grant[1:], req[n:]) {
				return true
			}
		}
		return false
	case len(req) == 0:
		return false
	case grant[0] == "*" || grant[0] == req[0]:
		return wordsMatch(grant[1:], req[1:])
	}
	return false
}
