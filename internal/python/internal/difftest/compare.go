package difftest

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Outcome is pyrace's verdict on one file.
type Outcome struct {
	// Dump is the canonical dump when pyrace accepts the file.
	Dump string
	// Rejected is the first error when pyrace rejects the file, and empty
	// when it accepts it; RejectedLine is that error's line (0 if unknown).
	Rejected     string
	RejectedLine int
	// Failure reports a failure of the side under test itself, such as a
	// panic or a dump error; it is always a mismatch.
	Failure string
}

// Mismatch is a file on which pyrace and CPython disagree.
type Mismatch struct {
	// Path is the file's path; Rel is Path relative to the stdlib root.
	Path, Rel string
	// Report is a human-readable account of the first difference, several
	// lines long, without a trailing newline.
	Report string
}

// contextLines is how many lines of each dump are shown before and after
// the first differing line.
const contextLines = 5

// Compare returns the mismatch between CPython's record and pyrace's
// outcome for the file rel whose source is src, or nil when they agree:
// both dumps are identical, or both parsers reject the file (whatever
// their messages).
func Compare(rec Record, out Outcome, rel string, src []byte) *Mismatch {
	m := &Mismatch{Path: rec.Path, Rel: rel}
	var b strings.Builder
	switch {
	case out.Failure != "":
		fmt.Fprintf(&b, "%s: pyrace failed: %s", rel, indentRest(out.Failure))
	case rec.Rejected != "" && out.Rejected != "":
		return nil
	case rec.Rejected != "":
		fmt.Fprintf(&b, "%s: CPython rejects the file but pyrace accepts it\n  CPython: %s", rel, rec.Rejected)
		writeSourceLine(&b, src, rejectionLine(rec.Rejected))
	case out.Rejected != "":
		fmt.Fprintf(&b, "%s: pyrace rejects the file but CPython accepts it\n  pyrace: %s", rel, out.Rejected)
		writeSourceLine(&b, src, out.RejectedLine)
	case rec.Dump == out.Dump:
		return nil
	default:
		writeDumpDiff(&b, rel, rec.Dump, out.Dump, src)
	}
	m.Report = b.String()
	return m
}

// writeDumpDiff describes the first differing line of two dumps, with
// context from both sides and the source line of the nearest node above.
func writeDumpDiff(b *strings.Builder, rel, cpython, pyrace string, src []byte) {
	cl := splitLines(cpython)
	pl := splitLines(pyrace)
	i := FirstDiff(cl, pl)
	fmt.Fprintf(b, "%s: dumps differ at line %d", rel, i+1)
	line := nearestPosLine(cl, i)
	if line == 0 {
		line = nearestPosLine(pl, i)
	}
	writeSourceLine(b, src, line)
	writeContext(b, "CPython", cl, i)
	writeContext(b, "pyrace", pl, i)
}

// FirstDiff returns the index of the first line where a and b differ; when
// one is a prefix of the other, the length of the shorter.
func FirstDiff(a, b []string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

func writeContext(b *strings.Builder, side string, lines []string, at int) {
	fmt.Fprintf(b, "\n  %s:", side)
	lo := max(0, at-contextLines)
	hi := min(len(lines), at+contextLines+1)
	for j := lo; j < hi; j++ {
		mark := ' '
		if j == at {
			mark = '>'
		}
		fmt.Fprintf(b, "\n  %c %6d  %s", mark, j+1, lines[j])
	}
	if at >= len(lines) {
		fmt.Fprintf(b, "\n  > %6d  <end of dump>", len(lines)+1)
	}
}

// posRE matches a node's position in a dump line and captures its line.
var posRE = regexp.MustCompile(` @(\d+):\d+-`)

// nearestPosLine returns the source line of the nearest node at or above
// dump line i that has a position, or 0.
func nearestPosLine(lines []string, i int) int {
	for j := min(i, len(lines)-1); j >= 0; j-- {
		if m := posRE.FindStringSubmatch(lines[j]); m != nil {
			n, _ := strconv.Atoi(m[1])
			return n
		}
	}
	return 0
}

// rejectLineRE matches the line number at the end of a rejection message.
var rejectLineRE = regexp.MustCompile(`\(line (\d+)\)$`)

// rejectionLine returns the line of an astdump.py rejection, or 0.
func rejectionLine(msg string) int {
	if m := rejectLineRE.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

// writeSourceLine appends the source text of the 1-based line n, if any.
func writeSourceLine(b *strings.Builder, src []byte, n int) {
	if n <= 0 {
		return
	}
	text, ok := sourceLine(src, n)
	if !ok {
		return
	}
	fmt.Fprintf(b, "\n  source line %d: %s", n, strconv.Quote(truncate(text, 160)))
}

// sourceLine returns the raw text of the 1-based line n of src, splitting
// at "\n" only (it is for display).
func sourceLine(src []byte, n int) (string, bool) {
	s := string(src)
	for i := 1; i < n; i++ {
		j := strings.IndexByte(s, '\n')
		if j < 0 {
			return "", false
		}
		s = s[j+1:]
	}
	if j := strings.IndexByte(s, '\n'); j >= 0 {
		s = s[:j]
	}
	return strings.TrimSuffix(s, "\r"), true
}

// splitLines splits a dump into lines, dropping the final newline.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

func indentRest(s string) string {
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}
