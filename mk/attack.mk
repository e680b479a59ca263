# `make attack`: replays the HTTP attacks the kit must withstand against a
# wazo-doctord started on 127.0.0.1 (one line per attack with its verdict;
# bounded to 2 minutes, about 10 s in practice). Not part of `make test`.
.PHONY: attack
attack: build
	$(GO) run ./internal/attack -bin $(BIN)/wazo-doctord
