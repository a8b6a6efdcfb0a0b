package format

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyrace/pyrace/internal/scan"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// sources are the files of the sample report.
func sources() map[string]string {
	return map[string]string{
		"pkg/counter.py": `import threading


class Counter:
    def __init__(self):
        self._lock = threading.Lock()
        self.count = 0  # pyrace: ignore[FT001]

    def incr(self):
        self.count += 1

    def reset(self):
        with self._lock:
            self.count = 0
`,
		// Tabs, wide characters (CJK, emoji) and a combining accent.
		"src/ünï cödé/my mod.py": "# -*- coding: utf-8 -*-\n" +
			"CACHE = {}\n" +
			"def get(键):\n" +
			"\tif 键 not in CACHE:\n" +
			"\t\tCACHE[键] = \"日本語🙂\" + make(键)\n" +
			"\treturn CACHE[键]\n" +
			"def tag(e\u0301):\n" +
			"\tCACHE[\"é\"]\t= e\u0301  # tab inside\n",
		// A byte-order mark and CRLF line ends.
		"pkg/long.py": "\uFEFFimport threading\r\n" +
			"ITEMS = {}\r\n" +
			"LOCK = threading.Lock()\r\n" +
			"def dump():\r\n" +
			"    for k, v in ITEMS.items():\r\n" +
			"        print(k)\r\n" +
			"        print(v)\r\n" +
			"        print(k, v)\r\n" +
			"def put(k, v):\r\n" +
			"    ITEMS[k] = v\r\n" +
			"x = 1; lazy = None; exec('\x1b[31m')\r\n",
	}
}

func sourceFunc(files map[string]string) func(string) ([]byte, error) {
	return func(name string) ([]byte, error) {
		s, ok := files[name]
		if !ok {
			return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
		}
		return []byte(s), nil
	}
}

func rules() []scan.RuleMeta {
	return []scan.RuleMeta{
		{
			ID: "FT001", Name: "rmw-counter", Shape: "read-modify-write",
			Summary:      "A shared counter is read, changed and written back without a lock.",
			Rationale:    "Without the GIL two threads can read the same old value and one increment is lost.",
			Fix:          "Hold the lock that guards the counter, or use itertools.count().",
			Confidence:   scan.High,
			Example:      "self.count += 1\n",
			FixedExample: "with self._lock:\n    self.count += 1\n",
			Seed:         "000 shape 1",
		},
		{
			ID: "FT003", Name: "iterate-while-mutated", Shape: "iterate while mutated",
			Summary:    "A shared container is iterated while other code mutates it.",
			Rationale:  "Iteration raises RuntimeError or skips items when another thread changes the size.",
			Fix:        "Iterate over a copy: list(d.items()).",
			Confidence: scan.Medium,
		},
		{
			ID: "FT005", Name: "check-then-act", Shape: "check-then-act",
			Summary:    "A membership or existence check is followed by an action that assumes it still holds.",
			Rationale:  "Another thread can act between the check and the action.",
			Fix:        "Use dict.setdefault, dict.pop(k, None) or a lock.",
			Confidence: scan.Medium,
			Example:    "if k not in d:\n    d[k] = v\n",
		},
		{
			ID: "FT010", Name: "unlocked-lazy-init", Shape: "lazy init",
			Summary:    "Lazy initialisation without a lock.",
			Confidence: scan.Low,
		},
	}
}

