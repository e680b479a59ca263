# `make attack`: replays the attacks the tools must withstand, one line per
# attack with its verdict and the finding it replays: HTTP attacks against a
# wazo-doctord started on 127.0.0.1, and wazo-servicekit run on hostile
# checkouts, waivers, siblings and update checkouts built in a scratch
# directory (each command bounded in time and memory; the whole run to 5
# minutes, about 45 s in practice). `make test` runs it. New attacks: a file
# in internal/attack registering them (see its package comment).
.PHONY: attack
attack: build
	$(GO) run ./internal/attack -bin $(BIN)/wazo-doctord -servicekit $(BIN)/wazo-servicekit

TEST_PREREQS += attack
