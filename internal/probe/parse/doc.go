// Package parse reads the text formats a Wazo service ships (systemd units,
// monit checks, nginx locations, go.mod, requirements.txt, debian/control,
// maintainer scripts, logrotate, passwd/group) into small structs that keep
// line numbers, so a finding can point at the line to fix.
//
// The parsers are deliberately lenient: they read what the real files hold
// and skip what they do not understand instead of failing, because a checker
// that crashes on a messy repository tells its user nothing. Every parser has
// a fuzz target next to its tests.
package parse