// sampleReport has findings with related locations, unicode paths with
// spaces, tabs and wide characters, a span longer than the frame, a file
// that cannot be read, and diagnostics.
func sampleReport() Report {
	mod := "src/ünï cödé/my mod.py"
	return Report{
		Findings: []scan.Finding{
			{
				RuleID: "FT001", RuleName: "rmw-counter", File: "pkg/counter.py",
				Position: scan.Position{Line: 10, Col: 9, EndLine: 10, EndCol: 24},
				Symbol:   "Counter.incr",
				Message:  "self.count is read, incremented and written back without self._lock",
				Fix:      "hold self._lock around the update, or use itertools.count()",
				Related: []scan.Related{{
					File:     "pkg/counter.py",
					Position: scan.Position{Line: 14, Col: 13, EndLine: 14, EndCol: 27},
					Message:  "written under self._lock in reset()",
				}, {
					File:     "pkg/counter.py",
					Position: scan.Position{Line: 6, Col: 9, EndLine: 6, EndCol: 39},
					Message:  "self._lock is created here",
				}},
				Confidence:  scan.High,
				Fingerprint: "ft001:pkg/counter.py:Counter.incr:1f2e3d4c",
			},
			{
				RuleID: "FT003", RuleName: "iterate-while-mutated", File: "pkg/long.py",
				Position:    scan.Position{Line: 5, Col: 5, EndLine: 8, EndCol: 20},
				Symbol:      "dump",
				Message:     "ITEMS is iterated while put() adds to it",
				Fix:         "iterate over list(ITEMS.items())",
				Related:     []scan.Related{{File: "pkg/long.py", Position: scan.Position{Line: 10, Col: 5, EndLine: 10, EndCol: 17}, Message: "ITEMS is mutated in put()"}},
				Confidence:  scan.Medium,
				Fingerprint: "ft003:pkg/long.py:dump:9a8b7c6d",
			},
			{
				// No end column: one caret; a control character in the line.
				RuleID: "FT010", RuleName: "unlocked-lazy-init", File: "pkg/long.py",
				Position:    scan.Position{Line: 11, Col: 8},
				Symbol:      "<module>",
				Message:     "lazy is initialised without a lock",
				Confidence:  scan.Low,
				Fingerprint: "ft010:pkg/long.py:<module>:00aa11bb",
			},
			{
				RuleID: "FT005", RuleName: "check-then-act", File: mod,
				Position:    scan.Position{Line: 4, Col: 2, EndLine: 5, EndCol: 32},
				Symbol:      "get",
				Message:     "CACHE[键] is set after checking 键 not in CACHE; another thread can set it in between",
				Fix:         "use CACHE.setdefault(键, value)",
				Related:     []scan.Related{{File: mod, Position: scan.Position{Line: 4, Col: 2, EndLine: 4, EndCol: 19}, Message: "the check"}},
				Confidence:  scan.Medium,
				Fingerprint: "ft005:src/ünï cödé/my mod.py:get:55aa66bb",
			},
			{
				RuleID: "FT005", RuleName: "check-then-act", File: mod,
				Position:    scan.Position{Line: 5, Col: 21, EndLine: 5, EndCol: 30},
				Symbol:      "get",
				Message:     "the span starts after wide characters",
				Confidence:  scan.Medium,
				Fingerprint: "ft005:src/ünï cödé/my mod.py:get:77cc88dd",
			},
			{
				RuleID: "FT001", RuleName: "rmw-counter", File: mod,
				Position:    scan.Position{Line: 8, Col: 12, EndLine: 8, EndCol: 17},
				Symbol:      "tag",
				Message:     "a span over a tab inside the line and a combining accent",
				Confidence:  scan.High,
				Fingerprint: "ft001:src/ünï cödé/my mod.py:tag:99ee00ff",
			},
			{
				// The file vanished: no frame.
				RuleID: "FT007", RuleName: "global-state-write", File: "gone.py",
				Position:    scan.Position{Line: 3, Col: 5, EndLine: 3, EndCol: 12},
				Symbol:      "f",
				Message:     "global TOTAL is written from f()",
				Fix:         "keep TOTAL in an object guarded by a lock",
				Confidence:  scan.High,
				Fingerprint: "ft007:gone.py:f:abcdef01",
			},
		},
		Diagnostics: []scan.Diagnostic{
			{Kind: scan.ParseError, File: "bad.py", Position: scan.Position{Line: 3, Col: 7}, Message: "invalid syntax"},
			{Kind: scan.UnusedIgnore, File: "pkg/counter.py", Position: scan.Position{Line: 7, Col: 25, EndLine: 7, EndCol: 48}, Message: "suppression of FT001 matches no finding"},
			{Kind: scan.IOError, File: "secret dir/locked.py", Message: "open: permission denied"},
		},
		Rules:   rules(),
		Files:   5,
		Root:    "/home/dev/my project",
		Version: "0.3.1",
		Source:  sourceFunc(sources()),
	}
}

