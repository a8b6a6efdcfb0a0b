package format

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"

	"github.com/pyrace/pyrace/internal/scan"
)

// The JUnit XML elements JUnit writes (the common subset GitLab, Jenkins,
// Azure Pipelines and CircleCI read).
type (
	junitSuites struct {
		XMLName  xml.Name     `xml:"testsuites"`
		Name     string       `xml:"name,attr"`
		Tests    int          `xml:"tests,attr"`
		Failures int          `xml:"failures,attr"`
		Errors   int          `xml:"errors,attr"`
		Time     string       `xml:"time,attr"`
		Suites   []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name       string          `xml:"name,attr"`
		Tests      int             `xml:"tests,attr"`
		Failures   int             `xml:"failures,attr"`
		Errors     int             `xml:"errors,attr"`
		Skipped    int             `xml:"skipped,attr"`
		Time       string          `xml:"time,attr"`
		Properties []junitProperty `xml:"properties>property"`
		Cases      []junitCase     `xml:"testcase"`
	}
	junitProperty struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	}
	junitCase struct {
		Name      string        `xml:"name,attr"`
		Classname string        `xml:"classname,attr"`
		File      string        `xml:"file,attr,omitempty"`
		Line      int           `xml:"line,attr,omitempty"`
		Time      string        `xml:"time,attr"`
		Failure   *junitProblem `xml:"failure,omitempty"`
		Error     *junitProblem `xml:"error,omitempty"`
		SystemOut junitText     `xml:"system-out,omitempty"`
	}
	// junitProblem is a <failure> or an <error>.
	junitProblem struct {
		Message string
		Type    string
		Text    string
	}
)

// MarshalXML writes the element with its message and type attributes and
// its text with real line breaks.
func (p *junitProblem) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	start.Attr = append(start.Attr,
		xml.Attr{Name: xml.Name{Local: "message"}, Value: sanitizeXML(p.Message)},
		xml.Attr{Name: xml.Name{Local: "type"}, Value: sanitizeXML(p.Type)})
	return junitText(p.Text).MarshalXML(e, start)
}

// junitText is element text written with real line breaks (encoding/xml
// writes "&#xA;" for newlines in chardata fields).
type junitText string

// MarshalXML writes the element with t as its escaped text.
func (t junitText) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	if err := e.EncodeToken(xml.CharData(sanitizeXML(string(t)))); err != nil {
		return err
	}
	return e.EncodeToken(start.End())
}

// sanitizeXML replaces the characters XML 1.0 cannot hold (controls other
// than tab, newline and carriage return) by visible placeholders.
func sanitizeXML(s string) string {
	return sanitize(s, true)
}

// JUnit writes r as JUnit XML: one <testsuites> holding one <testsuite>
// named "pyrace" with
//
//   - one failing <testcase> per finding, named
//     "FT001 rmw-counter: Counter.incr (12:9)" with classname the file's
//     module path ("pkg/counter.py" -> "pkg.counter", which Jenkins shows
//     as package "pkg", class "counter"; GitLab shows it as the suite), a
//     file attribute (GitLab links it) and a line attribute, and a
//     <failure message="..." type="FT001"> whose text is the finding as
//     Text prints it without a code frame;
//   - one <testcase> per diagnostic, named after its kind and position,
//     with an <error type="parse-error"> (or the diagnostic's kind);
//   - when there is neither, one passing <testcase> "pyrace scan" (so the
//     report is never empty) whose <system-out> says how many files were
//     checked.
//
// The suite's properties carry the pyrace version and the number of files
// scanned. Text that XML cannot hold (control characters) is replaced by
// visible placeholders.
func JUnit(w io.Writer, r Report) error {
	suite := junitSuite{
		Name: "pyrace",
		Time: "0",
		Properties: []junitProperty{
			{Name: "pyrace.version", Value: r.Version},
			{Name: "pyrace.files", Value: strconv.Itoa(r.Files)},
		},
	}
	for _, f := range r.Findings {
		var body strings.Builder
		body.WriteString(plainLocation(f.File, f.Position) + " " + f.RuleID + " [" + string(f.Confidence) + "] " + f.Message + "\n")
		if f.Symbol != "" {
			body.WriteString("  in: " + f.Symbol + "\n")
		}
		if f.Fix != "" {
			body.WriteString("  fix: " + f.Fix + "\n")
		}
		for _, rel := range f.Related {
			body.WriteString("  note: " + plainLocation(rel.File, rel.Position) + " " + rel.Message + "\n")
		}
		name := strings.TrimSpace(f.RuleID + " " + f.RuleName)
		if f.Symbol != "" {
			name += ": " + f.Symbol
		}
		suite.Cases = append(suite.Cases, junitCase{
			Name:      name + " (" + position(f.Position) + ")",
			Classname: classname(f.File),
			File:      f.File,
			Line:      f.Line,
			Time:      "0",
			Failure: &junitProblem{
				Message: f.Message,
				Type:    f.RuleID,
				Text:    body.String(),
			},
		})
		suite.Failures++
	}
	for _, d := range r.Diagnostics {
		name := string(d.Kind)
		if p := position(d.Position); p != "" {
			name += " (" + p + ")"
		}
		suite.Cases = append(suite.Cases, junitCase{
			Name:      name,
			Classname: classname(d.File),
			File:      d.File,
			Line:      d.Line,
			Time:      "0",
			Error: &junitProblem{
				Message: d.Message,
				Type:    string(d.Kind),
				Text:    plainLocation(d.File, d.Position) + " " + string(d.Kind) + ": " + d.Message + "\n",
			},
		})
		suite.Errors++
	}
	if len(suite.Cases) == 0 {
		suite.Cases = append(suite.Cases, junitCase{
			Name:      "pyrace scan",
			Classname: "pyrace",
			Time:      "0",
			SystemOut: junitText(fmt.Sprintf("All checks passed! (%s)\n", plural(r.Files, "file"))),
		})
	}
	suite.Tests = len(suite.Cases)
	doc := junitSuites{
		Name:     "pyrace",
		Tests:    suite.Tests,
		Failures: suite.Failures,
		Errors:   suite.Errors,
		Time:     "0",
		Suites:   []junitSuite{suite},
	}
	bw := bufio.NewWriter(w)
	bw.WriteString(xml.Header)
	enc := xml.NewEncoder(bw)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("format: encoding JUnit XML: %w", err)
	}
	bw.WriteByte('\n')
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("format: writing JUnit XML: %w", err)
	}
	return nil
}

// position renders "line:col" ("line" without a column, "" without a
// line).
func position(p scan.Position) string {
	if p.Line <= 0 {
		return ""
	}
	s := strconv.Itoa(p.Line)
	if p.Col > 0 {
		s += ":" + strconv.Itoa(p.Col)
	}
	return s
}

// classname turns a file path into a dotted module path: "pkg/mod.py" ->
// "pkg.mod", "pkg/__init__.py" -> "pkg.__init__". Dots inside a path
// element become underscores so they do not read as package separators.
func classname(file string) string {
	if file == "" {
		return "pyrace"
	}
	p := strings.TrimSuffix(strings.TrimSuffix(path.Clean(strings.ReplaceAll(file, "\\", "/")), ".py"), ".pyi")
	var parts []string
	for _, s := range strings.Split(p, "/") {
		if s == "" || s == "." {
			continue
		}
		parts = append(parts, strings.ReplaceAll(s, ".", "_"))
	}
	if len(parts) == 0 {
		return "pyrace"
	}
	return strings.Join(parts, ".")
}
