package report

import (
	"bufio"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"strconv"
	"strings"
)

// writeHTML renders the scorecard as one self-contained page: styles and
// script inline, no external asset, so it opens offline and can be attached
// to a review or served as a CI artefact as it is.
func writeHTML(w io.Writer, sc *Scorecard) error {
	p := printableScorecard(sc)
	var n map[string]int
	for _, s := range p.Services {
		n = countVerdicts(n, s.Cells)
	}
	page := &pageWriter{w: bufio.NewWriter(w)}
	page.head(p, fleetLine(p, len(p.Services), len(p.Packages), n))
	for j, s := range p.Services {
		page.column(j, s, s.count(VerdictFail), s.count(VerdictUnknown), chart(p.Trend(s)))
	}
	page.exec("rows", nil)
	for i, r := range p.Rules {
		page.exec("row", r)
		for j, s := range p.Services {
			page.cell(j, s.Key(), s.Cells[i])
		}
		page.exec("row-end", nil)
	}
	page.exec("packages", len(p.Packages) > 0)
	for _, s := range p.Packages {
		page.exec("package", s)
	}
	return page.foot(true, len(p.Packages) > 0)
}

// pageWriter writes the page piece by piece (its templates), so a page
// whose cells come from elsewhere than a Scorecard in memory (Stream) is
// the same page, byte for byte. The first error is kept.
type pageWriter struct {
	w   *bufio.Writer
	err error
}

func (p *pageWriter) exec(name string, data any) {
	if p.err == nil {
		p.err = scorecardPage.ExecuteTemplate(p.w, name, data)
	}
}

// head writes the page up to its columns' headers.
func (p *pageWriter) head(sc *Scorecard, fleet string) {
	p.exec("head", struct {
		*Scorecard
		Fleet string
	}{sc, fleet})
}

// column writes the j-th column's header (of a printable column).
func (p *pageWriter) column(j int, s ScoreService, fails, unknown int, trend template.HTML) {
	p.exec("column", struct {
		Col            int
		Key, Language  string
		Fails, Unknown int
		Chart          template.HTML
	}{j, s.Key(), s.Language, fails, unknown, trend})
}

// cell writes the cell of the j-th column, keyed key, in the current row.
func (p *pageWriter) cell(j int, key string, c Cell) {
	p.exec("cell", struct {
		Col  int
		Key  string
		Cell Cell
	}{j, key, c})
}

// raw writes a piece the page's templates wrote earlier.
func (p *pageWriter) raw(b []byte) {
	if p.err == nil {
		_, p.err = p.w.Write(b)
	}
}

// foot ends the page (when end) and flushes what was written.
func (p *pageWriter) foot(end, packages bool) error {
	if end {
		p.exec("foot", packages)
	}
	return p.flush()
}

func (p *pageWriter) flush() error {
	if p.err != nil {
		return p.err
	}
	return p.w.Flush()
}

