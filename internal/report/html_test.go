package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pyrace/pyrace/internal/results"
)

// htmlElem is an element of a page read by htmlScan.
type htmlElem struct {
	Tag   string // lower case; "/p" for an end tag
	Attrs map[string]string
	// Text is the raw content of a script or style element.
	Text string
}

// hasClass reports whether e's class attribute has class.
func (e htmlElem) hasClass(class string) bool {
	return slices.Contains(strings.Fields(e.Attrs["class"]), class)
}

// htmlPage is a page read by htmlScan: its elements in order and its text
// nodes, both with character references decoded.
type htmlPage struct {
	Elems []htmlElem
	Texts []string
}

// htmlScan reads an HTML page as the tokenizer of a browser would for the
// markup html/template and Chromium's serializer write: tags with quoted
// or unquoted attributes, comments, a doctype, the raw text of script and
// style elements, and text. Everything else that starts with '<' is an
// element, so markup injected into the page shows up as one.
func htmlScan(t testing.TB, s string) htmlPage {
	t.Helper()
	var p htmlPage
	isLetter := func(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
	isSpace := func(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' }
	for i := 0; i < len(s); {
		if s[i] != '<' {
			j := strings.IndexByte(s[i:], '<')
			if j < 0 {
				j = len(s) - i
			}
			if text := html.UnescapeString(s[i : i+j]); strings.TrimSpace(text) != "" {
				p.Texts = append(p.Texts, text)
			}
			i += j
			continue
		}
		switch {
		case strings.HasPrefix(s[i:], "<!--"):
			j := strings.Index(s[i:], "-->")
			if j < 0 {
				t.Fatalf("unterminated comment at %d", i)
			}
			i += j + 3
			continue
		case strings.HasPrefix(s[i:], "<!"):
			i += strings.IndexByte(s[i:], '>') + 1
			continue
		case strings.HasPrefix(s[i:], "</"):
			j := strings.IndexByte(s[i:], '>')
			if j < 0 {
				t.Fatalf("unterminated end tag at %d", i)
			}
			p.Elems = append(p.Elems, htmlElem{Tag: "/" + strings.ToLower(strings.TrimSpace(s[i+2:i+j]))})
			i += j + 1
			continue
		case i+1 >= len(s) || !isLetter(s[i+1]):
			p.Texts = append(p.Texts, "<")
			i++
			continue
		}
		// A start tag.
		i++
		start := i
		for i < len(s) && !isSpace(s[i]) && s[i] != '>' && s[i] != '/' {
			i++
		}
		e := htmlElem{Tag: strings.ToLower(s[start:i]), Attrs: map[string]string{}}
		for i < len(s) && s[i] != '>' {
			if isSpace(s[i]) || s[i] == '/' {
				i++
				continue
			}
			start := i
			for i < len(s) && !isSpace(s[i]) && s[i] != '>' && s[i] != '=' && s[i] != '/' {
				i++
			}
			name := strings.ToLower(s[start:i])
			value := ""
			if i < len(s) && s[i] == '=' {
				i++
				if i < len(s) && (s[i] == '"' || s[i] == '\'') {
					q := s[i]
					j := strings.IndexByte(s[i+1:], q)
					if j < 0 {
						t.Fatalf("unterminated attribute %s at %d", name, i)
					}
					value = s[i+1 : i+1+j]
					i += j + 2
				} else {
					start := i
					for i < len(s) && !isSpace(s[i]) && s[i] != '>' {
						i++
					}
					value = s[start:i]
				}
			}
			if _, dup := e.Attrs[name]; !dup {
				e.Attrs[name] = html.UnescapeString(value)
			}
		}
		i++ // '>'
		if e.Tag == "script" || e.Tag == "style" {
			end := strings.Index(strings.ToLower(s[i:]), "</"+e.Tag)
			if end < 0 {
				t.Fatalf("unterminated %s element", e.Tag)
			}
			e.Text = s[i : i+end]
			i += end
		}
		p.Elems = append(p.Elems, e)
	}
	return p
}

// count is the number of elements with class.
func (p htmlPage) count(class string) int {
	n := 0
	for _, e := range p.Elems {
		if e.hasClass(class) {
			n++
		}
	}
	return n
}

// tags is the number of start tags named tag.
func (p htmlPage) tags(tag string) int {
	n := 0
	for _, e := range p.Elems {
		if e.Tag == tag {
			n++
		}
	}
	return n
}

// withClass returns the elements with class, in order.
func (p htmlPage) withClass(class string) []htmlElem {
	var out []htmlElem
	for _, e := range p.Elems {
		if e.hasClass(class) {
			out = append(out, e)
		}
	}
	return out
}

// hasText reports whether a text node contains s.
func (p htmlPage) hasText(s string) bool {
	return slices.ContainsFunc(p.Texts, func(t string) bool { return strings.Contains(t, s) })
}

// structure is the page's tag names in order: what markup injected into
// the page would change.
func (p htmlPage) structure() []string {
	out := make([]string, len(p.Elems))
	for i, e := range p.Elems {
		out[i] = e.Tag
	}
	return out
}

// htmlTitleOf is the text of the page's first title element, the
// document's.
func htmlTitleOf(t testing.TB, raw string) string {
	t.Helper()
	i := strings.Index(raw, "<title>")
	j := strings.Index(raw, "</title>")
	if i < 0 || j < i {
		t.Fatal("the page has no title")
	}
	return html.UnescapeString(raw[i+len("<title>") : j])
}

func renderHTML(t testing.TB, doc Document) (string, htmlPage) {
	t.Helper()
	var b bytes.Buffer
	if err := WriteHTML(&b, doc); err != nil {
		t.Fatalf("WriteHTML: %v", err)
	}
	return b.String(), htmlScan(t, b.String())
}

// htmlHostileDoc is a document with s in every string that comes from a
// run: run id, paths, argv, package, category, test id, exception type and
// message, verdict, signatures, modules, stack text and warnings.
func htmlHostileDoc(s string) Document {
	started := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	finished := started.Add(90 * time.Second)
	pkg := "pkg " + s
	test := "tests/test_x.py::test_" + s
	return Document{
		Runs: []RunInfo{{RunID: "run " + s, Dir: "/results/" + s, Status: results.Finished, Started: started, Finished: &finished,
			Argv:        []string{"pyrace", "run", "-C", s},
			Interpreter: results.Interpreter{Path: "/py/" + s, Implementation: s, Version: s, FreeThreaded: true},
			System:      results.System{Hostname: s, OS: s, Arch: s, Kernel: s, CPUs: 4, PyraceVersion: s}, Packages: 2}},
		Categories: []CategoryCount{{Category: results.Crash, Count: 1}, {Category: results.Category(s), Count: 1}},
		Packages: []Summary{
			{Package: pkg, RunID: "run " + s, State: Done, Category: results.Crash, Verdict: "crash: " + s, Passes: 1, Iterations: 3,
				Crashes: []results.SignatureCount{{Signature: "SIGSEGV at " + s, Count: 2}}, GILBaseline: s,
				GILRate: &results.Rate{Failures: 1, Iterations: 3}, GILFallback: []string{s}, FailingTests: 1, FlakyTests: 1},
			{Package: s, State: Interrupted, Category: results.Category(s), Verdict: s},
		},
		Timelines: []Timeline{{Package: pkg, Category: results.Crash, Iterations: []TimelineEntry{
			{Index: 1, Outcome: results.OutcomePass, Duration: 1.25},
			{Index: 2, Outcome: results.OutcomeCrash, Duration: 0.5, Reason: "killed by SIGSEGV: " + s},
			{Index: 3, Outcome: results.Outcome(s), Duration: 2, Reason: s},
		}}},
		Flaky: []Flakiness{{Package: pkg, Failed: 2, Iterations: 3, Pattern: s, Outcomes: ".C" + s,
			Crashes: []results.SignatureCount{{Signature: "SIGSEGV at " + s, Count: 2}},
			Tests: []TestHistory{{ID: test, Failures: 1, Ran: 2, Marks: ".FC", ExcTypes: map[string]int{s: 1, "ValueError": 1},
				Messages: []string{"boom: " + s, s + "\nsecond line"}, LongestFail: 1, LongestPass: 1, FailsWithGIL: true, Threaded: s}}}},
		Compat: []Compat{{Package: pkg, ImportName: s, Probed: true, ProbeError: s, Extensions: []string{s + ".so"},
			OptIns:       []results.OptIn{{File: s, Line: 3, Form: s, Text: s}},
			GILReenabled: true, EnabledBy: []results.GILEnabler{{Module: s, Message: s}},
			EnabledDuring: &results.GILFlip{Test: test, When: "during", Modules: []string{s}}, ImportErrors: []string{s}}},
		StackDumps: []StackDump{{Package: pkg, Index: 2, Mode: results.FreeThreaded, Outcome: results.OutcomeCrash, Signature: s,
			Path: "iterations/" + s + "/stacks.txt", Text: "Thread 1:\n  File \"" + s + "\", line 1 in <module>\n", Truncated: true}},
		Warnings: []string{"warning: " + s},
	}
}

func TestHTMLEscapesHostileStrings(t *testing.T) {
	_, benign := renderHTML(t, htmlHostileDoc("benign"))
	for _, hostile := range []string{
		`<script>alert(1)</script>`,
		`"><img src=x onerror=alert(1)>`,
		`'><svg onload=alert(1)>`,
		`</textarea><script>alert(1)</script>`,
		`</title><script>alert(1)</script>`,
		`</style><script>alert(1)</script>`,
		`]]><!-- --><b>`,
		"tést_ünïcode_日本",
		"a&b",
		"javascript:alert(1)",
	} {
		t.Run(hostile, func(t *testing.T) {
			raw, page := renderHTML(t, htmlHostileDoc(hostile))
			// The page has the same elements as with a benign string:
			// nothing in the string became markup.
			if got, want := page.structure(), benign.structure(); !slices.Equal(got, want) {
				for i := range min(len(got), len(want)) {
					if got[i] != want[i] {
						t.Fatalf("the page's elements differ from a benign document's at element %d: %q, want %q", i, got[i], want[i])
					}
				}
				t.Fatalf("the page has %d elements, a benign document %d", len(got), len(want))
			}
			if page.tags("script") != 1 || page.tags("img") != 0 || page.tags("textarea") != 0 || page.tags("b") != 0 {
				t.Errorf("script, img, textarea, b elements: %d %d %d %d, want 1 0 0 0",
					page.tags("script"), page.tags("img"), page.tags("textarea"), page.tags("b"))
			}
			// It is shown as text, in every part of the page.
			for _, want := range []string{"pkg " + hostile, "tests/test_x.py::test_" + hostile, "boom: " + hostile,
				"crash: " + hostile, "warning: " + hostile, "File \"" + hostile + "\", line 1 in <module>", "SIGSEGV at " + hostile,
				"run " + hostile, "pyrace run -C " + hostile} {
				if !page.hasText(want) {
					t.Errorf("no text node contains %q", want)
				}
			}
			if strings.ContainsAny(hostile, `<>&"'`) && strings.Contains(raw, hostile) {
				t.Errorf("the page contains %q unescaped", hostile)
			}
			if !strings.ContainsAny(hostile, `<>&"'+`) && !strings.Contains(raw, hostile) {
				t.Errorf("the page does not contain %q as is", hostile)
			}
			// In attributes too.
			cats := page.withClass("cat-bar")
			if len(cats) != 2 || cats[1].Attrs["data-category"] != hostile || !cats[1].hasClass("cat-other") {
				t.Errorf("category bars %v: want the second with data-category %q and class cat-other", cats, hostile)
			}
			cells := page.withClass("tl-cell")
			if len(cells) != 3 || !cells[2].hasClass("tl-other") {
				t.Errorf("timeline cells %v: the third, of an unknown outcome, should have class tl-other", cells)
			}
			if !page.hasText("iteration 3: " + hostile + " (2.0s): " + hostile) {
				t.Error("the timeline's tooltip lacks the hostile outcome and reason")
			}
			for _, e := range page.Elems {
				for name, v := range e.Attrs {
					if strings.HasPrefix(name, "on") {
						t.Errorf("<%s> has an event handler attribute %s=%q", e.Tag, name, v)
					}
					if (name == "href" || name == "src") && strings.Contains(v, hostile) {
						t.Errorf("<%s %s=%q> holds run data in a URL", e.Tag, name, v)
					}
				}
			}
		})
	}
}

func TestHTMLContentSecurityPolicy(t *testing.T) {
	raw, page := renderHTML(t, htmlHostileDoc("x"))
	var csp, script string
	scripts := 0
	for _, e := range page.Elems {
		switch {
		case e.Tag == "meta" && strings.EqualFold(e.Attrs["http-equiv"], "Content-Security-Policy"):
			csp = e.Attrs["content"]
		case e.Tag == "script":
			script = e.Text
			scripts++
		}
	}
	if scripts != 1 {
		t.Fatalf("%d script elements, want 1", scripts)
	}
	if script != htmlScript() || !strings.Contains(script, "addEventListener") {
		t.Fatalf("the page's script is not the constant one:\n%s", script)
	}
	sum := sha256.Sum256([]byte(script))
	want := "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	if csp != want {
		t.Fatalf("Content-Security-Policy %q, want %q", csp, want)
	}
	// The policy comes before anything it governs.
	if i, j := strings.Index(raw, "Content-Security-Policy"), strings.Index(raw, "<style>"); i < 0 || j < i {
		t.Error("the policy's meta tag is not before the style sheet")
	}
	// Nothing is loaded from elsewhere.
	for _, e := range page.Elems {
		for _, a := range []string{"src", "href"} {
			if v, ok := e.Attrs[a]; ok && !strings.HasPrefix(v, "#") && !strings.HasPrefix(v, "data:") {
				t.Errorf("<%s %s=%q> loads from outside the page", e.Tag, a, v)
			}
		}
	}
	if strings.Contains(raw, "http://") || strings.Contains(raw, "https://") || strings.Contains(raw, "@import") || strings.Contains(raw, "url(") {
		t.Error("the page refers to the network")
	}
}

func TestHTMLCharts(t *testing.T) {
	summary := func(name string, passes, n int) Summary {
		return Summary{Package: name, State: Done, Category: results.Compatible, Passes: passes, Iterations: n}
	}
	timeline := func(name string, outcomes ...results.Outcome) Timeline {
		tl := Timeline{Package: name}
		for i, o := range outcomes {
			tl.Iterations = append(tl.Iterations, TimelineEntry{Index: i + 1, Outcome: o, Duration: 1.2, Reason: "why " + strconv.Itoa(i+1)})
		}
		return tl
	}
	pass, fail, crash := results.OutcomePass, results.OutcomeFail, results.OutcomeCrash
	for _, tc := range []struct {
		name     string
		doc      Document
		bins     [10]int
		cells    map[string]int // by class
		cellsAll int
	}{
		{name: "empty"},
		{
			name: "bins",
			doc: Document{
				Categories: []CategoryCount{{results.Compatible, 3}, {results.Intermittent, 2}, {results.Crash, 1}, {results.Deadlock, 1}, {results.Unknown, 1}, {"", 2}},
				Packages: []Summary{summary("none", 0, 0), summary("zero", 0, 3), summary("tenth", 1, 10), summary("almost", 99, 100),
					summary("all", 10, 10), summary("one", 1, 1), summary("half", 5, 10), summary("just-under-half", 49, 100),
					summary("third", 1, 3), summary("two-thirds", 2, 3)},
			},
			bins: [10]int{0: 1, 1: 1, 3: 1, 4: 1, 5: 1, 6: 1, 9: 3},
		},
		{
			name: "timelines and heat maps",
			doc: Document{
				Categories: []CategoryCount{{results.Intermittent, 2}, {results.Crash, 1}},
				Timelines: []Timeline{timeline("a", pass, fail, crash, results.OutcomeDeadlock), timeline("b"),
					timeline("c", results.OutcomeLivelock, results.OutcomeTimeout, pass)},
				Flaky: []Flakiness{
					{Package: "a", Tests: []TestHistory{{ID: "t1", Marks: ".FCD"}, {ID: "t2", Marks: "F--."}}},
					{Package: "c", Crashes: []results.SignatureCount{{Signature: "sig", Count: 1}}}, // no tests: no heat map
					{Package: "d", Tests: []TestHistory{{ID: "t3", Marks: "FF"}}},
				},
			},
			cells: map[string]int{"tl-pass": 2, "tl-fail": 1, "tl-crash": 1, "tl-deadlock": 1, "tl-livelock": 1, "tl-timeout": 1,
				"heat-pass": 2, "heat-fail": 4, "heat-crash": 1, "heat-stall": 1, "heat-none": 2},
			cellsAll: 7,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw, page := renderHTML(t, tc.doc)
			cats := page.withClass("cat-bar")
			if len(cats) != len(tc.doc.Categories) {
				t.Fatalf("%d cat-bar elements, want %d", len(cats), len(tc.doc.Categories))
			}
			for i, c := range tc.doc.Categories {
				e := cats[i]
				if e.Tag != "rect" || e.Attrs["data-category"] != string(c.Category) || e.Attrs["data-count"] != strconv.Itoa(c.Count) {
					t.Errorf("cat-bar %d: %v, want a rect for %q with count %d", i, e, c.Category, c.Count)
				}
				if !e.hasClass(htmlCategoryClass(c.Category)) {
					t.Errorf("cat-bar %d (%q) lacks its colour class %s", i, c.Category, htmlCategoryClass(c.Category))
				}
			}
			if len(cats) >= 4 {
				// The longest bar is the most packages'.
				w := func(e htmlElem) float64 { f, _ := strconv.ParseFloat(e.Attrs["width"], 64); return f }
				if !(w(cats[0]) > w(cats[1]) && w(cats[1]) > w(cats[2]) && w(cats[2]) == w(cats[3])) {
					t.Errorf("bar widths %v %v %v %v do not follow the counts", w(cats[0]), w(cats[1]), w(cats[2]), w(cats[3]))
				}
			}
			if slices.ContainsFunc(tc.doc.Categories, func(c CategoryCount) bool { return c.Category == "" }) != page.hasText("no verdict yet") {
				t.Error(`the packages without a verdict should be labelled "no verdict yet", and only then`)
			}

			hist := page.withClass("hist-bar")
			if len(hist) != 10 {
				t.Fatalf("%d hist-bar elements, want 10", len(hist))
			}
			maxH := 0.0
			for i, e := range hist {
				h, err := strconv.ParseFloat(e.Attrs["height"], 64)
				if err != nil || e.Tag != "rect" {
					t.Fatalf("hist-bar %d: %v", i, e)
				}
				if got := e.Attrs["data-count"]; got != strconv.Itoa(tc.bins[i]) {
					t.Errorf("bin %d (%d–%d%%) has %s packages, want %d", i, 10*i, 10*(i+1), got, tc.bins[i])
				}
				if (h > 0) != (tc.bins[i] > 0) {
					t.Errorf("bin %d: height %v for %d packages", i, h, tc.bins[i])
				}
				maxH = max(maxH, h)
			}
			if tc.bins[9] > 0 && maxH != 150 {
				t.Errorf("the tallest bar is %v high, want the plot's 150", maxH)
			}
			for _, label := range []string{"0%", "50%", "100%", "pass rate of the free-threaded iterations", "packages"} {
				if !page.hasText(label) {
					t.Errorf("the histogram lacks the axis label %q", label)
				}
			}

			total := 0
			for _, tl := range tc.doc.Timelines {
				total += len(tl.Iterations)
			}
			if got := page.count("tl-cell"); got != total {
				t.Errorf("%d tl-cell elements, want %d", got, total)
			}
			heat := 0
			for _, fl := range tc.doc.Flaky {
				for _, h := range fl.Tests {
					heat += len(h.Marks)
				}
			}
			if got := page.count("heat-cell"); got != heat {
				t.Errorf("%d heat-cell elements, want %d", got, heat)
			}
			for class, want := range tc.cells {
				if got := page.count(class); got != want {
					t.Errorf("%d %s elements, want %d", got, class, want)
				}
			}
			if tc.cellsAll > 0 {
				if !page.hasText("iteration 2: fail (1.2s): why 2") || !page.hasText("iteration 1: pass (1.2s): why 1") {
					t.Error(`the timeline lacks tooltips like "iteration 2: fail (1.2s): why 2"`)
				}
				if !page.hasText("iteration 3: crashed") || !page.hasText("iteration 2: failed") {
					t.Error("the heat map lacks its tooltips")
				}
				// Rows with the same iterations have their cells in the
				// same columns.
				var xs []string
				for _, e := range page.withClass("tl-cell") {
					xs = append(xs, e.Attrs["x"])
				}
				if xs[0] != "0" || xs[4] != "0" || xs[1] != xs[5] || xs[1] == "0" {
					t.Errorf("timeline cells at x %v, want each row from 0 in shared columns", xs)
				}
			}
			if !strings.HasPrefix(raw, "<!DOCTYPE html>") || !strings.HasSuffix(strings.TrimSpace(raw), "</html>") {
				t.Error("the page is not a whole HTML document")
			}
		})
	}
}

