# Service discovery and bus: the consul agent the tests run, the
# RabbitMQ broker they start, and the registration benchmark.

# bin/consul: built once from the MPL-2.0 module (not packaged in Debian);
# the script is a no-op when the right version is already there.
.PHONY: consul bench-consul
consul:
	GO=$(GO) CACHE=$(CACHE) scripts/build-consul.sh $(BIN)/consul

TEST_PREREQS  += consul
APT_PACKAGES  += rabbitmq-server
BENCH_TARGETS += bench-consul

# Exec of wazo-doctord → its entry passing in a dev consul agent, median of
# several runs (see consul/bench_test.go).
bench-consul: build consul
	$(GO) test -count=1 -run '^$$' -bench 'BenchmarkExecToPassing' -benchtime 7x ./consul/
