package siblings

import (
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// wazo-platform.org builds its pages from two trees: content/ for the
// production site (Gatsby: content/<short>/description.md is the overview of
// the module content/sections.yaml lists) and website/ for the beta
// (Docusaurus: website/docs/api/<name>/, front matter as its neighbours).
// website/uc-doc is the one source of the UC documentation: the production
// build copies it into content/uc-doc, so its pages are edited there only.
func wazoPlatformOrgEdits(v Service, src source) []edit {
	betaPage := "website/docs/api/" + v.Name + "/description.md"
	prodPage := "content/" + v.Short + "/description.md"
	return []edit{
		{rel: "website/uc-doc/contributors/network.md",
			change: func(old string) (string, string, error) { return addNetworkRow(old, v, src.dir != "") },
			verify: func(old, new string) error {
				return verifyTableInsert(old, new, networkHeader, networkRow(networkHeader, v))
			}},
		sectionEdit("website/uc-doc/system/configuration_files.md", v.Name, []string{
			"Default configuration directory: `/etc/" + v.Name + "/conf.d`",
			"Default configuration file: `/etc/" + v.Name + "/config.yml`",
		}),
		sectionEdit("website/uc-doc/system/log_files.md", v.Name, []string{
			"File location: `/var/log/" + v.Name + ".log`",
			"Rotate configuration: `/etc/logrotate.d/" + v.Name + "`",
			"Number of archived files: " + strconv.Itoa(v.RotateCount),
			"Rotation frequence: " + v.RotateFrequency,
		}),
		{rel: "website/uc-doc/system/backup_restore.md",
			change: func(old string) (string, string, error) { return addBackupDoc(old, v) },
			verify: func(old, new string) error { return verifyBackupDoc(old, new, "/etc/"+v.Name+"/") }},
		{rel: betaPage,
			create: func() (string, error) { return betaDescription(v, src) },
			verify: func(_, new string) error {
				return verifyFrontMatter(new, neighbourFrontMatter(src, "website/docs/api", "description.md"))
			}},
		{rel: prodPage,
			create: func() (string, error) { return prodDescription(v, src) },
			verify: func(_, new string) error {
				return verifyFrontMatter(new, neighbourFrontMatter(src, "content", "description.md"))
			}},
		{rel: "content/sections.yaml",
			change: func(old string) (string, string, error) { return addModule(old, v) },
			verify: func(old, new string) error { return verifyModule(old, new, v) }},
	}
}

// --- Markdown sections -----------------------------------------------------------

// serviceHeadingRe is a per-service heading: "## wazo-auth", with or without
// an explicit anchor ("## wazo-auth {#wazo-auth}").
var serviceHeadingRe = regexp.MustCompile(`^(#+)[ \t]+((?:wazo|xivo)-[a-z0-9-]+)(?:[ \t]+\{#[^}]*\})?[ \t]*$`)

type heading struct {
	line  int
	level string
	name  string
}

func serviceHeadings(lines []string) []heading {
	var hs []heading
	fence := false
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			fence = !fence
		}
		if m := serviceHeadingRe.FindStringSubmatch(l); m != nil && !fence {
			hs = append(hs, heading{i, m[1], m[2]})
		}
	}
	return hs
}

func sectionEdit(rel, name string, body []string) edit {
	var added []string
	return edit{rel: rel,
		change: func(old string) (string, string, error) {
			text, block, note, err := addSection(old, name, body)
			added = block
			return text, note, err
		},
		verify: func(old, new string) error { return verifyLinesInserted(old, new, added, name) }}
}

