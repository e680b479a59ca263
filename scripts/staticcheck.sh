#!/bin/bash
# Runs Debian's staticcheck (trixie's go-staticcheck) over the working tree,
# inside the cached trixie root (scripts/trixie-root.sh), with trixie's Go
# and the Debian-packaged modules in GOPATH mode: the toolchain and sources
# dh-golang builds the package with, which that staticcheck understands.
# Any finding fails. Needs root (chroot).
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
die() { echo "staticcheck: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (it runs in the trixie root): sudo make staticcheck"

tarball=$(scripts/trixie-root.sh)
mkdir -p "$top/.cache"
work=$(mktemp -d "$top/.cache/staticcheck.XXXXXX")
root=$work/root
cleanup() {
	umount -l "$root/proc" 2>/dev/null || true
	rm -rf --one-file-system "$work"
}
trap cleanup EXIT
mkdir -p "$root"
tar -C "$root" --numeric-owner --xattrs -I zstd -xf "$tarball"
[ -x "$root/usr/bin/go-staticcheck" ] || die "the trixie root has no go-staticcheck: rebuild it (scripts/trixie-root.sh)"

pkg=github.com/wazo-platform/wazo-servicekit
mkdir -p "$root/build/src/$pkg"
tar -C "$top" --exclude=./.git --exclude=./.cache --exclude=./dist --exclude=./bin -cf - . | tar -x -C "$root/build/src/$pkg"
mount -t proc proc "$root/proc"
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 GOPATH=/build:/usr/share/gocode GO111MODULE=off \
	GOFLAGS=-buildvcs=false GOCACHE=/tmp/go-cache GOTOOLCHAIN=local \
	chroot "$root" sh -euc 'cd "/build/src/$1" && go-staticcheck -version && go-staticcheck ./...' sh "$pkg"
echo "staticcheck: clean" >&2
