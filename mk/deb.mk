# Debian 13 packaging of wazo-doctord and its end-to-end test in a booted
# trixie. Everything runs as root (debootstrap, chroot, nspawn).

# Host tools: debootstrap builds the trixie root, zstd caches it, util-linux
# gives unshare/nsenter, systemd-container gives systemd-nspawn, dpkg-dev
# reads debian/changelog.
APT_PACKAGES += debootstrap zstd util-linux systemd-container dpkg-dev

# DEB_VERSION=<v> builds the same tree as version <v> (upgrade tests).
DEB_VERSION ?=

.PHONY: trixie-root deb e2e
trixie-root:
	scripts/trixie-root.sh

deb:
	scripts/build-deb.sh $(DEB_VERSION)

# Builds the package itself (versions N and N+1), boots trixie with
# systemd-nspawn and checks install, monit, nginx, reboot, upgrade and purge.
e2e: consul
	$(GO) test -tags e2e -count=1 -v -timeout 40m ./test/e2e/
