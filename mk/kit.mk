# The runtime kit and wazo-doctord: what their tests and benchmarks need.
NPM_TOOLS    += @apidevtools/swagger-parser@13.0.0
# node and npm come with the machine image; install Debian's only where missing.
APT_PACKAGES += wrk passwd $(if $(shell command -v npm),,nodejs npm)
BENCH_TARGETS += bench-kit

.PHONY: bench-kit
# benchkit: ratios to a bare net/http server and to a daemon on the kit with
# nothing of its own (the kit's floor) over 5 interleaved rounds
# (BENCHKIT_FLAGS=-base OLD_BINARY adds an older wazo-doctord to the rounds),
# then the daemon's Go benchmarks as ratios to their reference case.
BENCHKIT_FLAGS ?=
bench-kit: build
	GO=$(GO) $(GO) run ./internal/benchkit -bin $(BIN)/wazo-doctord $(BENCHKIT_FLAGS)
