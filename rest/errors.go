// Package rest holds the HTTP conventions every Wazo daemon shares: the
// error body, JSON 404/405, request logging with tokens masked, CORS, body
// limits, and serving the embedded api.yml.
package rest

import (
	"encoding/json"
	"net/http"
	"time"
)

// Error is Wazo's error body (xivo.rest_api_helpers.handle_api_exception):
// clients and wazo-ui read message and error_id.
type Error struct {
	Status    int            `json:"-"`
	Message   string         `json:"message"`
	ErrorID   string         `json:"error_id"`
	Details   map[string]any `json:"details"`
	Timestamp float64        `json:"timestamp"`
	Resource  string         `json:"resource,omitempty"`
}

func (e *Error) Error() string { return e.Message }

// NewError builds an error body stamped with the current time.
func NewError(status int, errorID, message string, details map[string]any) *Error {
	if details == nil {
		details = map[string]any{}
	}
	now := time.Now()
	return &Error{
		Status:    status,
		Message:   message,
		ErrorID:   errorID,
		Details:   details,
		Timestamp: float64(now.UnixMicro()) / 1e6,
	}
}

// WriteError sends a Wazo error body.
func WriteError(w http.ResponseWriter, e *Error) {
	WriteJSON(w, e.Status, e)
}

// WriteJSON sends v as JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		body = []byte(`{"message":"cannot encode the response","error_id":"internal-server-error","details":{},"timestamp":0}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}
