package consul

import (
	"crypto/rand"
	"fmt"
)

// newUUID returns a random (version 4) UUID, as Python's uuid4() used by
// xivo-lib-python for the service id. Written here because no UUID module
// is allowed beyond the standard library.
func newUUID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("generating a service id: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}
