package rest

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// MaskToken keeps the last 8 characters of a token, as xivo does in its
// request logs: enough to correlate, not enough to reuse.
func MaskToken(token string) string {
	if len(token) <= 8 {
		return strings.Repeat("X", len(token))
	}
	return strings.Repeat("X", len(token)-8) + token[len(token)-8:]
}

// HideQueryToken replaces the value of every token query parameter with
// <hidden>, however its name is encoded (tok%65n= is token= to the query
// parser, so to the token check); other parameters are kept as sent.
func HideQueryToken(rawQuery string) string {
	if !strings.Contains(rawQuery, "%") && !strings.Contains(rawQuery, "token") {
		return rawQuery
	}
	parts := strings.Split(rawQuery, "&")
	for i, p := range parts {
		key, _, _ := strings.Cut(p, "=")
		if name, err := url.QueryUnescape(key); err == nil && name == "token" || key == "token" {
			parts[i] = key + "=<hidden>"
		}
	}
	return strings.Join(parts, "&")
}

// AccessLog logs two lines per request, as xivo does: "request: …" when it
// arrives and "response: …" once it is answered, both ending with the
// request's trace ids; the response line has the client, status, bytes,
// duration and the masked X-Auth-Token.
func AccessLog(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		target := r.URL.Path
		if r.URL.RawQuery != "" {
			target += "?" + HideQueryToken(r.URL.RawQuery)
		}
		ids := traceIDs(r)
		logger.LogAttrs(r.Context(), slog.LevelInfo, "request: "+r.Method+" "+target+ids, slog.String("client", r.RemoteAddr))
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		attrs := []slog.Attr{
			slog.String("client", r.RemoteAddr),
			slog.Int("status", rec.status),
			slog.Int64("bytes", rec.bytes),
			slog.Duration("duration", time.Since(start)),
		}
		if tok := r.Header.Get("X-Auth-Token"); tok != "" {
			attrs = append(attrs, slog.String("token", MaskToken(tok)))
		}
		logger.LogAttrs(r.Context(), slog.LevelInfo, "response: "+r.Method+" "+target+ids, attrs...)
		if logger.Enabled(r.Context(), slog.LevelDebug) {
			logger.LogAttrs(r.Context(), slog.LevelDebug, "request details",
				slog.String("user_agent", r.UserAgent()), slog.Int64("content_length", r.ContentLength),
				slog.String("tenant", r.Header.Get("Wazo-Tenant")))
		}
	})
}

// recorder remembers the status and size of a response for the access log.
type recorder struct {
	http.ResponseWriter
	status  int
	bytes   int64
	written bool
}

func (r *recorder) WriteHeader(status int) {
	if !r.written {
		r.status, r.written = status, true
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.written = true
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the real writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