func TestHTMLPassRateBin(t *testing.T) {
	for _, tc := range []struct{ passes, n, want int }{
		{0, 0, -1}, {0, 1, 0}, {1, 1, 9}, {0, 10, 0}, {1, 10, 1}, {9, 100, 0}, {10, 100, 1}, {3, 10, 3}, {7, 10, 7},
		{99, 100, 9}, {9, 10, 9}, {89, 100, 8}, {1, 3, 3}, {2, 3, 6}, {5, 5, 9},
	} {
		if got := htmlPassRateBin(Summary{Passes: tc.passes, Iterations: tc.n}); got != tc.want {
			t.Errorf("%d/%d: bin %d, want %d", tc.passes, tc.n, got, tc.want)
		}
	}
}

func TestHTMLEmptyDocument(t *testing.T) {
	raw, page := renderHTML(t, Document{})
	if page.count("cat-bar") != 0 || page.count("hist-bar") != 10 || page.count("tl-cell") != 0 || page.count("heat-cell") != 0 {
		t.Errorf("an empty document has %d cat-bar, %d hist-bar, %d tl-cell, %d heat-cell elements, want 0, 10, 0, 0",
			page.count("cat-bar"), page.count("hist-bar"), page.count("tl-cell"), page.count("heat-cell"))
	}
	for _, e := range page.withClass("hist-bar") {
		if e.Attrs["height"] != "0" {
			t.Errorf("an empty histogram has a bar %q high", e.Attrs["height"])
		}
	}
	if got := htmlTitleOf(t, raw); got != "pyrace report" {
		t.Errorf("title %q", got)
	}
	for _, want := range []string{"No runs.", "No packages.", "No iterations."} {
		if !page.hasText(want) {
			t.Errorf("the page does not say %q", want)
		}
	}
	for _, id := range []string{"flaky", "compat", "stacks", "warnings"} {
		if strings.Contains(raw, `id="`+id+`"`) {
			t.Errorf("an empty document has a %s section", id)
		}
	}
}

