package siblings

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/parse"
	"github.com/wazo-platform/wazo-servicekit/internal/scaffold/udiff"
)

// --- wazo-service -----------------------------------------------------------

func wazoServiceEdits(v Service) []edit {
	shellGroup := v.HAGroup + "_services"
	pyGroup := map[string]string{"default": "DEFAULT_SERVICES", "wazo": "WAZO_SERVICES"}[v.HAGroup]
	return []edit{
		{rel: "bin/wazo-service",
			change: func(old string) (string, string, error) { return addToShellServices(old, shellGroup, v.Name) },
			verify: func(old, new string) error {
				return verifyListInsert(parse.ParseShellLists([]byte(old)), parse.ParseShellLists([]byte(new)), shellGroup, v.Name)
			}},
		{rel: "wazo_service/main.py",
			change: func(old string) (string, string, error) { return addToPythonServices(old, pyGroup, v.Name) },
			verify: func(old, new string) error {
				a, err := parse.ParsePythonLists([]byte(old))
				if err != nil {
					return err
				}
				b, err := parse.ParsePythonLists([]byte(new))
				if err != nil {
					return fmt.Errorf("the result does not parse: %v", err)
				}
				return verifyListInsert(a, b, pyGroup, v.Name)
			}},
	}
}

// addToShellServices adds the service to its group of bin/wazo-service, in
// start order (the lists start dependencies first, so a new service goes
// last): at the end of wazo_services, or in default_services before the
// "$wazo_services" that ends it.
func addToShellServices(old, group, name string) (string, string, error) {
	lists := parse.ParseShellLists([]byte(old))
	var found []string
	for _, l := range lists {
		if strings.HasSuffix(l.Name, "_services") {
			found = append(found, l.Name)
			if l.Has(name) {
				return "", "bin/wazo-service already lists " + name + " in " + l.Name, nil
			}
		}
	}
	l, ok := parse.FindList(lists, group)
	if !ok {
		return "", "", notShaped(group+`="…" (the services of the HA group, space separated)`, "%s", orNone(found, "*_services lists"))
	}
	var out string
	switch {
	case len(l.Items) == 0:
		out = old[:l.Open+1] + name + old[l.Open+1:]
	case l.Items[len(l.Items)-1].Name == "$wazo_services":
		at := l.Items[len(l.Items)-1].Start
		out = old[:at] + name + " " + old[at:]
	default:
		at := l.Items[len(l.Items)-1].End
		out = old[:at] + " " + name + old[at:]
	}
	return out, fmt.Sprintf("bin/wazo-service: %s added to %s, last in start order", name, group), nil
}

