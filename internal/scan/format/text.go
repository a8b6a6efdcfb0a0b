package format

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/pyrace/pyrace/internal/scan"
)

// ANSI styles used by Text when Options.Color is set.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[1;31m"
	ansiYellow = "\x1b[33m"
	ansiBlue   = "\x1b[1;34m"
)

// Text writes r for people, in the style of ruff:
//
//	pkg/counter.py:12:9: FT001 [high] self.count is read, incremented and written back without a lock
//	   |
//	12 |         self.count += 1
//	   |         ^^^^^^^^^^^^^^^ rmw-counter
//	   |
//	  fix: hold self._lock around the update, or use itertools.count()
//	  note: pkg/counter.py:20:13: written under self._lock in reset()
//
//	bad.py:3:7: parse-error: invalid syntax
//	Found 1 finding (1 high, 0 medium) in 2 files.
//	1 diagnostic (1 parse-error).
//
// The code frame appears when o.ShowSource is set and r.Source can read the
// file. It shows at most three lines of the span, each underlined with
// carets, with line numbers in a gutter; tabs are expanded to stops of
// four cells, East Asian wide characters take two cells and combining
// marks none, so the carets stay under the span on a terminal. Control and
// bidirectional-override characters in the source, paths and messages are
// shown as visible placeholders. Without frames the output is one line per
// finding plus its fix and notes. A report with no findings ends with
// "All checks passed! (N files)". Colour is added only when o.Color is set.
func Text(w io.Writer, r Report, o Options) error {
	bw := bufio.NewWriter(w)
	t := &textWriter{w: bw, r: r, o: o, files: make(map[string][]string)}
	t.render()
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("format: writing text: %w", err)
	}
	return nil
}

// textWriter holds the state of one Text call: the source files read so
// far for code frames.
type textWriter struct {
	w     *bufio.Writer
	r     Report
	o     Options
	files map[string][]string // file -> lines (nil: unreadable)
	blank bool                // the last line written was blank
}

func (t *textWriter) style(s, code string) string {
	if !t.o.Color || s == "" {
		return s
	}
	return code + s + ansiReset
}

func (t *textWriter) line(parts ...string) {
	n := 0
	for _, p := range parts {
		t.w.WriteString(p)
		n += len(p)
	}
	t.w.WriteByte('\n')
	t.blank = n == 0
}

// location renders "path:line:col:" with the path in bold ("pyrace:" for
// an item without a file).
func (t *textWriter) location(file string, p scan.Position) string {
	if file == "" {
		file = "pyrace"
	}
	s := t.style(sanitize(file, false), ansiBold)
	if p.Line > 0 {
		s += ":" + strconv.Itoa(p.Line)
		if p.Col > 0 {
			s += ":" + strconv.Itoa(p.Col)
		}
	}
	return s + ":"
}

func (t *textWriter) render() {
	frames := t.o.ShowSource && t.r.Source != nil
	for _, f := range t.r.Findings {
		t.line(t.location(f.File, f.Position), " ",
			t.style(sanitize(f.RuleID, false), ansiRed), " ",
			t.style("["+sanitize(string(f.Confidence), false)+"]", ansiYellow), " ",
			sanitize(f.Message, false))
		if frames {
			t.frame(f)
		}
		if f.Fix != "" {
			t.line("  fix: ", sanitize(f.Fix, false))
		}
		for _, rel := range f.Related {
			t.line("  note: ", t.location(rel.File, rel.Position), " ", sanitize(rel.Message, false))
		}
		if frames {
			t.line()
		}
	}
	for _, d := range t.r.Diagnostics {
		code := ansiYellow
		if diagnosticLevel(d.Kind) == levelError {
			code = ansiRed
		}
		t.line(t.location(d.File, d.Position), " ",
			t.style(sanitize(string(d.Kind), false)+":", code), " ",
			sanitize(d.Message, false))
	}
	if frames && len(t.r.Diagnostics) > 0 && !t.blank {
		t.line()
	}
	t.summary()
}

func (t *textWriter) summary() {
	files := plural(t.r.Files, "file")
	errs := 0
	for _, d := range t.r.Diagnostics {
		if diagnosticLevel(d.Kind) == levelError {
			errs++
		}
	}
	switch {
	case len(t.r.Findings) > 0:
		c := countFindings(t.r.Findings)
		conf := fmt.Sprintf("%d high, %d medium", c.high, c.medium)
		if c.low > 0 {
			conf += fmt.Sprintf(", %d low", c.low)
		}
		t.line(fmt.Sprintf("Found %s (%s) in %s.", plural(len(t.r.Findings), "finding"), conf, files))
	case errs > 0:
		t.line(fmt.Sprintf("No findings in %s.", files))
	default:
		t.line(fmt.Sprintf("All checks passed! (%s)", files))
	}
	if len(t.r.Diagnostics) > 0 {
		var kinds []string
		n := make(map[scan.DiagnosticKind]int)
		for _, d := range t.r.Diagnostics {
			if n[d.Kind] == 0 {
				kinds = append(kinds, string(d.Kind))
			}
			n[d.Kind]++
		}
		parts := make([]string, len(kinds))
		for i, k := range kinds {
			parts[i] = fmt.Sprintf("%d %s", n[scan.DiagnosticKind(k)], sanitize(k, false))
		}
		t.line(fmt.Sprintf("%s (%s).", plural(len(t.r.Diagnostics), "diagnostic"), strings.Join(parts, ", ")))
	}
}