func TestHTMLRunStatus(t *testing.T) {
	started := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	doc := Document{Runs: []RunInfo{
		{RunID: "done-run", Status: results.Finished, Started: started, Finished: &started},
		{RunID: "cut-run", Status: results.Interrupted, Started: started},
		{RunID: "live-run", Status: results.Running, Started: started},
		{RunID: "odd-run", Status: "exploded", Started: started},
		{RunID: "fifth-run", Status: results.Finished, Started: started, Finished: &started},
	}, Packages: []Summary{
		{Package: "cut-short", State: Interrupted, Iterations: 2, Passes: 2},
		{Package: "complete", State: Done, Category: results.Compatible, Iterations: 2, Passes: 2},
	}}
	raw, page := renderHTML(t, doc)
	var marked []string
	for i, e := range page.Elems {
		if e.Tag == "tr" && e.Attrs["data-i"] != "" && e.hasClass("not-finished") {
			marked = append(marked, page.Elems[i+1].Attrs["data-sort"])
		}
	}
	if !slices.Equal(marked, []string{"cut-short"}) || !page.hasText("(interrupted)") {
		t.Errorf("package rows marked unfinished: %v, want the interrupted one, shown as (interrupted)", marked)
	}
	badges := map[string]string{}
	for _, e := range page.Elems {
		if e.Tag == "tr" && e.hasClass("run") {
			for _, c := range strings.Fields(e.Attrs["class"]) {
				if strings.HasPrefix(c, "status-") {
					badges[c] = e.Attrs["class"]
				}
			}
		}
	}
	if len(badges) != 4 {
		t.Errorf("run rows by status class %v, want finished, interrupted, running and other", badges)
	}
	if !strings.Contains(badges["status-interrupted"], "not-finished") || !strings.Contains(badges["status-running"], "not-finished") ||
		strings.Contains(badges["status-finished"], "not-finished") {
		t.Errorf("unfinished runs are not marked: %v", badges)
	}
	banners := page.withClass("banner")
	if len(banners) != 3 {
		t.Fatalf("%d banners, want one for each unfinished run", len(banners))
	}
	for _, want := range []string{"Run cut-run was interrupted", "Run live-run is still running", `Run odd-run has status "exploded"`} {
		if !page.hasText(want) {
			t.Errorf("no banner says %q", want)
		}
	}
	if got := htmlTitleOf(t, raw); got != "pyrace report: done-run, cut-run, live-run and 2 more runs" {
		t.Errorf("title %q", got)
	}
	if !page.hasText("2026-01-02 03:04:05 UTC") {
		t.Error("the start time is not shown in UTC")
	}
}

