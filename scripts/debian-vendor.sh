#!/bin/sh
# Builds vendor/ of the Go module in the current directory (a service made
# by `wazo-servicekit new`; its Makefile runs this script from the kit) from
# the Go sources Debian's -dev packages install under
# /usr/share/gocode/src (GOCODE): the kit's (golang-github-wazo-platform-
# wazo-servicekit-dev) and its dependencies'. Go then builds and tests this
# module from them, offline, with Debian's versions, as dh-golang builds the
# package. vendor/ only links to those sources; it is not committed.
set -eu
GOCODE=${GOCODE:-/usr/share/gocode/src}

die() { echo "debian-vendor: $*" >&2; exit 1; }

# The requirements of go.mod: "module version", one a line.
requires=$(awk '
	/^require \($/ { inblock = 1; next }
	inblock && /^\)/ { inblock = 0; next }
	inblock && NF >= 2 && $1 !~ /^\/\// { print $1, $2; next }
	/^require [^(]/ { print $2, $3 }
' go.mod)
[ -n "$requires" ] || die "no require in go.mod"

rm -rf vendor.new
mkdir vendor.new
echo "$requires" | while read -r mod version; do
	dir=$GOCODE/$mod
	[ -f "$dir/go.mod" ] || die "$dir/go.mod: missing; install the Debian package of $mod (apt-cache search --names-only golang-.*-dev)"
	mkdir -p "vendor.new/$(dirname "$mod")"
	ln -s "$dir" "vendor.new/$mod"
	level=$(sed -n 's/^go \([0-9][0-9.]*\).*/\1/p' "$dir/go.mod" | head -n 1)
	echo "# $mod $version"
	if [ -n "$level" ]; then echo "## explicit; go $level"; else echo "## explicit"; fi
	# Every package of the module, nested modules, tests and testdata aside.
	(cd "$dir" && find -L . -name '*.go' ! -name '*_test.go' ! -path '*/testdata/*' ! -path '*/_*' -printf '%h\n') |
		sort -u | while read -r pkg; do
			sub=${pkg#.}
			if [ -z "$sub" ] || ! [ -f "$dir$sub/go.mod" ]; then echo "$mod$sub"; fi
		done
done >vendor.new/modules.txt
rm -rf vendor
mv vendor.new vendor
