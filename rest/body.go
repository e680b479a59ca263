package rest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
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
		msg := jsonProblem(err)
		details := map[string]any{"error": msg}
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			details["offset"] = syntax.Offset
		}
		return NewError(http.StatusBadRequest, "invalid-data", "Invalid JSON body: "+msg, details)
	}
	return nil
}

// jsonProblem says what is wrong with a JSON body in the client's terms:
// encoding/json's type errors name Go types, which mean nothing to a
// client and tell an attacker about the code.
func jsonProblem(err error) string {
	var typeErr *json.UnmarshalTypeError
	var syntax *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		where := typeErr.Field
		if where == "" {
			where = "the top level"
		}
		return fmt.Sprintf("at %s: expected %s, got %s", where, jsonKind(typeErr.Type), typeErr.Value)
	case errors.As(err, &syntax):
		return syntax.Error()
	}
	return "not the expected JSON document"
}

// jsonKind names a Go type as the JSON value it decodes from.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	case reflect.Interface:
		return "a value"
	}
	return "a number"
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
