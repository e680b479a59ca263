# `wazo-servicekit new` (issue 6): the scaffold's benchmark, the tools its
# tests need, and the package check of a generated service.
BENCH_TARGETS += bench-scaffold
# The scaffold tests make git repositories and apply the sibling patches with git.
APT_PACKAGES  += git make

# Time for `new` without the package build (goal: <= 200 ms per service).
.PHONY: bench-scaffold
bench-scaffold:
	$(GO) test -count=1 -run '^$$' -bench 'BenchmarkNew|BenchmarkPlan' -benchtime 20x ./scaffold/

# The .deb of a generated service, built in the trixie root with dh-golang
# and checked by lintian (errors and warnings fail), then installed and run in
# a booted trixie (systemd-nspawn; BOOT=0 skips). Needs root; ~5-8 min on
# 2 cores. Not part of `make test`: run it with `make e2e`-class jobs.
.PHONY: scaffold-deb
scaffold-deb:
	scaffold/deb-check.sh
