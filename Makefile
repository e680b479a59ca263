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

.PHONY: all build run test bench deps fmt vet clean
all: build

build:
	@mkdir -p $(BIN)
	$(GO) build -o $(BIN)/ ./cmd/...

# wazo-doctord in the foreground on its embedded default config (no file needed).
run: build
	$(BIN)/wazo-doctord --dev

include $(wildcard mk/*.mk)

# Installs what the tests need on a fresh Debian machine (run as root by .ci/run).
deps:
	@if [ -n "$(strip $(APT_PACKAGES))" ]; then \
	  missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	  if [ -n "$$missing" ]; then \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
	  fi; \
	fi
	@if [ -n "$(strip $(NPM_TOOLS))" ]; then \
	  mkdir -p $(CACHE)/npm && cd $(CACHE)/npm && \
	  for t in $(NPM_TOOLS); do \
	    n=$${t%@*}; [ -f node_modules/$$n/package.json ] && grep -q "\"version\": \"$${t##*@}\"" node_modules/$$n/package.json || npm install --no-audit --no-fund --silent $$t || exit 1; \
	  done; \
	fi

test: build $(TEST_PREREQS)
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) test -count=1 -timeout 30m ./...

bench: build $(BENCH_TARGETS)

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf $(BIN) dist
