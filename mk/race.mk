# `make race`: the race detector over the code that judges several
# repositories at once. check and fix run their checkouts side by side and
# share one service.Platform (its sibling indexes built once, then only
# read); a cache added to it without a lock shows here, not as a rare
# "concurrent map writes" in production. `make test` runs it.
.PHONY: race
APT_PACKAGES += gcc libc6-dev
race:
	CGO_ENABLED=1 $(GO) test -race -count=1 -run 'Fleet|SideBySide|Fix' ./cmd/wazo-servicekit
	CGO_ENABLED=1 $(GO) test -race -count=1 ./internal/fix ./internal/service

TEST_PREREQS += race
