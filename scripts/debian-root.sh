#!/bin/bash
# Prepares a Debian root able to build wazo-doctord's .deb, and those of the
# services made by `wazo-servicekit new` (their Makefile runs this script
# from the kit), with that
# distribution's own toolchain (debhelper, dh-golang, Go, packaged Go
# sources) and to be booted with systemd-nspawn for the end-to-end test
# (systemd, monit, nginx, lintian). Two distributions are known:
#   trixie    Debian 13, the latest stable (the checklist's target): Go 1.24
#   bookworm  Debian 12, what Wazo installs on today: Go 1.23 from
#             bookworm-backports (golang-go 2:1.23~2~bpo12+1), every other
#             package from bookworm itself
# The prepared root is cached as a tarball keyed by its distribution,
# package list and preparation steps, so it is debootstrapped once per
# change of those.
#
# Usage:
#   scripts/debian-root.sh            prepare the cache if needed, print the tarball path
#   scripts/debian-root.sh DIR        same, then extract a fresh copy into DIR (must be empty)
#   scripts/debian-root.sh --key      print the cache key only (no root needed)
# Env: DIST=trixie|bookworm (default trixie)
#      TRIXIE_CACHE, BOOKWORM_CACHE: where each root is cached (default
#      .cache/DIST of the current directory)
#      DEBIAN_MIRROR: the Debian mirror (default http://deb.debian.org/debian)
#
# Needs root, debootstrap, zstd and network access to the Debian mirror for
# the first run only.
set -euo pipefail

# Exported either way, so that the cache key (declare -p DIST) is the same
# whether the caller set DIST or not.
export DIST=${DIST:-trixie}
MIRROR=${DEBIAN_MIRROR:-${TRIXIE_MIRROR:-http://deb.debian.org/debian}}

die() { echo "debian-root: $*" >&2; exit 1; }

# Everything installed after debootstrap. Build side: what debian/control
# Build-Depends on plus lintian. Runtime side: what the booted e2e needs.
PACKAGES=(
	build-essential debhelper dh-golang
	golang-gopkg-yaml.v3-dev golang-github-rabbitmq-amqp091-go-dev golang-golang-x-sys-dev golang-golang-x-mod-dev
	lintian
	adduser monit nginx openssl curl ca-certificates procps iproute2 logrotate rsyslog
)
# Extra apt suites of the root, and where the Go toolchain comes from.
case $DIST in
trixie)
	SUITES=()
	PACKAGES+=(golang-go)
	;;
bookworm)
	SUITES=(bookworm-backports)
	PACKAGES+=(golang-go/bookworm-backports golang-src/bookworm-backports)
	;;
*) die "DIST=$DIST: unknown distribution (trixie or bookworm)" ;;
esac
cache_var=${DIST^^}_CACHE
CACHE_DIR=${!cache_var:-$PWD/.cache/$DIST}

prepare() {
	command -v debootstrap >/dev/null || die "debootstrap missing: apt-get install debootstrap"
	command -v zstd >/dev/null || die "zstd missing: apt-get install zstd"
	mkdir -p "$CACHE_DIR"
	local work; work=$(mktemp -d "$CACHE_DIR/build.XXXXXX")
	local root="$work/root"
	# Undo mounts and the temp root whatever happens.
	trap 'umount -l "'"$root"'/proc" 2>/dev/null || true; rm -rf --one-file-system "'"$work"'"' EXIT
	local t0=$SECONDS
	echo "debian-root: debootstrap $DIST into $root" >&2
	debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus "$DIST" "$root" "$MIRROR" >&2
	local suite
	for suite in "${SUITES[@]}"; do
		echo "deb $MIRROR $suite main" >"$root/etc/apt/sources.list.d/$suite.list"
	done
	# Nothing installed in the root may start on the host.
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
	chmod 0755 "$root/usr/sbin/policy-rc.d"
	mount -t proc proc "$root/proc"
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
		chroot "$root" sh -euc 'apt-get update -q && apt-get install -y -q --no-install-recommends "$@" && apt-get clean' \
		sh "${PACKAGES[@]}" >&2
	umount "$root/proc"
	rm -f "$root/usr/sbin/policy-rc.d"
	# The container shares the host network: services that would listen on
	# fixed ports (nginx :80, monit) stay disabled until the test configures
	# them on free ports.
	rm -f "$root/etc/nginx/sites-enabled/default"
	chroot "$root" systemctl disable nginx.service monit.service >&2 2>&1 || true
	# A booted container needs a hostname and no first-boot prompts.
	echo "$DIST-e2e" >"$root/etc/hostname"
	: >"$root/etc/machine-id"
	tar -C "$root" --numeric-owner --xattrs -I 'zstd -T0 -3' -cf "$work/root.tar.zst" .
	mv "$work/root.tar.zst" "$tarball"
	echo "debian-root: cached $tarball after $((SECONDS - t0)) s" >&2
}

# The cache key is what makes the root: the distribution, the package list,
# the suites and the steps of prepare (bash prints the function without its
# comments). Services made by `wazo-servicekit new` run this same script:
# with TRIXIE_CACHE (BOOKWORM_CACHE) pointing at one directory they share
# one root with the kit.
key=$( { declare -p DIST PACKAGES SUITES; declare -f prepare; } | sha256sum | cut -c1-16)
if [ "${1:-}" = --key ]; then
	echo "$key"
	exit 0
fi
[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot, mounts)"
tarball="$CACHE_DIR/$DIST-root-$key.tar.zst"

if [ ! -s "$tarball" ]; then
	prepare
	# Other keys a day old are stale roots: drop them. (Younger ones may
	# belong to another checkout sharing the cache with a different script.)
	find "$CACHE_DIR" -maxdepth 1 -name "$DIST-root-*.tar.zst" ! -name "$(basename "$tarball")" -mmin +1440 -delete
fi

if [ $# -ge 1 ]; then
	dest=$1
	mkdir -p "$dest"
	[ -z "$(ls -A "$dest")" ] || die "$dest is not empty"
	tar -C "$dest" --numeric-owner --xattrs -I zstd -xf "$tarball"
fi
echo "$tarball"
