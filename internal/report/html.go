package report

import (
	"cmp"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pyrace/pyrace/internal/results"
)

// htmlAssets are the HTML report's template, style sheet and script.
//
//go:embed templates/report.html.tmpl templates/report.css templates/report.js
var htmlAssets embed.FS

// The HTML report's assets, in htmlAssets.
const (
	htmlTemplateFile = "templates/report.html.tmpl"
	htmlCSSFile      = "templates/report.css"
	htmlScriptFile   = "templates/report.js"
)

// htmlScript returns the HTML report's inline script: a constant (it is
// never built from a run's data), which the page's Content-Security-Policy
// allows by its hash.
func htmlScript() string {
	b, err := htmlAssets.ReadFile(htmlScriptFile)
	if err != nil {
		panic(err) // embedded: cannot happen
	}
	return string(b)
}

// htmlCSP is the Content-Security-Policy of a report whose only script is
// script: nothing is loaded from anywhere, styles are inline, images are
// data: URLs, and the one script runs because its SHA-256 hash is listed.
// Should escaping ever fail, an injected script would not run.
func htmlCSP(script string) string {
	sum := sha256.Sum256([]byte(script))
	return "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-" +
		base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// WriteHTML writes doc as one self-contained HTML page: inline style sheet,
// script and SVG charts (drawn here, so they show without JavaScript),
// nothing loaded from the network. Every string from a run is escaped for
// the context it lands in by html/template. The output depends on doc
// only.
func WriteHTML(w io.Writer, doc Document) error {
	t, err := template.New("report.html.tmpl").ParseFS(htmlAssets, htmlTemplateFile)
	if err != nil {
		return fmt.Errorf("html report template: %w", err)
	}
	css, err := htmlAssets.ReadFile(htmlCSSFile)
	if err != nil {
		return err
	}
	script := htmlScript()
	v := newHTMLView(doc)
	v.CSP = htmlCSP(script)
	v.CSS = template.CSS(css)      // a constant asset
	v.Script = template.JS(script) // a constant asset, allowed by its hash
	return t.Execute(w, v)
}

// htmlView is what the template shows, computed from a Document.
type htmlView struct {
	Title  string
	CSP    string
	CSS    template.CSS
	Script template.JS

	Summary    string
	Banners    []string
	Runs       []htmlRun
	Categories htmlCategoryChart
	Histogram  htmlHistogram
	Timeline   htmlTimeline
	Packages   []htmlPackageRow
	Flaky      []htmlFlaky
	Compat     []htmlCompat
	StackDumps []htmlStackDump
	Warnings   []string
}

// htmlTitle is the page's title: the runs it shows.
func htmlTitle(doc Document) string {
	var ids []string
	for _, r := range doc.Runs {
		ids = append(ids, r.RunID)
	}
	switch {
	case len(ids) == 0:
		return "pyrace report"
	case len(ids) > 3:
		return fmt.Sprintf("pyrace report: %s and %d more runs", strings.Join(ids[:3], ", "), len(ids)-3)
	}
	return "pyrace report: " + strings.Join(ids, ", ")
}

func newHTMLView(doc Document) htmlView {
	v := htmlView{
		Title:    htmlTitle(doc),
		Summary:  htmlSummaryLine(doc),
		Warnings: doc.Warnings,
	}
	for _, r := range doc.Runs {
		v.Runs = append(v.Runs, newHTMLRun(r))
		switch r.Status {
		case results.Finished:
		case results.Running:
			v.Banners = append(v.Banners, fmt.Sprintf("Run %s is still running: this report shows its results so far.", r.RunID))
		case results.Interrupted:
			v.Banners = append(v.Banners, fmt.Sprintf("Run %s was interrupted: its results are incomplete.", r.RunID))
		default:
			v.Banners = append(v.Banners, fmt.Sprintf("Run %s has status %q: its results may be incomplete.", r.RunID, string(r.Status)))
		}
	}
	v.Categories = newHTMLCategoryChart(doc.Categories)
	v.Histogram = newHTMLHistogram(doc.Packages)
	v.Timeline = newHTMLTimeline(doc.Timelines)

	flakyAnchor := map[string]string{}
	indices := map[string][]int{}
	for _, tl := range doc.Timelines {
		var idx []int
		for _, e := range tl.Iterations {
			idx = append(idx, e.Index)
		}
		indices[tl.Package] = idx
	}
	for i, fl := range doc.Flaky {
		anchor := "flaky-" + strconv.Itoa(i+1)
		if _, ok := flakyAnchor[fl.Package]; !ok {
			flakyAnchor[fl.Package] = anchor
		}
		v.Flaky = append(v.Flaky, newHTMLFlaky(fl, anchor, indices[fl.Package]))
	}
	for i, s := range doc.Packages {
		v.Packages = append(v.Packages, newHTMLPackageRow(i, s, flakyAnchor[s.Package]))
	}
	for _, c := range doc.Compat {
		v.Compat = append(v.Compat, newHTMLCompat(c))
	}
	for _, d := range doc.StackDumps {
		v.StackDumps = append(v.StackDumps, newHTMLStackDump(d))
	}
	return v
}

func htmlSummaryLine(doc Document) string {
	return fmt.Sprintf("%s from %s", plural(len(doc.Packages), "package"), plural(len(doc.Runs), "run"))
}

// htmlTime shows a time in UTC, to the second.
func htmlTime(t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// htmlSeconds shows a duration in seconds with one decimal.
func htmlSeconds(s float64) string {
	return strconv.FormatFloat(s, 'f', 1, 64) + "s"
}

// htmlNum formats an SVG coordinate.
func htmlNum(f float64) string {
	return strconv.FormatFloat(f, 'f', -1, 64)
}

type htmlRun struct {
	RunID, Dir             string
	Status, StatusClass    string
	Started, Finished      string
	Elapsed                string
	Interpreter, InterpExe string
	Host, Machine          string
	CPUs                   int
	Argv                   string
	Packages               int
	PyraceVersion          string
}

func newHTMLRun(r RunInfo) htmlRun {
	h := htmlRun{
		RunID:         r.RunID,
		Dir:           r.Dir,
		Status:        string(r.Status),
		StatusClass:   "status-other",
		Started:       htmlTime(r.Started),
		Finished:      "–",
		Host:          cmp.Or(r.System.Hostname, "–"),
		CPUs:          r.System.CPUs,
		Argv:          strings.Join(r.Argv, " "),
		Packages:      r.Packages,
		PyraceVersion: r.System.PyraceVersion,
		InterpExe:     cmp.Or(r.Interpreter.Executable, r.Interpreter.Path),
	}
	switch r.Status {
	case results.Finished:
		h.StatusClass = "status-finished"
	case results.Running:
		h.StatusClass, h.Status = "status-running", "still running"
	case results.Interrupted:
		h.StatusClass = "status-interrupted"
	}
	if h.Status == "" {
		h.Status = "unknown"
	}
	if r.Finished != nil {
		h.Finished = htmlTime(*r.Finished)
		if !r.Started.IsZero() {
			h.Elapsed = r.Finished.Sub(r.Started).Round(100 * time.Millisecond).String()
		}
	}
	h.Interpreter = r.Interpreter.Describe()
	var machine []string
	if r.System.OS != "" || r.System.Arch != "" {
		machine = append(machine, strings.Trim(r.System.OS+"/"+r.System.Arch, "/"))
	}
	if r.System.Kernel != "" {
		machine = append(machine, "kernel "+r.System.Kernel)
	}
	h.Machine = strings.Join(machine, ", ")
	return h
}

// htmlCategoryClass is the CSS class of a category's colour; categories
// from a run are data, so only the known ones name a class.
func htmlCategoryClass(c results.Category) string {
	if c == "" {
		return "cat-none"
	}
	if slices.Contains(results.Categories(), c) {
		return "cat-" + strings.ReplaceAll(string(c), "_", "-")
	}
	return "cat-other"
}

// htmlCategoryLabel names a category; "" is the packages without a verdict.
func htmlCategoryLabel(c results.Category) string {
	if c == "" {
		return "no verdict yet"
	}
	return strings.ReplaceAll(string(c), "_", " ")
}

type htmlCategoryChart struct {
	Width, Height string
	Bars          []htmlCategoryBar
}

type htmlCategoryBar struct {
	Category, Label, Class string
	Count                  int
	Share                  string
	Y, TextY, W, CountX    string
}

// The category chart's geometry.
const (
	htmlCatLabelW = 170.0
	htmlCatBarMax = 220.0
	htmlCatRowH   = 26.0
	htmlCatBarH   = 18.0
)

func newHTMLCategoryChart(cats []CategoryCount) htmlCategoryChart {
	total, most := 0, 0
	for _, c := range cats {
		total += c.Count
		most = max(most, c.Count)
	}
	ch := htmlCategoryChart{
		Width:  htmlNum(htmlCatLabelW + htmlCatBarMax + 90),
		Height: htmlNum(max(1, float64(len(cats))) * htmlCatRowH),
	}
	for i, c := range cats {
		w := 0.0
		if most > 0 {
			w = htmlCatBarMax * float64(c.Count) / float64(most)
		}
		if c.Count > 0 {
			w = max(w, 2)
		}
		share := "0%"
		if total > 0 {
			share = strconv.FormatFloat(100*float64(c.Count)/float64(total), 'f', 0, 64) + "%"
		}
		y := float64(i)*htmlCatRowH + (htmlCatRowH-htmlCatBarH)/2
		ch.Bars = append(ch.Bars, htmlCategoryBar{
			Category: string(c.Category),
			Label:    htmlCategoryLabel(c.Category),
			Class:    htmlCategoryClass(c.Category),
			Count:    c.Count,
			Share:    share,
			Y:        htmlNum(y),
			TextY:    htmlNum(y + htmlCatBarH/2),
			W:        htmlNum(float64(int(w*10)) / 10),
			CountX:   htmlNum(htmlCatLabelW + float64(int(w*10))/10 + 6),
		})
	}
	return ch
}

// htmlPassRateBin is the bin of the pass-rate histogram a package falls
// in: 0 for 0–10% … 9 for 90–100% (100% included), -1 without
// iterations.
func htmlPassRateBin(s Summary) int {
	if s.Iterations <= 0 {
		return -1
	}
	return min(max(s.Passes*10/s.Iterations, 0), 9)
}

type htmlHistogram struct {
	Packages  int // with iterations
	Bars      []htmlHistBar
	XTicks    []htmlTick
	YTicks    []htmlTick
	AxisY     string
	PlotLeft  string
	PlotRight string
	PlotTop   string
	LabelX    string
	LabelY    string
}

type htmlHistBar struct {
	Bin            int
	Range          string
	Count          int
	X, Y, W, H     string
	CountX, CountY string
	ShowCount      bool
	PackagesText   string
	ClassSuffix    string
}

type htmlTick struct {
	X, Y, Label string
}

// The histogram's geometry.
const (
	htmlHistLeft   = 40.0
	htmlHistTop    = 16.0
	htmlHistPlotH  = 150.0
	htmlHistSlot   = 36.0
	htmlHistBarGap = 4.0
)

func newHTMLHistogram(pkgs []Summary) htmlHistogram {
	var counts [10]int
	h := htmlHistogram{}
	for _, s := range pkgs {
		if b := htmlPassRateBin(s); b >= 0 {
			counts[b]++
			h.Packages++
		}
	}
	scaleMax := max(slices.Max(counts[:]), 1)
	bottom := htmlHistTop + htmlHistPlotH
	h.AxisY = htmlNum(bottom)
	h.PlotLeft = htmlNum(htmlHistLeft)
	h.PlotRight = htmlNum(htmlHistLeft + 10*htmlHistSlot)
	h.PlotTop = htmlNum(htmlHistTop)
	h.LabelX = htmlNum(htmlHistLeft + 5*htmlHistSlot)
	h.LabelY = htmlNum(bottom + 34)
	for i, n := range counts {
		bh := htmlHistPlotH * float64(n) / float64(scaleMax)
		bh = float64(int(bh*10)) / 10
		x := htmlHistLeft + float64(i)*htmlHistSlot + htmlHistBarGap/2
		h.Bars = append(h.Bars, htmlHistBar{
			Bin:          i,
			Range:        fmt.Sprintf("%d–%d%%", 10*i, 10*(i+1)),
			Count:        n,
			X:            htmlNum(x),
			Y:            htmlNum(bottom - bh),
			W:            htmlNum(htmlHistSlot - htmlHistBarGap),
			H:            htmlNum(bh),
			CountX:       htmlNum(x + (htmlHistSlot-htmlHistBarGap)/2),
			CountY:       htmlNum(bottom - bh - 4),
			ShowCount:    n > 0,
			PackagesText: plural(n, "package"),
			ClassSuffix:  strconv.Itoa(i),
		})
	}
	for i := 0; i <= 10; i += 2 {
		h.XTicks = append(h.XTicks, htmlTick{X: htmlNum(htmlHistLeft + float64(i)*htmlHistSlot), Y: htmlNum(bottom + 16), Label: strconv.Itoa(10*i) + "%"})
	}
	ticks := []int{0, scaleMax}
	if scaleMax >= 4 && scaleMax%2 == 0 {
		ticks = []int{0, scaleMax / 2, scaleMax}
	}
	for _, n := range ticks {
		y := bottom - htmlHistPlotH*float64(n)/float64(scaleMax)
		h.YTicks = append(h.YTicks, htmlTick{X: htmlNum(htmlHistLeft - 6), Y: htmlNum(y), Label: strconv.Itoa(n)})
	}
	return h
}

// htmlOutcomeClass is an iteration outcome's CSS class suffix.
func htmlOutcomeClass(o results.Outcome) string {
	switch o {
	case results.OutcomePass, results.OutcomeFail, results.OutcomeCrash,
		results.OutcomeDeadlock, results.OutcomeLivelock, results.OutcomeTimeout:
		return string(o)
	}
	return "other"
}

type htmlTimeline struct {
	Rows   []htmlTimelineRow
	Scroll bool
}

type htmlTimelineRow struct {
	Package, CategoryClass, CategoryLabel string
	Width                                 string
	Cells                                 []htmlCell
	Summary                               string
}

type htmlCell struct {
	Class, X, W, Title string
}

// The timeline's and heat maps' geometry: a column of at most htmlCellMax
// pixels, narrower when there are many iterations, never under
// htmlCellMin.
const (
	htmlCellMax   = 16
	htmlCellMin   = 3
	htmlRowsWidth = 880
)

// htmlStep is the column width for n iterations.
func htmlStep(n int) int {
	if n <= 0 {
		return htmlCellMax
	}
	return min(max(htmlRowsWidth/n, htmlCellMin), htmlCellMax)
}

// htmlColumn places cell i of a row with step pixels per column.
func htmlColumn(i, step int) (x, w string) {
	cw := step - 1
	if step <= 4 {
		cw = step
	}
	return strconv.Itoa(i * step), strconv.Itoa(cw)
}

func newHTMLTimeline(tls []Timeline) htmlTimeline {
	t := htmlTimeline{Scroll: len(tls) > 40}
	most := 0
	for _, tl := range tls {
		most = max(most, len(tl.Iterations))
	}
	step := htmlStep(most)
	var b strings.Builder
	for _, tl := range tls {
		row := htmlTimelineRow{
			Package:       tl.Package,
			CategoryClass: htmlCategoryClass(tl.Category),
			CategoryLabel: htmlCategoryLabel(tl.Category),
			Width:         strconv.Itoa(max(len(tl.Iterations)*step, 1)),
			Cells:         make([]htmlCell, 0, len(tl.Iterations)),
		}
		passed := 0
		for i, e := range tl.Iterations {
			if e.Outcome == results.OutcomePass {
				passed++
			}
			b.Reset()
			fmt.Fprintf(&b, "iteration %d: %s (%s)", e.Index, e.Outcome, htmlSeconds(e.Duration))
			if e.Reason != "" {
				b.WriteString(": ")
				b.WriteString(e.Reason)
			}
			x, w := htmlColumn(i, step)
			row.Cells = append(row.Cells, htmlCell{Class: "tl-cell tl-" + htmlOutcomeClass(e.Outcome), X: x, W: w, Title: b.String()})
		}
		row.Summary = fmt.Sprintf("%d/%d passed", passed, len(tl.Iterations))
		t.Rows = append(t.Rows, row)
	}
	return t
}

type htmlPackageRow struct {
	Package, Anchor               string
	CategoryClass, CategoryText   string
	SeverityKey                   int
	Unfinished                    bool
	PassRate, PassRateKey         string
	Iterations                    int
	Crashes                       int
	CrashTitle                    string
	Deadlocks                     int
	StallTitle                    string
	FlakyTests                    int
	FlakyTitle                    string
	GILBaseline, GILBaselineTitle string
	TSANRaces                     int
	GILFallback                   string
	Verdict                       string
	Index                         int
}

func newHTMLPackageRow(i int, s Summary, anchor string) htmlPackageRow {
	r := htmlPackageRow{
		Index:         i,
		Package:       s.Package,
		Anchor:        anchor,
		CategoryClass: htmlCategoryClass(s.Category),
		CategoryText:  s.CategoryText(),
		SeverityKey:   Severity(s.Category),
		Unfinished:    s.State != Done,
		PassRate:      s.PassRateText(),
		PassRateKey:   "-1",
		Iterations:    s.Iterations,
		Crashes:       len(s.Crashes),
		Deadlocks:     s.Deadlocks,
		FlakyTests:    s.FlakyTests,
		FlakyTitle:    fmt.Sprintf("%s failed at least once", plural(s.FailingTests, "test")),
		GILBaseline:   cmp.Or(s.GILBaseline, "–"),
		TSANRaces:     s.TSANRaces,
		GILFallback:   cmp.Or(strings.Join(s.GILFallback, ", "), "–"),
		Verdict:       cmp.Or(s.Verdict, s.CategoryText()),
	}
	if s.Iterations > 0 {
		r.PassRateKey = strconv.FormatFloat(float64(s.Passes)/float64(s.Iterations), 'f', 4, 64)
	}
	var sigs []string
	for _, c := range s.Crashes {
		sigs = append(sigs, fmt.Sprintf("%d× %s", c.Count, c.Signature))
	}
	r.CrashTitle = strings.Join(sigs, "\n")
	r.StallTitle = fmt.Sprintf("%d deadlocked, %d livelocked, %d timed out", s.Deadlocks, s.Livelocks, s.Timeouts)
	if s.GILRate != nil {
		r.GILBaselineTitle = fmt.Sprintf("with the GIL: %d/%d iterations failed", s.GILRate.Failures, s.GILRate.Iterations)
	}
	return r
}

type htmlFlaky struct {
	Package, Anchor string
	Pattern         string
	Failed          int
	Iterations      int
	Outcomes        string
	Crashes         []results.SignatureCount
	Heat            htmlHeatMap
	Tests           []htmlTest
}

type htmlHeatMap struct {
	Width   string
	Columns []htmlTick
	Rows    []htmlHeatRow
}

type htmlHeatRow struct {
	ID    string
	Cells []htmlCell
}

type htmlTest struct {
	ID           string
	Marks        string
	Failures     int
	Ran          int
	ExcTypes     string
	FailsWithGIL bool
	OnlyThreaded bool
	Threaded     string
	LongestFail  int
	LongestPass  int
	Messages     []string
}

// htmlMark is a test-history mark's heat-map class and word.
func htmlMark(m byte) (class, word string) {
	switch m {
	case MarkPass:
		return "pass", "passed"
	case MarkFail:
		return "fail", "failed"
	case MarkCrash:
		return "crash", "crashed (test's fate unknown)"
	case MarkStall:
		return "stall", "stalled (test's fate unknown)"
	}
	return "none", "no per-test results"
}

func newHTMLFlaky(fl Flakiness, anchor string, indices []int) htmlFlaky {
	f := htmlFlaky{
		Package:    fl.Package,
		Anchor:     anchor,
		Pattern:    fl.Pattern,
		Failed:     fl.Failed,
		Iterations: fl.Iterations,
		Outcomes:   fl.Outcomes,
		Crashes:    fl.Crashes,
	}
	cols := 0
	for _, t := range fl.Tests {
		cols = max(cols, len(t.Marks))
	}
	step := htmlStep(cols)
	iteration := func(i int) int {
		if i < len(indices) {
			return indices[i]
		}
		return i + 1
	}
	if len(fl.Tests) > 0 {
		f.Heat.Width = strconv.Itoa(max(cols*step, 1))
		every := 1
		for every*step < 14 {
			every++
		}
		for i := 0; i < cols; i += every {
			f.Heat.Columns = append(f.Heat.Columns, htmlTick{X: htmlNum(float64(i*step) + float64(step-1)/2), Label: strconv.Itoa(iteration(i))})
		}
	}
	for _, t := range fl.Tests {
		row := htmlHeatRow{ID: t.ID, Cells: make([]htmlCell, 0, len(t.Marks))}
		for i := 0; i < len(t.Marks); i++ {
			class, word := htmlMark(t.Marks[i])
			x, w := htmlColumn(i, step)
			row.Cells = append(row.Cells, htmlCell{Class: "heat-cell heat-" + class, X: x, W: w,
				Title: fmt.Sprintf("iteration %d: %s", iteration(i), word)})
		}
		f.Heat.Rows = append(f.Heat.Rows, row)
		f.Tests = append(f.Tests, htmlTest{
			ID:           t.ID,
			Marks:        t.Marks,
			Failures:     t.Failures,
			Ran:          t.Ran,
			ExcTypes:     excTypesText(t.ExcTypes),
			FailsWithGIL: t.FailsWithGIL,
			OnlyThreaded: t.OnlyThreaded,
			Threaded:     t.Threaded,
			LongestFail:  t.LongestFail,
			LongestPass:  t.LongestPass,
			Messages:     t.Messages,
		})
	}
	return f
}

type htmlCompat struct {
	Package, ImportName string
	Probe               string
	Extensions          []string
	OptIns              []string
	GILReenabled        bool
	EnabledBy           []results.GILEnabler
	EnabledDuring       string
	ImportErrors        []string
}

func newHTMLCompat(c Compat) htmlCompat {
	h := htmlCompat{
		Package:      c.Package,
		ImportName:   cmp.Or(c.ImportName, "–"),
		Extensions:   c.Extensions,
		GILReenabled: c.GILReenabled,
		EnabledBy:    c.EnabledBy,
		ImportErrors: c.ImportErrors,
	}
	switch {
	case c.ProbeError != "":
		h.Probe = "failed: " + c.ProbeError
	case c.Probed:
		h.Probe = "probed"
	default:
		h.Probe = "not probed"
	}
	for _, o := range c.OptIns {
		h.OptIns = append(h.OptIns, fmt.Sprintf("%s:%d %s: %s", o.File, o.Line, o.Form, o.Text))
	}
	if d := c.EnabledDuring; d != nil {
		h.EnabledDuring = strings.TrimSpace(d.When + " " + d.Test)
		if len(d.Modules) > 0 {
			h.EnabledDuring += " (after loading " + strings.Join(d.Modules, ", ") + ")"
		}
	}
	return h
}

type htmlStackDump struct {
	Package        string
	Index          int
	Mode, Outcome  string
	OutcomeClass   string
	Signature      string
	Path, Text     string
	Truncated      bool
	TruncatedBytes int
}

func newHTMLStackDump(d StackDump) htmlStackDump {
	return htmlStackDump{
		Package:        d.Package,
		Index:          d.Index,
		Mode:           strings.ReplaceAll(string(d.Mode), "_", "-"),
		Outcome:        string(d.Outcome),
		OutcomeClass:   htmlOutcomeClass(d.Outcome),
		Signature:      d.Signature,
		Path:           d.Path,
		Text:           d.Text,
		Truncated:      d.Truncated,
		TruncatedBytes: MaxStackDump,
	}
}
