# The runtime kit and wazo-doctord: what their tests and benchmarks need.
NPM_TOOLS    += @apidevtools/swagger-parser@13.0.0
# node and npm come with the machine image; install Debian's only where missing.
APT_PACKAGES += wrk passwd $(if $(shell command -v npm),,nodejs npm)
BENCH_TARGETS += bench-kit

.PHONY: bench-kit
bench-kit: build
	$(GO) test -run '^$$' -bench . -benchmem ./daemon/
	$(GO) run ./internal/benchkit -bin $(BIN)/wazo-doctord
