package tsan

import (
	"bytes"
	"errors"
	"io"
	"strings"
)

// readBuffer is the size of a lineReader's buffer: lines that fit are
// handed out in place, longer ones are put together in a separate buffer.
const readBuffer = 256 << 10

// maxEmptyReads is how many reads in a row may return nothing before a
// reader is taken to be stuck (as bufio does).
const maxEmptyReads = 100

// nameMarker is the text that the WARNING, SUMMARY and trailer lines have
// in common: a line without it (and without escape sequences, which could
// hide it) is of no interest outside a report, and inside one can only be
// a stack line or the closing line.
const nameMarker = "ThreadSanitizer: "

// lineReader hands out the lines of a log. Besides lines, it can skip
// whole runs of lines that cannot matter outside a report, and it tells
// for each line whether it names ThreadSanitizer or holds an escape
// sequence from one search over the buffer rather than one per line: most
// of a log is other output, and a report's lines are short.
type lineReader struct {
	r   io.Reader
	buf []byte
	// buf[start:end] is not handed out yet; start is at the beginning of a
	// line.
	start, end int
	err        error // the error that ended reading (io.EOF at the end)
	long       []byte
	// Where the next nameMarker and escape byte are in buf: see find.
	named, esc search
}

// search caches where a pattern next occurs in the buffer: at pos, the
// first occurrence at or after from that lies before limit, or pos ==
// limit when there is none in buf[from:limit].
type search struct {
	from, pos, limit int
}

// line is one line handed out by next.
type line struct {
	text  []byte // without the line terminator and escape sequences
	named bool   // text contains nameMarker
}

// newLineReader reads r with a buffer of size bytes (readBuffer when 0).
func newLineReader(r io.Reader, size int) *lineReader {
	if size <= 0 {
		size = readBuffer
	}
	return &lineReader{r: r, buf: make([]byte, size)}
}

