# Debian packaging of wazo-doctord (and the kit's -dev package) and its
# end-to-end test in a booted Debian. Two distributions: trixie (Debian 13,
# the latest stable, the checklist's target; the default) and bookworm
# (Debian 12, what Wazo installs on today; Go 1.23 from bookworm-backports).
# Everything runs as root (debootstrap, chroot, nspawn).

# Host tools: debootstrap builds the roots, zstd caches them, util-linux
# gives unshare/nsenter, systemd-container gives systemd-nspawn, dpkg-dev
# reads debian/changelog.
APT_PACKAGES += debootstrap zstd util-linux systemd-container dpkg-dev

# DIST=trixie|bookworm: the distribution `make deb` and `make root` build for.
DIST ?= trixie
# DEB_VERSION=<v> builds the same tree as version <v> (upgrade tests).
DEB_VERSION ?=
# E2E_DISTS: the distributions `make e2e` boots, one after the other.
E2E_DISTS ?= trixie bookworm

.PHONY: root deb e2e
root:
	DIST=$(DIST) scripts/debian-root.sh

deb:
	DIST=$(DIST) scripts/build-deb.sh $(DEB_VERSION)

# Builds the packages (versions N and N+1) in each distribution's root,
# boots it with systemd-nspawn and checks install, monit, nginx, reboot,
# upgrade and purge, for wazo-doctord and a service `new` generates.
e2e: consul
	E2E_DISTS="$(E2E_DISTS)" $(GO) test -tags e2e -count=1 -v -timeout 80m ./test/e2e/