// lines returns the lines of file, reading it once per Text call; nil when
// it cannot be read.
func (t *textWriter) lines(file string) []string {
	if ls, ok := t.files[file]; ok {
		return ls
	}
	var ls []string
	if src, err := t.r.Source(file); err == nil {
		ls = splitLines(string(src))
	}
	t.files[file] = ls
	return ls
}

// frame writes the code frame of f, if its file can be read and its line
// exists.
func (t *textWriter) frame(f scan.Finding) {
	lines := t.lines(f.File)
	first, last := f.Line, endLine(f.Position)
	if first < 1 || first > len(lines) {
		return
	}
	spanLast := last
	if last > len(lines) {
		last = len(lines)
	}
	shown, hidden := last, 0
	if last-first+1 > maxFrameLines {
		shown = first + maxFrameLines - 1
		hidden = last - shown
	}
	gw := len(strconv.Itoa(shown))
	pad := strings.Repeat(" ", gw)
	bar := t.style(pad+" |", ansiBlue)
	t.line(bar)
	for ln := first; ln <= shown; ln++ {
		runes := []rune(lines[ln-1])
		s, e := lineSpan(runes, f.Position, ln, first, spanLast)
		text, under := renderSpan(runes, s, e)
		gutter := t.style(fmt.Sprintf("%*d |", gw, ln), ansiBlue)
		if text == "" {
			t.line(gutter)
		} else {
			t.line(gutter, " ", text)
		}
		label := ""
		if ln == shown && f.RuleName != "" {
			label = " " + sanitize(f.RuleName, false)
		}
		carets := strings.TrimLeft(under, " ")
		t.line(bar, " ", under[:len(under)-len(carets)], t.style(carets+label, ansiRed))
	}
	if hidden > 0 {
		more := fmt.Sprintf("... %d more lines", hidden)
		if hidden == 1 {
			more = "... 1 more line"
		}
		t.line(t.style(pad+" :", ansiBlue), " ", more)
	}
	t.line(bar)
}

// maxFrameLines is the most lines of a span a code frame shows.
const maxFrameLines = 3

// lineSpan returns the 1-based columns [s, e) underlined on line ln of a
// span that runs from line first to line last.
func lineSpan(runes []rune, p scan.Position, ln, first, last int) (s, e int) {
	n := len(runes)
	lead, trail := 0, n
	for lead < n && isSpace(runes[lead]) {
		lead++
	}
	for trail > lead && isSpace(runes[trail-1]) {
		trail--
	}
	if ln == first {
		s = p.Col
	} else {
		s = lead + 1
	}
	switch {
	case ln != last:
		e = trail + 1
	case p.EndCol > 0:
		e = p.EndCol
	case first == last:
		e = s + 1
	default:
		e = trail + 1
	}
	if s < 1 {
		s = 1
	}
	if s > n+1 {
		s = n + 1
	}
	if e > n+1 {
		e = n + 1
	}
	if e <= s {
		e = s + 1
	}
	return s, e
}

func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\f' || r == '\v'
}

// Long lines are cut to a window around the span.
const (
	maxLineRunes = 120 // longest line shown whole
	windowBefore = 30  // characters kept before the span in a cut line
)

// renderSpan returns the displayable text of a source line and the
// underline of columns [s, e) (1-based, e exclusive), aligned cell by cell.
func renderSpan(runes []rune, s, e int) (text, under string) {
	if len(runes) > maxLineRunes {
		a := s - 1 - windowBefore
		if a < 0 {
			a = 0
		}
		b := a + maxLineRunes
		if b > len(runes) {
			b = len(runes)
		}
		cut := make([]rune, 0, b-a+2)
		shift := -a
		if a > 0 {
			cut = append(cut, '…')
			shift++
		}
		cut = append(cut, runes[a:b]...)
		if b < len(runes) {
			cut = append(cut, '…')
		}
		s += shift
		e += shift
		if e > len(cut)+1 {
			e = len(cut) + 1
		}
		if e <= s {
			e = s + 1
		}
		runes = cut
	}
	text, cells := layout(runes)
	at := func(i int) int { // cell where rune i starts (past the end too)
		if i < len(runes) {
			return cells[i]
		}
		return cells[len(runes)] + i - len(runes)
	}
	start, end := at(s-1), at(e-1)
	if end <= start {
		end = start + 1
	}
	return strings.TrimRight(text, " "), strings.Repeat(" ", start) + strings.Repeat("^", end-start)
}

// splitLines splits source text into lines at "\r\n", "\n" and "\r", as
// Python does, after dropping a UTF-8 byte-order mark.
func splitLines(src string) []string {
	src = strings.TrimPrefix(src, "\uFEFF")
	var lines []string
	for len(src) > 0 {
		i := strings.IndexAny(src, "\r\n")
		if i < 0 {
			lines = append(lines, src)
			break
		}
		lines = append(lines, src[:i])
		if src[i] == '\r' && i+1 < len(src) && src[i+1] == '\n' {
			i++
		}
		src = src[i+1:]
	}
	return lines
}
