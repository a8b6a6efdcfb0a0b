package python

import "strings"

// Lines gives access to the lines of a text without splitting it: a line
// is a substring of the text, found through an index of line starts built
// on first use (four bytes per line).
type Lines struct {
	text  string
	start []int32 // start[i] is the offset of line i+1; nil until used
}

// NewLines indexes text, split at "\n" as strings.Split would split it:
// a text of n newlines has n+1 lines, the last one possibly empty.
func NewLines(text string) *Lines { return &Lines{text: text} }

// Text returns the whole text.
func (l *Lines) Text() string { return l.text }

func (l *Lines) index() {
	if l.start != nil {
		return
	}
	start := make([]int32, 1, strings.Count(l.text, "\n")+1)
	for off := 0; ; {
		i := strings.IndexByte(l.text[off:], '\n')
		if i < 0 {
			break
		}
		off += i + 1
		start = append(start, int32(off))
	}
	l.start = start
}

// Len returns the number of lines.
func (l *Lines) Len() int {
	l.index()
	return len(l.start)
}

// Line returns line n (1-based) without its "\n" or a "\r" before it; ""
// when there is no such line.
func (l *Lines) Line(n int) string {
	l.index()
	if n < 1 || n > len(l.start) {
		return ""
	}
	end := len(l.text)
	if n < len(l.start) {
		end = int(l.start[n]) - 1
	}
	return strings.TrimSuffix(l.text[l.start[n-1]:end], "\r")
}

// Through returns the text of lines 1 to n with their line ends.
func (l *Lines) Through(n int) string {
	l.index()
	if n < len(l.start) && n >= 0 {
		return l.text[:l.start[n]]
	}
	return l.text
}
