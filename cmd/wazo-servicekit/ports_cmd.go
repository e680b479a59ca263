package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/ports"
)

func cmdPorts(args []string, stdout, _ io.Writer) (int, error) {
	fs := newFlags("ports")
	format := fs.String("format", "text", "text or json")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return exitUsage, err
	}
	if *format != "text" && *format != "json" {
		return exitUsage, usagef("ports: unknown --format %q (text or json)", *format)
	}
	reg, err := ports.Load()
	if err != nil {
		return exitInternal, err
	}
	switch {
	case len(pos) == 0:
		if *format == "json" {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			return exitClean, enc.Encode(reg)
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%-6s %-20s %-26s %-10s %s\n", "PORT", "DAEMON", "PROTO", "LISTEN", "SOURCE")
		for _, e := range reg.Ports {
			src := e.Source
			if e.Historical {
				src += " (historical)"
			}
			if e.Unverified {
				src += " (unverified)"
			}
			fmt.Fprintf(&b, "%-6d %-20s %-26s %-10s %s\n", e.Port, e.Daemon, e.Proto, e.Listen, src)
		}
		_, err := io.WriteString(stdout, b.String())
		return exitClean, err
	case len(pos) == 1 && pos[0] == "next":
		next, why := reg.Next()
		if *format == "json" {
			return exitClean, json.NewEncoder(stdout).Encode(map[string]any{"port": next, "reason": why})
		}
		_, err := fmt.Fprintf(stdout, "%d\n%s\n", next, why)
		return exitClean, err
	}
	return exitUsage, usagef("ports: unknown arguments %v (want `ports` or `ports next`)", pos)
}
