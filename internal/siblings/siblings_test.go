package siblings

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/parse"
	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
	"gopkg.in/yaml.v3"
)

// testService are the answers of a test service; planFor fills in what
// `wazo-servicekit new` would (port 9505, API 1.0, the default HA group,
// its logrotate settings) and computes the patches (planFor).
type testService struct {
	Name, HAGroup, Description, SiblingsDir string
	Port                                    int
	ACLs                                    []string
	Installer                               bool
}

// planned is what a test looks at: the files under sibling-patches/ and
// the files left unpatched.
type planned struct {
	Files      map[string][]byte
	Patches    []string // the .diff files among Files
	NotPatched []string
}

func planFor(o testService) (*planned, error) {
	short := strings.TrimPrefix(o.Name, "wazo-")
	svc := Service{Name: o.Name, Short: short, Module: "github.com/wazo-platform/" + o.Name, Port: o.Port,
		APIVersion: "1.0", HAGroup: o.HAGroup, Description: o.Description, ACLs: o.ACLs, Installer: o.Installer,
		RotateCount: 15, RotateFrequency: "Daily"}
	if svc.Port == 0 {
		svc.Port = 9505
	}
	if svc.HAGroup == "" {
		svc.HAGroup = "default"
	}
	if svc.Description == "" {
		svc.Description = "Wazo " + short + " service"
	}
	patches, err := Compute(svc, o.SiblingsDir)
	if err != nil {
		return nil, err
	}
	p := &planned{Files: map[string][]byte{}}
	for _, sp := range patches {
		p.Files["sibling-patches/"+sp.File] = []byte(sp.Text)
		p.Patches = append(p.Patches, "sibling-patches/"+sp.File)
		p.NotPatched = append(p.NotPatched, sp.Refused...)
	}
	p.Files["sibling-patches/README.md"] = []byte(Readme(svc, patches))
	return p, nil
}

var siblingRepos = []string{"wazo-service", "wazo-backup", "wazo-acceptance", "wazo-platform.org", "wazo-platform", "xivo-build-tools", "wazo-auth-keys", "wazo-sdk", "wazo-ansible"}

// fixtureCheckouts makes one git repository per sibling from the
// baselines, in a temporary directory, and returns that directory; edit,
// when not nil, changes the files first (path relative to the directory).
func fixtureCheckouts(t testing.TB, edit func(dir string)) string {
	t.Helper()
	testenv.RequireCommand(t, "git")
	dir := t.TempDir()
	if err := WriteBaselines(dir); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(dir)
	}
	for _, r := range siblingRepos {
		testenv.Git(t, filepath.Join(dir, r), "init", "-q")
		testenv.Git(t, filepath.Join(dir, r), "add", ".")
		testenv.Git(t, filepath.Join(dir, r), "commit", "-q", "-m", "fixture")
	}
	return dir
}

// applyAll checks then applies each non-empty patch in its checkout.
func applyAll(t testing.TB, dir string, p *planned) {
	t.Helper()
	for _, r := range siblingRepos {
		patch := p.Files["sibling-patches/"+r+".diff"]
		if len(patch) == 0 {
			continue
		}
		file := filepath.Join(t.TempDir(), r+".diff")
		if err := os.WriteFile(file, patch, 0o644); err != nil {
			t.Fatal(err)
		}
		testenv.Git(t, filepath.Join(dir, r), "apply", "--check", file)
		testenv.Git(t, filepath.Join(dir, r), "apply", file)
	}
}

