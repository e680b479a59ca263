package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/ports"
)

func portsCommand() command {
	return command{name: "ports", args: "[next] [--format text|json]", summary: "the registry of known Wazo ports; the next free one", define: definePorts,
		about:      "Prints the registry of the ports Wazo daemons use; `ports next` the next free one of\nthe 9486+ block, and why.",
		values:     map[string]completion{"format": completeWords("text", "json")},
		positional: completeWords("next"),
		examples:   []example{{"wazo-servicekit ports next", "the port a new service takes, and why that one"}}}
}

func definePorts(fs *flag.FlagSet) action {
	format := fs.String("format", "text", "text or json")
	return func(pos []string, stdout, _ io.Writer) (int, error) { return runPorts(pos, *format, stdout) }
}

func runPorts(pos []string, format string, stdout io.Writer) (int, error) {
	if format != "text" && format != "json" {
		return exitUsage, usagef("ports: unknown --format %q (text or json)", format)
	}
	reg, err := ports.Load()
	if err != nil {
		return exitCouldNotRun, err
	}
	switch {
	case len(pos) == 0:
		if format == "json" {
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
		if format == "json" {
			return exitClean, json.NewEncoder(stdout).Encode(map[string]any{"port": next, "reason": why})
		}
		_, err := fmt.Fprintf(stdout, "%d\n%s\n", next, why)
		return exitClean, err
	}
	return exitUsage, usagef("ports: unknown arguments %v (want `ports` or `ports next`)", pos)
}
