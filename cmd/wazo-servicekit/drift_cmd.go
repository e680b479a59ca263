package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/drift"
	"github.com/wazo-platform/wazo-servicekit/internal/rules"
	"github.com/wazo-platform/wazo-servicekit/logging"
	"github.com/wazo-platform/wazo-servicekit/safefile"
)

func driftCommand() command {
	return command{name: "drift", args: "[DIR...] --siblings DIR [flags]", summary: "where the checklist and the platform drifted apart, over a fleet",
		about: `Checks every service of the fleet (DIR, or directories of checkouts) as check does,
without waivers, and reports the checklist items that fail on (nearly) every service for one
shared cause: drift between the checklist and the platform, which no service can fix alone.
For each item: what the checklist says, what the services do, the evidence (a file the
checklist names that a sibling repository deleted, and the commit that deleted it, read from
the sibling's git history when it is a git checkout, else unknown), and a suggested edit of
wazo-platform.org's guidelines page, as a unified diff. The profile documents the known
departures (practice, evidence, edit); an item it does not document is still reported, with
its most common message.`,
		define: defineDrift, positional: completeDir, findings: "the fleet drifts from the checklist on at least one item",
		values: map[string]completion{"siblings": completeDir, "profile": completeProfile, "format": completeWords("text", "markdown", "json"),
			"edited-page": completeFile, "dist": completeWords("trixie", "bookworm")},
		examples: []example{
			{"wazo-servicekit drift ~/src --siblings ~/src", "the drifting items of every checkout in ~/src, with the wazo-today profile's evidence"},
			{"wazo-servicekit drift ~/src --siblings ~/src --format markdown --edited-page new-service.md", "a note for the guidelines' owners, and the page as edited"},
		}}
}

func defineDrift(fs *flag.FlagSet) action {
	siblings := fs.String("siblings", "", "`DIR` holding the sibling checkouts (wazo-service/, wazo-backup/, wazo-acceptance/, wazo-platform.org/, ...)")
	profile := fs.String("profile", "wazo-today", "the platform profile (`NAME`) documenting the known departures (\"none\": count the causes only)")
	threshold := fs.Float64("threshold", 0.8, "`SHARE` of the judged services that must fail an item for one cause")
	format := fs.String("format", "text", "`FORMAT`: text, markdown or json")
	edited := fs.String("edited-page", "", "also write the guidelines page as the suggested edit leaves it to `PATH`")
	dist := fs.String("dist", "trixie", "the Debian distribution (`DIST`) the dependency rules judge against")
	return func(pos []string, stdout, stderr io.Writer) (int, error) {
		if *siblings == "" {
			return exitUsage, usagef("drift: --siblings DIR is required: the checklist's evidence lives in the sibling repositories")
		}
		if err := validateSiblings(*siblings); err != nil {
			return exitUsage, err
		}
		if *threshold <= 0 || *threshold > 1 {
			return exitUsage, usagef("--threshold %v: want a share in (0, 1]", *threshold)
		}
		if *format != "text" && *format != "markdown" && *format != "json" {
			return exitUsage, usagef("drift: unknown --format %q (text, markdown or json)", *format)
		}
		if *edited != "" {
			if err := safefile.CheckOutput(*edited); err != nil {
				return exitUsage, usagef("--edited-page %s: %v", *edited, err)
			}
			if err := writablePath(*edited); err != nil {
				return exitUsage, usagef("--edited-page %s: %v", *edited, err)
			}
		}
		var p *rules.Profile
		if *profile != "none" {
			var err error
			if p, err = rules.LoadProfile(*profile); err != nil {
				return exitUsage, usagef("--profile: %v", err)
			}
		}
		dirs, rep, err := fleetOf(pos, stderr)
		if err != nil {
			return exitUsage, err
		}
		for _, dir := range dirs {
			one, err := checkWithProfile(dir, rules.CheckOptions{Siblings: *siblings, Dist: *dist}, p)
			if err != nil {
				return exitUsage, usageError{err}
			}
			rep.Services = append(rep.Services, one.Services...)
		}
		d := drift.Analyse(rep, drift.Options{Threshold: *threshold, Siblings: *siblings, Profile: p})
		if d.Services == 0 {
			return exitCouldNotRun, fmt.Errorf("drift: no service (daemon) among the checkouts: nothing to compare")
		}
		var werr error
		switch *format {
		case "json":
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			werr = enc.Encode(d)
		case "markdown":
			_, werr = io.WriteString(stdout, driftMarkdown(d))
		default:
			_, werr = io.WriteString(stdout, escapeLines(driftText(d)))
		}
		if werr != nil {
			return exitCouldNotRun, werr
		}
		if *edited != "" {
			if d.Edited == "" {
				return exitCouldNotRun, fmt.Errorf("--edited-page: no edit was made (%s)", orWhy(d.PageNote, "no documented drift"))
			}
			if err := safefile.WriteOutput(*edited, []byte(d.Edited), 0o644); err != nil {
				return exitCouldNotRun, fmt.Errorf("--edited-page %s: %v", *edited, err)
			}
		}
		if len(d.Items) > 0 {
			return exitFindings, nil
		}
		return exitClean, nil
	}
}

