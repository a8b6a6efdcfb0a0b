package format

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/pyrace/pyrace/internal/scan"
)

// The reference: the document JSON used to build and marshal with
// encoding/json. The streaming writer must produce the same bytes.

type refReport struct {
	SchemaVersion int             `json:"schema_version"`
	Version       string          `json:"version"`
	Root          string          `json:"root"`
	Files         int             `json:"files"`
	Findings      []refFinding    `json:"findings"`
	Diagnostics   []refDiagnostic `json:"diagnostics"`
	Summary       refSummary      `json:"summary"`
}

type refPosition struct {
	Line      int `json:"line"`
	Column    int `json:"column"`
	EndLine   int `json:"end_line"`
	EndColumn int `json:"end_column"`
}

// toRefPosition converts a position for the reference document.
func toRefPosition(p scan.Position) refPosition {
	return refPosition{Line: p.Line, Column: p.Col, EndLine: p.EndLine, EndColumn: p.EndCol}
}

type refFinding struct {
	RuleID   string `json:"rule_id"`
	RuleName string `json:"rule_name"`
	File     string `json:"file"`
	refPosition
	Symbol      string       `json:"symbol"`
	Message     string       `json:"message"`
	Confidence  string       `json:"confidence"`
	Fix         string       `json:"fix"`
	Related     []refRelated `json:"related"`
	Fingerprint string       `json:"fingerprint"`
}

type refRelated struct {
	File string `json:"file"`
	refPosition
	Message string `json:"message"`
}

type refDiagnostic struct {
	Kind string `json:"kind"`
	File string `json:"file"`
	refPosition
	Message string `json:"message"`
}

type refSummary struct {
	Findings     int            `json:"findings"`
	Diagnostics  int            `json:"diagnostics"`
	ByConfidence map[string]int `json:"by_confidence"`
	ByRule       map[string]int `json:"by_rule"`
}

// referenceJSON is the encoding/json implementation JSON replaced.
func referenceJSON(w io.Writer, r Report) error {
	doc := refReport{
		SchemaVersion: JSONSchemaVersion,
		Version:       r.Version,
		Root:          r.Root,
		Files:         r.Files,
		Findings:      make([]refFinding, 0, len(r.Findings)),
		Diagnostics:   make([]refDiagnostic, 0, len(r.Diagnostics)),
	}
	for _, f := range r.Findings {
		jf := refFinding{
			RuleID:      f.RuleID,
			RuleName:    f.RuleName,
			File:        f.File,
			refPosition: toRefPosition(f.Position),
			Symbol:      f.Symbol,
			Message:     f.Message,
			Confidence:  string(f.Confidence),
			Fix:         f.Fix,
			Related:     make([]refRelated, 0, len(f.Related)),
			Fingerprint: f.Fingerprint,
		}
		for _, rel := range f.Related {
			jf.Related = append(jf.Related, refRelated{File: rel.File, refPosition: toRefPosition(rel.Position), Message: rel.Message})
		}
		doc.Findings = append(doc.Findings, jf)
	}
	for _, d := range r.Diagnostics {
		doc.Diagnostics = append(doc.Diagnostics, refDiagnostic{Kind: string(d.Kind), File: d.File, refPosition: toRefPosition(d.Position), Message: d.Message})
	}
	c := countFindings(r.Findings)
	doc.Summary = refSummary{
		Findings:     len(r.Findings),
		Diagnostics:  len(r.Diagnostics),
		ByConfidence: map[string]int{string(scan.High): c.high, string(scan.Medium): c.medium, string(scan.Low): c.low},
		ByRule:       c.byRule,
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("format: writing JSON: %w", err)
	}
	return nil
}

