package rest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// LimitBody answers 413 to a request whose declared length exceeds max and
// caps the body of every other request, so a handler reading it gets an error
// past max bytes (DecodeJSON turns that into 413 too).
func LimitBody(max int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > max {
			WriteError(w, tooLarge(max))
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, max)
		}
		next.ServeHTTP(w, r)
	})
}

func tooLarge(max int64) *Error {
	return NewError(http.StatusRequestEntityTooLarge, "payload-too-large",
		fmt.Sprintf("Request body larger than %d bytes", max), map[string]any{"max_bytes": max})
}

// DecodeJSON reads the whole body into v. A malformed body gives a 400 Wazo
// error naming the problem; an oversized one 413.
func DecodeJSON(r *http.Request, v any) *Error {
	data, err := io.ReadAll(r.Body)
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		return tooLarge(maxErr.Limit)
	}
	if err != nil {
		return NewError(http.StatusBadRequest, "invalid-data", "Cannot read the request body: "+err.Error(), nil)
	}
	if err := json.Unmarshal(data, v); err != nil {
		details := map[string]any{"error": err.Error()}
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			details["offset"] = syntax.Offset
		}
		return NewError(http.StatusBadRequest, "invalid-data", "Invalid JSON body: "+err.Error(), details)
	}
	return nil
}

// Recover turns a handler panic into a 500 Wazo error instead of a dropped
// connection, and logs it through logPanic.
func Recover(logPanic func(r *http.Request, v any), next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				logPanic(r, v)
				WriteError(w, NewError(http.StatusInternalServerError, "internal-server-error", "Internal server error", nil))
			}
		}()
		next.ServeHTTP(w, r)
	})
}
