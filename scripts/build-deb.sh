#!/bin/bash
# Builds dist/DIST/<source>_<version>_amd64.deb (+ .changes, .buildinfo
# and the other packages of the source) of the repository in the current
# directory: wazo-servicekit itself, or a service made by `wazo-servicekit
# new`, whose Makefile runs this script from the kit (scripts/service.mk) with dpkg-buildpackage inside a fresh
# copy of the cached root of distribution DIST (scripts/debian-root.sh): that
# distribution's debhelper, dh-golang and Go (trixie: Go 1.24; bookworm: Go
# 1.23 from bookworm-backports) against its packaged Go sources, with no
# network (own network namespace) and a clean environment, so the host's Go
# toolchain, module cache and GOFLAGS can never leak in.
#
# The source is the committed tree (HEAD), or the working tree outside git.
#
# Usage: [KIT/]scripts/build-deb.sh [VERSION]   (in the repository to build)
#   VERSION  build the same tree as that version (a changelog entry is added
#            to the copy), e.g. for upgrade tests. Default: debian/changelog's.
# Env: DIST=trixie|bookworm: the distribution built for (default trixie, the
#      latest stable).
#      KEEP_ROOT=1 leaves the build root in place (its path is printed).
#      EXTRA_DEBS="a.deb b.deb" installs these local packages in the root
#      before the build: Build-Depends that are not in Debian (a service made
#      by `wazo-servicekit new` needs golang-github-wazo-platform-wazo-servicekit-dev).
#      TRIXIE_CACHE, BOOKWORM_CACHE: where each root is cached
#      (scripts/debian-root.sh).
#      LINTIAN=0 skips lintian (run by default with the distribution's
#      lintian on the .changes, errors and warnings fail the build).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$PWD
die() { echo "build-deb: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (chroot, mounts, network namespace)"

t0=$(date +%s.%N)
export DIST=${DIST:-trixie}
source=$(sed -n '1s/^\([a-z0-9][a-z0-9.+-]*\) .*/\1/p' debian/changelog)
[ -n "$source" ] || die "debian/changelog line 1: no source package name"
version=${1:-$(dpkg-parsechangelog -S Version 2>/dev/null || sed -n '1s/.*(\(.*\)).*/\1/p' debian/changelog)}
[ -n "$version" ] || die "cannot read the version from debian/changelog"
case $version in *[!0-9A-Za-z.+~]*) die "version '$version' is not a native Debian version (digits, letters, . + ~)";; esac

tarball=$("$here/debian-root.sh")
mkdir -p "$top/.cache"
work=$(mktemp -d "$top/.cache/deb-build.XXXXXX")
root=$work/root
cleanup() {
	umount -l "$root/proc" 2>/dev/null || true
	if [ "${KEEP_ROOT:-}" = 1 ]; then echo "build-deb: build root kept at $root" >&2; else rm -rf --one-file-system "$work"; fi
}
trap cleanup EXIT
mkdir -p "$root"
tar -C "$root" --numeric-owner --xattrs -I zstd -xf "$tarball"

# The committed tree (HEAD): several people work in this checkout at once,
# and a half-written change of someone else must not break the package.
src=$root/build/$source-$version
mkdir -p "$src"
if git rev-parse --verify -q HEAD >/dev/null 2>&1 && [ "$(git rev-parse --show-toplevel)" = "$top" ]; then
	git archive --format=tar HEAD | tar -x -C "$src"
	if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
		echo "build-deb: building HEAD $(git rev-parse --short HEAD); uncommitted changes are not included" >&2
	fi
else
	echo "build-deb: $top is not a git checkout with a commit: building the working tree" >&2
	tar -C "$top" --exclude=./.git --exclude=./.cache --exclude=./dist --exclude=./bin -cf - . | tar -x -C "$src"
fi

# Build-Depends that Debian does not have, given as local .deb files.
extra=()
for deb in ${EXTRA_DEBS:-}; do
	[ -f "$deb" ] || die "EXTRA_DEBS: $deb: no such file"
	cp "$deb" "$root/root/"
	extra+=("/root/$(basename "$deb")")
done
if [ ${#extra[@]} -gt 0 ]; then
	chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin dpkg -i "${extra[@]}" >"$work/extra.log" 2>&1 ||
		{ cat "$work/extra.log" >&2; die "EXTRA_DEBS: dpkg -i failed in the build root"; }
fi
if ! missing=$(chroot "$root" sh -c "cd /build/$source-$version && dpkg-checkbuilddeps" 2>&1); then
	echo "$missing" >&2
	die "the $DIST root lacks Build-Depends of $source; packages not in Debian are given as files: EXTRA_DEBS=\"path/to/pkg.deb\" (\`make deb KIT_DEB=path\` in a service made by \`wazo-servicekit new\`; wazo-servicekit's \`make deb DIST=$DIST\` writes golang-github-wazo-platform-wazo-servicekit-dev_<version>_all.deb to its dist/$DIST/)"
fi

if [ "$version" != "$(sed -n '1s/.*(\(.*\)).*/\1/p' debian/changelog)" ]; then
	{
		printf '%s (%s) unstable; urgency=medium\n\n' "$source" "$version"
		printf '  * Rebuild of the same tree as version %s.\n\n' "$version"
		printf ' -- Wazo Maintainers <dev@wazo.community>  %s\n\n' "$(date -R)"
		cat debian/changelog
	} >"$src/debian/changelog"
fi

mount -t proc proc "$root/proc"
# Own network namespace with only loopback up: the build is offline, and
# tests binding 127.0.0.1 still work.
unshare --net sh -c '
	ip link set lo up
	exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
		GOTOOLCHAIN=local GOPROXY=off DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:-}" \
		chroot "$1" sh -euc "cd /build/$3-$2 && dpkg-buildpackage -us -uc -b"
' sh "$root" "$version" "$source" >"$work/build.log" 2>&1 || {
	cp "$work/build.log" ".cache/deb-build-$DIST.log"
	tail -n 60 "$work/build.log" >&2
	die "dpkg-buildpackage failed in the $DIST root (full log: .cache/deb-build-$DIST.log)"
}
cp "$work/build.log" ".cache/deb-build-$DIST.log"
base=${source}_${version}
changes=${base}_amd64.changes
[ -f "$root/build/$changes" ] || die "missing $changes after the build"

# As debuild does: the distribution's lintian on the upload (every package of the
# source), as an unprivileged user; errors and warnings fail the build.
if [ "${LINTIAN:-1}" = 1 ]; then
	chmod -R a+rX "$root/build"
	chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
		runuser -u nobody -- lintian --fail-on error,warning "/build/$changes" >&2 ||
		die "$DIST's lintian reports errors or warnings on $changes (see above; LINTIAN=0 skips the check)"
	echo "build-deb: $DIST's lintian on $changes: no error, no warning" >&2
fi
umount "$root/proc"

out=dist/$DIST
mkdir -p "$out"
# The .changes and every file it lists (.deb, -dbgsym .deb, .buildinfo), so
# that lintian can check the upload as a whole from dist/DIST/.
files=$(awk '/^Files:/{f=1;next} /^[^ ]/{f=0} f{print $5}' "$root/build/$changes")
[ -n "$files" ] || die "$changes lists no files"
for f in $changes $files; do
	[ -f "$root/build/$f" ] || die "missing $f after the build"
	cp "$root/build/$f" "$out/"
done
t1=$(date +%s.%N)
echo "build-deb: $out/${base}_amd64.deb built in $DIST in $(awk "BEGIN{printf \"%.1f\", $t1 - $t0}") s" >&2
echo "$out/${base}_amd64.deb"
