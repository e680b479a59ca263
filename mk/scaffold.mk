# `wazo-servicekit new`: the scaffold's benchmark, the tools its
# tests need. (Its package is built and run by `make e2e`: test/e2e/generated_test.go.)
BENCH_TARGETS += bench-scaffold
# The scaffold tests make git repositories and apply the sibling patches with git.
APT_PACKAGES  += git make
# The vendor test links the Debian sources of the kit's dependencies.
APT_PACKAGES  += golang-gopkg-yaml.v3-dev golang-github-rabbitmq-amqp091-go-dev golang-golang-x-mod-dev

# Time for `new` without the package build (goal: <= 200 ms per service).
.PHONY: bench-scaffold
bench-scaffold:
	$(GO) test -count=1 -run '^$$' -bench 'BenchmarkNew|BenchmarkPlan' -benchtime 20x ./internal/scaffold/