func emptyReport() Report {
	return Report{Rules: rules(), Files: 3, Root: "/home/dev/clean", Version: "0.3.1-dev+abc123", Source: sourceFunc(sources())}
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run with -update to rewrite it)\n--- got:\n%s\n--- want:\n%s", name, got, want)
	}
}

func render(t *testing.T, f func(*bytes.Buffer) error) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := f(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestGolden(t *testing.T) {
	reports := map[string]Report{"sample": sampleReport(), "empty": emptyReport()}
	for name, r := range reports {
		t.Run(name, func(t *testing.T) {
			golden(t, name+".text.golden", render(t, func(b *bytes.Buffer) error { return Text(b, r, DefaultOptions()) }))
			golden(t, name+".text-color.golden", render(t, func(b *bytes.Buffer) error { return Text(b, r, Options{Color: true, ShowSource: true}) }))
			golden(t, name+".text-concise.golden", render(t, func(b *bytes.Buffer) error { return Text(b, r, Options{}) }))
			golden(t, name+".json.golden", render(t, func(b *bytes.Buffer) error { return JSON(b, r) }))
			golden(t, name+".sarif.golden", render(t, func(b *bytes.Buffer) error { return SARIF(b, r) }))
			golden(t, name+".github.golden", render(t, func(b *bytes.Buffer) error { return GitHub(b, r) }))
			golden(t, name+".junit.golden", render(t, func(b *bytes.Buffer) error { return JUnit(b, r) }))
		})
	}
}

func TestTextColourOnlyWhenAsked(t *testing.T) {
	r := sampleReport()
	plain := string(render(t, func(b *bytes.Buffer) error { return Text(b, r, DefaultOptions()) }))
	if strings.Contains(plain, "\x1b") {
		t.Error("escape sequence in uncoloured text (including one from the scanned file)")
	}
	col := string(render(t, func(b *bytes.Buffer) error { return Text(b, r, Options{Color: true, ShowSource: true}) }))
	for _, want := range []string{ansiBold + "pkg/counter.py" + ansiReset, ansiRed + "FT001" + ansiReset, ansiYellow + "[high]" + ansiReset, ansiBlue + "10 |" + ansiReset} {
		if !strings.Contains(col, want) {
			t.Errorf("coloured text lacks %q", want)
		}
	}
	if strings.Contains(col, "\x1b[31m')") {
		t.Error("the escape sequence from the scanned file reached the terminal")
	}
}

func TestTextNoSourceFunc(t *testing.T) {
	r := sampleReport()
	r.Source = nil
	got := string(render(t, func(b *bytes.Buffer) error { return Text(b, r, DefaultOptions()) }))
	if strings.Contains(got, " | ") {
		t.Errorf("code frame without a Source function:\n%s", got)
	}
}

func TestTextSummaries(t *testing.T) {
	one := Report{Files: 1, Findings: []scan.Finding{{RuleID: "FT001", File: "a.py", Position: scan.Position{Line: 1, Col: 1}, Message: "m", Confidence: scan.High}}}
	parseOnly := Report{Files: 2, Diagnostics: []scan.Diagnostic{{Kind: scan.ParseError, File: "b.py", Position: scan.Position{Line: 1, Col: 1}, Message: "bad"}}}
	warnOnly := Report{Files: 1, Diagnostics: []scan.Diagnostic{{Kind: scan.UnusedIgnore, File: "b.py", Position: scan.Position{Line: 1, Col: 1}, Message: "unused"}}}
	for _, tc := range []struct {
		r    Report
		want string
	}{
		{one, "a.py:1:1: FT001 [high] m\nFound 1 finding (1 high, 0 medium) in 1 file.\n"},
		{parseOnly, "b.py:1:1: parse-error: bad\nNo findings in 2 files.\n1 diagnostic (1 parse-error).\n"},
		{warnOnly, "b.py:1:1: unused-ignore: unused\nAll checks passed! (1 file)\n1 diagnostic (1 unused-ignore).\n"},
		{Report{}, "All checks passed! (0 files)\n"},
		{Report{Diagnostics: []scan.Diagnostic{{Kind: scan.IOError, Message: "walk: too many symlinks"}}}, "pyrace: io-error: walk: too many symlinks\nNo findings in 0 files.\n1 diagnostic (1 io-error).\n"},
	} {
		got := string(render(t, func(b *bytes.Buffer) error { return Text(b, tc.r, Options{}) }))
		if got != tc.want {
			t.Errorf("got\n%s\nwant\n%s", got, tc.want)
		}
	}
}

// TestCaretAlignment checks code frames cell by cell: the carets must stand
// under the span however tabs and wide characters come before it.
func TestCaretAlignment(t *testing.T) {
	for _, tc := range []struct {
		name       string
		line       string
		s, e       int // 1-based, e exclusive
		text, want string
	}{
		{"ascii", "x = y + 1", 5, 10, "x = y + 1", "    ^^^^^"},
		{"tab indent", "\tx += 1", 2, 8, "    x += 1", "    ^^^^^^"},
		{"two tabs", "\t\tx", 3, 4, "        x", "        ^"},
		{"tab mid-line", "ab\tc", 4, 5, "ab  c", "    ^"},
		{"tab in span", "a\tb", 1, 4, "a   b", "^^^^^"},
		{"tab after wide", "键\tx", 3, 4, "键  x", "    ^"},
		{"wide before", "键 = 1", 3, 4, "键 = 1", "   ^"},
		{"wide in span", "x = '日本'", 5, 9, "x = '日本'", "    ^^^^^^"},
		{"emoji", "s = '🙂'; t", 10, 11, "s = '🙂'; t", "          ^"},
		{"combining", "e\u0301 = 1", 4, 5, "e\u0301 = 1", "  ^"},
		{"control char", "a\x1bb", 3, 4, "a\u241bb", "  ^"},
		{"no end", "abc", 2, 3, "abc", " ^"},
		{"past the end", "abc", 4, 5, "abc", "   ^"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text, under := renderSpan([]rune(tc.line), tc.s, tc.e)
			if text != tc.text || under != tc.want {
				t.Errorf("renderSpan(%q, %d, %d) =\n%q\n%q\nwant\n%q\n%q", tc.line, tc.s, tc.e, text, under, tc.text, tc.want)
			}
		})
	}
}

