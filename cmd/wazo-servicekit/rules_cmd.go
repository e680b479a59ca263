package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/rules"
)

func rulesCommand() command {
	return command{name: "rules", args: "[--explain ID] [--format text|json]", summary: "the rule catalogue", define: defineRules,
		about:  "Lists the rules of the \"New service guidelines\" checklist; --explain ID prints one in full,\nwith where the kit, the packaging and the generator satisfy it.",
		values: map[string]completion{"explain": completeRule, "format": completeWords("text", "json")},
		examples: []example{
			{"wazo-servicekit rules", "one line per rule: ID, severity, probes, title"},
			{"wazo-servicekit rules --explain monit-check", "the checklist item, rationale, remediation and where the kit satisfies it"},
		}}
}

func defineRules(fs *flag.FlagSet) action {
	format := fs.String("format", "text", "text or json")
	explain := fs.String("explain", "", "print one rule in full")
	return func(pos []string, stdout, _ io.Writer) (int, error) {
		if len(pos) > 0 {
			return exitUsage, usagef("rules: takes no argument (--explain ID for one rule)")
		}
		return runRules(*format, *explain, stdout)
	}
}

func runRules(format, explain string, stdout io.Writer) (int, error) {
	list := rules.All()
	if explain != "" {
		r, err := rules.ByID(explain)
		if err != nil {
			return exitUsage, usageError{err}
		}
		list = []rules.Rule{r}
	}
	switch format {
	case "json":
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if explain != "" {
			return exitClean, enc.Encode(struct {
				rules.Rule
				Where rules.Where `json:"where"`
			}{list[0], rules.WhereOf(list[0].ID)})
		}
		return exitClean, enc.Encode(list)
	case "text":
	default:
		return exitUsage, usagef("rules: unknown --format %q (text or json)", format)
	}
	var b strings.Builder
	if explain != "" {
		r := list[0]
		fmt.Fprintf(&b, "%s (%s; probes: %s)\n  %s\n\nChecklist:   %s\nReading:     %s\nRationale:   %s\nRemediation: %s\n",
			r.ID, r.Severity, strings.Join(r.Probes, ", "), r.Title, r.Checklist, rules.ReadingOf(r.ID), r.Rationale, r.Remediation)
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
