package consul

import (
	"fmt"
	"net"
	"strings"
)

// advertiseAddress resolves service_discovery.advertise_address. "auto"
// means what xivo-lib-python does: the first IPv4 address of iface, else of
// any interface named eth* or en*, else of lo, else 127.0.0.1.
func advertiseAddress(configured, iface string) (string, error) {
	if configured != "" && configured != "auto" {
		return configured, nil
	}
	ifaces, err := net.Interfaces()
	if err != nil {
		return "", fmt.Errorf("service_discovery.advertise_address is auto: listing interfaces: %w", err)
	}
	return pickAddress(iface, ifaces, interfaceIPv4), nil
}

// pickAddress is the "auto" policy, separated from the system so it can be
// tested with any interface list.
func pickAddress(want string, ifaces []net.Interface, ipv4 func(net.Interface) string) string {
	tried := map[string]bool{}
	try := func(match func(name string) bool) string {
		for _, i := range ifaces {
			if tried[i.Name] || !match(i.Name) {
				continue
			}
			tried[i.Name] = true
			if a := ipv4(i); a != "" {
				return a
			}
		}
		return ""
	}
	for _, match := range []func(string) bool{
		func(n string) bool { return want != "" && n == want },
		func(n string) bool { return strings.HasPrefix(n, "eth") || strings.HasPrefix(n, "en") },
		func(n string) bool { return n == "lo" },
	} {
		if a := try(match); a != "" {
			return a
		}
	}
	return "127.0.0.1"
}

// interfaceIPv4 returns the first IPv4 address of i, or "".
func interfaceIPv4(i net.Interface) string {
	addrs, err := i.Addrs()
	if err != nil {
		return ""
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok {
			if v4 := n.IP.To4(); v4 != nil {
				return v4.String()
			}
		}
	}
	return ""
}
