package format

import (
	"bufio"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/pyrace/pyrace/internal/scan"
)

// GitHub writes r as GitHub Actions workflow commands, one per finding and
// diagnostic, which the runner turns into annotations on the pull request
// and the run summary:
//
//	::error file=/abs/pkg/counter.py,line=12,col=9,endLine=12,endColumn=24,title=FT001 rmw-counter::pkg/counter.py:12:9: FT001 [high] self.count ...%0Afix: ...
//
// The command is "error" for high confidence, "warning" for medium and
// "notice" for low, the levels SARIF uses too. The title is the rule id and
// name; the message repeats the location (so the raw log reads well),
// confidence and message, then the fix advice and the related locations on
// further lines. The file property is the absolute path (r.Root joined
// with the finding's path) when r.Root is set, which the runner maps to
// the repository whatever the working directory; otherwise the path as
// given. Diagnostics are "error" (parse-error, io-error) or "warning"
// (unused-ignore, unknown-rule) with the title "pyrace <kind>".
//
// Escaping follows the runner's rules: in the message "%", "\r" and "\n"
// become "%25", "%0D" and "%0A"; in property values ":" and "," also
// become "%3A" and "%2C". Other control characters are replaced by visible
// placeholders. Nothing else is written.
func GitHub(w io.Writer, r Report) error {
	bw := bufio.NewWriter(w)
	root := absRoot(r.Root)
	for _, f := range r.Findings {
		var msg strings.Builder
		msg.WriteString(plainLocation(f.File, f.Position) + " " + f.RuleID + " [" + string(f.Confidence) + "] " + f.Message)
		if f.Fix != "" {
			msg.WriteString("\nfix: " + f.Fix)
		}
		for _, rel := range f.Related {
			msg.WriteString("\nnote: " + plainLocation(rel.File, rel.Position) + " " + rel.Message)
		}
		title := strings.TrimSpace(f.RuleID + " " + f.RuleName)
		writeCommand(bw, confidenceLevel(f.Confidence).github(), githubFile(root, f.File), f.Position, title, msg.String())
	}
	for _, d := range r.Diagnostics {
		msg := plainLocation(d.File, d.Position) + " " + string(d.Kind) + ": " + d.Message
		writeCommand(bw, diagnosticLevel(d.Kind).github(), githubFile(root, d.File), d.Position, "pyrace "+string(d.Kind), msg)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("format: writing GitHub annotations: %w", err)
	}
	return nil
}

// writeCommand writes one workflow command.
func writeCommand(w *bufio.Writer, cmd, file string, p scan.Position, title, msg string) {
	var props []string
	add := func(k, v string) { props = append(props, k+"="+escapeProperty(v)) }
	if file != "" {
		add("file", file)
	}
	if p.Line > 0 {
		add("line", strconv.Itoa(p.Line))
		if p.Col > 0 {
			add("col", strconv.Itoa(p.Col))
		}
		if p.EndLine >= p.Line {
			add("endLine", strconv.Itoa(p.EndLine))
		}
		if p.EndCol > 0 {
			add("endColumn", strconv.Itoa(p.EndCol))
		}
	}
	add("title", title)
	w.WriteString("::" + cmd + " " + strings.Join(props, ",") + "::" + escapeData(msg) + "\n")
}

// githubFile returns the file property of an annotation.
func githubFile(root, file string) string {
	if file == "" || root == "" || filepath.IsAbs(file) {
		return file
	}
	return filepath.ToSlash(filepath.Join(root, file))
}

// plainLocation renders "path:line:col:" without colour ("pyrace:" for an
// item without a file).
func plainLocation(file string, p scan.Position) string {
	s := file
	if s == "" {
		s = "pyrace"
	}
	if p.Line > 0 {
		s += ":" + strconv.Itoa(p.Line)
		if p.Col > 0 {
			s += ":" + strconv.Itoa(p.Col)
		}
	}
	return s + ":"
}

// escapeData escapes a workflow command's message.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(sanitize(s, true))
}

// escapeProperty escapes a workflow command's property value.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(sanitize(s, true))
}
