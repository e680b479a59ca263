# The make targets of a service made by `wazo-servicekit new`, shipped once
# with the kit (in a wazo-servicekit checkout and in the
# golang-github-wazo-platform-wazo-servicekit-dev package) and included by
# the service's Makefile, which sets SERVICE, DIST and KIT:
#   SERVICE  the daemon (wazo-<name>)
#   DIST     the Debian distribution `make deb` builds for by default
#   KIT      where the kit is: a wazo-servicekit checkout, or the -dev
#            package's sources under /usr/share/gocode/src
#
# How the Go build finds the kit, which is not a published module: with a
# checkout, a go.work (not committed, written here) replaces the module by
# that directory, as KIT names it (../wazo-servicekit by default: no path of
# the machine); with the -dev package, vendor/ (not committed) links the
# Debian sources of the kit and of its dependencies (debian-vendor.sh).
# Either way go.mod stays as committed, and the Debian package is built by
# dh-golang from the -dev package, whatever this machine has.

GO ?= go
export GOTOOLCHAIN := local
export GOFLAGS     := -buildvcs=false
BIN := bin
KIT_MODULE := github.com/wazo-platform/wazo-servicekit

# A checkout has its Makefile; the -dev package's sources do not.
ifeq ($(wildcard $(KIT)/Makefile),)
KIT_SETUP := vendor/modules.txt
export GOWORK := off
# The GOPATH tree the package installed the kit in, and its dependencies.
export GOCODE ?= $(patsubst %/$(KIT_MODULE),%,$(abspath $(KIT)))
vendor/modules.txt: go.mod $(KIT)/scripts/debian-vendor.sh
	$(KIT)/scripts/debian-vendor.sh
else
KIT_SETUP := go.work
# Rewritten when KIT changes; a go.work of your own (without the first line
# below) is left alone.
KIT_WORK_HEAD := // Written by make: the kit is the checkout KIT names (not committed).
go.work: FORCE
	@if [ -f go.work ] && [ "$$(head -n 1 go.work)" != "$(KIT_WORK_HEAD)" ]; then \
	  echo "go.work is not the kit's: left as it is"; \
	else \
	  printf '%s\ngo 1.23\n\nuse .\n\nreplace $(KIT_MODULE) => %s\n' "$(KIT_WORK_HEAD)" "$(KIT)" >go.work.new; \
	  if cmp -s go.work.new go.work; then rm go.work.new; else mv go.work.new go.work; fi; \
	fi
# The checkout's cached Debian roots serve the service's `make deb` too.
export TRIXIE_CACHE   ?= $(abspath $(KIT))/.cache/trixie
export BOOKWORM_CACHE ?= $(abspath $(KIT))/.cache/bookworm
endif

.PHONY: all build run test deb e2e clean FORCE
all: build

build: $(KIT_SETUP)
	@mkdir -p $(BIN)
	$(GO) build -o $(BIN)/ ./cmd/...

# The daemon in the foreground on its embedded defaults: current user, logs
# on stderr, no PID file, no bus, no consul.
run: build
	$(BIN)/$(SERVICE) --dev

test: $(KIT_SETUP)
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(find . -name '*.go' -not -path './.cache/*' -not -path './vendor/*'))" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) test -count=1 ./...

# The Debian package (dist/$(DIST)/), built offline by dh-golang in a fresh
# root of DIST with its own Go (the kit's build-deb.sh; needs root,
# debootstrap, zstd). The kit's -dev package is not in Debian: KIT_DEB is
# the golang-github-wazo-platform-wazo-servicekit-dev_<version>_all.deb that
# wazo-servicekit's `make deb DIST=…` writes to its dist/DIST/ (found there
# by default when KIT is a checkout).
KIT_DEB ?= $(lastword $(sort $(wildcard $(KIT)/dist/$(DIST)/golang-github-wazo-platform-wazo-servicekit-dev_*_all.deb)))
deb:
	@[ -n "$(KIT_DEB)" ] || { echo "make deb: no kit -dev package for $(DIST): run 'make deb DIST=$(DIST)' in $(KIT), or pass KIT_DEB=path/to/golang-github-wazo-platform-wazo-servicekit-dev_<version>_all.deb"; exit 1; }
	DIST=$(DIST) EXTRA_DEBS="$(KIT_DEB)" $(KIT)/scripts/build-deb.sh

# The package installed and run in a booted trixie and bookworm
# (systemd-nspawn) next to wazo-servicekit's own daemon, by the kit's
# harness (its test/e2e): lintian, monit, nginx+TLS, consul registration,
# the audit, reboot, purge. Needs KIT to be a checkout, root, debootstrap
# and systemd-nspawn.
e2e:
	E2E_SERVICE_REPO="$(CURDIR)" $(MAKE) -C "$(KIT)" e2e

clean:
	rm -rf $(BIN) vendor
	@if [ "$$(head -n 1 go.work 2>/dev/null)" = "$(KIT_WORK_HEAD)" ]; then rm -f go.work go.work.sum; fi