// escapeLines escapes control characters line by line, keeping the lines.
func escapeLines(text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = logging.Escape(l)
	}
	return strings.Join(lines, "\n")
}

func orWhy(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// driftText is the report for a terminal; logging.Escape keeps its line
// structure when a message carries control characters.
func driftText(d *drift.Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "checklist drift over %d services: an item drifts when at least %.0f%% of the services judged fail it for one cause", d.Services, d.Threshold*100)
	if d.Profile != "" {
		fmt.Fprintf(&b, " (causes documented by the profile %s)", d.Profile)
	}
	b.WriteString("\n")
	if len(d.Items) == 0 {
		b.WriteString("\nno item drifts\n")
	}
	for i, it := range d.Items {
		fmt.Fprintf(&b, "\n%d. %s — the checklist says: %q\n", i+1, it.Rule, it.Checklist)
		fmt.Fprintf(&b, "   the services: %d of the %d judged fail it, %d for the shared cause\n", it.Failing, it.Judged, it.Cause.Count)
		if it.Practice != "" {
			fmt.Fprintf(&b, "   what they do: %s\n", it.Practice)
		}
		fmt.Fprintf(&b, "   cause: %s\n", it.Cause.Text)
		for _, e := range it.Cause.Examples {
			fmt.Fprintf(&b, "     e.g. %s\n", e)
		}
		for _, e := range it.Evidence {
			b.WriteString("   evidence: " + evidenceLine(e) + "\n")
		}
		if it.Edit != nil {
			fmt.Fprintf(&b, "   suggested edit: %q -> ", it.Bullet)
			if *it.Edit == "" {
				b.WriteString("(remove the line)\n")
			} else {
				fmt.Fprintf(&b, "%q\n", *it.Edit)
			}
		} else {
			b.WriteString("   suggested edit: none documented (no profile entry for this cause)\n")
		}
	}
	if d.Diff != "" {
		fmt.Fprintf(&b, "\nsuggested edit of wazo-platform.org/%s:\n%s", d.Page, d.Diff)
	}
	if d.PageNote != "" {
		fmt.Fprintf(&b, "\nnote: %s\n", d.PageNote)
	}
	return b.String()
}

func evidenceLine(e drift.Evidence) string {
	what := e.Repo + "/" + e.Path
	if len(e.Services) > 1 {
		what = fmt.Sprintf("%s/%s and the same file of %d other services", e.Repo, e.Path, len(e.Services)-1)
	}
	switch {
	case e.Present:
		return what + " is still there"
	case e.Never:
		return what + " is not there, and no commit of " + e.Repo + " deleted it: it never had it"
	case e.Unknown != "":
		return what + " is gone; the commit that deleted it is unknown: " + e.Unknown
	}
	return fmt.Sprintf("%s was deleted by %s commit %s (%s, %q)", what, e.Repo, e.Commit, e.Date, e.Subject)
}

// driftMarkdown is the report as a note for the checklist's owners.
func driftMarkdown(d *drift.Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Checklist drift over %d services\n\nAn item drifts when at least %.0f%% of the services judged fail it for one cause.", d.Services, d.Threshold*100)
	if d.Profile != "" {
		fmt.Fprintf(&b, " Causes documented by the platform profile `%s`.", d.Profile)
	}
	b.WriteString("\n")
	for _, it := range d.Items {
		fmt.Fprintf(&b, "\n## `%s`\n\n- **The checklist says:** %s\n- **The services:** %d of the %d judged fail it, %d for the shared cause\n",
			it.Rule, mdEscape(it.Checklist), it.Failing, it.Judged, it.Cause.Count)
		if it.Practice != "" {
			fmt.Fprintf(&b, "- **What they do:** %s\n", mdEscape(it.Practice))
		}
		fmt.Fprintf(&b, "- **Cause:** %s\n", mdEscape(it.Cause.Text))
		for _, e := range it.Evidence {
			fmt.Fprintf(&b, "- **Evidence:** %s\n", mdEscape(evidenceLine(e)))
		}
		if it.Edit != nil {
			edit := "remove the line"
			if *it.Edit != "" {
				edit = mdCode(*it.Edit)
			}
			fmt.Fprintf(&b, "- **Suggested edit:** %s → %s\n", mdCode(it.Bullet), edit)
		}
	}
	if d.Diff != "" {
		fmt.Fprintf(&b, "\n## Suggested edit of wazo-platform.org/%s\n\n```diff\n%s```\n", d.Page, d.Diff)
	}
	if d.PageNote != "" {
		fmt.Fprintf(&b, "\nNote: %s\n", mdEscape(d.PageNote))
	}
	return b.String()
}

// mdCode is s as an inline code span, fenced by two backticks when it
// holds one.
func mdCode(s string) string {
	s = strings.TrimSpace(logging.Escape(s))
	if strings.Contains(s, "`") {
		return "`` " + s + " ``"
	}
	return "`" + s + "`"
}

// mdEscape keeps a message from the checkouts from being read as markup.
func mdEscape(s string) string {
	return strings.NewReplacer("<", "&lt;", ">", "&gt;", "\n", " ").Replace(logging.Escape(s))
}
