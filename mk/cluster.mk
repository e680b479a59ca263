# The cluster audit: test/cluster (in `make test`, as root) runs three
# nodes in network namespaces with consul, nginx+TLS and wazo-doctord;
# bench-cluster measures `audit --consul` on simulated catalogues of up
# to 400 nodes (internal/benchcluster); BENCH_CLUSTER_AGAINST=OLD_BINARY
# measures an earlier build beside each line.
APT_PACKAGES  += nginx
BENCH_TARGETS += bench-cluster

.PHONY: bench-cluster
bench-cluster: build
	$(GO) run ./internal/benchcluster -bin $(BIN)/wazo-servicekit $(if $(BENCH_CLUSTER_AGAINST),-against $(BENCH_CLUSTER_AGAINST))
