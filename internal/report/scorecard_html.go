package report

import (
	"html/template"
	"io"
	"strconv"
	"strings"
)

// writeHTML renders the scorecard as one self-contained page: styles and
// script inline, no external asset, so it opens offline and can be attached
// to a review or served as a CI artefact as it is.
func writeHTML(w io.Writer, sc *Scorecard) error {
	return scorecardPage.Execute(w, printableScorecard(sc))
}

var scorecardPage = template.Must(template.New("scorecard").Funcs(template.FuncMap{
	"symbol": func(v string) string { return symbols[v] },
	"cell":   func(s ScoreService, i int) Cell { return s.Cells[i] },
	"title": func(s ScoreService, c Cell) string {
		t := []string{s.Key() + " · " + c.Rule + ": " + c.Verdict}
		if c.Severity != "" {
			t[0] += " (" + string(c.Severity) + ")"
		}
		switch c.Change {
		case ChangeNewFail:
			t = append(t, "NEW since the baseline")
		case ChangeFixed:
			t = append(t, "FIXED since the baseline")
		}
		t = append(t, c.Message)
		if c.Path != "" {
			t = append(t, location(c))
		}
		if c.Waiver != "" {
			t = append(t, "waived by the "+c.WaivedBy+": "+c.Waiver)
		}
		return strings.Join(append(t, c.Evidence...), "\n")
	},
	"location":  location,
	"sevLetter": sevLetter,
	"join":      func(l []string) string { return strings.Join(l, "\n") },
}).Parse(pageTemplate))

func location(c Cell) string {
	if c.Path == "" {
		return ""
	}
	if c.Line > 0 {
		return c.Path + ":" + strconv.Itoa(c.Line)
	}
	return c.Path
}

