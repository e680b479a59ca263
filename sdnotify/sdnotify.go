// Package sdnotify tells systemd a Type=notify service's state, without
// libsystemd: one datagram to $NOTIFY_SOCKET.
package sdnotify

import (
	"net"
	"os"
)

// Ready is sent once the daemon serves.
const Ready = "READY=1"

// Stopping is sent when shutdown begins.
const Stopping = "STOPPING=1"

// Notify sends state to systemd. It does nothing (and returns false) when
// NOTIFY_SOCKET is not set, i.e. when not run by systemd as Type=notify.
func Notify(state string) (bool, error) {
	socket := os.Getenv("NOTIFY_SOCKET")
	if socket == "" {
		return false, nil
	}
	if socket[0] == '@' {
		socket = "\x00" + socket[1:] // abstract namespace
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: socket, Net: "unixgram"})
	if err != nil {
		return false, err
	}
	defer conn.Close()
	if _, err := conn.Write([]byte(state)); err != nil {
		return false, err
	}
	return true, nil
}