// fill reads more input into the buffer, moving the unread part to its
// front first. It reports whether anything was added.
func (lr *lineReader) fill() bool {
	if lr.err != nil {
		return false
	}
	if lr.start > 0 {
		copy(lr.buf, lr.buf[lr.start:lr.end])
		lr.named.shift(lr.start)
		lr.esc.shift(lr.start)
		lr.end -= lr.start
		lr.start = 0
	}
	if lr.end == len(lr.buf) {
		return false
	}
	for range maxEmptyReads {
		n, err := lr.r.Read(lr.buf[lr.end:])
		if n < 0 || n > len(lr.buf)-lr.end {
			lr.err = errors.New("reader returned an impossible count")
			return false
		}
		lr.end += n
		if err != nil {
			lr.err = err
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
	lr.err = io.ErrNoProgress
	return false
}

// shift moves the cached positions after the buffer's contents moved n
// bytes to the front.
func (s *search) shift(n int) {
	if s.pos < n { // the occurrence is gone
		*s = search{}
		return
	}
	s.from = max(s.from-n, 0)
	s.pos -= n
	s.limit -= n
}

// next returns the next line, or ok false at the end of the input (lr.err
// then says why).
// scratch is where lines with escape sequences are cleaned; the line may
// point into it or into the reader's buffer until the next call.
func (lr *lineReader) next(scratch *[]byte) (l line, ok bool) {
	for {
		if k := bytes.IndexByte(lr.buf[lr.start:lr.end], '\n'); k >= 0 {
			s, e := lr.start, lr.start+k
			lr.start = e + 1
			return lr.finish(s, e, scratch), true
		}
		if lr.end-lr.start == len(lr.buf) {
			return lr.longLine(scratch), true
		}
		if !lr.fill() {
			if lr.start == lr.end {
				return line{}, false
			}
			s, e := lr.start, lr.end // the last line has no terminator
			lr.start = lr.end
			return lr.finish(s, e, scratch), true
		}
	}
}

// finish makes buf[s:e], a whole line without its "\n", into a line.
func (lr *lineReader) finish(s, e int, scratch *[]byte) line {
	text := trimEOL(lr.buf[s:e])
	e = s + len(text)
	if lr.esc.find(lr.buf[:lr.end], s, indexEscape) < e {
		return cleanLine(text, scratch)
	}
	return line{text: text, named: lr.named.find(lr.buf[:lr.end], s, indexName) < e}
}

// cleanLine removes escape sequences from text and searches the result.
func cleanLine(text []byte, scratch *[]byte) line {
	if bytes.IndexByte(text, 0x1b) >= 0 {
		*scratch = stripANSI((*scratch)[:0], text)
		text = *scratch
	}
	return line{text: text, named: bytes.Contains(text, []byte(nameMarker))}
}

// longLine reads a line longer than the buffer, keeping its first
// MaxLineBytes bytes.
func (lr *lineReader) longLine(scratch *[]byte) line {
	lr.long = lr.long[:0]
	for {
		chunk := lr.buf[lr.start:lr.end]
		k := bytes.IndexByte(chunk, '\n')
		if k >= 0 {
			chunk = chunk[:k]
		}
		lr.long = appendCapped(lr.long, chunk)
		lr.start += len(chunk)
		if k >= 0 {
			lr.start++
			break
		}
		if !lr.fill() && lr.start == lr.end {
			break
		}
	}
	lr.named, lr.esc = search{}, search{}
	l := cleanLine(trimEOL(lr.long), scratch)
	if len(lr.long) > maxKeptBuffer {
		lr.long = nil // do not hold on to a huge line
	}
	return l
}

// find returns the position of the first occurrence of a pattern in buf at
// or after from, index being the pattern's search function, or len(buf)
// when there is none; the cached answer is used while it still holds.
func (s *search) find(buf []byte, from int, index func([]byte) int) int {
	if from >= s.from && (s.pos < s.limit || len(buf) <= s.limit) && from <= s.pos {
		return s.pos
	}
	s.from, s.limit = from, len(buf)
	if k := index(buf[from:]); k >= 0 {
		s.pos = from + k
	} else {
		s.pos = len(buf)
	}
	return s.pos
}

// skipQuiet passes over whole lines up to the first one that names
// ThreadSanitizer or holds an escape byte, within the buffer, and returns
// how many lines it passed. Outside a report nothing else can matter.
func (lr *lineReader) skipQuiet() int {
	region := lr.buf[lr.start:lr.end]
	last := bytes.LastIndexByte(region, '\n')
	if last < 0 {
		return 0
	}
	stop := lr.start + last + 1 // the end of the last whole line
	cand := min(lr.named.find(lr.buf[:lr.end], lr.start, indexName), lr.esc.find(lr.buf[:lr.end], lr.start, indexEscape))
	if cand < stop {
		stop = lr.start + bytes.LastIndexByte(lr.buf[lr.start:cand], '\n') + 1
	}
	n := bytes.Count(lr.buf[lr.start:stop], []byte{'\n'})
	lr.start = stop
	return n
}

// indexEscape is the index of the first escape byte in b, or -1.
func indexEscape(b []byte) int { return bytes.IndexByte(b, 0x1b) }

// nameRareByte is the byte of nameMarker that indexName looks for: 'z' is
// rare in logs ("size" in TSAN's own headings is the most common), while
// 'T' begins every "Test..." and "Traceback".
const nameRareByte = 'z'

// indexName is bytes.Index(b, nameMarker), finding candidates by the
// marker's rarest byte.
func indexName(b []byte) int {
	at := strings.IndexByte(nameMarker, nameRareByte)
	tail := len(nameMarker) - at
	for i := at; i < len(b); {
		k := bytes.IndexByte(b[i:], nameRareByte)
		if k < 0 {
			return -1
		}
		i += k
		if start := i - at; i+tail <= len(b) && string(b[start:i+tail]) == nameMarker {
			return start
		}
		i++
	}
	return -1
}