const pageTemplate = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>wazo-servicekit scorecard — {{.Target}}</title>
<style>
body { font: 14px/1.4 sans-serif; margin: 1em; color: #222; }
h1 { font-size: 1.3em; margin: 0 0 .3em; }
#filters { margin: .6em 0; display: flex; gap: 1.5em; flex-wrap: wrap; align-items: center; }
#summary { margin: .3em 0 .8em; padding-left: 1.2em; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: 2px 6px; }
thead th { position: sticky; top: 0; background: #f4f4f4; font-weight: 600; vertical-align: bottom; }
th.rule { text-align: left; font-weight: normal; max-width: 34em; }
th.rule code { font-weight: 600; }
th.rule .checklist { display: block; color: #555; font-size: .85em; }
td.v { text-align: center; min-width: 3.2em; cursor: pointer; font-weight: 700; }
td.v:focus { outline: 2px solid #000; }
.v-pass { background: #d8f0d8; color: #1b5e20; }
.v-fail { background: #f8d0d0; color: #b71c1c; }
.v-fail.sev-warning { background: #ffe3c2; color: #8a4b00; }
.v-fail.sev-info { background: #dbe8fb; color: #0d47a1; }
.v-unknown { background: #eee; color: #444; }
.v-waived { background: #eadcf5; color: #4a148c; }
.v-waived-by-platform { background: #e3e8ee; color: #37474f; }
.v-not-run { background: #fff; color: #999; font-weight: normal; }
.chg { display: block; font-size: .7em; letter-spacing: .05em; }
.chg-new-fail { color: #b71c1c; }
.chg-fixed { color: #1b5e20; }
.legend span { margin-right: 1em; padding: 0 .3em; }
#detail { position: fixed; right: 1em; bottom: 1em; max-width: 40em; background: #fff; border: 2px solid #444; padding: .6em .8em; white-space: pre-wrap; box-shadow: 0 2px 8px #0004; }
#detail[hidden] { display: none; }
</style>
</head>
<body>
<h1>wazo-servicekit scorecard: {{.Mode}} of {{.Target}}</h1>
<p class="legend">
<span class="v-pass">✓ pass</span><span class="v-fail sev-error">✗E fail, error</span><span class="v-fail sev-warning">✗W fail, warning</span><span class="v-fail sev-info">✗I fail, info</span><span class="v-unknown">? unknown (could not see)</span><span class="v-waived">~ waived</span><span class="v-waived-by-platform">≈ waived by the platform</span><span class="v-not-run">- not run</span>{{if .Baseline}}<span class="chg-new-fail">NEW fails since {{.Baseline}}</span><span class="chg-fixed">FIXED since {{.Baseline}}</span>{{end}}
</p>
<ul id="summary">
{{- range .Services}}
<li data-service="{{.Key}}">{{.ServiceLine}}</li>
{{- end}}
</ul>
<form id="filters">
<span>rules:
<label><input type="radio" name="group" value="all" checked> all</label>
<label><input type="radio" name="group" value="checklist"> checklist only</label>
<label><input type="radio" name="group" value="practice"> Wazo practice</label></span>
<label>severity: <select name="severity">
<option value="all">all</option><option value="error">error</option><option value="warning">warning</option><option value="info">info</option>
</select></label>
<span id="shown"></span>
</form>
<table id="scorecard">
<thead><tr><th class="rule">rule \ service</th>
{{- range .Services}}<th class="service" data-service="{{.Key}}">{{.Key}}{{if .Language}}<br><small>{{.Language}}</small>{{end}}</th>{{end}}</tr></thead>
<tbody>
{{- $sc := .}}
{{- range $i, $r := .Rules}}
<tr class="rule-row" data-rule="{{$r.ID}}" data-group="{{$r.Group}}" data-severity="{{$r.Severity}}">
<th class="rule" scope="row"><code>{{$r.ID}}</code> <small>({{$r.Severity}})</small> {{if ne $r.Title $r.ID}}{{$r.Title}}{{end}}{{if $r.Checklist}}<span class="checklist">{{$r.Checklist}}</span>{{end}}</th>
{{- range $s := $sc.Services}}{{$c := cell $s $i}}
<td class="v v-{{$c.Verdict}}{{if $c.Severity}} sev-{{$c.Severity}}{{end}}" tabindex="0" data-service="{{$s.Key}}" data-verdict="{{$c.Verdict}}"{{if $c.Change}} data-change="{{$c.Change}}"{{end}} title="{{title $s $c}}">{{symbol $c.Verdict}}{{sevLetter $c.Severity}}{{if eq $c.Change "new-fail"}}<span class="chg chg-new-fail">NEW</span>{{else if eq $c.Change "fixed"}}<span class="chg chg-fixed">FIXED</span>{{end}}</td>
{{- end}}
</tr>
{{- end}}
</tbody>
</table>
<div id="detail" hidden></div>
<script>
(function () {
  var form = document.getElementById('filters');
  var rows = document.querySelectorAll('tr.rule-row');
  var shown = document.getElementById('shown');
  var detail = document.getElementById('detail');
  function apply() {
    var group = form.elements.group.value, sev = form.elements.severity.value, n = 0;
    rows.forEach(function (tr) {
      var ok = (group === 'all' || tr.dataset.group === group) && (sev === 'all' || tr.dataset.severity === sev);
      tr.hidden = !ok;
      if (ok) { n++; }
    });
    shown.textContent = n + ' of ' + rows.length + ' rules shown';
  }
  // #group=checklist&severity=error in the address preselects the filters.
  location.hash.replace(/^#/, '').split('&').forEach(function (kv) {
    var p = kv.split('='), el = form.elements[p[0]];
    if (el && p[1]) { el.value = decodeURIComponent(p[1]); }
  });
  form.addEventListener('change', apply);
  document.getElementById('scorecard').addEventListener('click', function (e) {
    var td = e.target.closest('td.v');
    if (!td) { return; }
    detail.textContent = td.title + '\n\n(click to close)';
    detail.hidden = false;
  });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && document.activeElement.matches('td.v')) { document.activeElement.click(); }
    if (e.key === 'Escape') { detail.hidden = true; }
  });
  detail.addEventListener('click', function () { detail.hidden = true; });
  apply();
})();
</script>
</body>
</html>
`