var scorecardPage = template.Must(template.New("scorecard").Funcs(template.FuncMap{
	"symbol": func(v string) string { return symbols[v] },
	"title": func(key string, c Cell) string {
		t := []string{key + " · " + c.Rule + ": " + c.Verdict}
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
	"link":      safeLink,
}).Parse(pageTemplate))

// safeLink lets a cell's evidence link into the page: the file: links
// SetMeta makes, or an http(s) one from the URL template; anything else
// is dropped.
func safeLink(l string) template.URL {
	u, err := url.Parse(l)
	if err != nil || (u.Scheme != "file" && u.Scheme != "https" && u.Scheme != "http") {
		return ""
	}
	return template.URL(u.String())
}

// chart draws a column's failing cells over the runs as a small inline
// SVG polyline (no script, no external asset).
func chart(points []int) template.HTML {
	if len(points) < 2 {
		return ""
	}
	const w, h = 64, 18
	top := 1
	for _, p := range points {
		top = max(top, p)
	}
	var b strings.Builder
	for i, p := range points {
		x := float64(i) * float64(w-4) / float64(len(points)-1)
		y := float64(h-2) - float64(p)*float64(h-4)/float64(top)
		fmt.Fprintf(&b, "%.1f,%.1f ", x+2, y)
	}
	return template.HTML(fmt.Sprintf(`<svg class="history" width="%d" height="%d" viewBox="0 0 %d %d" role="img"><title>failing cells per run, oldest first: %s</title><polyline fill="none" stroke="#b71c1c" stroke-width="1.5" points="%s"/></svg>`,
		w, h, w, h, strings.Trim(fmt.Sprint(points), "[]"), strings.TrimSpace(b.String())))
}

// countVerdicts adds cells' verdicts to n (made when nil).
func countVerdicts(n map[string]int, cells []Cell) map[string]int {
	if n == nil {
		n = map[string]int{}
	}
	for _, c := range cells {
		n[c.Verdict]++
	}
	return n
}

// fleetLine is the page's one-line summary of the services' cells,
// counted by verdict in n.
func fleetLine(sc *Scorecard, services, packages int, n map[string]int) string {
	line := fmt.Sprintf("%d services: %d failing cells, %d unknown, %d waived by the repository", services, n[VerdictFail], n[VerdictUnknown], n[VerdictWaived])
	if sc.Meta != nil && sc.Meta.Profile != "" {
		line += fmt.Sprintf(", %d waived by the platform (%s)", n[VerdictPlatform], sc.Meta.Profile)
	}
	if packages > 0 {
		line += fmt.Sprintf("; %d packages and sibling repositories checked apart (not services)", packages)
	}
	return line
}

func location(c Cell) string {
	if c.Path == "" {
		return ""
	}
	if c.Line > 0 {
		return c.Path + ":" + strconv.Itoa(c.Line)
	}
	return c.Path
}

const pageTemplate = `{{define "head"}}<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>wazo-servicekit scorecard — {{.Target}}</title>
<style>
body { font: 14px/1.4 sans-serif; margin: 1em; color: #222; }
h1 { font-size: 1.3em; margin: 0 0 .3em; }
h2 { font-size: 1.1em; margin: 1.2em 0 .4em; }
#meta { display: flex; flex-wrap: wrap; gap: .2em 1.5em; margin: 0 0 .4em; color: #444; }
#meta dt { font-weight: 600; display: inline; }
#meta dd { display: inline; margin: 0 0 0 .3em; }
#meta details { flex-basis: 100%; }
#meta table { font-size: .85em; }
#fleet { margin: .2em 0; font-weight: 600; }
#filters { margin: .6em 0; display: flex; gap: 1.2em; flex-wrap: wrap; align-items: center; }
.wrap { overflow: auto; max-height: 80vh; border: 1px solid #ccc; }
table { border-collapse: separate; border-spacing: 0; }
th, td { border: 1px solid #ddd; padding: 2px 6px; }
thead th { position: sticky; top: 0; background: #f4f4f4; font-weight: 600; vertical-align: bottom; z-index: 2; }
th.rule { text-align: left; font-weight: normal; min-width: 16em; max-width: 24em; position: sticky; left: 0; background: #fff; z-index: 1; }
thead th.rule { z-index: 3; background: #f4f4f4; }
th.rule code { font-weight: 600; }
th.rule .checklist { display: block; color: #555; font-size: .85em; }
th.service small { display: block; font-weight: normal; color: #555; white-space: nowrap; }
td.v { text-align: center; min-width: 3.2em; cursor: pointer; font-weight: 700; white-space: nowrap; }
td.v:focus { outline: 2px solid #000; }
td.v a.ev { font-weight: normal; font-size: .75em; text-decoration: none; margin-left: .15em; }
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
#detail { position: fixed; right: 1em; bottom: 1em; max-width: 40em; background: #fff; border: 2px solid #444; padding: .6em .8em; white-space: pre-wrap; box-shadow: 0 2px 8px #0004; z-index: 5; }
#detail[hidden], [hidden] { display: none; }
</style>
</head>
<body>
<h1>wazo-servicekit scorecard: {{.Mode}} of {{.Target}}</h1>
{{- with .Meta}}
<dl id="meta">
<div><dt>tool</dt><dd id="meta-version">wazo-servicekit {{.Version}}</dd></div>
<div><dt>date</dt><dd id="meta-date">{{.Date}}</dd></div>
<div><dt>profile</dt><dd id="meta-profile">{{if .Profile}}{{.Profile}}{{else}}none{{end}}</dd></div>
{{- if .Dist}}<div><dt>dependencies judged against</dt><dd id="meta-dist">{{.Dist}}</dd></div>{{end}}
{{- if $.Baseline}}<div><dt>baseline</dt><dd id="meta-baseline">{{$.Baseline}}</dd></div>{{end}}
{{- if .Repositories}}
<details><summary>{{len .Repositories}} checkouts and their commits</summary>
<table id="commits"><thead><tr><th>repository</th><th>role</th><th>commit</th><th>services</th></tr></thead><tbody>
{{- range .Repositories}}
<tr data-repo="{{.Name}}" data-role="{{.Role}}"><td>{{.Name}}</td><td>{{.Role}}</td><td><code>{{if .Commit}}{{.Commit}}{{else}}unknown (no .git nor .commit){{end}}</code></td><td>{{range $i, $s := .Services}}{{if $i}}, {{end}}{{$s}}{{end}}</td></tr>
{{- end}}
</tbody></table></details>
{{- end}}
</dl>
{{- end}}
<p id="fleet">{{.Fleet}}</p>
<p class="legend">
<span class="v-pass">✓ pass</span><span class="v-fail sev-error">✗E fail, error</span><span class="v-fail sev-warning">✗W fail, warning</span><span class="v-fail sev-info">✗I fail, info</span><span class="v-unknown">? unknown (could not see)</span><span class="v-waived">~ waived</span><span class="v-waived-by-platform">≈ waived by the platform</span><span class="v-not-run">- not run (hover: why)</span>{{if .Unshown}}<span>{{.Unshown}} result(s) of rules outside the catalogue have no row (the JSON report has them)</span>{{end}}{{if .Baseline}}<span class="chg-new-fail">NEW fails since {{.Baseline}}</span><span class="chg-fixed">FIXED since {{.Baseline}}</span>{{end}}
</p>
<form id="filters">
<label>service: <input type="search" name="service" placeholder="name contains"></label>
<span>rules:
<label><input type="radio" name="group" value="all" checked> all</label>
<label><input type="radio" name="group" value="checklist"> checklist</label>
<label><input type="radio" name="group" value="practice"> Wazo practice</label></span>
<label>severity: <select name="severity">
<option value="all">all</option><option value="error">error</option><option value="warning">warning</option><option value="info">info</option>
</select></label>
<label><input type="checkbox" name="failures" value="1"> failures only</label>
<label>sort services: <select name="sort">
<option value="name">by name</option><option value="failures">by failures</option>
</select></label>
<span id="shown"></span>
</form>
<div class="wrap">
<table id="scorecard">
<thead><tr><th class="rule">rule \ service</th>
{{- end}}

{{- define "column"}}<th class="service" data-service="{{.Key}}" data-col="{{.Col}}" data-fails="{{.Fails}}">{{.Key}}<small>{{if .Language}}{{.Language}} {{end}}{{.Fails}}✗ {{.Unknown}}?</small>{{.Chart}}</th>{{end}}

{{- define "rows"}}</tr></thead>
<tbody>{{end}}

{{- define "row"}}
<tr class="rule-row" data-rule="{{.ID}}" data-group="{{.Group}}" data-severity="{{.Severity}}">
<th class="rule" scope="row"><code>{{.ID}}</code> <small>({{.Severity}})</small> {{if ne .Title .ID}}{{.Title}}{{end}}{{if .Checklist}}<span class="checklist">{{.Checklist}}</span>{{end}}</th>
{{- end}}

{{- define "cell"}}{{$c := .Cell}}
<td class="v v-{{$c.Verdict}}{{if $c.Severity}} sev-{{$c.Severity}}{{end}}" tabindex="0" data-col="{{.Col}}" data-service="{{.Key}}" data-verdict="{{$c.Verdict}}"{{if $c.Change}} data-change="{{$c.Change}}"{{end}} title="{{title .Key $c}}">{{symbol $c.Verdict}}{{sevLetter $c.Severity}}{{with link $c.Link}}<a class="ev" href="{{.}}" title="open the evidence">↗</a>{{end}}{{if eq $c.Change "new-fail"}}<span class="chg chg-new-fail">NEW</span>{{else if eq $c.Change "fixed"}}<span class="chg chg-fixed">FIXED</span>{{end}}</td>
{{- end}}

{{- define "row-end"}}
</tr>
{{- end}}

{{- define "packages"}}
</tbody>
</table>
</div>
{{- if .}}
<h2>Packages and sibling repositories (not services)</h2>
<table id="packages">
<thead><tr><th>package</th><th>why not a service</th><th>failing rules</th></tr></thead><tbody>
{{- end}}
{{- end}}

{{- define "package"}}
<tr data-package="{{.Key}}"><td>{{.Key}}</td><td>{{.NotADaemon}}</td><td>{{range .Cells}}{{if eq .Verdict "fail" "waived-by-platform" "unknown"}}<span class="v v-{{.Verdict}}" title="{{.Message}}">{{.Rule}} {{symbol .Verdict}}</span> {{end}}{{end}}</td></tr>
{{- end}}

{{- define "foot"}}
{{- if .}}
</tbody></table>
{{- end}}
<div id="detail" hidden></div>
<script>
(function () {
  var form = document.getElementById('filters');
  var table = document.getElementById('scorecard');
  var rows = Array.prototype.slice.call(table.querySelectorAll('tr.rule-row'));
  var heads = Array.prototype.slice.call(table.querySelectorAll('thead th.service'));
  var shown = document.getElementById('shown');
  var detail = document.getElementById('detail');
  function state() {
    return { service: form.elements.service.value.trim().toLowerCase(), group: form.elements.group.value,
      severity: form.elements.severity.value, failures: form.elements.failures.checked, sort: form.elements.sort.value };
  }
  // Columns in the chosen order: by name, or by failing cells (most first).
  function order(st) {
    var cols = heads.slice();
    cols.sort(function (a, b) {
      if (st.sort === 'failures' && a.dataset.fails !== b.dataset.fails) { return b.dataset.fails - a.dataset.fails; }
      var ka = a.dataset.service, kb = b.dataset.service;
      return ka < kb ? -1 : ka > kb ? 1 : a.dataset.col - b.dataset.col;
    });
    return cols.map(function (th) { return th.dataset.col; });
  }
  function cellOf(tr, col) { return tr.querySelector('td[data-col="' + col + '"]'); }
  function apply() {
    var st = state(), cols = order(st), visible = {}, nrows = 0, ncols = 0;
    heads.forEach(function (th) {
      visible[th.dataset.col] = st.service === '' || th.dataset.service.toLowerCase().indexOf(st.service) >= 0;
    });
    // Rows by family and severity; with "failures only", rows with no
    // failure among the visible services.
    var rowShown = rows.map(function (tr) {
      var ok = (st.group === 'all' || tr.dataset.group === st.group) && (st.severity === 'all' || tr.dataset.severity === st.severity);
      if (ok && st.failures) {
        ok = Array.prototype.some.call(tr.querySelectorAll('td[data-verdict="fail"]'), function (td) { return visible[td.dataset.col]; });
      }
      return ok;
    });
    if (st.failures) {
      cols.forEach(function (k) {
        if (!visible[k]) { return; }
        visible[k] = rows.some(function (tr, i) { var td = cellOf(tr, k); return rowShown[i] && td.dataset.verdict === 'fail'; });
      });
    }
    var headRow = table.tHead.rows[0];
    cols.forEach(function (k) {
      var th = heads[k];
      headRow.appendChild(th);
      th.hidden = !visible[k];
      if (visible[k]) { ncols++; }
    });
    rows.forEach(function (tr, i) {
      cols.forEach(function (k) {
        var td = cellOf(tr, k);
        tr.appendChild(td);
        td.hidden = !visible[k];
      });
      tr.hidden = !rowShown[i];
      if (rowShown[i]) { nrows++; }
    });
    shown.textContent = nrows + ' of ' + rows.length + ' rules shown, ' + ncols + ' of ' + heads.length + ' services';
    var h = [];
    if (st.service) { h.push('service=' + encodeURIComponent(st.service)); }
    if (st.group !== 'all') { h.push('group=' + st.group); }
    if (st.severity !== 'all') { h.push('severity=' + st.severity); }
    if (st.failures) { h.push('failures=1'); }
    if (st.sort !== 'name') { h.push('sort=' + st.sort); }
    if (history.replaceState) { history.replaceState(null, '', h.length ? '#' + h.join('&') : location.pathname); }
  }
  // The filters can be preselected in the address:
  // #service=call&group=checklist&severity=error&failures=1&sort=failures.
  location.hash.replace(/^#/, '').split('&').forEach(function (kv) {
    var p = kv.split('='), el = form.elements[p[0]];
    if (!el || p.length < 2) { return; }
    var v = decodeURIComponent(p[1]);
    if (el.type === 'checkbox') { el.checked = v === '1'; } else { el.value = v; }
  });
  form.addEventListener('change', apply);
  form.addEventListener('input', apply);
  form.addEventListener('submit', function (e) { e.preventDefault(); });
  table.addEventListener('click', function (e) {
    if (e.target.closest('a')) { return; }
    var td = e.target.closest('td.v');
    if (!td) { return; }
    detail.textContent = td.title;
    var a = td.querySelector('a.ev');
    if (a) {
      var link = document.createElement('a');
      link.href = a.href;
      link.textContent = '\nopen the evidence: ' + a.href;
      detail.appendChild(link);
    }
    detail.appendChild(document.createTextNode('\n\n(click to close)'));
    detail.hidden = false;
  });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && document.activeElement.matches('td.v')) { document.activeElement.click(); }
    if (e.key === 'Escape') { detail.hidden = true; }
  });
  detail.addEventListener('click', function (e) { if (!e.target.closest('a')) { detail.hidden = true; } });
  apply();
})();
</script>
</body>
</html>
{{end}}`
