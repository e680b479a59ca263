# `wazo-servicekit new` (issue 6): the scaffold's benchmark. Its tests need
# git and go, which every machine running `make test` already has.
BENCH_TARGETS += bench-scaffold

# Time for `new` without the package build (goal: <= 200 ms per service).
.PHONY: bench-scaffold
bench-scaffold:
	$(GO) test -count=1 -run '^$$' -bench 'BenchmarkNew|BenchmarkPlan' -benchtime 20x ./scaffold/
