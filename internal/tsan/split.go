package tsan

import (
	"bytes"
	"io"
	"sync"
)

// Parsing one large log on several cores: the log is cut into sections
// where a parse may start afresh, and each section is parsed on its own.
//
// A cut goes right before a "==================" line that precedes a
// WARNING line (a report's opening). In one parse of the whole log, that
// "=" line closes a report that is open with its SUMMARY seen, or is held
// as a possible close (of a report without SUMMARY) that the WARNING line
// then turns into a truncation; otherwise nothing is open. A section that
// ends at a cut does the same: it closes a report open with its SUMMARY
// with that "=" line, and ends the others as the end of the input does.
// So parsing the sections one after the other gives the reports of the
// whole log, line numbers aside (the fuzz test checks it at every
// possible cut).

// minSection is the smallest section worth its own goroutine.
const minSection = 16 << 20

// splitWindow is how far past a wanted cut SplitPoints looks for a line
// where one may go.
const splitWindow = 4 << 20

// SplitPoints returns up to parts-1 offsets in the size bytes of r, in
// increasing order, where a parse may start afresh (see above), near
// size*k/parts. Offsets that cannot be found within a few megabytes of
// where they are wanted are left out.
func SplitPoints(r io.ReaderAt, size int64, parts int) []int64 {
	var cuts []int64
	if parts < 2 || size < 2*minSection {
		return nil
	}
	buf := make([]byte, splitWindow)
	last := int64(0)
	for k := 1; k < parts; k++ {
		want := size * int64(k) / int64(parts)
		if want <= last+minSection/2 {
			continue
		}
		n, err := r.ReadAt(buf, want)
		if n == 0 && err != nil {
			break
		}
		if off := cutIn(buf[:n]); off >= 0 {
			last = want + int64(off)
			cuts = append(cuts, last)
		}
	}
	return cuts
}

// cutIn returns the offset in b of the start of a plain "=" line (after a
// line end) followed by a line holding a report's WARNING, or -1.
func cutIn(b []byte) int {
	var scratch []byte
	for i := 0; i < len(b); {
		j := bytes.Index(b[i:], []byte("\n"+closeMarker))
		if j < 0 {
			return -1
		}
		start := i + j + 1 // the "=" line
		i = start
		eq := bytes.IndexByte(b[start:], '\n')
		if eq < 0 {
			return -1
		}
		next := start + eq + 1
		end := bytes.IndexByte(b[next:], '\n')
		if end < 0 {
			return -1
		}
		if !plainClose(trimEOL(b[start:next])) {
			continue
		}
		warn := trimEOL(b[next : next+end+1])
		if bytes.IndexByte(warn, 0x1b) >= 0 {
			scratch = stripANSI(scratch[:0], warn)
			warn = scratch
		}
		if _, ok := parseHeader(warn); ok {
			return start
		}
	}
	return -1
}

// plainClose reports whether line is a "=" line without escape sequences.
func plainClose(line []byte) bool {
	return bytes.IndexByte(line, 0x1b) < 0 && isCloseMarker(line)
}

// closeLineAt reads the "=" line at off (without its line end).
func closeLineAt(r io.ReaderAt, off int64) []byte {
	buf := make([]byte, 256)
	n, _ := r.ReadAt(buf, off)
	buf = buf[:n]
	if k := bytes.IndexByte(buf, '\n'); k >= 0 {
		buf = buf[:k+1]
	}
	return trimEOL(buf)
}

// Section is what parsing one section of a log gave.
type Section struct {
	// Lines is the number of lines in the section, for numbering the
	// next one's.
	Lines int
	// Warnings is the sum of the "reported N warnings" trailers, -1 when
	// the section has none.
	Warnings int
	Err      error
}

// ParseSections parses r (size bytes) in sections cut at cuts, all at once,
// calling fn(i, report) from section i's goroutine (StartLine counted from
// the section's start: add the Lines of the sections before). lite selects
// ParseSignatures over Parse.
func ParseSections(r io.ReaderAt, size int64, cuts []int64, lite bool, fn func(section int, rep Report) error) []Section {
	return runSections(r, size, cuts, func(i int) *parser {
		return &parser{fn: func(rep Report) error { return fn(i, rep) }, warnings: -1, lite: lite}
	})
}

// runSections runs the parser newParser(i) over section i, for every
// section at once.
func runSections(r io.ReaderAt, size int64, cuts []int64, newParser func(i int) *parser) []Section {
	bounds := append(append([]int64{0}, cuts...), size)
	out := make([]Section, len(bounds)-1)
	var wg sync.WaitGroup
	for i := range out {
		wg.Go(func() {
			sec := io.NewSectionReader(r, bounds[i], bounds[i+1]-bounds[i])
			p := newParser(i)
			if i+1 < len(out) {
				p.cutLine = closeLineAt(r, bounds[i+1])
			}
			err := p.run(sec)
			out[i] = Section{Lines: p.lineNo, Warnings: p.warnings, Err: err}
		})
	}
	wg.Wait()
	return out
}