// addToPythonServices adds Service('<name>') to the list of wazo_service/
// main.py that `wazo-service status` reports for the HA group, last (start
// order, as the shell lists), one item per line as its neighbours are.
func addToPythonServices(old, group, name string) (string, string, error) {
	lists, err := parse.ParsePythonLists([]byte(old))
	if err != nil {
		return "", "", notShaped("Python lists of Service('…') items", "%v", err)
	}
	var found []string
	for _, l := range lists {
		found = append(found, l.Name)
		if l.Has(name) {
			return "", "wazo_service/main.py already lists " + name + " in " + l.Name, nil
		}
	}
	l, ok := parse.FindList(lists, group)
	if !ok {
		return "", "", notShaped(group+" = [ Service('…'), … ]", "%s", orNone(found, "module-level lists"))
	}
	quote := "'"
	for _, it := range l.Items {
		if !strings.HasPrefix(it.Text, "Service(") {
			continue
		}
		if strings.HasPrefix(it.Text, `Service("`) {
			quote = `"`
		}
	}
	item := "Service(" + quote + name + quote + ")"
	if len(l.Items) == 0 {
		return old[:l.Open+1] + item + old[l.Open+1:], "wazo_service/main.py: " + item + " added to " + group, nil
	}
	last := l.Items[len(l.Items)-1]
	lineStart := strings.LastIndexByte(old[:last.Start], '\n') + 1
	indent := old[lineStart:last.Start]
	closeLine := strings.LastIndexByte(old[:l.Close], '\n') + 1
	if strings.TrimSpace(indent) != "" || closeLine <= last.End {
		// Items on one line: [a, b] becomes [a, b, item].
		return old[:last.End] + ", " + item + old[last.End:], "wazo_service/main.py: " + item + " added to " + group, nil
	}
	// One item per line: after the last one (and its comma), a line alike.
	after := last.End
	rest := old[after:]
	comma := strings.HasPrefix(strings.TrimLeft(rest, " \t"), ",")
	if comma {
		after += strings.Index(rest, ",") + 1
	}
	eol := strings.IndexByte(old[after:], '\n')
	if eol < 0 {
		return "", "", notShaped("a line break before the closing ] of "+group, "none")
	}
	ins := "\n" + indent + item + ","
	if !comma {
		// The last item had no trailing comma: it needs one now; the new one
		// follows the list's style (none).
		return old[:last.End] + "," + old[last.End:after+eol] + "\n" + indent + item + old[after+eol:], "wazo_service/main.py: " + item + " added to " + group, nil
	}
	return old[:after+eol] + ins + old[after+eol:], "wazo_service/main.py: " + item + " added to " + group, nil
}

// verifyListInsert checks an edit of lists: one list called target is the
// old one with name added once (every old item's text unchanged, in
// order), every other list is unchanged, and no other list gains it.
func verifyListInsert(old, new []parse.List, target, name string) error {
	if len(old) != len(new) {
		return fmt.Errorf("%d lists before, %d after", len(old), len(new))
	}
	total := 0
	for i := range old {
		a, b := old[i], new[i]
		if a.Name != b.Name || a.After != b.After {
			return fmt.Errorf("list %d is %s%s before, %s%s after", i+1, a.Name, a.After, b.Name, b.After)
		}
		j, added := 0, 0
		for _, it := range b.Items {
			if j < len(a.Items) && it.Text == a.Items[j].Text {
				j++
				continue
			}
			if a.Name != target || it.Name != name {
				return fmt.Errorf("%s: item %q is new or changed", a.Name, it.Text)
			}
			added++
		}
		if j != len(a.Items) || added > 1 {
			return fmt.Errorf("%s: %d of its %d items kept, %d added", a.Name, j, len(a.Items), added)
		}
		total += added
	}
	if total != 1 {
		return fmt.Errorf("%s added %d times to %s", name, total, target)
	}
	return nil
}

func orNone(names []string, what string) string {
	if len(names) == 0 {
		return "no " + what
	}
	return what + " " + strings.Join(names, ", ")
}

// --- wazo-backup --------------------------------------------------------------

var etcWazoRe = regexp.MustCompile(`^/etc/wazo-[^/]+/$`)

func wazoBackupEdits(v Service) []edit {
	entry := "/etc/" + v.Name + "/"
	return []edit{{rel: "bin/wazo-backup",
		change: func(old string) (string, string, error) { return addToBackupList(old, entry) },
		verify: func(old, new string) error {
			return verifyListInsert(parse.ParseShellLists([]byte(old)), parse.ParseShellLists([]byte(new)), "BACKUP_LIST", entry)
		}}}
}

