package parse

import (
	"strings"
	"testing"
)

// The shape of wazo-service's wazo_service/main.py: one Service('…') per
// line, a trailing comma, a list that goes on with "+ OTHER", a subclass
// call without arguments.
const pyLists = `ACTIONS = {'status': status}
WAZO_SERVICES = [
    Service('wazo-call-logd'),
    Service('wazo-agid'),  # the AGI server
    Service(
        'asterisk',
    ),
]
DEFAULT_SERVICES = [
    Service('wazo-auth', "wazo-auth-unit"),
] + WAZO_SERVICES

ALL_SERVICES = [PostgresService(), Service("nginx")] + DEFAULT_SERVICES
`

func TestParsePythonLists(t *testing.T) {
	lists, err := ParsePythonLists([]byte(pyLists))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, l := range lists {
		got[l.Name] = strings.Join(l.Names(), " ") + "|" + l.After
	}
	want := map[string]string{
		"WAZO_SERVICES":    "wazo-call-logd wazo-agid asterisk|",
		"DEFAULT_SERVICES": "wazo-auth| + WAZO_SERVICES",
		"ALL_SERVICES":     "nginx| + DEFAULT_SERVICES",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %q, want %q", k, got[k], w)
		}
	}
	w, _ := FindList(lists, "WAZO_SERVICES")
	if w.Items[1].Text != "Service('wazo-agid')" || w.Items[1].Line != 4 || pyLists[w.Items[1].Start:w.Items[1].End] != w.Items[1].Text {
		t.Errorf("item 1 = %+v", w.Items[1])
	}
	if d, _ := FindList(lists, "DEFAULT_SERVICES"); len(d.Items) != 1 || d.Items[0].Text != "Service('wazo-auth', \"wazo-auth-unit\")" {
		t.Errorf("DEFAULT_SERVICES items = %+v", d.Items)
	}
}

func TestParsePythonListsRefusesWhatItCannotRead(t *testing.T) {
	for _, bad := range []string{
		"L = [\n    Service('a'),\n",
		"L = [\n    Service('a),\n]\n",
		"L = [\n    1 + 2,\n]\n",
	} {
		if _, err := ParsePythonLists([]byte(bad)); err == nil || !strings.Contains(err.Error(), "line ") {
			t.Errorf("%q: err = %v, want one naming the line", bad, err)
		}
	}
}

func TestParseShellLists(t *testing.T) {
	src := "wazo_services=\"wazo-a wazo-b\"\ndefault_services=\"wazo-c $wazo_services\"\n  BACKUP_LIST=\"/etc/a/\n                 /etc/b/\"\nX=\"a\\\"b\"\n"
	lists := ParseShellLists([]byte(src))
	if len(lists) != 3 {
		t.Fatalf("lists = %+v", lists)
	}
	b, ok := FindList(lists, "BACKUP_LIST")
	if !ok || strings.Join(b.Names(), " ") != "/etc/a/ /etc/b/" || b.Items[1].Line != 4 {
		t.Errorf("BACKUP_LIST = %+v", b)
	}
	d, _ := FindList(lists, "default_services")
	if !d.Has("$wazo_services") || d.Has("wazo-a") {
		t.Errorf("default_services = %+v", d)
	}
}

func FuzzParsePythonLists(f *testing.F) {
	f.Add([]byte(pyLists))
	f.Add([]byte("L = [\n#\n'\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lists, err := ParsePythonLists(data)
		if err != nil {
			return
		}
		for _, l := range lists {
			for _, it := range l.Items {
				if string(data[it.Start:it.End]) != it.Text || it.Start <= l.Open || it.End > l.Close {
					t.Fatalf("%+v in %+v", it, l)
				}
			}
		}
	})
}