func read(t testing.TB, dir, rel string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func write(t testing.TB, dir, rel, text string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// snapshot reads the files the patches edit.
func snapshot(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, f := range editedFiles {
		out[f] = read(t, dir, f)
	}
	return out
}

var editedFiles = []string{
	"wazo-service/bin/wazo-service", "wazo-service/wazo_service/main.py", "wazo-backup/bin/wazo-backup",
	"wazo-acceptance/features/daily/http.feature", "wazo-platform/debian/control",
	"wazo-platform.org/website/uc-doc/contributors/network.md", "wazo-platform.org/content/sections.yaml",
	"wazo-platform.org/website/uc-doc/system/configuration_files.md", "wazo-platform.org/website/uc-doc/system/log_files.md",
	"wazo-platform.org/website/uc-doc/system/backup_restore.md",
}

// listsGained checks, by re-parsing, that in the lists of after the list
// target is the one of before with entry inserted once and every other
// entry byte-identical, and every other list unchanged; it returns the
// entries of target after.
func listsGained(t testing.TB, file string, before, after []parse.List, target, entry string) []string {
	t.Helper()
	if len(before) != len(after) {
		t.Fatalf("%s: %d lists before, %d after", file, len(before), len(after))
	}
	var got []string
	for i := range before {
		var a, b []string
		for _, it := range before[i].Items {
			a = append(a, it.Text)
		}
		for _, it := range after[i].Items {
			b = append(b, it.Text)
		}
		if before[i].Name != target {
			if !reflect.DeepEqual(a, b) {
				t.Errorf("%s: %s changed: %v → %v", file, before[i].Name, a, b)
			}
			continue
		}
		got = b
		var kept []string
		n := 0
		for _, it := range after[i].Items {
			if it.Name == entry {
				n++
				continue
			}
			kept = append(kept, it.Text)
		}
		if n != 1 || !reflect.DeepEqual(kept, a) {
			t.Errorf("%s: %s = %v, want %v with %s once", file, target, b, a, entry)
		}
	}
	return got
}

func pyLists(t testing.TB, text string) []parse.List {
	t.Helper()
	l, err := parse.ParsePythonLists([]byte(text))
	if err != nil {
		t.Fatalf("main.py does not parse: %v", err)
	}
	return l
}

// tableOf returns the rows of the first table with the given header.
func tableOf(t testing.TB, text string, header []string) *table {
	t.Helper()
	for _, tb := range findTables(strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")) {
		if reflect.DeepEqual(tb.rows[0], header) {
			return tb
		}
	}
	t.Fatalf("no table | %s | in\n%s", strings.Join(header, " | "), text)
	return nil
}

// rowsGained: the table of after is the one of before plus row once, every
// old row's cells unchanged and in order; it returns the new row's index.
func rowsGained(t testing.TB, file string, before, after *table, row []string) int {
	t.Helper()
	at, j := -1, 0
	for i, r := range after.rows {
		if j < len(before.rows) && (reflect.DeepEqual(r, before.rows[j]) || (j == before.separator && allDashes(r))) {
			j++
			continue
		}
		if reflect.DeepEqual(r, row) && at < 0 {
			at = i
			continue
		}
		t.Errorf("%s: row %v is new or changed", file, r)
	}
	if at < 0 || j != len(before.rows) {
		t.Errorf("%s: row %v added at %d, %d of %d old rows kept", file, row, at, j, len(before.rows))
	}
	if before.padded && !after.padded {
		t.Errorf("%s: the table is no longer padded", file)
	}
	return at
}

// checkPatched checks every edited file of dir against its content before
// the patches: the new entry in the list or table it belongs in, in its
// place, every other entry as it was.
func checkPatched(t *testing.T, dir string, before map[string]string, name, group string) {
	t.Helper()
	after := snapshot(t, dir)
	short := strings.TrimPrefix(name, "wazo-")

	f := "wazo-service/bin/wazo-service"
	got := listsGained(t, f, parse.ParseShellLists([]byte(before[f])), parse.ParseShellLists([]byte(after[f])), group+"_services", name)
	if group == "default" && (len(got) < 2 || got[len(got)-2] != name || got[len(got)-1] != "$wazo_services") {
		t.Errorf("%s: default_services = %v, want %s just before $wazo_services", f, got, name)
	}
	if group == "wazo" && (len(got) == 0 || got[len(got)-1] != name) {
		t.Errorf("%s: wazo_services = %v, want %s last", f, got, name)
	}
	f = "wazo-service/wazo_service/main.py"
	py := map[string]string{"default": "DEFAULT_SERVICES", "wazo": "WAZO_SERVICES"}[group]
	got = listsGained(t, f, pyLists(t, before[f]), pyLists(t, after[f]), py, name)
	if len(got) == 0 || got[len(got)-1] != "Service('"+name+"')" {
		t.Errorf("%s: %s = %v, want Service('%s') last", f, py, got, name)
	}

	f = "wazo-backup/bin/wazo-backup"
	got = listsGained(t, f, parse.ParseShellLists([]byte(before[f])), parse.ParseShellLists([]byte(after[f])), "BACKUP_LIST", "/etc/"+name+"/")
	for i, e := range got {
		if e == "/etc/"+name+"/" && (i == 0 || got[i-1] > e || (i+1 < len(got) && strings.HasPrefix(got[i+1], "/etc/wazo-") && got[i+1] < e)) {
			t.Errorf("%s: %s out of alphabetical place: %v", f, e, got[max(0, i-1):min(len(got), i+2)])
		}
	}

	f = "wazo-acceptance/features/daily/http.feature"
	hdr := []string{"method", "url"}
	tb := tableOf(t, after[f], hdr)
	at := rowsGained(t, f, tableOf(t, before[f], hdr), tb, []string{"GET", "/api/" + short + "/1.0/status"})
	if at > 0 && ((at > 1 && tb.rows[at-1][1] > tb.rows[at][1]) || (at+1 < len(tb.rows) && tb.rows[at+1][1] < tb.rows[at][1])) {
		t.Errorf("%s: row %d out of url order", f, at)
	}

	f = "wazo-platform.org/website/uc-doc/contributors/network.md"
	tb = tableOf(t, after[f], networkHeader)
	at = rowsGained(t, f, tableOf(t, before[f], networkHeader), tb, []string{name, "HTTP", "TCP", tb.rows[len(tb.rows)-1][3], "127.0.0.1", "yes", "yes"})
	if at != len(tb.rows)-1 {
		t.Errorf("%s: the row is %d of %d, want last (the table is grouped by daemon)", f, at, len(tb.rows))
	}

	for _, f := range []string{"wazo-platform.org/website/uc-doc/system/configuration_files.md", "wazo-platform.org/website/uc-doc/system/log_files.md"} {
		a, b := serviceHeadings(strings.Split(before[f], "\n")), serviceHeadings(strings.Split(after[f], "\n"))
		var an, bn []string
		for _, h := range a {
			an = append(an, h.name)
		}
		for _, h := range b {
			bn = append(bn, h.name)
		}
		if !reflect.DeepEqual(append(append([]string{}, an...), name), bn) {
			t.Errorf("%s: sections %v, want %v then %s (the sections are not sorted)", f, bn, an, name)
		}
		if !strings.Contains(after[f], "\n## "+name+"\n\n- ") || !strings.Contains(after[f], "/"+name) {
			t.Errorf("%s: the section is not in its neighbours' format:\n%s", f, after[f])
		}
	}
	f = "wazo-platform.org/website/uc-doc/system/backup_restore.md"
	_, pa := backupDocEntries(strings.Split(before[f], "\n"))
	_, pb := backupDocEntries(strings.Split(after[f], "\n"))
	if len(pb) != len(pa)+1 || !reflect.DeepEqual(without(pb, "/etc/"+name+"/"), pa) {
		t.Errorf("%s: /etc/wazo-*/ items %v, want %v plus /etc/%s/", f, pb, pa, name)
	}

	// The API pages: each tree's page, with its neighbours' front matter.
	beta := read(t, dir, "wazo-platform.org/website/docs/api/"+name+"/description.md")
	keys, vals, ok, err := frontMatter(beta)
	if err != nil || !ok || strings.Join(keys, ",") != "sidebar_position,id,title,description,slug" || vals[1] != name || vals[4] != "/"+name {
		t.Errorf("beta page front matter: %v %v %v %v\n%s", keys, vals, ok, err, beta)
	}
	prod := read(t, dir, "wazo-platform.org/content/"+short+"/description.md")
	if _, _, ok, _ := frontMatter(prod); ok || !strings.HasPrefix(prod, "# [`"+short+"`](https://github.com/wazo-platform/"+name+")\n") {
		t.Errorf("production page:\n%s", prod)
	}
	f = "wazo-platform.org/content/sections.yaml"
	var a, b sectionsDoc
	if err := yaml.Unmarshal([]byte(before[f]), &a); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal([]byte(after[f]), &b); err != nil {
		t.Fatalf("%s does not parse after the patch: %v", f, err)
	}
	if m := b[0].Modules[short]; m == nil || m["repository"] != name || b[0].Slug != "programmable-platform" {
		t.Errorf("%s: module %s = %v", f, short, m)
	}
	delete(b[0].Modules, short)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("%s: other modules changed", f)
	}

	f = "wazo-platform/debian/control"
	da := parse.DependsNames(parse.ParseDeb822([]byte(before[f]))[1].Get("Depends"))
	db := parse.DependsNames(parse.ParseDeb822([]byte(after[f]))[1].Get("Depends"))
	if len(db) != len(da)+1 || !reflect.DeepEqual(without(db, name), da) {
		t.Errorf("%s: Depends %v, want %v plus %s", f, db, da, name)
	}
	if !strings.Contains(after[f], "\n    "+name+",\n") {
		t.Errorf("%s: %s is not on its own line, indented as the others:\n%s", f, name, after[f])
	}
}

func TestSiblingPatchesApplyToBaselines(t *testing.T) {
	for _, group := range []string{"default", "wazo"} {
		t.Run(group, func(t *testing.T) {
			dir := fixtureCheckouts(t, nil)
			before := snapshot(t, dir)
			p, err := planFor(testService{Name: "wazo-exampled", HAGroup: group, Description: "Example service"})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.NotPatched) != 0 {
				t.Errorf("not patched: %v", p.NotPatched)
			}
			applyAll(t, dir, p)
			checkPatched(t, dir, before, "wazo-exampled", group)
			pythonParses(t, read(t, dir, "wazo-service/wazo_service/main.py"))
			for _, f := range []string{"wazo-service/bin/wazo-service", "wazo-backup/bin/wazo-backup"} {
				bashParses(t, filepath.Join(dir, f))
			}

			// Against the patched checkouts, nothing is left to change.
			again, err := planFor(testService{Name: "wazo-exampled", HAGroup: group, Description: "Example service", SiblingsDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range again.Patches {
				if len(again.Files[f]) != 0 {
					t.Errorf("%s against the patched checkouts is not empty:\n%s", f, again.Files[f])
				}
			}
		})
	}
}

// pythonParses runs python3's own parser on the text, when python3 is there.
func pythonParses(t *testing.T, text string) {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Log("python3 is not installed: main.py checked by the Go list parser only")
		return
	}
	cmd := exec.Command("python3", "-c", "import ast, sys; ast.parse(sys.stdin.read())")
	cmd.Stdin = strings.NewReader(text)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("python3 does not parse main.py: %v\n%s", err, out)
	}
}