// addToBackupList adds /etc/<name>/ to the BACKUP_LIST of the data backup,
// in alphabetical place among the /etc/wazo-*/ entries (before the first
// that sorts after it, so a list that is not quite sorted stays as it is),
// with the separator its neighbours use.
func addToBackupList(old, entry string) (string, string, error) {
	var list *parse.List
	lists := parse.ParseShellLists([]byte(old))
	for i, l := range lists {
		if l.Name != "BACKUP_LIST" {
			continue
		}
		if l.Has(entry) {
			return "", "bin/wazo-backup already has " + entry, nil
		}
		for _, it := range l.Items {
			if etcWazoRe.MatchString(it.Name) && list == nil {
				list = &lists[i]
			}
		}
	}
	if list == nil {
		return "", "", notShaped(`BACKUP_LIST="…" with the /etc/wazo-*/ directories`, "no such list")
	}
	var etc []parse.ListItem
	for _, it := range list.Items {
		if etcWazoRe.MatchString(it.Name) {
			etc = append(etc, it)
		}
	}
	at := -1
	for i, it := range etc {
		if it.Name > entry {
			at = i
			break
		}
	}
	sep := func(it parse.ListItem) string {
		lineStart := strings.LastIndexByte(old[:it.Start], '\n') + 1
		if strings.TrimSpace(old[lineStart:it.Start]) == "" && lineStart > list.Open {
			return "\n" + old[lineStart:it.Start]
		}
		return " "
	}
	if at >= 0 {
		it := etc[at]
		return old[:it.Start] + entry + sep(it) + old[it.Start:], "bin/wazo-backup: " + entry + " added to BACKUP_LIST before " + it.Name, nil
	}
	it := etc[len(etc)-1]
	return old[:it.End] + sep(it) + entry + old[it.End:], "bin/wazo-backup: " + entry + " added to BACKUP_LIST after " + it.Name, nil
}

// --- wazo-platform: the meta-package's Depends --------------------------------

func wazoPlatformEdits(v Service) []edit {
	return []edit{{rel: "debian/control",
		change: func(old string) (string, string, error) { return addToDepends(old, v.Name) },
		verify: func(old, new string) error { return verifyDepends(old, new, v.Name) },
		absent: "no wazo-platform checkout: add " + v.Name + " to the Depends of wazo-platform's debian/control by hand",
	}}
}

// addToDepends puts the service in the Depends of the wazo-platform
// package, so that a fresh install installs it: one package per line with
// the indentation the field uses, before the first entry sorting after it.
func addToDepends(old, name string) (string, string, error) {
	lines := strings.Split(old, "\n")
	pkg, start := "", -1
	for i, l := range lines {
		if k, val, ok := strings.Cut(l, ":"); ok && !strings.HasPrefix(l, " ") && !strings.HasPrefix(l, "\t") {
			if strings.EqualFold(k, "Package") {
				pkg = strings.TrimSpace(val)
			}
			if strings.EqualFold(k, "Depends") && pkg == "wazo-platform" {
				if strings.TrimSpace(val) != "" {
					return "", "", notShaped("Depends: of wazo-platform with one package per continuation line", "line %d: Depends: %s", i+1, strings.TrimSpace(val))
				}
				start = i
				break
			}
		}
	}
	if start < 0 {
		return "", "", notShaped("a Package: wazo-platform paragraph with a Depends: field", "none")
	}
	var items []int // line indexes
	indent := ""
	for i := start + 1; i < len(lines); i++ {
		l := lines[i]
		if strings.TrimSpace(l) == "" || (l[0] != ' ' && l[0] != '\t') {
			break // a blank line ends the paragraph, as dpkg reads it
		}
		if strings.HasPrefix(strings.TrimSpace(l), "#") {
			continue
		}
		ind := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		if indent == "" {
			indent = ind
		}
		entry := strings.TrimSuffix(strings.TrimSpace(l), ",")
		if ind != indent || strings.Contains(entry, ",") {
			return "", "", notShaped("one package per line, indented alike", "line %d: %q", i+1, l)
		}
		if f := strings.Fields(entry); len(f) > 0 && f[0] == name {
			return "", "debian/control: wazo-platform already depends on " + name, nil
		}
		items = append(items, i)
	}
	if len(items) == 0 {
		return "", "", notShaped("packages on the lines after Depends:", "none")
	}
	first := func(i int) string { return strings.Fields(strings.TrimSpace(lines[i]))[0] }
	at := -1
	for _, i := range items {
		if strings.TrimSuffix(first(i), ",") > name {
			at = i
			break
		}
	}
	note := "debian/control: wazo-platform depends on " + name + " (fresh installs get it)"
	var out []string
	if at >= 0 {
		out = append(append(append(out, lines[:at]...), indent+name+","), lines[at:]...)
	} else {
		last := items[len(items)-1]
		out = append(out, lines[:last+1]...)
		if !strings.HasSuffix(out[last], ",") {
			out[last] += ","
			out = append(out, indent+name)
		} else {
			out = append(out, indent+name+",")
		}
		out = append(out, lines[last+1:]...)
	}
	return strings.Join(out, "\n"), note, nil
}

