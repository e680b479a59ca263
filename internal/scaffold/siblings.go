package scaffold

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/scaffold/udiff"
)

// siblingFixtures are the sibling repositories' files as the documented
// formats (conventions.md §3.2, §4, §5, §6.3, §1) describe them: the patches
// are computed against them when no --siblings checkout is given.
//
//go:embed all:testdata/siblings
var siblingFixtures embed.FS

const fixturesRoot = "testdata/siblings"

// siblingPatch is one repository's patch.
type siblingPatch struct {
	repo  string   // wazo-service, ...
	file  string   // <repo>.diff
	text  string   // the unified diff ("" when nothing to change)
	notes []string // what it does, or why a part was skipped
}

// source reads sibling files from a checkout directory or the fixtures.
type source struct {
	dir string // "" = fixtures
}

// read returns the file's content, and whether it exists.
func (s source) read(repo, rel string) ([]byte, bool, error) {
	if s.dir == "" {
		data, err := fs.ReadFile(siblingFixtures, fixturesRoot+"/"+repo+"/"+rel)
		if err != nil {
			return nil, false, nil
		}
		return data, true, nil
	}
	data, err := os.ReadFile(filepath.Join(s.dir, repo, filepath.FromSlash(rel)))
	if os.IsNotExist(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return data, true, nil
}

// edit is one file's change, computed by a function of its old text.
type edit struct {
	rel    string
	create func() string                     // for a file that may be absent
	change func(old string) (string, string) // new text, note ("" new = unchanged)
	must   bool                              // the file must exist (unless create)
	absent string                            // the note when an optional file is absent
}

// siblingPatches computes the patch of every sibling repository.
func siblingPatches(v *values, siblingsDir string) ([]siblingPatch, error) {
	src := source{dir: siblingsDir}
	if siblingsDir != "" {
		for _, repo := range []string{"wazo-service", "wazo-backup", "wazo-acceptance", "wazo-platform.org"} {
			if st, err := os.Stat(filepath.Join(siblingsDir, repo)); err != nil || !st.IsDir() {
				return nil, fmt.Errorf("--siblings %s: no %s/ checkout there (want wazo-service/, wazo-backup/, wazo-acceptance/, wazo-platform.org/)", siblingsDir, repo)
			}
		}
	}
	plan := []struct {
		repo  string
		edits []edit
	}{
		{"wazo-service", []edit{
			{rel: "bin/wazo-service", must: true, change: func(old string) (string, string) { return addToShellList(old, v) }},
			{rel: "wazo_service/main.py", change: func(old string) (string, string) { return addToPythonList(old, v) }},
		}},
		{"wazo-backup", []edit{
			{rel: "bin/wazo-backup", must: true, change: func(old string) (string, string) { return addToBackupList(old, v) }},
		}},
		{"wazo-acceptance", []edit{
			{rel: "features/daily/http.feature", must: true, change: func(old string) (string, string) {
				return addTableRow(old, "url", []string{"GET", "/api/" + v.Short + "/" + v.APIVersion + "/status"}, true)
			}},
			{rel: "features/daily/service_discovery.feature",
				create: func() string { return serviceDiscoveryFeature(v) },
				change: func(old string) (string, string) { return addTableRow(old, "service", []string{v.Name}, true) }},
		}},
		{"wazo-platform.org", []edit{
			{rel: "website/uc-doc/contributors/network.md", must: true, change: func(old string) (string, string) { return addNetworkRow(old, v) }},
			{rel: "website/uc-doc/system/configuration_files.md", must: true, change: func(old string) (string, string) {
				return addSection(old, v.Name, []string{
					"Default configuration directory: `/etc/" + v.Name + "/conf.d`",
					"Default configuration file: `/etc/" + v.Name + "/config.yml`",
				})
			}},
			{rel: "website/uc-doc/system/log_files.md", must: true, change: func(old string) (string, string) {
				return addSection(old, v.Name, []string{
					"File location: `/var/log/" + v.Name + ".log`",
					"Rotate configuration: `/etc/logrotate.d/" + v.Name + "`",
					"Number of archived files: " + strconv.Itoa(v.rotateCount),
					"Rotation frequence: " + v.rotateFrequency,
				})
			}},
			{rel: "website/uc-doc/system/backup_restore.md", must: true, change: func(old string) (string, string) { return addBackupDoc(old, v) }},
			{rel: "website/docs/api/" + v.Name + "/description.md", create: func() string { return descriptionMD(v) },
				change: func(string) (string, string) {
					return "", "website/docs/api/" + v.Name + "/description.md exists already: left as is"
				}},
		}},
		// The meta-package: a fresh install pulls the service in (optional
		// checkout: not every --siblings directory has it).
		{"wazo-platform", []edit{
			{rel: "debian/control", change: func(old string) (string, string) { return addToDepends(old, v.Name) },
				absent: "no wazo-platform checkout: add " + v.Name + " to the Depends of wazo-platform's debian/control (alphabetical) by hand"},
		}},
	}
	var out []siblingPatch
	for _, r := range plan {
		sp := siblingPatch{repo: r.repo, file: r.repo + ".diff"}
		var diff strings.Builder
		for _, e := range r.edits {
			old, exists, err := src.read(r.repo, e.rel)
			if err != nil {
				return nil, err
			}
			switch {
			case !exists && e.create != nil:
				diff.WriteString(udiff.File(e.rel, nil, []byte(e.create()), true))
				sp.notes = append(sp.notes, "creates "+e.rel)
			case !exists && e.must:
				return nil, fmt.Errorf("%s: no %s there; the patch for %s needs it", where(siblingsDir, r.repo), e.rel, r.repo)
			case !exists && e.absent != "":
				sp.notes = append(sp.notes, e.absent)
			case !exists:
				sp.notes = append(sp.notes, e.rel+" is absent: nothing to change there")
			default:
				text, note := e.change(string(old))
				if text != "" && text != string(old) {
					diff.WriteString(udiff.File(e.rel, old, []byte(text), false))
				}
				sp.notes = append(sp.notes, note)
			}
		}
		sp.text = diff.String()
		out = append(out, sp)
	}
	return out, nil
}

func where(dir, repo string) string {
	if dir == "" {
		return "fixture " + repo
	}
	return filepath.Join(dir, repo)
}

// --- wazo-service ---------------------------------------------------------

var shellListLineRe = regexp.MustCompile(`(?m)^(\s*)(wazo_services|default_services)="([^"]*)"`)

// addToShellList appends the service to its group in bin/wazo-service:
// default_services before its trailing "$wazo_services", or the end of
// wazo_services (conventions.md §3.2: start order, dependencies first).
func addToShellList(old string, v *values) (string, string) {
	group := v.HAGroup + "_services"
	for _, m := range shellListLineRe.FindAllStringSubmatchIndex(old, -1) {
		list := old[m[6]:m[7]]
		for _, w := range strings.Fields(list) {
			if w == v.Name {
				return "", fmt.Sprintf("bin/wazo-service already lists %s in %s", v.Name, old[m[4]:m[5]])
			}
		}
	}
	for _, m := range shellListLineRe.FindAllStringSubmatchIndex(old, -1) {
		if old[m[4]:m[5]] != group {
			continue
		}
		list := old[m[6]:m[7]]
		var newList string
		if i := strings.Index(list, " $wazo_services"); group == "default_services" && i >= 0 {
			newList = list[:i] + " " + v.Name + list[i:]
		} else if strings.TrimSpace(list) == "" {
			newList = v.Name
		} else {
			newList = strings.TrimRight(list, " ") + " " + v.Name
		}
		return old[:m[6]] + newList + old[m[7]:], fmt.Sprintf("bin/wazo-service: %s appended to %s (HA group %s)", v.Name, group, v.HAGroup)
	}
	return "", "bin/wazo-service: no " + group + "=\"...\" line found: add " + v.Name + " by hand"
}

// addToPythonList adds the short name to WAZO_SERVICES or DEFAULT_SERVICES
// of wazo_service/main.py (the `wazo-service-python status` list).
func addToPythonList(old string, v *values) (string, string) {
	name := "DEFAULT_SERVICES"
	if v.HAGroup == "wazo" {
		name = "WAZO_SERVICES"
	}
	if strings.Contains(old, "'"+v.Short+"'") {
		return "", "wazo_service/main.py already lists " + v.Short
	}
	re := regexp.MustCompile(`(?m)^` + name + `\s*=\s*\[`)
	loc := re.FindStringIndex(old)
	if loc == nil {
		return "", "wazo_service/main.py: no " + name + " = [...] found: add '" + v.Short + "' by hand"
	}
	end := strings.Index(old[loc[1]:], "]")
	if end < 0 {
		return "", "wazo_service/main.py: " + name + " has no closing ]"
	}
	end += loc[1]
	body := old[loc[1]:end]
	last := strings.LastIndex(body, "'")
	if last < 0 {
		return old[:loc[1]] + "'" + v.Short + "'" + old[loc[1]:], "wazo_service/main.py: '" + v.Short + "' added to " + name
	}
	at := loc[1] + last + 1
	// One item per line ("    'auth',"): a new line in the same style.
	lineStart := strings.LastIndex(old[:at], "\n") + 1
	lineEnd := strings.Index(old[at:], "\n")
	if lineEnd >= 0 {
		line := old[lineStart : at+lineEnd]
		if m := pyItemLineRe.FindStringSubmatch(line); m != nil {
			end := at + lineEnd
			prev := line
			if m[2] == "" {
				prev += ","
			}
			return old[:lineStart] + prev + "\n" + m[1] + "'" + v.Short + "'," + old[end:], "wazo_service/main.py: '" + v.Short + "' appended to " + name
		}
	}
	return old[:at] + ", '" + v.Short + "'" + old[at:], "wazo_service/main.py: '" + v.Short + "' appended to " + name
}

// --- wazo-backup ----------------------------------------------------------

var backupListRe = regexp.MustCompile(`(?s)BACKUP_LIST="([^"]*)"`)
var etcWazoRe = regexp.MustCompile(`^/etc/wazo-[^/]+/$`)

// addToBackupList inserts /etc/<name>/ in BACKUP_LIST in alphabetical place
// among the /etc/wazo-*/ entries, with the separator its neighbour uses.
func addToBackupList(old string, v *values) (string, string) {
	entry := "/etc/" + v.Name + "/"
	m := backupListRe.FindStringSubmatchIndex(old)
	if m == nil {
		return "", "bin/wazo-backup: no BACKUP_LIST=\"...\" found: add " + entry + " by hand"
	}
	start, end := m[2], m[3]
	list := old[start:end]
	type tok struct{ s, e int }
	var toks []tok
	for _, loc := range wordRe.FindAllStringIndex(list, -1) {
		toks = append(toks, tok{loc[0], loc[1]})
	}
	lastEtc := -1
	for i, t := range toks {
		w := list[t.s:t.e]
		if w == entry {
			return "", "bin/wazo-backup already has " + entry
		}
		if !etcWazoRe.MatchString(w) {
			continue
		}
		lastEtc = i
		if w > entry {
			// Before w, with w's own separator: a new line with its indent, or a space.
			lineStart := strings.LastIndex(list[:t.s], "\n") + 1
			sep := " "
			if strings.TrimSpace(list[lineStart:t.s]) == "" {
				sep = "\n" + list[lineStart:t.s]
			}
			ins := start + t.s
			if sep == " " {
				return old[:ins] + entry + " " + old[ins:], "bin/wazo-backup: " + entry + " added to BACKUP_LIST before " + w
			}
			return old[:ins] + entry + sep + old[ins:], "bin/wazo-backup: " + entry + " added to BACKUP_LIST before " + w
		}
	}
	if lastEtc < 0 {
		return "", "bin/wazo-backup: BACKUP_LIST has no /etc/wazo-*/ entry to place " + entry + " next to: add it by hand"
	}
	t := toks[lastEtc]
	lineStart := strings.LastIndex(list[:t.s], "\n") + 1
	sep := " "
	if strings.TrimSpace(list[lineStart:t.s]) == "" {
		sep = "\n" + list[lineStart:t.s]
	}
	ins := start + t.e
	return old[:ins] + sep + entry + old[ins:], "bin/wazo-backup: " + entry + " added to BACKUP_LIST after " + list[t.s:t.e]
}

// --- tables (Gherkin examples, Markdown) ----------------------------------

var (
	tableRowRe   = regexp.MustCompile(`^(\s*)\|(.*)\|\s*$`)
	dashesRe     = regexp.MustCompile(`^:?-+:?$`)
	pyItemLineRe = regexp.MustCompile(`^(\s+)'[^']*'(,?)\s*$`)
	wordRe       = regexp.MustCompile(`\S+`)
	listMarkerRe = regexp.MustCompile(`^(\s*[*-]\s+)\S`)
	listPrefixRe = regexp.MustCompile("^\\s*([*-]\\s+)?`?$")
)

// table is a run of "| a | b |" lines.
type table struct {
	first, last int // line indexes
	indent      string
	rows        [][]string // rows[0] is the header
	separator   int        // index in rows of a Markdown |---| row, -1 if none
	aligned     bool       // cells are padded to a common width
}

func splitRow(inner string) []string {
	parts := strings.Split(inner, "|")
	cells := make([]string, len(parts))
	for i, p := range parts {
		cells[i] = strings.TrimSpace(p)
	}
	return cells
}

// findTables returns the tables of lines.
func findTables(lines []string) []*table {
	var out []*table
	var cur *table
	for i, l := range lines {
		m := tableRowRe.FindStringSubmatch(l)
		if m == nil {
			cur = nil
			continue
		}
		if cur == nil {
			cur = &table{first: i, indent: m[1], separator: -1, aligned: true}
			out = append(out, cur)
		}
		cur.last = i
		cells := splitRow(m[2])
		if allDashes(cells) {
			cur.separator = len(cur.rows)
		}
		if len(l) != len(lines[cur.first]) {
			cur.aligned = false
		}
		cur.rows = append(cur.rows, cells)
	}
	return out
}

func allDashes(cells []string) bool {
	for _, c := range cells {
		if !dashesRe.MatchString(c) {
			return false
		}
	}
	return len(cells) > 0
}

// render writes the table back, aligned if it was (Gherkin tables always
// are), compact otherwise.
func (t *table) render(align bool) []string {
	widths := make([]int, len(t.rows[0]))
	for i, r := range t.rows {
		if i == t.separator {
			continue
		}
		for j, c := range r {
			if j < len(widths) && len(c) > widths[j] {
				widths[j] = len(c)
			}
		}
	}
	var out []string
	for i, r := range t.rows {
		cells := make([]string, len(r))
		for j, c := range r {
			switch {
			case i == t.separator && align && j < len(widths):
				cells[j] = strings.Repeat("-", max(widths[j], 3))
			case i == t.separator:
				cells[j] = c
			case align && j < len(widths):
				cells[j] = c + strings.Repeat(" ", widths[j]-len(c))
			default:
				cells[j] = c
			}
		}
		if i == t.separator && !align {
			out = append(out, t.indent+"|"+strings.Join(cells, "|")+"|")
			continue
		}
		out = append(out, t.indent+"| "+strings.Join(cells, " | ")+" |")
	}
	return out
}

// addTableRow adds row to the first table whose header has the column key,
// before the first row whose key cell sorts after the new one (the tables
// are alphabetical), and re-aligns the table.
func addTableRow(old, key string, row []string, align bool) (string, string) {
	lines := strings.Split(old, "\n")
	for _, t := range findTables(lines) {
		col := -1
		for j, h := range t.rows[0] {
			if h == key {
				col = j
			}
		}
		if col < 0 || len(t.rows[0]) != len(row) {
			continue
		}
		keyVal := row[col]
		at := len(t.rows)
		for i := 1; i < len(t.rows); i++ {
			if i == t.separator {
				continue
			}
			if t.rows[i][col] == keyVal {
				return "", fmt.Sprintf("the %s table already has %s", key, keyVal)
			}
			if at == len(t.rows) && t.rows[i][col] > keyVal {
				at = i
			}
		}
		t.rows = append(t.rows[:at], append([][]string{row}, t.rows[at:]...)...)
		if t.separator >= at {
			t.separator++
		}
		newLines := append(append(append([]string{}, lines[:t.first]...), t.render(align || t.aligned)...), lines[t.last+1:]...)
		return strings.Join(newLines, "\n"), fmt.Sprintf("row %s added to the %s table", keyVal, key)
	}
	return "", "no table with a " + key + " column found: add " + strings.Join(row, " | ") + " by hand"
}

// addNetworkRow adds the port row to network.md's table (the one with a
// "Port" column), in port order.
func addNetworkRow(old string, v *values) (string, string) {
	lines := strings.Split(old, "\n")
	for _, t := range findTables(lines) {
		portCol, nameCol := -1, -1
		for j, h := range t.rows[0] {
			switch h {
			case "Port":
				portCol = j
			case "Daemon Name":
				nameCol = j
			}
		}
		if portCol < 0 || nameCol < 0 {
			continue
		}
		row := make([]string, len(t.rows[0]))
		vals := map[string]string{"Daemon Name": v.Name, "Service": "HTTP", "Protocol": "TCP", "Port": strconv.Itoa(v.Port),
			"Listen": "127.0.0.1", "Authentication": "yes", "Enabled": "yes"}
		for j, h := range t.rows[0] {
			row[j] = vals[h]
		}
		at := len(t.rows)
		for i := 1; i < len(t.rows); i++ {
			if i == t.separator || len(t.rows[i]) <= portCol {
				continue
			}
			if t.rows[i][nameCol] == v.Name {
				return "", "network.md already has a row for " + v.Name
			}
			if p, err := strconv.Atoi(t.rows[i][portCol]); err == nil && p > v.Port && at == len(t.rows) {
				at = i
			}
		}
		t.rows = append(t.rows[:at], append([][]string{row}, t.rows[at:]...)...)
		if t.separator >= at {
			t.separator++
		}
		newLines := append(append(append([]string{}, lines[:t.first]...), t.render(t.aligned)...), lines[t.last+1:]...)
		return strings.Join(newLines, "\n"), fmt.Sprintf("network.md: port %d row added", v.Port)
	}
	return "", "network.md: no table with Daemon Name and Port columns: add the row by hand"
}

// --- Markdown sections and lists ------------------------------------------

var serviceHeadingRe = regexp.MustCompile(`^(#+)\s+(wazo-[a-z0-9-]+|xivo-[a-z0-9-]+)\s*$`)

// addSection inserts a "## <name>" section among the per-service sections,
// in alphabetical place, in the style of its neighbour (heading level, blank
// line after the heading, list marker).
func addSection(old, name string, body []string) (string, string) {
	lines := strings.Split(old, "\n")
	type heading struct {
		line  int
		level string
		name  string
	}
	var hs []heading
	for i, l := range lines {
		if m := serviceHeadingRe.FindStringSubmatch(l); m != nil {
			if m[2] == name {
				return "", "already has a " + name + " section"
			}
			hs = append(hs, heading{i, m[1], m[2]})
		}
	}
	if len(hs) == 0 {
		return "", "no per-service section found: add a " + name + " section by hand"
	}
	// The neighbour's style: what follows its heading.
	nb := hs[0]
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
	var section []string
	section = append(section, nb.level+" "+name)
	if blankAfter {
		section = append(section, "")
	}
	for _, b := range body {
		section = append(section, marker+b)
	}
	// Before the first same-level heading sorting after name; else at the
	// end of the last service section.
	at := -1
	for _, h := range hs {
		if h.level == nb.level && h.name > name {
			at = h.line
			break
		}
	}
	var newLines []string
	if at >= 0 {
		gap := []string{}
		if at > 0 && strings.TrimSpace(lines[at-1]) == "" {
			gap = []string{""}
		}
		newLines = append(append(append(append([]string{}, lines[:at]...), section...), gap...), lines[at:]...)
	} else {
		last := hs[len(hs)-1].line
		end := len(lines)
		for i := last + 1; i < len(lines); i++ {
			if strings.HasPrefix(lines[i], "#") && len(strings.TrimLeft(lines[i], "#")) < len(lines[i]) &&
				len(lines[i])-len(strings.TrimLeft(lines[i], "#")) <= len(nb.level) {
				end = i
				break
			}
		}
		// Keep trailing blank lines after the inserted section.
		for end > last+1 && strings.TrimSpace(lines[end-1]) == "" {
			end--
		}
		gap := []string{}
		if blankAfter {
			gap = []string{""}
		}
		newLines = append(append(append(append([]string{}, lines[:end]...), gap...), section...), lines[end:]...)
	}
	return strings.Join(newLines, "\n"), name + " section added"
}

var backupDocLineRe = regexp.MustCompile(`^(.*?)(/etc/wazo-[a-z0-9-]+/)(.*)$`)

// addBackupDoc adds /etc/<name>/ to backup_restore.md's list, copying a
// neighbouring /etc/wazo-*/ line's format, in alphabetical place.
func addBackupDoc(old string, v *values) (string, string) {
	entry := "/etc/" + v.Name + "/"
	lines := strings.Split(old, "\n")
	last := -1
	for i, l := range lines {
		m := backupDocLineRe.FindStringSubmatch(l)
		if m == nil || !listPrefixRe.MatchString(m[1]) {
			continue
		}
		if m[2] == entry {
			return "", "backup_restore.md already lists " + entry
		}
		if m[2] > entry {
			nl := m[1] + entry + m[3]
			return strings.Join(append(append(append([]string{}, lines[:i]...), nl), lines[i:]...), "\n"), "backup_restore.md: " + entry + " listed"
		}
		last = i
	}
	if last < 0 {
		return "", "backup_restore.md: no /etc/wazo-*/ list item found: add " + entry + " by hand"
	}
	m := backupDocLineRe.FindStringSubmatch(lines[last])
	nl := m[1] + entry + m[3]
	return strings.Join(append(append(append([]string{}, lines[:last+1]...), nl), lines[last+1:]...), "\n"), "backup_restore.md: " + entry + " listed"
}

// --- new files --------------------------------------------------------------

func serviceDiscoveryFeature(v *values) string {
	w := max(len(v.Name), len("service"))
	pad := func(s string) string { return s + strings.Repeat(" ", w-len(s)) }
	return "Feature: Service discovery\n\n" +
		"    Scenario Outline: Get services from consul\n" +
		"        Then consul returns a running \"<service>\" service\n\n" +
		"    Examples:\n" +
		"        | " + pad("service") + " |\n" +
		"        | " + pad(v.Name) + " |\n"
}

func descriptionMD(v *values) string {
	return fmt.Sprintf(`# %[1]s

%[2]s.

%[1]s listens in plain HTTP on 127.0.0.1:%[3]d; nginx publishes it over HTTPS at
`+"`https://<wazo>/api/%[4]s/`"+`. Its REST API is described by
`+"`https://<wazo>/api/%[4]s/%[5]s/api/api.yml`"+` (Swagger 2.0); every resource but that
one needs a wazo-auth token with the `+"`%[4]s.<resource>.<action>`"+` ACL.

`+"```mermaid"+`
flowchart LR
    client -- "HTTPS /api/%[4]s/" --> nginx
    nginx -- "HTTP 127.0.0.1:%[3]d" --> %[6]s["%[1]s"]
    %[6]s -- "token check" --> auth["wazo-auth"]
    %[6]s -- "service_registered events" --> bus["RabbitMQ"]
    %[6]s -- "registration" --> consul
`+"```"+`
`, v.Name, v.Description, v.Port, v.Short, v.APIVersion, strings.ReplaceAll(v.Short, "-", "_"))
}

// siblingReadme explains the patches and the port registry entry.
func siblingReadme(v *values, patches []siblingPatch) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Patches for the other Wazo repositories\n\n")
	fmt.Fprintf(&b, "Written by `wazo-servicekit new` for %s. Apply each in a checkout of its\nrepository with `git apply <file>` (check first with `git apply --check`).\n\n", v.Name)
	names := make([]string, 0, len(patches))
	byName := map[string]siblingPatch{}
	for _, p := range patches {
		names = append(names, p.repo)
		byName[p.repo] = p
	}
	sort.Strings(names)
	for _, n := range names {
		p := byName[n]
		if p.text == "" {
			fmt.Fprintf(&b, "## %s (nothing to change)\n\n", n)
		} else {
			fmt.Fprintf(&b, "## %s: `%s`\n\n", n, p.file)
		}
		for _, note := range p.notes {
			if note != "" {
				fmt.Fprintf(&b, "- %s\n", note)
			}
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "## wazo-servicekit: the port registry\n\nAdd to `internal/ports/registry.yml`:\n\n    - %s\n", registryEntry(v))
	fmt.Fprintf(&b, "\nThe historical `features/daily/service_discovery.feature` of wazo-acceptance was deleted in\n2022 with its step (consul is no longer installed by default): the scenario needs that\nstep back, or a consul-enabled test environment, to run.\n")
	return b.String()
}

// WriteFixtureSiblings writes the documented-format fixtures of the sibling
// repositories under dir (wazo-service/, wazo-backup/, wazo-acceptance/,
// wazo-platform.org/), as plain directories: what the patches written
// without --siblings apply to, for tests and demonstrations.
func WriteFixtureSiblings(dir string) error {
	return fs.WalkDir(siblingFixtures, fixturesRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || p == fixturesRoot+"/README.md" {
			return err
		}
		data, err := siblingFixtures.ReadFile(p)
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(p, fixturesRoot+"/")))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
}