// bashParses runs bash -n (read, do not run) on a script.
func bashParses(t *testing.T, path string) {
	t.Helper()
	testenv.RequireCommand(t, "bash")
	if out, err := exec.Command("bash", "-n", path).CombinedOutput(); err != nil {
		t.Errorf("bash -n %s: %v\n%s", path, err, out)
	}
}

// TestSiblingsDirGivesTheSamePatches: checkouts equal to the baselines give
// the baselines' patches.
func TestSiblingsDirGivesTheSamePatches(t *testing.T) {
	dir := fixtureCheckouts(t, nil)
	opts := testService{Name: "wazo-exampled"}
	fromBaselines, err := planFor(opts)
	if err != nil {
		t.Fatal(err)
	}
	opts.SiblingsDir = dir
	fromDir, err := planFor(opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fromBaselines.Patches {
		if string(fromBaselines.Files[f]) != string(fromDir.Files[f]) {
			t.Errorf("%s differs between the baselines and a checkout of them", f)
		}
	}
}

// The misreadings of the real formats, one fixture each.

// Service('wazo-auth'), lists: the new service is a new item, the last
// existing one is unchanged (it once became Service('wazo-auth', 'x')).
func TestPatchAddsAServiceItemToMainPy(t *testing.T) {
	dir := fixtureCheckouts(t, nil)
	before := read(t, dir, "wazo-service/wazo_service/main.py")
	p, err := planFor(testService{Name: "wazo-x", SiblingsDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	applyAll(t, dir, p)
	after := read(t, dir, "wazo-service/wazo_service/main.py")
	got := listsGained(t, "main.py", pyLists(t, before), pyLists(t, after), "DEFAULT_SERVICES", "wazo-x")
	if strings.Contains(after, "'wazo-auth', 'x'") || got[len(got)-1] != "Service('wazo-x')" {
		t.Errorf("DEFAULT_SERVICES = %v", got)
	}
}

// Depends indented by 4 spaces: the patch is not empty, and keeps the indent.
func TestPatchAddsToFourSpaceDepends(t *testing.T) {
	dir := fixtureCheckouts(t, nil)
	p, err := planFor(testService{Name: "wazo-x", SiblingsDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Files["sibling-patches/wazo-platform.diff"]) == 0 {
		t.Fatalf("no wazo-platform patch: %v", p.NotPatched)
	}
	applyAll(t, dir, p)
	if ctl := read(t, dir, "wazo-platform/debian/control"); !strings.Contains(ctl, "    wazo-websocketd,\n    wazo-x,\n    xivo-config,\n") {
		t.Errorf("debian/control:\n%s", ctl)
	}
}

// The network table is grouped by daemon: the row goes last, not between
// wazo-provd's 8666 and 18667 rows (the first port above the new one).
func TestPatchKeepsTheNetworkTableGrouped(t *testing.T) {
	dir := fixtureCheckouts(t, nil)
	p, err := planFor(testService{Name: "wazo-x", Port: 9590, SiblingsDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	applyAll(t, dir, p)
	tb := tableOf(t, read(t, dir, "wazo-platform.org/website/uc-doc/contributors/network.md"), networkHeader)
	if last := tb.rows[len(tb.rows)-1]; last[0] != "wazo-x" || last[3] != "9590" {
		t.Errorf("last row = %v", last)
	}
	// A table sorted by port gets the row in port order, after the
	// daemon's whole run of rows.
	sorted := "| Daemon Name | Service | Protocol | Port | Listen | Authentication | Enabled |\n|---|---|---|---|---|---|---|\n" +
		"| nginx | HTTP | TCP | 80 | 0.0.0.0 | yes | yes |\n| wazo-a | HTTP | TCP | 9500 | 127.0.0.1 | yes | yes |\n" +
		"| wazo-b | HTTP | TCP | 9700 | 127.0.0.1 | yes | yes |\n| wazo-b | HTTPS | TCP | 9701 | 127.0.0.1 | yes | yes |\n"
	v := Service{Name: "wazo-x", Port: 9600}
	out, _, err := addNetworkRow(sorted, v, true)
	if err != nil {
		t.Fatal(err)
	}
	if want := "| wazo-a | HTTP | TCP | 9500 | 127.0.0.1 | yes | yes |\n| wazo-x | HTTP | TCP | 9600 | 127.0.0.1 | yes | yes |\n| wazo-b |"; !strings.Contains(out, want) {
		t.Errorf("sorted table:\n%s", out)
	}
	if err := verifyTableInsert(sorted, out, networkHeader, networkRow(networkHeader, v)); err != nil {
		t.Error(err)
	}
	v.Port = 9701
	if _, _, err := addNetworkRow(sorted, v, true); err == nil || !strings.Contains(err.Error(), "wazo-b") {
		t.Errorf("a taken port: %v", err)
	}
}

// Padded Gherkin tables indented under "  Examples:": the row padded and
// indented as the others; a longer url re-pads the table, every cell kept.
func TestPatchPadsTheFeatureTable(t *testing.T) {
	for _, name := range []string{"wazo-x", "wazo-a-very-long-service-named"} {
		dir := fixtureCheckouts(t, nil)
		before := read(t, dir, "wazo-acceptance/features/daily/http.feature")
		p, err := planFor(testService{Name: name, SiblingsDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		applyAll(t, dir, p)
		after := read(t, dir, "wazo-acceptance/features/daily/http.feature")
		hdr := []string{"method", "url"}
		tb := tableOf(t, after, hdr)
		rowsGained(t, name, tableOf(t, before, hdr), tb, []string{"GET", "/api/" + strings.TrimPrefix(name, "wazo-") + "/1.0/status"})
		if !tb.padded || tb.indent != "    " {
			t.Errorf("%s: table padded=%v indent=%q:\n%s", name, tb.padded, tb.indent, after)
		}
	}
}

// CRLF files stay CRLF, and get the same entries.
func TestPatchKeepsCRLF(t *testing.T) {
	dir := fixtureCheckouts(t, func(dir string) {
		for _, f := range editedFiles {
			write(t, dir, f, strings.ReplaceAll(read(t, dir, f), "\n", "\r\n"))
		}
	})
	before := snapshot(t, dir)
	p, err := planFor(testService{Name: "wazo-exampled", SiblingsDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.NotPatched) != 0 {
		t.Fatalf("not patched: %v", p.NotPatched)
	}
	applyAll(t, dir, p)
	for _, f := range editedFiles {
		text := read(t, dir, f)
		if strings.Count(text, "\n") != strings.Count(text, "\r\n") || text == before[f] {
			t.Errorf("%s: %d LF, %d CRLF after the patch, changed=%v", f, strings.Count(text, "\n"), strings.Count(text, "\r\n"), text != before[f])
		}
	}
	lf := map[string]string{}
	for f, text := range before {
		lf[f] = strings.ReplaceAll(text, "\r\n", "\n")
	}
	patched := t.TempDir()
	for _, f := range editedFiles {
		write(t, patched, f, strings.ReplaceAll(read(t, dir, f), "\r\n", "\n"))
	}
	for _, f := range []string{"wazo-platform.org/website/docs/api/wazo-exampled/description.md", "wazo-platform.org/content/exampled/description.md"} {
		write(t, patched, f, read(t, dir, f))
	}
	checkPatched(t, patched, lf, "wazo-exampled", "default")
}

// A file not in the expected shape gets no patch, and new says which file,
// what it expected and what it found; the other files are still patched.
func TestPatchLeavesAFileOfAnotherShape(t *testing.T) {
	tests := []struct {
		name, file, text string
		want             []string
	}{
		{"python list built otherwise", "wazo-service/wazo_service/main.py", "WAZO_SERVICES = [\n    Service('wazo-a'),\n]\nDEFAULT_SERVICES = build_services()\n",
			[]string{"wazo_service/main.py", "expected DEFAULT_SERVICES = [ Service('…'), … ]", "found module-level lists WAZO_SERVICES"}},
		{"unreadable python list", "wazo-service/wazo_service/main.py", "DEFAULT_SERVICES = [\n    Service('wazo-auth'),\n",
			[]string{"wazo_service/main.py", "expected Python lists", "no closing ]"}},
		{"Depends on one line", "wazo-platform/debian/control", "Package: wazo-platform\nDepends: wazo-auth, wazo-confd\n",
			[]string{"debian/control", "one package per continuation line", "line 2: Depends: wazo-auth, wazo-confd"}},
		{"no port table", "wazo-platform.org/website/uc-doc/contributors/network.md", "| Port | Daemon |\n|---|---|\n| 1 | a |\n",
			[]string{"network.md", "expected a table with the header | Daemon Name |", "found tables | Port | Daemon |"}},
		{"mixed line endings", "wazo-backup/bin/wazo-backup", "BACKUP_LIST=\"/etc/wazo-auth/\r\n /etc/xivo/\"\n",
			[]string{"bin/wazo-backup", "one kind of line ending", "1 CRLF and 1 LF"}},
		{"module name taken", "wazo-platform.org/content/sections.yaml", "- name: P\n  slug: programmable-platform\n  modules:\n    x:\n      repository: wazo-y\n",
			[]string{"sections.yaml", "expected no module called x"}},
		{"sections.yaml too big to parse safely", "wazo-platform.org/content/sections.yaml", strings.Repeat("# padding\n", maxSectionsYAML/10+1),
			[]string{"sections.yaml", "expected at most 65536 bytes", "found 65540 bytes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := fixtureCheckouts(t, func(dir string) { write(t, dir, tt.file, tt.text) })
			p, err := planFor(testService{Name: "wazo-x", SiblingsDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			joined := strings.Join(p.NotPatched, "\n")
			for _, w := range tt.want {
				if !strings.Contains(joined, w) {
					t.Errorf("not patched = %q, want it to say %q", joined, w)
				}
			}
			repo, rel, _ := strings.Cut(tt.file, "/")
			if strings.Contains(string(p.Files["sibling-patches/"+repo+".diff"]), "b/"+rel) {
				t.Errorf("the patch edits %s anyway", rel)
			}
			if !strings.Contains(string(p.Files["sibling-patches/README.md"]), rel+": not patched") {
				t.Errorf("README does not name %s", rel)
			}
			applyAll(t, dir, p)
		})
	}
}

// A checkout's symbolic links are not followed, and big files not read.
func TestPatchDoesNotFollowLinksOutOfTheCheckout(t *testing.T) {
	outside := t.TempDir()
	write(t, outside, "wazo-backup", "BACKUP_LIST=\"/etc/wazo-auth/\"\n")
	write(t, outside, "uc-doc/system/log_files.md", "## wazo-auth\n\n- a\n")
	dir := fixtureCheckouts(t, func(dir string) {
		must(t, os.Remove(filepath.Join(dir, "wazo-backup/bin/wazo-backup")))
		must(t, os.Symlink(filepath.Join(outside, "wazo-backup"), filepath.Join(dir, "wazo-backup/bin/wazo-backup")))
		must(t, os.RemoveAll(filepath.Join(dir, "wazo-platform.org/website/uc-doc")))
		must(t, os.Symlink(filepath.Join(outside, "uc-doc"), filepath.Join(dir, "wazo-platform.org/website/uc-doc")))
		write(t, dir, "wazo-acceptance/features/daily/http.feature", strings.Repeat("#\n", maxSiblingFile))
	})
	p, err := planFor(testService{Name: "wazo-x", SiblingsDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(p.NotPatched, "\n")
	for _, w := range []string{"bin/wazo-backup is a symbolic link", "website/uc-doc is a symbolic link", "http.feature: not patched: larger than"} {
		if !strings.Contains(joined, w) {
			t.Errorf("not patched = %q, want %q", joined, w)
		}
	}
	if len(p.Files["sibling-patches/wazo-backup.diff"]) != 0 || strings.Contains(string(p.Files["sibling-patches/wazo-platform.org.diff"]), "uc-doc/system") {
		t.Error("a file behind a link is patched")
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Sections: after the last service section when they are not sorted, in
// alphabetical place when they are; "{#id}" anchors are service headings.
func TestSectionOrder(t *testing.T) {
	body := []string{"File location: `/var/log/wazo-m.log`"}
	unsorted := "## wazo-b {#wazo-b}\n\n- x\n\n## wazo-a\n\n- x\n\n## other.conf\n\n- y\n"
	out, block, _, err := addSection(unsorted, "wazo-m", body)
	if err != nil || out != "## wazo-b {#wazo-b}\n\n- x\n\n## wazo-a\n\n- x\n\n## wazo-m\n\n- File location: `/var/log/wazo-m.log`\n\n## other.conf\n\n- y\n" {
		t.Errorf("unsorted: %v\n%s", err, out)
	}
	if err := verifyLinesInserted(unsorted, out, block, "wazo-m"); err != nil {
		t.Error(err)
	}
	sorted := "## wazo-a\n\n- x\n\n## wazo-z\n\n- x\n"
	out, block, _, err = addSection(sorted, "wazo-m", body)
	if err != nil || out != "## wazo-a\n\n- x\n\n## wazo-m\n\n- File location: `/var/log/wazo-m.log`\n\n## wazo-z\n\n- x\n" {
		t.Errorf("sorted: %v\n%s", err, out)
	}
	if err := verifyLinesInserted(sorted, out, block, "wazo-m"); err != nil {
		t.Error(err)
	}
	if _, _, note, _ := addSection(unsorted, "wazo-b", body); !strings.Contains(note, "already") {
		t.Errorf("an existing {#id} section: %q", note)
	}
}

// The verifications fail on the corruptions they are there to catch.
func TestVerificationsCatchCorruptions(t *testing.T) {
	py := "L = [\n    Service('wazo-auth'),\n]\n"
	a, _ := parse.ParsePythonLists([]byte(py))
	b, _ := parse.ParsePythonLists([]byte(strings.Replace(py, "Service('wazo-auth')", "Service('wazo-auth', 'x')", 1)))
	if err := verifyListInsert(a, b, "L", "wazo-x"); err == nil {
		t.Error("a changed Service item passes")
	}
	ctl := "Package: wazo-platform\nDepends:\n    a,\n    b\n"
	if err := verifyDepends(ctl, strings.Replace(ctl, "    b\n", "    b,\n    wazo-x,\n    wazo-x\n", 1), "wazo-x"); err == nil {
		t.Error("a doubled Depends entry passes")
	}
	tbl := "| a | b |\n| 1 | 2 |\n"
	if err := verifyTableInsert(tbl, "| a | b |\n| 1 | 3 |\n| x | y |\n", []string{"a", "b"}, []string{"x", "y"}); err == nil {
		t.Error("a changed row passes")
	}
}

// coreSiblings are the repositories every new service patches (the touch
// points, xivo-build-tools and others, have their own test).
var coreSiblings = []string{"wazo-service", "wazo-backup", "wazo-acceptance", "wazo-platform.org", "wazo-platform"}

// TestBaselinesAndCheckoutsPatchTheRealSiblings: on the real checkouts of
// WAZO_REPOS, the patches computed from them and those from the baselines
// (without --siblings) pass git apply --check on copies.
func TestBaselinesAndCheckoutsPatchTheRealSiblings(t *testing.T) {
	real := os.Getenv("WAZO_REPOS")
	if real == "" {
		t.Skip("WAZO_REPOS=DIR is not set: this test needs the real Wazo checkouts (wazo-service, wazo-backup, wazo-acceptance, wazo-platform.org, wazo-platform)")
	}
	testenv.RequireCommand(t, "git")
	for _, siblings := range []string{"", real} {
		for _, group := range []string{"default", "wazo"} {
			p, err := planFor(testService{Name: "wazo-x", HAGroup: group, SiblingsDir: siblings})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.NotPatched) != 0 {
				t.Errorf("siblings=%q: not patched: %v", siblings, p.NotPatched)
			}
			for _, r := range coreSiblings {
				patch := p.Files["sibling-patches/"+r+".diff"]
				if len(patch) == 0 {
					t.Errorf("siblings=%q: no %s patch", siblings, r)
					continue
				}
				copyDir := t.TempDir()
				cmd := exec.Command("cp", "-a", filepath.Join(real, r)+"/.", copyDir)
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("%v\n%s", err, out)
				}
				testenv.Git(t, copyDir, "init", "-q")
				file := filepath.Join(t.TempDir(), r+".diff")
				must(t, os.WriteFile(file, patch, 0o644))
				cmd = exec.Command("git", "apply", "--check", file)
				cmd.Dir = copyDir
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Errorf("siblings=%q group=%s: git apply --check %s.diff: %v\n%s", siblings, group, r, err, out)
				}
			}
		}
	}
}

func TestSiblingsDirMissingFileIsNamed(t *testing.T) {
	dir := fixtureCheckouts(t, func(dir string) {
		must(t, os.Remove(filepath.Join(dir, "wazo-backup/bin/wazo-backup")))
		write(t, dir, "wazo-backup/README.md", "no script here\n")
	})
	p, err := planFor(testService{Name: "wazo-exampled", SiblingsDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if joined := strings.Join(p.NotPatched, "\n"); !strings.Contains(joined, "bin/wazo-backup: not patched: the file is not there") {
		t.Errorf("not patched = %q, want bin/wazo-backup named", joined)
	}
}

// TestTouchPointPatchesApplyAndVerify: with --acl and --installer, the
// patches for xivo-build-tools, wazo-auth-keys, wazo-sdk and wazo-ansible
// apply to the baselines, leave nothing to change after, and a file not in
// the expected shape is left alone with the reason.
func TestTouchPointPatchesApplyAndVerify(t *testing.T) {
	dir := fixtureCheckouts(t, nil)
	opts := testService{Name: "wazo-exampled", ACLs: []string{"confd.users.read"}, Installer: true}
	p, err := planFor(opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []string{"xivo-build-tools", "wazo-auth-keys", "wazo-sdk", "wazo-ansible"} {
		if len(p.Files["sibling-patches/"+r+".diff"]) == 0 {
			t.Errorf("no patch for %s", r)
		}
	}
	applyAll(t, dir, p)
	for f, want := range map[string]string{
		"xivo-build-tools/etc/xivo-build-tools/packages": "\nwazo-dxtorc\nwazo-exampled\nwazo-keyring\n",
		"wazo-auth-keys/etc/wazo-auth-keys/config.yml":   "\nwazo-exampled:\n  system_user: wazo-exampled\n  acl:\n    - 'confd.users.read'\n\nwazo-phoned:",
		"wazo-sdk/project.yml":                           "\nwazo-exampled:\n  bind:\n    etc/wazo-exampled/config.yml: /etc/wazo-exampled/config.yml\n",
		"wazo-ansible/roles/uc-engine/tasks/main.yml":    "    name: wazo-setupd\n    state: present\n\n- name: Install wazo-exampled\n",
	} {
		if got := read(t, dir, f); !strings.Contains(got, want) {
			t.Errorf("%s after the patch lacks %q:\n%s", f, want, got)
		}
	}
	opts.SiblingsDir = dir
	again, err := planFor(opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []string{"xivo-build-tools", "wazo-auth-keys", "wazo-sdk", "wazo-ansible"} {
		if d := again.Files["sibling-patches/"+r+".diff"]; len(d) != 0 {
			t.Errorf("%s: patched checkout still gets a patch:\n%s", r, d)
		}
	}

	broken := fixtureCheckouts(t, func(dir string) {
		os.WriteFile(filepath.Join(dir, "wazo-sdk/project.yml"), []byte("- a list, not a mapping\n"), 0o644)
		os.WriteFile(filepath.Join(dir, "wazo-ansible/roles/uc-engine/tasks/main.yml"), []byte("---\n- name: Something else\n"), 0o644)
	})
	opts.SiblingsDir = broken
	p, err = planFor(opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []string{"wazo-sdk", "wazo-ansible"} {
		if len(p.Files["sibling-patches/"+r+".diff"]) != 0 {
			t.Errorf("%s: a file of another shape was patched", r)
		}
		if !strings.Contains(string(p.Files["sibling-patches/README.md"]), r+"/") {
			t.Errorf("%s: README does not say what was left alone:\n%s", r, p.Files["sibling-patches/README.md"])
		}
	}
}

// FuzzSiblingEdits: a crafted sibling file never makes an edit panic, and
// whatever an edit writes either passes its verification or is refused.
func FuzzSiblingEdits(f *testing.F) {
	for _, rel := range editedFiles {
		repo, file, _ := strings.Cut(rel, "/")
		data, err := siblingBaselines.ReadFile(baselinesRoot + "/" + repo + "/" + file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data))
	}
	f.Add("Package: wazo-platform\nDepends:\n    a,\n \n")
	f.Add("| a |\n|\n| --- |\n")
	v := Service{Name: "wazo-x", Short: "x", Port: 9505, APIVersion: "1.0", HAGroup: "default", Description: "X", RotateCount: 15, RotateFrequency: "Daily"}
	var edits []edit
	for _, es := range [][]edit{wazoServiceEdits(v), wazoBackupEdits(v), wazoAcceptanceEdits(v), wazoPlatformOrgEdits(v, source{}), wazoPlatformEdits(v)} {
		for _, e := range es {
			if e.change != nil {
				edits = append(edits, e)
			}
		}
	}
	f.Fuzz(func(t *testing.T, old string) {
		for _, e := range edits {
			text, _, err := e.change(old)
			if err != nil || text == "" || text == old {
				continue
			}
			_ = e.verify(old, text)
		}
	})
}

// TestPatchesApplyToTheRealRepositories computes the patches against real
// checkouts (WAZO_REPOS holds wazo-service/, ..., xivo-build-tools/,
// wazo-auth-keys/, wazo-sdk/, wazo-ansible/) and runs `git apply --check`
// of each on a copy of the files it touches. The checkouts are only read.
func TestPatchesApplyToTheRealRepositories(t *testing.T) {
	repos := os.Getenv("WAZO_REPOS")
	if repos == "" {
		t.Skip("WAZO_REPOS=DIR")
	}
	testenv.RequireCommand(t, "git")
	for _, group := range []string{"default", "wazo"} {
		p, err := planFor(testService{Name: "wazo-exampled", HAGroup: group, Description: "Example service", SiblingsDir: repos,
			ACLs: []string{"confd.users.read"}, Installer: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.NotPatched) != 0 {
			t.Errorf("%s group: not patched: %v", group, p.NotPatched)
		}
		applied := 0
		for _, r := range siblingRepos {
			patch := p.Files["sibling-patches/"+r+".diff"]
			if len(patch) == 0 {
				t.Errorf("%s group: no patch for %s", group, r)
				continue
			}
			dir := t.TempDir()
			for _, m := range regexp.MustCompile(`(?m)^--- a/(\S+)$`).FindAllSubmatch(patch, -1) {
				rel := string(m[1])
				data, err := os.ReadFile(filepath.Join(repos, r, filepath.FromSlash(rel)))
				if err != nil {
					t.Fatal(err)
				}
				os.MkdirAll(filepath.Dir(filepath.Join(dir, rel)), 0o755)
				os.WriteFile(filepath.Join(dir, rel), data, 0o644)
			}
			testenv.Git(t, dir, "init", "-q")
			pf := filepath.Join(t.TempDir(), r+".diff")
			os.WriteFile(pf, patch, 0o644)
			testenv.Git(t, dir, "apply", "--check", pf)
			applied++
		}
		t.Logf("%s group: %d patches apply (git apply --check) to the files of %s", group, applied, repos)
	}
}

// TestBuildListGetsTheKit: xivo-build-tools lists the kit's source package
// with the service (the -dev package the service Build-Depends on must be
// built by Wazo too), each in name order; a list that has the kit gets the
// service alone.
func TestBuildListGetsTheKit(t *testing.T) {
	old := "wazo-auth\nwazo-dird\nwazo-keyring\n"
	for _, tt := range []struct{ old, want string }{
		{old, "wazo-auth\nwazo-dird\nwazo-doctord\nwazo-exampled\nwazo-keyring\n"},
		{"wazo-auth\nwazo-doctord\nwazo-keyring\n", "wazo-auth\nwazo-doctord\nwazo-exampled\nwazo-keyring\n"},
	} {
		e := xivoBuildToolsEdits(Service{Name: "wazo-exampled", KitSourcePackage: "wazo-doctord"})[0]
		got, note, err := e.change(tt.old)
		if err != nil || got != tt.want {
			t.Errorf("from %q: %q, %v, want %q", tt.old, got, err, tt.want)
			continue
		}
		if err := e.verify(tt.old, got); err != nil {
			t.Errorf("from %q: %v", tt.old, err)
		}
		if strings.Contains(tt.old, "wazo-doctord") == strings.Contains(note, "kit's source package") {
			t.Errorf("from %q: note %q", tt.old, note)
		}
		if err := e.verify(tt.old, strings.Replace(got, "wazo-exampled\n", "", 1)); err == nil {
			t.Errorf("from %q: a list without the service verifies", tt.old)
		}
	}
}
