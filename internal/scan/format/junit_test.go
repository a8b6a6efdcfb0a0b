package format

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
)

// junitDoc is what a CI system reads back.
type junitDoc struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Suites   []struct {
		Name       string `xml:"name,attr"`
		Tests      int    `xml:"tests,attr"`
		Failures   int    `xml:"failures,attr"`
		Errors     int    `xml:"errors,attr"`
		Properties []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:"value,attr"`
		} `xml:"properties>property"`
		Cases []struct {
			Name      string `xml:"name,attr"`
			Classname string `xml:"classname,attr"`
			File      string `xml:"file,attr"`
			Line      int    `xml:"line,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Error *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Text    string `xml:",chardata"`
			} `xml:"error"`
			SystemOut string `xml:"system-out"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func parseJUnit(t *testing.T, r Report) junitDoc {
	t.Helper()
	out := render(t, func(b *bytes.Buffer) error { return JUnit(b, r) })
	if !bytes.HasPrefix(out, []byte(`<?xml version="1.0" encoding="UTF-8"?>`)) {
		t.Errorf("no XML declaration:\n%s", out)
	}
	// Well-formed: every token decodes.
	dec := xml.NewDecoder(bytes.NewReader(out))
	for {
		_, err := dec.Token()
		if err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("malformed XML: %v\n%s", err, out)
			}
			break
		}
	}
	var doc junitDoc
	if err := xml.Unmarshal(out, &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return doc
}

func TestJUnitFindings(t *testing.T) {
	r := sampleReport()
	doc := parseJUnit(t, r)
	if len(doc.Suites) != 1 || doc.Suites[0].Name != "pyrace" {
		t.Fatalf("suites: %+v", doc.Suites)
	}
	s := doc.Suites[0]
	nf, nd := len(r.Findings), len(r.Diagnostics)
	if s.Tests != nf+nd || s.Failures != nf || s.Errors != nd || doc.Tests != s.Tests || doc.Failures != nf || doc.Errors != nd {
		t.Errorf("counts: suites %d/%d/%d suite %d/%d/%d, want %d/%d/%d", doc.Tests, doc.Failures, doc.Errors, s.Tests, s.Failures, s.Errors, nf+nd, nf, nd)
	}
	if len(s.Cases) != nf+nd {
		t.Fatalf("%d testcases, want %d", len(s.Cases), nf+nd)
	}
	names := make(map[string]bool)
	for i, f := range r.Findings {
		c := s.Cases[i]
		if c.Failure == nil || c.Failure.Type != f.RuleID || c.Failure.Message != f.Message || c.File != f.File || c.Line != f.Line {
			t.Errorf("finding %d: testcase %+v", i, c)
		}
		if !strings.Contains(c.Failure.Text, "\n  fix: ") && f.Fix != "" {
			t.Errorf("finding %d: failure text lacks the fix: %q", i, c.Failure.Text)
		}
		if names[c.Classname+" "+c.Name] {
			t.Errorf("duplicate testcase %s %s", c.Classname, c.Name)
		}
		names[c.Classname+" "+c.Name] = true
	}
	if got := s.Cases[0].Classname; got != "pkg.counter" {
		t.Errorf("classname %q, want pkg.counter", got)
	}
	for i, d := range r.Diagnostics {
		c := s.Cases[nf+i]
		if c.Error == nil || c.Error.Type != string(d.Kind) || c.Error.Message != d.Message {
			t.Errorf("diagnostic %d: testcase %+v", i, c)
		}
	}
	if p := s.Properties; len(p) != 2 || p[0].Value != "0.3.1" || p[1].Value != "5" {
		t.Errorf("properties %+v", p)
	}
}

func TestJUnitEmpty(t *testing.T) {
	doc := parseJUnit(t, emptyReport())
	s := doc.Suites[0]
	if s.Tests != 1 || len(s.Cases) != 1 || s.Cases[0].Name != "pyrace scan" || s.Cases[0].Failure != nil || s.Cases[0].Error != nil {
		t.Errorf("empty report: %+v", s)
	}
	if !strings.Contains(s.Cases[0].SystemOut, "3 files") {
		t.Errorf("system-out %q", s.Cases[0].SystemOut)
	}
}

func TestJUnitControlCharacters(t *testing.T) {
	r := sampleReport()
	r.Findings = r.Findings[:1]
	r.Findings[0].Message = "bad \x00\x1b]]> <&> \"quoted\"\nsecond line"
	r.Findings[0].File = "we\x01ird.py"
	doc := parseJUnit(t, r)
	c := doc.Suites[0].Cases[0]
	if !strings.Contains(c.Failure.Message, "]]> <&> \"quoted\"\nsecond line") {
		t.Errorf("message %q", c.Failure.Message)
	}
	if !strings.Contains(c.Failure.Text, "second line\n") {
		t.Errorf("text %q", c.Failure.Text)
	}
}

func TestClassname(t *testing.T) {
	for in, want := range map[string]string{
		"pkg/mod.py":          "pkg.mod",
		"pkg/__init__.py":     "pkg.__init__",
		"./a.py":              "a",
		"stubs/x.pyi":         "stubs.x",
		"my.pkg/v1.2/m.py":    "my_pkg.v1_2.m",
		"src/ünï cödé/m m.py": "src.ünï cödé.m m",
		"":                    "pyrace",
	} {
		if got := classname(in); got != want {
			t.Errorf("classname(%q) = %q, want %q", in, got, want)
		}
	}
}