func htmlLoadTestdata(t testing.TB) Document {
	t.Helper()
	set, err := Load([]string{"testdata/runs/ft-counters", "testdata/runs/ft-crash", "testdata/runs/ft-deadlock", "testdata/runs/ft-cext", "testdata/runs/ft-clean"})
	if err != nil {
		t.Fatal(err)
	}
	return Build(set)
}

func TestHTMLRealRuns(t *testing.T) {
	doc := htmlLoadTestdata(t)
	raw, page := renderHTML(t, doc)
	var again bytes.Buffer
	if err := WriteHTML(&again, doc); err != nil || again.String() != raw {
		t.Fatal("two renderings of the same document differ")
	}
	var pkgs []string
	for _, e := range page.Elems {
		if e.Tag == "td" && e.hasClass("pkg") && e.Attrs["data-sort"] != "" {
			pkgs = append(pkgs, e.Attrs["data-sort"])
		}
	}
	// By severity, as Build sorts them.
	if want := []string{"hang", "segv", "counters", "cext", "clean"}; !slices.Equal(pkgs, want) {
		t.Errorf("packages table rows %v, want %v", pkgs, want)
	}
	for _, want := range []string{"ft-counters", "ft-crash", "ft-deadlock", "ft-cext", "ft-clean", "cpython 3.13.5, free-threaded",
		"3/8 (14–69%)", "intermittent: 5/8 iterations failed; pre-existing: also fails with the GIL",
		"tests/test_cache.py::ConcurrentCacheTest::test_compute_called_once_per_key", "cext._fast",
		"Segmentation fault at string_at (__init__.py:538) < test_null_read (test_segv.py:9) < pytest_pyfunc_call (python.py:195)"} {
		if !page.hasText(want) {
			t.Errorf("the page does not show %q", want)
		}
	}
	stacks := page.withClass("stack")
	if len(doc.StackDumps) == 0 || len(stacks) != len(doc.StackDumps) {
		t.Fatalf("%d stack dumps shown, want %d (and some)", len(stacks), len(doc.StackDumps))
	}
	i := slices.IndexFunc(page.Elems, func(e htmlElem) bool { return e.Tag == "details" && e.hasClass("stack") })
	if tags := page.structure()[i : i+3]; !slices.Equal(tags, []string{"details", "summary", "span"}) {
		t.Errorf("a stack dump is %v, want details, summary…", tags)
	}
	if !page.hasText(`File "/tmp/tmp.LPY6VxKy5g/hang/tests/test_hang.py", line 7 in test_relock`) || !page.hasText("line 260 in <lambda>") {
		t.Error("the deadlock's stack dump is not shown")
	}
	if n := page.count("cat-bar"); n != 5 {
		t.Errorf("%d category bars, want 5", n)
	}
	if got, want := page.count("tl-cell"), 2+3+8+3+4; got != want {
		t.Errorf("%d timeline cells, want %d", got, want)
	}
	if got, want := page.count("heat-cell"), 2*8; got != want {
		t.Errorf("%d heat-map cells, want %d", got, want)
	}
	if got := page.count("heat-fail"); got != 6 {
		t.Errorf("%d failed heat-map cells, want 6 (F..FFF.F and ...F....)", got)
	}
	// The flaky package's row links to its section.
	link := -1
	for i, e := range page.Elems {
		if e.Tag == "a" && strings.HasPrefix(e.Attrs["href"], "#flaky-") {
			link = i
			break
		}
	}
	if link < 0 {
		t.Fatal("no package links to its flaky section")
	}
	anchor := strings.TrimPrefix(page.Elems[link].Attrs["href"], "#")
	if !slices.ContainsFunc(page.Elems, func(e htmlElem) bool { return e.Tag == "article" && e.Attrs["id"] == anchor }) {
		t.Errorf("the link to #%s goes nowhere", anchor)
	}
}

