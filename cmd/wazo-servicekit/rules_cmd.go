package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/rules"
)

func cmdRules(args []string, stdout, _ io.Writer) (int, error) {
	fs := newFlags("rules")
	format := fs.String("format", "text", "text or json")
	explain := fs.String("explain", "", "print one rule in full")
	if _, err := parseInterleaved(fs, args); err != nil {
		return exitUsage, err
	}
	list := rules.All()
	if *explain != "" {
		r, err := rules.ByID(*explain)
		if err != nil {
			return exitUsage, usageError{err}
		}
		list = []rules.Rule{r}
	}
	switch *format {
	case "json":
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if *explain != "" {
			return exitClean, enc.Encode(struct {
				rules.Rule
				Where rules.Where `json:"where"`
			}{list[0], rules.WhereOf(list[0].ID)})
		}
		return exitClean, enc.Encode(list)
	case "text":
	default:
		return exitUsage, usagef("rules: unknown --format %q (text or json)", *format)
	}
	var b strings.Builder
	if *explain != "" {
		r := list[0]
		fmt.Fprintf(&b, "%s (%s; probes: %s)\n  %s\n\nChecklist:   %s\nRationale:   %s\nRemediation: %s\n",
			r.ID, r.Severity, strings.Join(r.Probes, ", "), r.Title, r.Checklist, r.Rationale, r.Remediation)
		w := rules.WhereOf(r.ID)
		fmt.Fprintf(&b, "\nSatisfied by construction in wazo-servicekit:\n")
		for _, line := range []struct {
			label string
			refs  []string
		}{
			{"kit code", w.Kit},
			{"packaging", w.Packaging},
			{"generated from", w.Generator},
		} {
			refs := strings.Join(line.refs, ", ")
			if refs == "" {
				refs = "none"
			}
			fmt.Fprintf(&b, "  %-15s %s\n", line.label+":", refs)
		}
	} else {
		for _, r := range list {
			fmt.Fprintf(&b, "%-30s %-8s %-13s %s\n", r.ID, r.Severity, strings.Join(r.Probes, ","), r.Title)
		}
	}
	_, err := io.WriteString(stdout, b.String())
	return exitClean, err
}
