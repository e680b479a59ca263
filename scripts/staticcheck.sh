#!/bin/bash
# Runs Debian's staticcheck (trixie's go-staticcheck) over the working tree,
# in a copy of the cached trixie root (scripts/debian-root.sh), with
# trixie's Go and the Debian-packaged modules in GOPATH mode: the toolchain
# and sources dh-golang builds the package with, which that staticcheck
# understands. go-staticcheck is installed into the copy, so the shared
# root stays as the package build wants it. Any finding fails. Needs root
# (chroot) and the Debian mirror.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
die() { echo "staticcheck: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (it runs in the trixie root): sudo make staticcheck"

tarball=$(DIST=trixie scripts/debian-root.sh)
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
mount -t proc proc "$root/proc"
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
	chroot "$root" sh -euc 'apt-get update -q && apt-get install -y -q --no-install-recommends go-staticcheck' >&2 ||
	die "cannot install go-staticcheck in the trixie root (the Debian mirror is needed)"

pkg=github.com/wazo-platform/wazo-servicekit
mkdir -p "$root/build/src/$pkg"
tar -C "$top" --exclude=./.git --exclude=./.cache --exclude=./dist --exclude=./bin -cf - . | tar -x -C "$root/build/src/$pkg"
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 GOPATH=/build:/usr/share/gocode GO111MODULE=off \
	GOFLAGS=-buildvcs=false GOCACHE=/tmp/go-cache GOTOOLCHAIN=local \
	chroot "$root" sh -euc 'cd "/build/src/$1" && go-staticcheck -version && go-staticcheck ./...' sh "$pkg"
echo "staticcheck: clean" >&2