// verifyDepends: wazo-platform's Depends gained name once, every other
// entry and field as it was, the other paragraphs unchanged.
func verifyDepends(old, new, name string) error {
	a, b := parse.ParseDeb822([]byte(old)), parse.ParseDeb822([]byte(new))
	if len(a) != len(b) {
		return fmt.Errorf("%d paragraphs before, %d after", len(a), len(b))
	}
	for i := range a {
		for k, va := range a[i].Fields {
			vb := b[i].Fields[k]
			if a[i].Get("Package") == "wazo-platform" && k == "Depends" {
				got, want := dependsEntries(vb), dependsEntries(va)
				n := 0
				for _, e := range got {
					if e == name {
						n++
					}
				}
				if n != 1 || len(got) != len(want)+1 || strings.Join(without(got, name), ",") != strings.Join(want, ",") {
					return fmt.Errorf("the Depends after the edit: %v, want %v plus %s", got, want, name)
				}
				continue
			}
			if va != vb {
				return fmt.Errorf("field %s changed", k)
			}
		}
		if len(a[i].Fields) != len(b[i].Fields) {
			return fmt.Errorf("paragraph %d: fields added or removed", i+1)
		}
	}
	return nil
}

// dependsEntries splits a Depends value into its comma-separated entries, as written.
func dependsEntries(v string) []string {
	var out []string
	for _, e := range strings.Split(v, ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}

func without(list []string, s string) []string {
	var out []string
	for _, e := range list {
		if e != s {
			out = append(out, e)
		}
	}
	return out
}

// --- wazo-servicekit's port registry -----------------------------------------

var registryLineRe = regexp.MustCompile(`^\s*- \{port: ([0-9]+),`)

// addRegistryEntry inserts the service's entry in wazo-servicekit's
// internal/ports/registry.yml, in port order, in the style of the line before it.
func addRegistryEntry(old string, v Service) (string, string) {
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
	entry := indent + "- " + RegistryEntry(v)
	out := append(append(append([]string{}, lines[:last+1]...), entry), lines[last+1:]...)
	return strings.Join(out, "\n"), fmt.Sprintf("internal/ports/registry.yml: port %d registered for %s", v.Port, v.Name)
}

// RegistryEntry is the line wazo-servicekit's internal/ports/registry.yml
// gets for the service: the port registry every later `new` reads.
func RegistryEntry(v Service) string {
	return fmt.Sprintf("{port: %d, daemon: %s, proto: HTTP/TCP, listen: 127.0.0.1, source: %s (wazo-servicekit new)}", v.Port, v.Name, v.Module)
}

// RegistryPatch is the patch of wazo-servicekit's own port registry (the
// content of its internal/ports/registry.yml) that makes the port taken.
func RegistryPatch(v Service, registry []byte) Patch {
	p := Patch{Repo: "wazo-servicekit", File: "wazo-servicekit.diff"}
	text, note := addRegistryEntry(string(registry), v)
	if text != "" {
		p.Text = udiff.File("internal/ports/registry.yml", registry, []byte(text), false)
	}
	p.Notes = append(p.Notes, note)
	return p
}
