package scaffold

import (
	"fmt"
	"path"
	"strings"
	"time"
)

// ChecklistItem is one rule's verdict on the new repository, as `check`
// gives it, for the WPEP draft.
type ChecklistItem struct {
	Rule, Checklist, Status, Message string
	Practice                         bool // a Wazo practice beyond the checklist
}

// WPEPPath is where the draft goes in the new repository: the guidelines
// ask for a WPEP (github.com/wazo-platform/wpep) before writing a new
// service; it becomes wpep<number>.md there once a number is given.
func (p *Project) WPEPPath() string { return "wpep/XXXX-" + p.v.Name + ".md" }

// WPEPDraft writes the WPEP of the new service in the wpep repository's
// format: the `| Key | Value |` preamble (Title, Number XXXX until one is
// assigned, Date, Authors, Status, Tickets), then Abstract, Motivation and
// Proposition, filled from the answers to `new` and the checklist status
// `check` gives the repository as generated.
func (p *Project) WPEPDraft(items []ChecklistItem, date time.Time) []byte {
	v := p.v
	var b strings.Builder
	row := func(k, val string) { fmt.Fprintf(&b, "| **%s** | %s |\n", k, val) }
	b.WriteString("| Key | Value |\n| ---: | :--- |\n")
	row("Title", mdCell(v.Name+": "+v.Description))
	row("Number", "XXXX")
	row("Date", date.Format("2006-01-02"))
	row("Authors", "<name> <email>")
	row("Status", "proposed")
	row("Tickets", "-")

	fmt.Fprintf(&b, "\n## Abstract\n\n%s: %s. A new Wazo Platform daemon, written in Go on wazo-servicekit.\n", v.Name, v.Description)

	fmt.Fprintf(&b, "\n## Motivation\n\n%s.\n\n", v.Description)
	b.WriteString("Why a new service rather than a feature of an existing one: to be written by the authors.\n")

	b.WriteString("\n## Proposition\n\n")
	fmt.Fprintf(&b, "- Package and daemon: `%s` (Debian, `Architecture: any`), system user `%s`.\n", v.Name, v.Name)
	fmt.Fprintf(&b, "- REST API: port %d on 127.0.0.1, published by nginx at `https://<wazo>/api/%s/`; `/%s/api/api.yml`.\n", v.Port, v.Short, v.APIVersion)
	fmt.Fprintf(&b, "- ACL prefix: `%s.` (`%s.#` added to wazo_default_admin_policy by /etc/wazo-auth/conf.d/50-%s.yml).\n", v.Short, v.Short, v.Name)
	if len(v.ACLs) > 0 {
		fmt.Fprintf(&b, "- Calls other Wazo APIs with a service key from wazo-auth-keys: %s.\n", "`"+strings.Join(v.ACLs, "`, `")+"`")
	} else {
		b.WriteString("- Calls no other Wazo API with an identity of its own: no service key.\n")
	}
	b.WriteString("- Bus events (exchange `wazo-headers`): `service_registered` when it registers in consul, `service_deregistered` when it stops.\n")
	group := map[string]string{"default": "runs on an HA secondary", "wazo": "stopped on an HA secondary; its unit does not start while /var/lib/wazo/disabled exists"}[v.HAGroup]
	fmt.Fprintf(&b, "- HA: wazo-service group `%s` (%s).\n", v.HAGroup, group)
	b.WriteString("\n### Checklist status\n\n")
	b.WriteString("`wazo-servicekit check` on the repository as generated, against the other repositories as they\n")
	b.WriteString("are: the rules about them fail or are unknown until the patches of `sibling-patches/` are merged.\n\n")
	b.WriteString("| Checklist item | Rule | Status |\n| --- | --- | --- |\n")
	for _, it := range items {
		if !it.Practice {
			fmt.Fprintf(&b, "| %s | `%s` | %s |\n", mdCell(it.Checklist), it.Rule, statusCell(it))
		}
	}
	b.WriteString("\nWazo practice beyond the checklist:\n\n| Rule | Status |\n| --- | --- |\n")
	for _, it := range items {
		if it.Practice {
			fmt.Fprintf(&b, "| `%s` | %s |\n", it.Rule, statusCell(it))
		}
	}
	fmt.Fprintf(&b, "\nThe other repositories it touches are patched by `sibling-patches/` (%s).\n", strings.Join(patchRepos(p), ", "))
	return []byte(b.String())
}

func statusCell(it ChecklistItem) string {
	if it.Status == "pass" {
		return "pass"
	}
	return it.Status + ": " + mdCell(it.Message)
}

// mdCell keeps a value inside one table cell.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.Join(strings.Fields(s), " ")
}

func patchRepos(p *Project) []string {
	var out []string
	for _, f := range p.Patches {
		if len(p.Files[f]) > 0 {
			out = append(out, strings.TrimSuffix(path.Base(f), ".diff"))
		}
	}
	return out
}