// compareWithReference fails t unless JSON writes r exactly as
// referenceJSON does, and the output is valid JSON.
func compareWithReference(t *testing.T, r Report) {
	t.Helper()
	var want, got bytes.Buffer
	if err := referenceJSON(&want, r); err != nil {
		t.Fatal(err)
	}
	if err := JSON(&got, r); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		g, w := got.Bytes(), want.Bytes()
		i := 0
		for i < len(g) && i < len(w) && g[i] == w[i] {
			i++
		}
		t.Fatalf("output differs from encoding/json at byte %d:\n--- got:\n%q\n--- want:\n%q", i, g[max(0, i-80):min(len(g), i+80)], w[max(0, i-80):min(len(w), i+80)])
	}
	if !json.Valid(got.Bytes()) {
		t.Fatalf("invalid JSON:\n%s", got.Bytes())
	}
}

// hostile is a string with everything JSON escaping must get right:
// quotes, backslashes, every C0 control, DEL, HTML, invalid UTF-8, the
// JavaScript line separators, U+FFFD itself, emoji and other non-BMP
// characters.
func hostile() string {
	var b strings.Builder
	b.WriteString(`"quoted" back\slash \\ \" \n / `)
	for c := range 0x20 {
		b.WriteByte(byte(c))
	}
	b.WriteString("\x7f<script>&amp;</script> > <")
	b.WriteString("\xff\xfe\x80 \xc3 \xe2\x80 \xed\xa0\x80 \xf4\x90\x80\x80 \xc0\xaf")
	b.WriteString("\u2028\u2029\u2027\u202a\ufffd\ufeff\u0085")
	b.WriteString("🙂👩‍👩‍👧 𝄞 \U0010ffff 日本語 é e\u0301")
	b.WriteString("\xe2") // truncated sequence at the very end
	return b.String()
}

// findingWith returns a finding whose every string is s.
func findingWith(s string, p scan.Position, rel ...scan.Related) scan.Finding {
	return scan.Finding{
		RuleID: s, RuleName: s, File: s, Position: p, Symbol: s, Message: s,
		Confidence: scan.Confidence(s), Fix: s, Related: rel, Fingerprint: s,
	}
}

// manyReport returns a report of n findings, a quarter of them with a
// related location, and n/10 diagnostics: over a megabyte of JSON for
// n = 3000, so several flushes with findings across the chunk boundaries.
func manyReport(n int) Report {
	r := Report{Files: 1 << 20, Version: "v", Root: "/r"}
	for i := range n {
		f := findingWith(fmt.Sprintf("FT%03d %s", i%17, strings.Repeat("x", i%50)), scan.Position{Line: i, Col: i % 80, EndLine: i + 1, EndCol: 3})
		f.Confidence = []scan.Confidence{scan.High, scan.Medium, scan.Low}[i%3]
		if i%4 == 0 {
			f.Related = []scan.Related{{File: "r.py", Position: scan.Position{Line: i}, Message: "rel"}}
		}
		r.Findings = append(r.Findings, f)
		if i%10 == 0 {
			r.Diagnostics = append(r.Diagnostics, scan.Diagnostic{Kind: scan.ParseError, File: "d.py", Position: scan.Position{Line: i}, Message: "bad"})
		}
	}
	return r
}