var registryLineRe = regexp.MustCompile(`^\s*- \{port: ([0-9]+),`)

// addRegistryEntry inserts the service's entry in wazo-servicekit's
// internal/ports/registry.yml, in port order, in the style of the line before it.
func addRegistryEntry(old string, v *values) (string, string) {
	lines := strings.Split(old, "\n")
	last, indent := -1, "  "
	for i, l := range lines {
		m := registryLineRe.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		if strings.Contains(l, "daemon: "+v.Name+",") {
			return "", "internal/ports/registry.yml already has " + v.Name
		}
		if p, _ := strconv.Atoi(m[1]); p <= v.Port {
			last, indent = i, l[:strings.Index(l, "-")]
		}
	}
	if last < 0 {
		return "", "internal/ports/registry.yml: no port line found: add the entry by hand"
	}
	entry := indent + "- " + registryEntry(v)
	out := append(append(append([]string{}, lines[:last+1]...), entry), lines[last+1:]...)
	return strings.Join(out, "\n"), fmt.Sprintf("internal/ports/registry.yml: port %d registered for %s", v.Port, v.Name)
}

var dependsItemRe = regexp.MustCompile(`^ (wazo-[a-z0-9-]+),$`)

// addToDepends puts the service in the Depends of the wazo-platform
// package (one package per line, alphabetical among the wazo-* ones), so
// that a fresh install installs it (conventions.md §3.4).
func addToDepends(old, name string) (string, string) {
	lines := strings.Split(old, "\n")
	in, last := false, -1
	for i, l := range lines {
		switch {
		case l == "Depends:":
			in = true
			continue
		case in && !strings.HasPrefix(l, " "):
			in = false
		}
		if !in {
			continue
		}
		m := dependsItemRe.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		if m[1] == name {
			return "", "debian/control: wazo-platform already depends on " + name
		}
		if m[1] > name {
			out := append(append(append([]string{}, lines[:i]...), " "+name+","), lines[i:]...)
			return strings.Join(out, "\n"), "debian/control: wazo-platform depends on " + name + " (fresh installs get it)"
		}
		last = i
	}
	if last < 0 {
		return "", "debian/control: no one-per-line wazo-* Depends found: add " + name + " by hand"
	}
	out := append(append(append([]string{}, lines[:last+1]...), " "+name+","), lines[last+1:]...)
	return strings.Join(out, "\n"), "debian/control: wazo-platform depends on " + name + " (fresh installs get it)"
}
