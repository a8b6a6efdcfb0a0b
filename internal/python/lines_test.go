package python

import (
	"strings"
	"testing"
)

func TestLines(t *testing.T) {
	for _, text := range []string{"", "a", "a\n", "a\nb", "\n\n", "x = 1\r\ny = 2\r\n", "é\nü\n\nlast"} {
		want := strings.Split(text, "\n")
		l := NewLines(text)
		if l.Len() != len(want) {
			t.Errorf("%q: Len %d, want %d", text, l.Len(), len(want))
			continue
		}
		for i, w := range want {
			if got := l.Line(i + 1); got != strings.TrimSuffix(w, "\r") {
				t.Errorf("%q: Line(%d) = %q, want %q", text, i+1, got, w)
			}
		}
		if l.Line(0) != "" || l.Line(len(want)+1) != "" {
			t.Errorf("%q: lines out of range are not empty", text)
		}
		for n := 0; n <= len(want)+1; n++ {
			through := strings.Join(want[:min(n, len(want))], "\n")
			if n < len(want) && n > 0 {
				through += "\n"
			}
			if got := l.Through(n); got != through {
				t.Errorf("%q: Through(%d) = %q, want %q", text, n, got, through)
			}
		}
		if l.Text() != text {
			t.Errorf("Text() = %q", l.Text())
		}
	}
}