func TestHTMLPackagesTable(t *testing.T) {
	doc := htmlLoadTestdata(t)
	_, page := renderHTML(t, doc)
	var heads, keys []string
	inTable, rows, cells := false, 0, 0
	for _, e := range page.Elems {
		switch {
		case e.Tag == "table" && e.Attrs["id"] == "packages-table":
			inTable = true
		case e.Tag == "/table":
			inTable = false
		case inTable && e.Tag == "th":
			keys = append(keys, e.Attrs["data-key"])
			heads = append(heads, e.Attrs["data-type"])
		case inTable && e.Tag == "tr" && e.Attrs["data-i"] != "":
			if e.Attrs["data-i"] != strconv.Itoa(rows) {
				t.Errorf("row %d has data-i %q", rows, e.Attrs["data-i"])
			}
			rows++
		case inTable && e.Tag == "td":
			cells++
		}
	}
	want := []string{"package", "category", "pass_rate", "iterations", "crashes", "deadlocks", "flaky_tests", "gil_baseline", "tsan_races", "gil_fallback", "verdict"}
	if !slices.Equal(keys, want) {
		t.Errorf("columns %v, want %v", keys, want)
	}
	if rows != len(doc.Packages) || cells != rows*len(want) {
		t.Errorf("%d rows of %d cells, want %d of %d", rows, cells, len(doc.Packages), len(want))
	}
	if !slices.Equal(heads, []string{"", "num", "num", "num", "num", "num", "num", "", "num", "", ""}) {
		t.Errorf("column types %v", heads)
	}
	// The script sorts by the columns it finds.
	for _, k := range []string{"packages-table", "data-key", "data-sort", "data-i", "aria-sort"} {
		if !strings.Contains(htmlScript(), k) {
			t.Errorf("the script does not use %s", k)
		}
	}
}