// TestJSONWriterMatchesEncodingJSON compares JSON with the encoding/json
// reference byte for byte on hand-picked reports.
func TestJSONWriterMatchesEncodingJSON(t *testing.T) {
	h := hostile()
	big := scan.Position{Line: math.MaxInt, Col: math.MinInt, EndLine: -1, EndCol: 1 << 40}
	for name, r := range map[string]Report{
		"zero":   {},
		"empty":  emptyReport(),
		"sample": sampleReport(),
		"no related": {Findings: []scan.Finding{
			{RuleID: "FT001", File: "a.py", Position: scan.Position{Line: 1, Col: 1}, Message: "m", Confidence: scan.High},
			{RuleID: "FT001", File: "a.py", Position: scan.Position{Line: 2, Col: 1}, Message: "m", Confidence: scan.High, Related: []scan.Related{}},
		}},
		"related": {Findings: []scan.Finding{findingWith("x", scan.Position{Line: 1},
			scan.Related{File: "a", Message: "one"}, scan.Related{File: "b", Position: scan.Position{Line: 2, Col: 3, EndLine: 4, EndCol: 5}, Message: "two"})}},
		"diagnostics only": {Diagnostics: []scan.Diagnostic{
			{Kind: scan.ParseError, File: "bad.py", Position: scan.Position{Line: 3, Col: 7}, Message: "invalid syntax"},
			{Kind: scan.IOError, Message: "walk: too many symlinks"},
			{Kind: scan.UnusedIgnore, File: "u.py", Position: scan.Position{Line: 1, Col: 1, EndLine: 1, EndCol: 9}, Message: "unused"},
			{Kind: scan.UnknownRule, File: "k.py", Message: "unknown rule FT999"},
		}},
		"unicode": {Root: "/home/ünï/日本", Version: "1.0-β", Findings: []scan.Finding{
			findingWith("src/ünï cödé/my mod.py 键 🙂", scan.Position{Line: 1, Col: 2}),
		}},
		"hostile": {Root: h, Version: h, Files: -3,
			Findings: []scan.Finding{
				findingWith(h, big, scan.Related{File: h, Position: big, Message: h}),
				findingWith(h[:len(h)/2], big),
				findingWith("\xff", big),
				findingWith("\xfe", big),
				findingWith("<", scan.Position{}),
				findingWith("", scan.Position{}),
			},
			Diagnostics: []scan.Diagnostic{{Kind: scan.DiagnosticKind(h), File: h, Position: big, Message: h}},
		},
		"large numbers": {Files: math.MaxInt, Findings: []scan.Finding{
			findingWith("n", scan.Position{Line: math.MaxInt, Col: math.MinInt, EndLine: math.MaxInt32, EndCol: math.MinInt32}),
		}},
		"many": manyReport(3000),
	} {
		t.Run(name, func(t *testing.T) { compareWithReference(t, r) })
	}
}

// TestAppendJSONStringEachByteAndRune compares the escaping of every byte,
// at every offset of the 8-byte fast path, and of edge runes with
// encoding/json's.
func TestAppendJSONStringEachByteAndRune(t *testing.T) {
	check := func(s string) {
		t.Helper()
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		want := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		if got := appendJSONString(nil, s); !bytes.Equal(got, want) {
			t.Errorf("appendJSONString(%q) = %s, want %s", s, got, want)
		}
	}
	for c := range 256 {
		check(string([]byte{byte(c)}))
		// Every position in and around the 8-byte words the fast path
		// reads, next to plain bytes, spaces, ~ and the bytes around
		// the ones it must catch.
		for k := range 17 {
			for _, fill := range []string{"a", " ", "~", "!", "#", "[", "]", "\x7f"} {
				check(strings.Repeat(fill, k) + string([]byte{byte(c)}) + strings.Repeat(fill, 16-k))
			}
		}
	}
	for _, r := range []rune{0x80, 0x7ff, 0x800, 0x2027, 0x2028, 0x2029, 0x202a, 0xd7ff, 0xe000, 0xfffd, 0xffff, 0x10000, 0x10ffff} {
		check(string(r))
		check("x" + string(r) + "\\")
	}
}

// TestJSONPlainPrefix checks the word-at-a-time scan against a byte-by-byte
// one for every pair of byte values in several layouts.
func TestJSONPlainPrefix(t *testing.T) {
	plain := func(c byte) bool { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\' }
	for a := range 256 {
		for b := range 256 {
			for _, w := range []string{
				strings.Repeat(string([]byte{byte(a), byte(b)}), 8),
				string([]byte{byte(a)}) + strings.Repeat(string([]byte{byte(b)}), 10),
				strings.Repeat(string([]byte{byte(b)}), 7) + string([]byte{byte(a)}) + "xyz",
				strings.Repeat(string([]byte{byte(b)}), 11) + string([]byte{byte(a)}) + "xyz",
			} {
				want := 0
				for want < len(w) && plain(w[want]) {
					want++
				}
				if got := jsonPlainPrefix(w); got != want {
					t.Fatalf("jsonPlainPrefix(%q) = %d, want %d", w, got, want)
				}
			}
		}
	}
}

// failAfter accepts n bytes and then fails.
type failAfter struct{ n int }

// Write accepts what fits in the remaining budget and fails on the rest.
func (w *failAfter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.n = 0
		return k, errors.New("disk full")
	}
	w.n -= len(p)
	return len(p), nil
}

