# wazo-servicekit — see README.md.
# Each area of the project keeps its own targets in mk/*.mk; this file holds
# the commands README.md promises and the variables the fragments extend.

GO        ?= go
export GOTOOLCHAIN := local
export GOFLAGS     := -buildvcs=false
BIN       := bin
CACHE     := .cache

# Fragments append to these.
#  TEST_PREREQS : targets `make test` needs first (built tools, started nothing)
#  APT_PACKAGES : Debian packages the tests need on the host
#  NPM_TOOLS    : npm packages (name@version) the tests need, installed under $(CACHE)/npm
#  BENCH_TARGETS: benchmark targets `make bench` runs
TEST_PREREQS  :=
APT_PACKAGES  := ca-certificates curl procps iproute2 openssl
NPM_TOOLS     :=
BENCH_TARGETS :=

.PHONY: all build run test test-setup bench-smoke staticcheck bench deps fmt vet clean
all: build

build:
	@mkdir -p $(BIN)
	$(GO) build -o $(BIN)/ ./cmd/...

# wazo-doctord in the foreground on its embedded default config (no file needed).
run: build
	$(BIN)/wazo-doctord --dev

include $(wildcard mk/*.mk)

# The Debian packages and npm tools of APT_PACKAGES / NPM_TOOLS that are not
# installed yet, one per line (shell code, shared by deps and test-setup).
MISSING = for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done; \
	for t in $(NPM_TOOLS); do n=$${t%@*}; grep -qs "\"version\": \"$${t\#\#*@}\"" $(CACHE)/npm/node_modules/$$n/package.json || echo $$t; done

# Installs what the tests need on a fresh Debian machine (as root).
deps:
	@missing=$$($(MISSING)); apt=$$(echo "$$missing" | grep -v '@' || true); \
	if [ -n "$$apt" ]; then \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$apt; \
	fi
	@if [ -n "$(strip $(NPM_TOOLS))" ]; then \
	  mkdir -p $(CACHE)/npm && cd $(CACHE)/npm && \
	  for t in $(NPM_TOOLS); do \
	    n=$${t%@*}; [ -f node_modules/$$n/package.json ] && grep -q "\"version\": \"$${t##*@}\"" node_modules/$$n/package.json || npm install --no-audit --no-fund --silent $$t || exit 1; \
	  done; \
	fi

# make test sets itself up: as root it installs what is missing (make deps);
# otherwise it stops at once, naming the command to run.
test-setup:
	@missing=$$($(MISSING)); if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then echo "make test: installing what the tests need:" $$missing; $(MAKE) --no-print-directory deps; \
	  else echo "make test needs" $$missing "- run: sudo make deps"; exit 1; fi; \
	fi

# As root every tool is there (test-setup), so a skipped test is a failure
# (testsum -no-skips, and testenv's helpers fail instead of skipping). The
# one allowed skip: tests over real Wazo checkouts, run when WAZO_REPOS=DIR
# names them (no machine here has them by default).
test: test-setup build $(TEST_PREREQS)
	$(GO) vet ./...
	@if [ "$$(id -u)" = 0 ]; then scripts/staticcheck.sh; else echo "make test: staticcheck skipped (it runs in the trixie root, as root): sudo make staticcheck"; fi
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	@flags=; if [ "$$(id -u)" = 0 ]; then flags="-no-skips -allow-skip WAZO_REPOS=DIR"; export SERVICEKIT_TEST_STRICT=1; fi; \
	bash -o pipefail -c "$(GO) test -json -count=1 -timeout 30m ./... | $(GO) run ./internal/testsum $$flags"
	@$(MAKE) --no-print-directory bench-smoke

# Every Go benchmark once (-benchtime=1x): a benchmark that no longer runs
# fails `make test` instead of rotting until the next `make bench`.
bench-smoke:
	@echo "bench-smoke: every benchmark, one iteration"
	@out=$$($(GO) test -count=1 -run '^$$' -bench . -benchtime=1x -timeout 10m ./... 2>&1) || { echo "$$out" | grep -v -e '^Benchmark.*/op' -e '^goos:' -e '^goarch:' -e '^pkg:' -e '^cpu:' -e '^PASS' -e '^ok '; echo "bench-smoke: a benchmark failed (above)"; exit 1; }; 	echo "bench-smoke: $$(echo "$$out" | grep -c '^Benchmark') benchmarks ran"

# Debian's staticcheck, in the trixie root (root only; make test runs it).
staticcheck:
	scripts/staticcheck.sh

bench: build $(BENCH_TARGETS)

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf $(BIN) dist
