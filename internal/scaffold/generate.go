package scaffold

//go:generate go run ./internal/copydoctord -root ../.. -out testdata/doctord