// shortWriter accepts at most half of each write and reports no error.
type shortWriter struct{}

// Write takes half of p.
func (shortWriter) Write(p []byte) (int, error) { return len(p) / 2, nil }

// TestJSONWriterErrors checks that a failed or short write mid-document
// comes back wrapped.
func TestJSONWriterErrors(t *testing.T) {
	var r Report
	for i := range 2000 {
		r.Findings = append(r.Findings, findingWith(strings.Repeat("y", 40), scan.Position{Line: i}))
	}
	err := JSON(&failAfter{n: jsonFlushSize + 10}, r)
	if err == nil || err.Error() != "format: writing JSON: disk full" {
		t.Errorf("error %v, want the write error wrapped", err)
	}
	err = JSON(shortWriter{}, r)
	if !errors.Is(err, io.ErrShortWrite) || !strings.HasPrefix(err.Error(), "format: writing JSON: ") {
		t.Errorf("error %v, want a wrapped io.ErrShortWrite", err)
	}
}

// FuzzJSONWriter builds reports from fuzzed strings and integers (the
// shape bits choose how many findings, related locations and diagnostics)
// and compares JSON with the encoding/json reference.
func FuzzJSONWriter(f *testing.F) {
	f.Add("FT001", "pkg/a.py", "msg \"q\" \\ \n\t", 10, -1, uint16(0x1ff))
	f.Add(hostile(), "\u2028\u2029", "\xff\xfe", math.MaxInt, math.MinInt, uint16(0xffff))
	f.Add("", "", "", 0, 0, uint16(0))
	f.Add("<script>&</script>", "🙂 𝄞", "\x00\x1f\x7f", 1, 2, uint16(7))
	f.Fuzz(func(t *testing.T, a, b, c string, n, m int, shape uint16) {
		strs := []string{a, b, c, a + b, b + c, c + a}
		confs := []scan.Confidence{scan.High, scan.Medium, scan.Low, scan.Confidence(a), scan.Confidence(c)}
		pos := func(k int) scan.Position {
			return scan.Position{Line: n + k, Col: m - k, EndLine: n ^ m, EndCol: -n}
		}
		r := Report{Version: a, Root: b, Files: m}
		for i := range int(shape % 5) {
			fi := scan.Finding{
				RuleID: strs[i%len(strs)], RuleName: strs[(i+1)%len(strs)], File: strs[(i+2)%len(strs)],
				Position: pos(i), Symbol: strs[(i+3)%len(strs)], Message: strs[(i+4)%len(strs)],
				Confidence: confs[(i+int(shape>>8))%len(confs)], Fix: strs[(i+5)%len(strs)],
				Fingerprint: strs[(i+int(shape>>12))%len(strs)],
			}
			for k := range int(shape>>3) % 4 {
				fi.Related = append(fi.Related, scan.Related{File: strs[(i+k)%len(strs)], Position: pos(k), Message: strs[(i+k+1)%len(strs)]})
			}
			if shape&0x4000 != 0 && fi.Related == nil {
				fi.Related = []scan.Related{}
			}
			r.Findings = append(r.Findings, fi)
		}
		for i := range int(shape>>5) % 3 {
			r.Diagnostics = append(r.Diagnostics, scan.Diagnostic{Kind: scan.DiagnosticKind(strs[i]), File: strs[i+1], Position: pos(-i), Message: strs[i+2]})
		}
		compareWithReference(t, r)
	})
}

// BenchmarkJSON compares the streaming writer with encoding/json on a
// report of 3000 findings.
func BenchmarkJSON(b *testing.B) {
	r := manyReport(3000)
	for name, f := range map[string]func(io.Writer, Report) error{"stream": JSON, "encoding-json": referenceJSON} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := f(io.Discard, r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