// htmlManyPackages is a survey of n packages of iterations each.
func htmlManyPackages(n, iterations int) Document {
	var doc Document
	outcomes := []results.Outcome{results.OutcomePass, results.OutcomePass, results.OutcomeFail, results.OutcomePass, results.OutcomeCrash,
		results.OutcomePass, results.OutcomeDeadlock, results.OutcomePass, results.OutcomeTimeout, results.OutcomeLivelock}
	counts := map[results.Category]int{}
	for i := range n {
		name := fmt.Sprintf("package-%04d", i)
		cat := results.Categories()[i%len(results.Categories())]
		counts[cat]++
		s := Summary{Package: name, State: Done, Category: cat, Verdict: string(cat) + ": something happened", Iterations: iterations}
		tl := Timeline{Package: name, Category: cat}
		marks := ""
		for j := range iterations {
			o := outcomes[(i+j)%len(outcomes)]
			if o == results.OutcomePass {
				s.Passes++
				marks += "."
			} else {
				marks += "F"
			}
			tl.Iterations = append(tl.Iterations, TimelineEntry{Index: j + 1, Outcome: o, Duration: 1.5, Reason: "1 test failed: tests/test_x.py::test_y"})
		}
		doc.Packages = append(doc.Packages, s)
		doc.Timelines = append(doc.Timelines, tl)
		if i%20 == 0 {
			doc.Flaky = append(doc.Flaky, Flakiness{Package: name, Iterations: iterations, Tests: []TestHistory{
				{ID: "tests/test_x.py::test_y", Marks: marks}, {ID: "tests/test_x.py::test_z", Marks: marks}}})
		}
	}
	for _, c := range results.Categories() {
		doc.Categories = append(doc.Categories, CategoryCount{Category: c, Count: counts[c]})
	}
	return doc
}

func TestHTMLThousandPackages(t *testing.T) {
	doc := htmlManyPackages(1000, 10)
	_, page := renderHTML(t, doc)
	if got := page.count("tl-cell"); got != 10000 {
		t.Errorf("%d timeline cells, want 10000", got)
	}
	if got := page.count("heat-cell"); got != 50*2*10 {
		t.Errorf("%d heat-map cells, want 1000", got)
	}
	if got := page.count("cat-bar"); got != 10 {
		t.Errorf("%d category bars, want 10", got)
	}
	// Long lists scroll instead of making the page endless.
	if !slices.ContainsFunc(page.Elems, func(e htmlElem) bool { return e.hasClass("timeline") && e.hasClass("scroll") }) {
		t.Error("the timeline of 1,000 packages does not scroll")
	}
}

func BenchmarkWriteHTML1000(b *testing.B) {
	doc := htmlManyPackages(1000, 10)
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := WriteHTML(&buf, doc); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes/page")
}