// addSection inserts a "## <name>" section among the per-service sections
// in the style of the first one (heading level, blank line after it, list
// marker): in alphabetical place when those sections are sorted, after the
// last one otherwise (the real pages are not sorted). It returns the lines
// inserted too.
func addSection(old, name string, body []string) (string, []string, string, error) {
	lines := strings.Split(old, "\n")
	hs := serviceHeadings(lines)
	for _, h := range hs {
		if h.name == name {
			return "", nil, "already has a " + name + " section", nil
		}
	}
	if len(hs) == 0 {
		return "", nil, "", notShaped("per-service sections (## wazo-…)", "none")
	}
	level := hs[0].level
	var same []heading
	for _, h := range hs {
		if h.level == level {
			same = append(same, h)
		}
	}
	nb := same[0]
	blankAfter := nb.line+1 < len(lines) && strings.TrimSpace(lines[nb.line+1]) == ""
	marker := ""
	for i := nb.line + 1; i < len(lines) && !strings.HasPrefix(lines[i], "#"); i++ {
		if m := listMarkerRe.FindStringSubmatch(lines[i]); m != nil {
			marker = m[1]
			break
		}
		if strings.TrimSpace(lines[i]) != "" {
			break
		}
	}
	section := []string{level + " " + name}
	if blankAfter {
		section = append(section, "")
	}
	for _, b := range body {
		section = append(section, marker+b)
	}
	names := make([]string, len(same))
	for i, h := range same {
		names[i] = h.name
	}
	at := orderedAt(names, name, func(a, b string) bool { return a < b })
	var block []string
	var ins int
	if at < len(same) {
		// Before that heading: the section, then a blank line.
		ins = same[at].line
		block = append(section, "")
	} else {
		// After the last service section: it ends at the next heading of
		// its level or above, or at the end of the file.
		last := same[len(same)-1].line
		end := len(lines)
		for i := last + 1; i < len(lines); i++ {
			if h := headingLevel(lines[i]); h > 0 && h <= len(level) {
				end = i
				break
			}
		}
		for end > last+1 && strings.TrimSpace(lines[end-1]) == "" {
			end--
		}
		ins = end
		block = append([]string{""}, section...)
	}
	out := append(append(append([]string{}, lines[:ins]...), block...), lines[ins:]...)
	return strings.Join(out, "\n"), block, name + " section added", nil
}

var (
	listMarkerRe  = regexp.MustCompile(`^(\s*[*-]\s+)\S`)
	headingLineRe = regexp.MustCompile(`^(#+)[ \t]`)
)

func headingLevel(l string) int {
	if m := headingLineRe.FindStringSubmatch(l); m != nil {
		return len(m[1])
	}
	return 0
}

