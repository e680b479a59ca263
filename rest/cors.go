package rest

import (
	"net/http"
	"slices"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/config"
)

// CORS answers browsers the way Wazo daemons do with flask-cors: any
// allowed origin, the configured request headers, and preflight requests
// answered without reaching the handlers (nor wazo-auth).
func CORS(cfg config.CORS, next http.Handler) http.Handler {
	if !cfg.Enabled {
		return next
	}
	anyOrigin := len(cfg.AllowOrigins) == 0 || slices.Contains(cfg.AllowOrigins, "*")
	allowHeaders := strings.Join(cfg.AllowHeaders, ", ")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" || (!anyOrigin && !slices.Contains(cfg.AllowOrigins, origin)) {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		if anyOrigin {
			h.Set("Access-Control-Allow-Origin", "*")
		} else {
			h.Set("Access-Control-Allow-Origin", origin)
			h.Add("Vary", "Origin")
		}
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT")
			if allowHeaders != "" {
				h.Set("Access-Control-Allow-Headers", allowHeaders)
			}
			w.WriteHeader(http.StatusOK)
			return
		}
		next.ServeHTTP(w, r)
	})
}
