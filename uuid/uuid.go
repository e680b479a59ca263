// Package uuid makes random (version 4) UUIDs, as Python's uuid4() that
// Wazo daemons use for service ids and resource uuids. It is written here
// because Debian packages no UUID Go module the kit may depend on.
package uuid

import (
	"crypto/rand"
	"fmt"
)

// NewV4 returns a random version 4 UUID in its canonical text form
// (xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx, y one of 8, 9, a, b).
func NewV4() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("generating a UUID: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}
