#!/bin/bash
# Prepares a Debian 13 "trixie" root able to build wazo-doctord's .deb with
# trixie's own toolchain (debhelper, dh-golang, Go 1.24, packaged Go sources)
# and to be booted with systemd-nspawn for the end-to-end test (systemd,
# monit, nginx, lintian). The prepared root is cached as a tarball keyed by
# its package list and preparation steps, so it is debootstrapped once per
# change of those.
#
# Usage:
#   scripts/trixie-root.sh            prepare the cache if needed, print the tarball path
#   scripts/trixie-root.sh DIR        same, then extract a fresh copy into DIR (must be empty)
#   scripts/trixie-root.sh --key      print the cache key only (no root needed)
#
# Needs root, debootstrap, zstd and network access to the Debian mirror for
# the first run only.
set -euo pipefail

MIRROR=${TRIXIE_MIRROR:-http://deb.debian.org/debian}
cd "$(dirname "$0")/.."
CACHE_DIR=${TRIXIE_CACHE:-$PWD/.cache/trixie}

# Everything installed after debootstrap. Build side: what debian/control
# Build-Depends on plus lintian. Runtime side: what the booted e2e needs.
PACKAGES=(
	build-essential debhelper dh-golang golang-go
	golang-gopkg-yaml.v3-dev golang-github-rabbitmq-amqp091-go-dev golang-golang-x-sys-dev
	lintian
	adduser monit nginx openssl curl ca-certificates procps iproute2 logrotate rsyslog
)

die() { echo "trixie-root: $*" >&2; exit 1; }

prepare() {
	command -v debootstrap >/dev/null || die "debootstrap missing: apt-get install debootstrap"
	command -v zstd >/dev/null || die "zstd missing: apt-get install zstd"
	mkdir -p "$CACHE_DIR"
	local work; work=$(mktemp -d "$CACHE_DIR/build.XXXXXX")
	local root="$work/root"
	# Undo mounts and the temp root whatever happens.
	trap 'umount -l "'"$root"'/proc" 2>/dev/null || true; rm -rf --one-file-system "'"$work"'"' EXIT
	local t0=$SECONDS
	echo "trixie-root: debootstrap trixie into $root" >&2
	debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus trixie "$root" "$MIRROR" >&2
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
	echo trixie-e2e >"$root/etc/hostname"
	: >"$root/etc/machine-id"
	tar -C "$root" --numeric-owner --xattrs -I 'zstd -T0 -3' -cf "$work/root.tar.zst" .
	mv "$work/root.tar.zst" "$tarball"
	echo "trixie-root: cached $tarball after $((SECONDS - t0)) s" >&2
}

# The cache key is what makes the root: the package list and the steps of
# prepare (bash prints the function without its comments). Services made by
# `wazo-servicekit new` carry a copy of this script with other names in its
# comments; with TRIXIE_CACHE pointing at one directory they share one root.
key=$( { declare -p PACKAGES; declare -f prepare; } | sha256sum | cut -c1-16)
if [ "${1:-}" = --key ]; then
	echo "$key"
	exit 0
fi
[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot, mounts)"
tarball="$CACHE_DIR/trixie-root-$key.tar.zst"

if [ ! -s "$tarball" ]; then
	prepare
	# Old keys are stale roots: drop them.
	find "$CACHE_DIR" -maxdepth 1 -name 'trixie-root-*.tar.zst' ! -name "$(basename "$tarball")" -delete
fi

if [ $# -ge 1 ]; then
	dest=$1
	mkdir -p "$dest"
	[ -z "$(ls -A "$dest")" ] || die "$dest is not empty"
	tar -C "$dest" --numeric-owner --xattrs -I zstd -xf "$tarball"
fi
echo "$tarball"
