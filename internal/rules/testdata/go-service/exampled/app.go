package exampled

import (
	"net/http"

	"github.com/wazo-platform/wazo-servicekit/auth"
)

// Routes are the fixture's protected resources.
func Routes(c *auth.Client, h http.Handler) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("GET /1.0/things", c.Require("exampled.things.read", h))
	mux.Handle("POST /1.0/things", c.Require("exampled.things.create", h))
	return mux
}
