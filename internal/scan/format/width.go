package format

import (
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// tabStop is the width of a tab stop in code frames.
const tabStop = 4

// layout returns the text of a source line as a terminal should show it
// and, for each rune i, the cell where it starts (cells[len(runes)] is the
// total width). Tabs are expanded to the next multiple of tabStop; control
// characters become visible placeholders one cell wide.
func layout(runes []rune) (string, []int) {
	var b strings.Builder
	cells := make([]int, len(runes)+1)
	cur := 0
	for i, r := range runes {
		cells[i] = cur
		switch {
		case r == '\t':
			n := tabStop - cur%tabStop
			b.WriteString(strings.Repeat(" ", n))
			cur += n
			continue
		case r < 0x20:
			r = 0x2400 + r // control pictures: ␀..␟
		case r == 0x7f:
			r = 0x2421 // ␡
		case r >= 0x80 && r <= 0x9f, isBidiControl(r):
			r = unicode.ReplacementChar
		}
		b.WriteRune(r)
		cur += cellWidth(r)
	}
	cells[len(runes)] = cur
	return b.String(), cells
}

// cellWidth returns how many terminal cells r takes: 2 for East Asian wide
// and fullwidth characters (CJK, most emoji), 0 for combining marks and
// invisible format characters, 1 otherwise. Controls, which layout
// replaces, are not expected here.
func cellWidth(r rune) int {
	if r == 0x00AD { // soft hyphen: shown by terminals
		return 1
	}
	if unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf) {
		return 0
	}
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}