// verifyLinesInserted: new is old with block inserted at one place, and the
// per-service headings are the old ones plus name once.
func verifyLinesInserted(old, new string, block []string, name string) error {
	a, b := strings.Split(old, "\n"), strings.Split(new, "\n")
	if len(b) != len(a)+len(block) {
		return fmt.Errorf("%d lines before, %d after, %d inserted", len(a), len(b), len(block))
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	// The block starts at the first difference or, when it begins with
	// lines equal to those before it, up to len(block) lines earlier.
	inserted := false
	for p := max(0, i-len(block)); p <= i && !inserted; p++ {
		inserted = strings.Join(b[:p], "\n") == strings.Join(a[:p], "\n") &&
			strings.Join(b[p:p+len(block)], "\n") == strings.Join(block, "\n") &&
			strings.Join(b[p+len(block):], "\n") == strings.Join(a[p:], "\n")
	}
	if !inserted {
		return fmt.Errorf("the change is not one inserted block")
	}
	ha, hb := serviceHeadings(a), serviceHeadings(b)
	count := 0
	for _, h := range hb {
		if h.name == name {
			count++
		}
	}
	if len(hb) != len(ha)+1 || count != 1 {
		return fmt.Errorf("%d service sections before, %d after, %d for %s", len(ha), len(hb), count, name)
	}
	return nil
}

// --- backup_restore.md -------------------------------------------------------------

// An item is "- `/etc/wazo-x/`" (the real page) or "- /etc/wazo-x/"; a new
// item copies the first one's marker and quoting.
var backupDocLineRe = regexp.MustCompile("^([*-][ \t]+`?)(/etc/wazo-[a-z0-9-]+/)(`?[ \t]*)$")

// backupDocEntries returns the line indexes and paths of the "- `/etc/wazo-…/`" items.
func backupDocEntries(lines []string) (idx []int, paths []string) {
	for i, l := range lines {
		if m := backupDocLineRe.FindStringSubmatch(l); m != nil {
			idx, paths = append(idx, i), append(paths, m[2])
		}
	}
	return idx, paths
}

// addBackupDoc adds /etc/<name>/ to backup_restore.md's list of what is
// backed up, in the format of its neighbours, before the first /etc/wazo-*/
// entry sorting after it (as bin/wazo-backup's list).
func addBackupDoc(old string, v Service) (string, string, error) {
	entry := "/etc/" + v.Name + "/"
	lines := strings.Split(old, "\n")
	idx, paths := backupDocEntries(lines)
	if len(idx) == 0 {
		return "", "", notShaped("a list of \"- `/etc/wazo-…/`\" items", "none")
	}
	at := idx[len(idx)-1] + 1
	for i, p := range paths {
		if p == entry {
			return "", "backup_restore.md already lists " + entry, nil
		}
		if p > entry {
			at = idx[i]
			break
		}
	}
	m := backupDocLineRe.FindStringSubmatch(lines[idx[0]])
	nl := m[1] + entry + m[3]
	out := append(append(append([]string{}, lines[:at]...), nl), lines[at:]...)
	return strings.Join(out, "\n"), "backup_restore.md: " + entry + " listed", nil
}

func verifyBackupDoc(old, new, entry string) error {
	a, b := strings.Split(old, "\n"), strings.Split(new, "\n")
	_, pa := backupDocEntries(a)
	_, pb := backupDocEntries(b)
	if strings.Join(without(pb, entry), " ") != strings.Join(pa, " ") || len(pb) != len(pa)+1 {
		return fmt.Errorf("the /etc/wazo-*/ items after the edit are %v, want %v plus %s", pb, pa, entry)
	}
	if len(b) != len(a)+1 {
		return fmt.Errorf("%d lines before, %d after", len(a), len(b))
	}
	return nil
}

// --- API pages ----------------------------------------------------------------------

// frontMatter returns the keys and values of a page's "---" front matter, in
// order, and whether it has one.
func frontMatter(page string) (keys, vals []string, ok bool, err error) {
	if !strings.HasPrefix(page, "---\n") {
		return nil, nil, false, nil
	}
	end := strings.Index(page[4:], "\n---\n")
	if end < 0 {
		return nil, nil, true, fmt.Errorf("front matter has no closing ---")
	}
	body := page[4 : 4+end]
	var node yaml.Node
	if err := yaml.Unmarshal([]byte(body), &node); err != nil {
		return nil, nil, true, fmt.Errorf("front matter: %v", err)
	}
	if len(node.Content) == 0 || node.Content[0].Kind != yaml.MappingNode {
		return nil, nil, true, fmt.Errorf("front matter is not a mapping")
	}
	c := node.Content[0].Content
	for i := 0; i+1 < len(c); i += 2 {
		keys, vals = append(keys, c[i].Value), append(vals, c[i+1].Value)
	}
	return keys, vals, true, nil
}

// pageShape is what the neighbouring pages' front matter looks like: its
// keys in order and, for each, the value with the page's own name replaced
// by {name} (the most common one). No keys: the neighbours have none.
type pageShape struct {
	keys, templates []string
	from            string // a neighbour, to say where the shape comes from
}

// neighbourFrontMatter reads <dir>/*/<file> (bounded to the first 50).
func neighbourFrontMatter(src source, dir, file string) pageShape {
	var shape pageShape
	counts := map[string]map[string]int{}
	n := 0
	for _, d := range src.list("wazo-platform.org", dir) {
		if n == 50 {
			break
		}
		page, err := src.read("wazo-platform.org", dir+"/"+d+"/"+file)
		if err != nil {
			continue
		}
		n++
		keys, vals, ok, err := frontMatter(strings.ReplaceAll(string(page), "\r\n", "\n"))
		if !ok || err != nil {
			continue
		}
		if shape.from == "" {
			shape.keys, shape.from = keys, dir+"/"+d+"/"+file
		}
		for i, k := range keys {
			if counts[k] == nil {
				counts[k] = map[string]int{}
			}
			counts[k][strings.ReplaceAll(vals[i], d, "{name}")]++
		}
	}
	for _, k := range shape.keys {
		best, bestN := "", 0
		for t, c := range counts[k] {
			if c > bestN || (c == bestN && t < best) {
				best, bestN = t, c
			}
		}
		shape.templates = append(shape.templates, best)
	}
	return shape
}

func (s pageShape) render(name string) string {
	if len(s.keys) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("---\n")
	for i, k := range s.keys {
		fmt.Fprintf(&b, "%s: %s\n", k, strings.ReplaceAll(s.templates[i], "{name}", name))
	}
	b.WriteString("---\n\n")
	return b.String()
}

// verifyFrontMatter: the page has the front matter keys its neighbours
// have, in their order, and it parses; none if they have none.
func verifyFrontMatter(page string, shape pageShape) error {
	keys, _, ok, err := frontMatter(page)
	if err != nil {
		return err
	}
	if len(shape.keys) == 0 {
		if ok {
			return fmt.Errorf("a front matter, when the neighbouring pages have none")
		}
		return nil
	}
	if strings.Join(keys, ",") != strings.Join(shape.keys, ",") {
		return fmt.Errorf("front matter keys %v, want %v as %s", keys, shape.keys, shape.from)
	}
	return nil
}

func apiBody(v Service, linkText string) string {
	intro := fmt.Sprintf("%s is a Wazo Platform daemon: %s.", linkText, strings.TrimSuffix(v.Description, "."))
	api := fmt.Sprintf("It listens in plain HTTP on 127.0.0.1:%[1]d; nginx publishes it over HTTPS at "+
		"`https://<wazo>/api/%[2]s/`. Its REST API is described by `https://<wazo>/api/%[2]s/%[3]s/api/api.yml` "+
		"(Swagger 2.0); every resource but that one needs a wazo-auth token with the `%[2]s.<resource>.<action>` ACL.",
		v.Port, v.Short, v.APIVersion)
	node := strings.ReplaceAll(v.Short, "-", "_")
	return wrapProse(intro) + "\n" + wrapProse(api) + "\n## Schema\n\n```mermaid\nflowchart LR\n" +
		fmt.Sprintf("    client -- \"HTTPS /api/%[1]s/\" --> nginx\n", v.Short) +
		fmt.Sprintf("    nginx -- \"HTTP 127.0.0.1:%[1]d\" --> %[2]s[\"%[3]s\"]\n", v.Port, node, v.Name) +
		fmt.Sprintf("    %[1]s -- \"token check\" --> auth[\"wazo-auth\"]\n", node) +
		fmt.Sprintf("    %[1]s -- \"service_registered events\" --> bus[\"RabbitMQ\"]\n", node) +
		fmt.Sprintf("    %[1]s -- \"registration\" --> consul\n", node) + "```\n"
}

// proseWidth is the line width wazo-platform.org's Prettier settings wrap
// prose at (printWidth 100, proseWrap always).
const proseWidth = 100

// wrapProse fills a paragraph of words (none holding a space) to
// proseWidth columns, as Prettier does, and ends it with a newline.
func wrapProse(text string) string {
	var b strings.Builder
	col := 0
	for _, w := range strings.Fields(text) {
		switch {
		case col == 0:
		case col+1+len(w) > proseWidth:
			b.WriteByte('\n')
			col = 0
		default:
			b.WriteByte(' ')
			col++
		}
		b.WriteString(w)
		col += len(w)
	}
	b.WriteByte('\n')
	return b.String()
}

// betaDescription is the Docusaurus overview page: front matter as the
// other API pages', a link to the repository first, as theirs.
func betaDescription(v Service, src source) (string, error) {
	shape := neighbourFrontMatter(src, "website/docs/api", "description.md")
	link := "[" + v.Name + "](https://github.com/wazo-platform/" + v.Name + ")"
	return shape.render(v.Name) + apiBody(v, link), nil
}

// prodDescription is the Gatsby overview page: a "# [`short`](repository)"
// title, as the other content/<short>/description.md pages.
func prodDescription(v Service, src source) (string, error) {
	shape := neighbourFrontMatter(src, "content", "description.md")
	return shape.render(v.Name) + "# [`" + v.Short + "`](https://github.com/wazo-platform/" + v.Name + ")\n\n" + apiBody(v, v.Name), nil
}

// --- content/sections.yaml -------------------------------------------------------------

// sectionsDoc is content/sections.yaml: sections of modules, each module
// naming the repository whose content/<short>/ pages are its overview.
type sectionsDoc []struct {
	Name    string                    `yaml:"name"`
	Slug    string                    `yaml:"slug"`
	Modules map[string]map[string]any `yaml:"modules"`
}

// maxSectionsYAML bounds content/sections.yaml, a few kilobytes in fact.
const maxSectionsYAML = 64 << 10

// publicSection is the section the platform's REST APIs are in.
const publicSection = "programmable-platform"

var (
	sectionStartRe = regexp.MustCompile(`^- name:`)
	moduleKeyRe    = regexp.MustCompile(`^([ \t]+)([A-Za-z0-9_-]+):[ \t]*$`)
)

// addModule appends the service's module to the Programmable Platform
// section of content/sections.yaml, indented as the module before it, so
// that the production site builds content/<short>/description.md.
func addModule(old string, v Service) (string, string, error) {
	if len(old) > maxSectionsYAML {
		// A YAML decoder checks duplicate keys in quadratic time: a crafted
		// file this big would stall new.
		return "", "", notShaped(fmt.Sprintf("at most %d bytes (the real file has a few thousand)", maxSectionsYAML), "%d bytes", len(old))
	}
	var doc sectionsDoc
	if err := yaml.Unmarshal([]byte(old), &doc); err != nil {
		return "", "", notShaped("a YAML list of sections with modules", "%v", err)
	}
	sec := -1
	for i, s := range doc {
		for k, m := range s.Modules {
			if m["repository"] == v.Name {
				return "", "content/sections.yaml already has the module " + k + " for " + v.Name, nil
			}
			if k == v.Short {
				return "", "", notShaped("no module called "+v.Short, "one in section %s", s.Slug)
			}
		}
		if s.Slug == publicSection {
			sec = i
		}
	}
	if sec < 0 {
		return "", "", notShaped("a section with slug: "+publicSection, "none")
	}
	// Where that section's text ends, and its modules' indentation.
	lines := strings.Split(old, "\n")
	n, start, end := -1, -1, len(lines)
	for i, l := range lines {
		if sectionStartRe.MatchString(l) {
			n++
			if n == sec {
				start = i
			} else if n == sec+1 {
				end = i
				break
			}
		}
	}
	if start < 0 {
		return "", "", notShaped("each section starting with \"- name:\"", "%d sections parsed, fewer such lines", len(doc))
	}
	modIndent, fieldIndent := "", ""
	for i := start; i < end; i++ {
		if m := moduleKeyRe.FindStringSubmatch(lines[i]); m != nil && strings.TrimSpace(lines[i]) != "modules:" {
			modIndent = m[1]
			if i+1 < end {
				fieldIndent = lines[i+1][:len(lines[i+1])-len(strings.TrimLeft(lines[i+1], " \t"))]
			}
		}
	}
	if modIndent == "" || len(fieldIndent) <= len(modIndent) {
		return "", "", notShaped("modules as \"key:\" lines with their fields indented below", "none in section "+publicSection)
	}
	for end > start && strings.TrimSpace(lines[end-1]) == "" {
		end--
	}
	desc := strings.TrimSuffix(v.Description, ".") + "."
	block := []string{"",
		modIndent + v.Short + ":",
		fieldIndent + "title: " + yamlScalar(v.Name),
		fieldIndent + "description: " + yamlScalar(desc),
		fieldIndent + "icon: fa fa-cog",
		fieldIndent + "color: blue",
		fieldIndent + "repository: " + v.Name,
		fieldIndent + "redocUrl: https://example.com/api/" + v.Short + "/" + v.APIVersion + "/api/api.yml",
		fieldIndent + "apiEvents: false",
	}
	out := append(append(append([]string{}, lines[:end]...), block...), lines[end:]...)
	return strings.Join(out, "\n"), "content/sections.yaml: module " + v.Short + " (" + publicSection + ") for content/" + v.Short + "/", nil
}

// yamlScalar quotes s if YAML would not read it back as the same string.
func yamlScalar(s string) string {
	var back string
	if err := yaml.Unmarshal([]byte("k: "+s), &struct {
		K *string `yaml:"k"`
	}{&back}); err == nil && back == s && !strings.ContainsAny(s, "#:") {
		return s
	}
	return strconv.Quote(s)
}

// verifyModule: the new sections.yaml parses, has the old sections and
// modules unchanged, and the public section has the new module.
func verifyModule(old, new string, v Service) error {
	var a, b sectionsDoc
	if err := yaml.Unmarshal([]byte(old), &a); err != nil {
		return err
	}
	if err := yaml.Unmarshal([]byte(new), &b); err != nil {
		return fmt.Errorf("the result does not parse: %v", err)
	}
	if len(a) != len(b) {
		return fmt.Errorf("%d sections before, %d after", len(a), len(b))
	}
	for i := range a {
		m := b[i].Modules[v.Short]
		if a[i].Slug == publicSection {
			if m == nil || m["repository"] != v.Name {
				return fmt.Errorf("section %s has no module %s for %s", publicSection, v.Short, v.Name)
			}
			delete(b[i].Modules, v.Short)
		}
		if !reflect.DeepEqual(a[i], b[i]) {
			return fmt.Errorf("section %s changed", a[i].Slug)
		}
	}
	var raw any
	return yaml.Unmarshal([]byte(new), &raw)
}