func TestLongLineWindow(t *testing.T) {
	line := []rune(strings.Repeat("a", 500) + "TARGET" + strings.Repeat("b", 500))
	text, under := renderSpan(line, 501, 507)
	if n := len([]rune(text)); n > maxLineRunes+2 {
		t.Errorf("line of %d characters shown as %d", len(line), n)
	}
	i := strings.Index(text, "TARGET")
	if i < 0 {
		t.Fatalf("span not shown: %q", text)
	}
	col := len([]rune(text[:i]))
	if want := strings.Repeat(" ", col) + "^^^^^^"; under != want {
		t.Errorf("underline %q, want %q", under, want)
	}
}

func TestSplitLines(t *testing.T) {
	got := splitLines("\uFEFFa\r\nb\rc\n\nd")
	want := []string{"a", "b", "c", "", "d"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("splitLines = %q, want %q", got, want)
	}
}

func TestJSONDocument(t *testing.T) {
	for name, r := range map[string]Report{"sample": sampleReport(), "empty": emptyReport()} {
		out := render(t, func(b *bytes.Buffer) error { return JSON(b, r) })
		var doc map[string]any
		if err := json.Unmarshal(out, &doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, k := range []string{"schema_version", "version", "root", "files", "findings", "diagnostics", "summary"} {
			if _, ok := doc[k]; !ok {
				t.Errorf("%s: no %q", name, k)
			}
		}
		if _, ok := doc["findings"].([]any); !ok {
			t.Errorf("%s: findings is %T, want a list", name, doc["findings"])
		}
		if _, ok := doc["diagnostics"].([]any); !ok {
			t.Errorf("%s: diagnostics is %T, want a list", name, doc["diagnostics"])
		}
		sum := doc["summary"].(map[string]any)
		if got := int(sum["findings"].(float64)); got != len(r.Findings) {
			t.Errorf("%s: summary.findings = %d, want %d", name, got, len(r.Findings))
		}
	}
	out := string(render(t, func(b *bytes.Buffer) error { return JSON(b, sampleReport()) }))
	for _, want := range []string{`"by_rule": {`, `"FT005": 2`, `"by_confidence": {`, `"high": 3`, `"<module>"`, `"related": []`} {
		if !strings.Contains(out, want) {
			t.Errorf("JSON lacks %s", want)
		}
	}
}

func TestGitHubEscaping(t *testing.T) {
	r := Report{
		Root: "/w/r,oot:x",
		Findings: []scan.Finding{{
			RuleID: "FT001", RuleName: "rmw-counter", File: "dir,a/b:c%d.py",
			Position:   scan.Position{Line: 2, Col: 3, EndLine: 2, EndCol: 9},
			Message:    "100% racy: a, b\r\nnext line\x1b[0m",
			Fix:        "use a lock",
			Confidence: scan.High,
		}, {
			RuleID: "FT003", RuleName: "iterate-while-mutated", File: "/abs/x.py",
			Position:   scan.Position{Line: 5, Col: 1, EndLine: 7, EndCol: 4},
			Message:    "m",
			Confidence: scan.Medium,
		}, {
			RuleID: "FT010", File: "y.py", Position: scan.Position{Line: 1, Col: 1},
			Message: "low", Confidence: scan.Low,
		}},
		Diagnostics: []scan.Diagnostic{{Kind: scan.UnknownRule, File: "z.py", Position: scan.Position{Line: 4, Col: 2}, Message: "unknown rule FT999"}},
	}
	got := string(render(t, func(b *bytes.Buffer) error { return GitHub(b, r) }))
	want := "::error file=/w/r%2Coot%3Ax/dir%2Ca/b%3Ac%25d.py,line=2,col=3,endLine=2,endColumn=9,title=FT001 rmw-counter::" +
		"dir,a/b:c%25d.py:2:3: FT001 [high] 100%25 racy: a, b%0D%0Anext line\u241b[0m%0Afix: use a lock\n" +
		"::warning file=/abs/x.py,line=5,col=1,endLine=7,endColumn=4,title=FT003 iterate-while-mutated::/abs/x.py:5:1: FT003 [medium] m\n" +
		"::notice file=/w/r%2Coot%3Ax/y.py,line=1,col=1,title=FT010::y.py:1:1: FT010 [low] low\n" +
		"::warning file=/w/r%2Coot%3Ax/z.py,line=4,col=2,title=pyrace unknown-rule::z.py:4:2: unknown-rule: unknown rule FT999\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	for _, line := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
		if !strings.HasPrefix(line, "::") {
			t.Errorf("not a workflow command: %q", line)
		}
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteErrorsWrapped(t *testing.T) {
	r := sampleReport()
	for name, f := range map[string]func() error{
		"text":   func() error { return Text(failWriter{}, r, DefaultOptions()) },
		"json":   func() error { return JSON(failWriter{}, r) },
		"sarif":  func() error { return SARIF(failWriter{}, r) },
		"github": func() error { return GitHub(failWriter{}, r) },
		"junit":  func() error { return JUnit(failWriter{}, r) },
	} {
		err := f()
		if err == nil || !strings.Contains(err.Error(), "disk full") || !strings.HasPrefix(err.Error(), "format: ") {
			t.Errorf("%s: error %v, want a wrapped write error", name, err)
		}
	}
}
