# wazo-servicekit: the rule catalogue, `check`, `audit`, `rules`, `ports`.

# The official SARIF 2.1.0 JSON schema (sarif-2.1.0-rtm.5.json) ships in this
# package, with the ajv 6 that validates its draft-04 dialect; the SARIF test
# runs internal/report/testdata/validate-sarif.js with them.
NPM_TOOLS     += @microsoft/jest-sarif@1.0.0-beta.0
# The drift report's suggested edit of the guidelines page is checked with Prettier,
# the formatter wazo-platform.org uses.
NPM_TOOLS     += prettier@3.3.3
# node and npm come from Debian unless some other node (e.g. NodeSource) is installed.
APT_PACKAGES  += $(if $(shell command -v npm),,nodejs npm)
# The scorecard test renders the HTML page in Debian's headless chromium; man
# renders the generated man pages.
APT_PACKAGES  += chromium man-db
BENCH_TARGETS += bench-check

.PHONY: bench-check fuzz-servicekit refresh-debian-index

# `check` on this repository (goal <= 100 ms), the cost of each rule, and
# `audit` of an image root with 25 services (goal <= 500 ms); then `check`
# over a fleet of 36 fixture repositories in one call, beside one call per
# repository.
bench-check:
	$(GO) test -run '^$$' -bench "BenchmarkCheck|BenchmarkAudit" -benchmem ./internal/rules/
	$(GO) test -run '^$$' -bench "BenchmarkCheckCorpus" -benchmem -benchtime 5x ./cmd/wazo-servicekit/

# Every parser of outside input, and the literal search that lets an
# expression skip a text, FUZZTIME each (default 10s; 10m before a release).
FUZZTIME ?= 10s
fuzz-servicekit:
	@set -e; for p in ./internal/probe/parse/ ./internal/rules/ ./internal/lazyre/; do \
	  for t in $$($(GO) test -list '^Fuzz' $$p | grep '^Fuzz'); do \
	    echo "== $$p $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$p; done; done

# Regenerate internal/debiandata/*.tsv from Debian 13's Sources/Packages indexes.
refresh-debian-index:
	scripts/refresh-debian-index.sh
