package fix

import "regexp"

// fileFixer returns, for one failing rule of one service, the checkout it
// edits (the service's own, or a sibling's: wazo-monitoring) and the
// edits, or why there are none. Its edits are merged with the other
// rules' edits of that checkout (ownPatches).
type fileFixer func(c *ownCtx, rule failing) (dir string, edits []ownEdit, why string)

// fileFixers are the fixers that may write in a sibling checkout or
// create files, by rule ID, each in a file of its own.
var fileFixers = map[string]fileFixer{
	"monit-check":    monitFix,
	"nginx-location": nginxFix,
}

// packageNameRe is a Debian binary package name: the service's name goes
// into file names and diff headers only when it is one.
var packageNameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9+.-]{1,62}$`)
