package format

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/pyrace/pyrace/internal/scan"
)

// Report is everything a renderer needs: the results of one scan and the
// context to present them.
type Report struct {
	// Findings are rendered in the order given; the scanner sorts them.
	Findings []scan.Finding
	// Diagnostics are problems with the input (parse errors, unreadable
	// files, unused or unknown suppressions), rendered in the order given.
	Diagnostics []scan.Diagnostic
	// Rules lists every rule known, not only those with findings: SARIF's
	// tool.driver.rules lists them all.
	Rules []scan.RuleMeta
	// Files is the number of files scanned.
	Files int
	// Root is the directory that relative paths in findings and
	// diagnostics are relative to. SARIF uses it for the %SRCROOT% base
	// URI; for GitHub code scanning it should be the repository's root
	// (or the directory the scan ran in, inside the checkout).
	Root string
	// Version is pyrace's version, for SARIF's tool.driver.version and the
	// JSON document.
	Version string
	// Source returns the text of a file, named exactly as in
	// scan.Finding.File, for code frames in [Text]. The text should be
	// UTF-8 (the decoded source; a leading BOM is skipped, invalid bytes
	// show as U+FFFD). Nil means no code frames; an error means no frame
	// for that file.
	Source func(file string) ([]byte, error)
}

// Options tunes [Text].
type Options struct {
	// Color adds ANSI colours: bold paths, red rule ids and underlines,
	// yellow confidences, a blue gutter. Callers set it only for a
	// terminal and never when NO_COLOR is set.
	Color bool
	// ShowSource adds a code frame under each finding (when
	// [Report.Source] is set). The CLI's default is true: see
	// [DefaultOptions].
	ShowSource bool
}

// DefaultOptions returns the options of a plain `pyrace scan`: code
// frames on, colour off.
func DefaultOptions() Options {
	return Options{ShowSource: true}
}

// level is the severity of a finding or diagnostic, shared by every format
// (see the package documentation).
type level int

const (
	levelNote level = iota
	levelWarning
	levelError
)

// confidenceLevel maps a confidence to its level: high is an error,
// medium a warning, low (or unknown) a note.
func confidenceLevel(c scan.Confidence) level {
	switch c {
	case scan.High:
		return levelError
	case scan.Medium:
		return levelWarning
	}
	return levelNote
}

// diagnosticLevel maps a diagnostic kind to its level: files that could not
// be analysed are errors, suppression hygiene is a warning.
func diagnosticLevel(k scan.DiagnosticKind) level {
	switch k {
	case scan.ParseError, scan.IOError:
		return levelError
	}
	return levelWarning
}

// sarif returns the SARIF name of the level.
func (l level) sarif() string {
	switch l {
	case levelError:
		return "error"
	case levelWarning:
		return "warning"
	}
	return "note"
}

// github returns the workflow command of the level.
func (l level) github() string {
	switch l {
	case levelError:
		return "error"
	case levelWarning:
		return "warning"
	}
	return "notice"
}

// problemSeverity returns the GitHub "problem.severity" rule property.
func (l level) problemSeverity() string {
	switch l {
	case levelError:
		return "error"
	case levelWarning:
		return "warning"
	}
	return "recommendation"
}

// precision maps a confidence to GitHub's "precision" rule property.
func precision(c scan.Confidence) string {
	switch c {
	case scan.High:
		return "high"
	case scan.Medium:
		return "medium"
	}
	return "low"
}

// counts tallies findings by confidence and by rule.
type counts struct {
	high, medium, low int
	byRule            map[string]int
}

func countFindings(fs []scan.Finding) counts {
	c := counts{byRule: make(map[string]int)}
	for _, f := range fs {
		switch f.Confidence {
		case scan.High:
			c.high++
		case scan.Medium:
			c.medium++
		default:
			c.low++
		}
		c.byRule[f.RuleID]++
	}
	return c
}

// endLine returns the last line of a span: EndLine, or Line when EndLine is
// unset or before Line.
func endLine(p scan.Position) int {
	if p.EndLine < p.Line {
		return p.Line
	}
	return p.EndLine
}

// isBidiControl reports whether r changes the direction of text: shown
// raw, such characters make a line display differently from what the
// interpreter reads ("Trojan Source").
func isBidiControl(r rune) bool {
	switch {
	case r == 0x061C, r == 0x200E, r == 0x200F:
		return true
	case r >= 0x202A && r <= 0x202E:
		return true
	case r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// sanitize makes s safe to print on a terminal or in a CI log: C0 controls
// become their Unicode control pictures (so an escape sequence in a file
// name cannot drive the terminal), C1 controls, bidirectional controls and
// invalid UTF-8 become U+FFFD. Line feeds and carriage returns are kept
// when keepNewlines is set.
func sanitize(s string, keepNewlines bool) string {
	clean := true
	for _, r := range s {
		if r == unicode.ReplacementChar || r < 0x20 || (r >= 0x7f && r <= 0x9f) || isBidiControl(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case (r == '\n' || r == '\r') && keepNewlines:
			b.WriteRune(r)
		case r < 0x20:
			b.WriteRune(0x2400 + r)
		case r == 0x7f:
			b.WriteRune(0x2421)
		case r >= 0x80 && r <= 0x9f, isBidiControl(r):
			b.WriteRune(unicode.ReplacementChar)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// plural returns "1 finding" or "2 findings".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
