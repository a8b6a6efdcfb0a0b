package tsan

import (
	"bytes"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"unsafe"
)

const (
	warningMarker = "WARNING: ThreadSanitizer: "
	summaryMarker = "SUMMARY: ThreadSanitizer: "
	trailerMarker = "ThreadSanitizer: reported "
	closeMarker   = "==================" // 18 '=', as printed by TSAN
)

// Parse reads a log from r and calls fn with each ThreadSanitizer report in
// it, in input order, as soon as the report is complete. Other output in
// the log (test output, tracebacks, other processes) is ignored, also
// between the lines of a report, where it is kept in [Report.Lines] but
// does not disturb the stacks. Lines may end in "\n" or "\r\n"; ANSI
// escape sequences are removed; a line longer than MaxLineBytes is cut.
//
// A report that does not close is delivered with Truncated set: at the end
// of the input, when a new WARNING line starts another report (as when
// several processes write to the same stream), or when the line after an
// unsummarised report's closing "==================" is a WARNING line (the
// "=" line was then the next report's opening line).
//
// Memory use does not grow with the length of the log: only the current
// line and the open report are held, and reports are bounded by
// MaxReportLines, MaxReportBytes and MaxReportFrames.
//
// warnings is the sum of N over the trailers "ThreadSanitizer: reported N
// warnings" that TSAN prints at exit (one per process), or -1 when the log
// has none. If fn returns an error, Parse stops and returns it; if reading
// r fails, the open report is delivered as truncated and the read error is
// returned. fn may be nil to only count warnings.
func Parse(r io.Reader, fn func(Report) error) (warnings int, err error) {
	return parse(r, fn, false)
}

// ParseSignatures is Parse for callers that mostly need signatures: a
// report holds only the stacks Signature and KeyFrames read, each up to
// its key frame; its Lines are kept as one text; it is marked partial.
// Complete makes it whole (Lines and every stack). Counting many repeats
// of few races this way costs a fraction of a full parse; Grouper.Read
// goes further and does not build the repeats of races it has.
func ParseSignatures(r io.Reader, fn func(Report) error) (warnings int, err error) {
	return parse(r, fn, true)
}

// parse is Parse, or ParseSignatures when lite is set.
func parse(r io.Reader, fn func(Report) error, lite bool) (warnings int, err error) {
	p := parser{fn: fn, warnings: -1, lite: lite}
	err = p.run(r)
	return p.warnings, err
}

// run parses everything r holds.
func (p *parser) run(r io.Reader) error {
	lr := newLineReader(r, p.bufSize)
	for {
		if p.cur == nil {
			p.lineNo += lr.skipQuiet()
		}
		l, ok := lr.next(&p.scratch)
		if !ok {
			break
		}
		p.lineNo++
		if err := p.line(l.text, l.named); err != nil {
			return err
		}
	}
	if err := p.finish(); err != nil {
		return err
	}
	if errors.Is(lr.err, io.EOF) {
		return nil
	}
	return lr.err
}

// appendCapped appends b to line without growing it past MaxLineBytes.
func appendCapped(line, b []byte) []byte {
	if room := MaxLineBytes - len(line); len(b) > room {
		b = b[:max(room, 0)]
	}
	return append(line, b...)
}

// parser is the state of one Parse call. It takes the input one line at a
// time, so it can later be fed from other sources (an io.Writer, a pipe).
type parser struct {
	fn   func(Report) error
	lite bool // ParseSignatures: stacks stop at their key frame
	// bufSize is the read buffer's size, readBuffer when 0 (tests make
	// it small to cross buffer boundaries everywhere).
	bufSize int
	// cutLine is the "=" line that follows the input when it is a section
	// of a log cut before it (see split.go), nil otherwise.
	cutLine []byte
	keyDone bool // lite: the last stack has its key frame
	// lite: the access stacks so far, and whether the stacks Signature
	// reads are all complete (nothing after them matters).
	accessStacks  int
	keyStacksDone bool
	frameCache    map[string]cachedFrame // lite: see keyFrame
	// repeat, when set (lite only), is asked about each report's
	// signature before the report is built, and counts it instead when
	// it returns true; sig is where the signature is built.
	repeat   func(sig []byte, pid, line int) bool
	sig      []byte
	lineNo   int
	warnings int // -1 until a trailer is seen
	scratch  []byte

	// The open report and its bookkeeping; cur is nil between reports,
	// else &rep. Its lines are kept in raw, separated by "\n" and ending
	// at ends, until emit turns them into one string (one allocation per
	// report, not per line) and parses the stack lines, marked in
	// stackLines.
	cur        *Report
	rep        Report
	raw        []byte
	ends       []int
	stackLines []bool
	curBytes   int    // bytes kept in cur.Lines
	frames     int    // frames kept in cur.Stacks
	full       bool   // a limit was reached: lines are counted, not kept
	pending    string // a heading candidate that is not a known TSAN heading
	hasPending bool
	closeLine  string // an "=" line seen before any SUMMARY line
	closeCand  bool   // closeLine is set; the next line decides
}

// line handles one input line, without its terminator and escape
// sequences; named says whether it contains nameMarker. line is only valid
// during the call.
func (p *parser) line(line []byte, named bool) error {
	if p.cur == nil {
		return p.outside(line, named)
	}
	return p.inside(line, named)
}

// outside handles a line while no report is open.
func (p *parser) outside(line []byte, named bool) error {
	if !named {
		return nil // the common case: a line of other output
	}
	if h, ok := parseHeader(line); ok {
		p.open(line, h)
		return nil
	}
	p.countTrailer(line)
	return nil
}

// inside handles a line while a report is open.
func (p *parser) inside(line []byte, named bool) error {
	if p.closeCand {
		p.closeCand = false
		if h, ok := parseHeader(line); ok {
			// The "=" line was the opening line of this new report: the
			// open one never closed.
			if err := p.emit(true); err != nil {
				return err
			}
			p.open(line, h)
			return nil
		}
		p.keep([]byte(p.closeLine))
		if err := p.emit(false); err != nil {
			return err
		}
		return p.outside(line, named)
	}
	// The WARNING, SUMMARY and trailer lines all name ThreadSanitizer: one
	// search rules the three out for stack lines.
	if named {
		if h, ok := parseHeader(line); ok {
			if err := p.emit(true); err != nil {
				return err
			}
			p.open(line, h)
			return nil
		}
	}
	if isCloseMarker(line) {
		if p.cur.Summary != "" {
			p.keep(line)
			return p.emit(false)
		}
		p.closeLine, p.closeCand = string(line), true
		return nil
	}
	kept := p.keep(line)
	if named {
		if k := bytes.Index(line, []byte(summaryMarker)); k >= 0 {
			if p.cur.Summary == "" {
				p.cur.Summary = string(bytes.TrimSpace(line[k+len(summaryMarker):]))
			}
			return nil
		}
		if p.countTrailer(line) {
			return nil
		}
	}
	if kept {
		p.stackLines[len(p.stackLines)-1] = true
	}
	return nil
}

// finish handles the end of the input.
func (p *parser) finish() error {
	if p.cur == nil {
		return nil
	}
	if p.cutLine != nil && !p.closeCand && p.cur.Summary != "" {
		// The "=" line after the cut closes this report, as it would
		// in a parse of the whole log.
		p.keep(p.cutLine)
		return p.emit(false)
	}
	if p.closeCand {
		p.closeCand = false
		p.keep([]byte(p.closeLine))
		return p.emit(false)
	}
	return p.emit(true)
}

// header is what the WARNING line says.
type header struct {
	kind string
	pid  int
}

// parseHeader recognises a report's WARNING line anywhere in line (output
// of another process may precede it on the same line). Runtime diagnostics
// that use the same words but start no report, such as
// "==135==WARNING: ThreadSanitizer: memory layout is incompatible, ...",
// are rejected.
func parseHeader(line []byte) (header, bool) {
	k := bytes.Index(line, []byte(warningMarker))
	if k < 0 || hasSanitizerPIDPrefix(line[:k]) {
		return header{}, false
	}
	text := strings.TrimSpace(string(line[k+len(warningMarker):]))
	if text == "" || strings.HasPrefix(text, "memory layout is incompatible") {
		return header{}, false
	}
	h := header{kind: text}
	if strings.HasSuffix(text, ")") {
		if j := strings.LastIndex(text, "(pid="); j >= 0 {
			if pid, err := strconv.Atoi(text[j+len("(pid=") : len(text)-1]); err == nil && pid >= 0 {
				h.pid = pid
				h.kind = strings.TrimRight(text[:j], " \t")
			}
		}
	}
	return h, true
}

// hasSanitizerPIDPrefix reports whether s ends in "==N==", the prefix of
// the sanitizer runtime's own messages (reports have none).
func hasSanitizerPIDPrefix(s []byte) bool {
	if !bytes.HasSuffix(s, []byte("==")) {
		return false
	}
	s = s[:len(s)-2]
	i := len(s)
	for i > 0 && s[i-1] >= '0' && s[i-1] <= '9' {
		i--
	}
	return i < len(s) && bytes.HasSuffix(s[:i], []byte("=="))
}

// countTrailer adds N from "ThreadSanitizer: reported N warnings" to the
// warning count and reports whether line was such a trailer.
func (p *parser) countTrailer(line []byte) bool {
	k := bytes.Index(line, []byte(trailerMarker))
	if k < 0 {
		return false
	}
	rest := line[k+len(trailerMarker):]
	i := 0
	for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
		i++
	}
	if i == 0 || !bytes.HasPrefix(rest[i:], []byte(" warning")) {
		return false
	}
	n, err := strconv.Atoi(string(rest[:i]))
	if err != nil {
		n = math.MaxInt // absurdly many digits
	}
	if p.warnings < 0 {
		p.warnings = 0
	}
	if n > math.MaxInt-p.warnings {
		p.warnings = math.MaxInt
	} else {
		p.warnings += n
	}
	return true
}

// open starts a report at its WARNING line.
func (p *parser) open(line []byte, h header) {
	p.rep = Report{Kind: h.kind, PID: h.pid, StartLine: p.lineNo, partial: p.lite}
	p.cur = &p.rep
	p.keyDone, p.accessStacks, p.keyStacksDone = false, 0, false
	p.raw, p.ends, p.stackLines = p.raw[:0], p.ends[:0], p.stackLines[:0]
	p.curBytes, p.frames, p.full = 0, 0, false
	p.pending, p.hasPending = "", false
	p.closeLine, p.closeCand = "", false
	p.keep(line)
}

// emit parses the open report's stack lines, delivers it and closes it.
// A report from ParseSignatures keeps its lines as one text, split only
// when Complete needs them, and its stack lines are parsed only as far as
// the signature needs. With a repeat hook, a report whose signature the
// hook knows is only counted: no string is made for it.
func (p *parser) emit(truncated bool) error {
	r := p.cur
	if p.repeat != nil {
		// A view of the lines, not a copy: nothing made from it may
		// outlive this call. Frames are cached from copies (keyFrame),
		// and the stacks are dropped below either way.
		view := unsafe.String(unsafe.SliceData(p.raw), len(p.raw))
		p.parseStacks(view, truncated)
		p.sig = r.appendSignature(p.sig[:0])
		if p.repeat(p.sig, r.PID, r.StartLine) {
			p.close()
			return nil
		}
		r.Stacks = nil // a new signature: start again from a copy
		p.keyDone, p.accessStacks, p.keyStacksDone, p.frames = false, 0, false, 0
		p.pending, p.hasPending = "", false
	}
	all := string(p.raw)
	if p.lite {
		r.text = all
	} else {
		r.Lines = make([]string, len(p.ends))
		start := 0
		for i, end := range p.ends {
			r.Lines[i] = all[start:end]
			start = end + 1
		}
	}
	p.parseStacks(all, truncated)
	p.close()
	r.Truncated = truncated
	if p.fn == nil {
		return nil
	}
	return p.fn(*r)
}

// parseStacks parses the stack lines of the open report, all being its
// lines joined by "\n", as far as needed.
func (p *parser) parseStacks(all string, truncated bool) {
	start := 0
	for i, end := range p.ends {
		line := all[start:end]
		start = end + 1
		if p.stackLines[i] {
			if p.lite && p.keyStacksDone {
				p.pending, p.hasPending = "", false
				break
			}
			p.stackLine(line)
		}
	}
	if truncated && p.hasPending && isKnownHeading(p.pending) {
		p.addPending() // cut off right after its heading
	}
}

// close ends the open report.
func (p *parser) close() {
	if len(p.raw) > maxKeptBuffer {
		p.raw, p.ends, p.stackLines = nil, nil, nil // do not hold a huge report's buffer
	}
	p.cur = nil
	p.pending, p.hasPending = "", false
	p.closeLine, p.closeCand = "", false
}

// maxKeptBuffer bounds the line buffer a parser keeps from one report to
// the next.
const maxKeptBuffer = 256 << 10

// keep stores line in the open report unless a limit has been reached, and
// reports whether it did.
func (p *parser) keep(line []byte) bool {
	r := p.cur
	if p.full || len(p.ends) >= MaxReportLines || p.curBytes+len(line) > MaxReportBytes {
		p.full = true
		r.DroppedLines++
		return false
	}
	if len(p.ends) > 0 {
		p.raw = append(p.raw, '\n')
	}
	p.raw = append(p.raw, line...)
	p.ends = append(p.ends, len(p.raw))
	p.stackLines = append(p.stackLines, false)
	p.curBytes += len(line)
	return true
}

// stackLine parses a report line that is not a WARNING, SUMMARY, trailer
// or closing line: a stack heading, a frame, an informational line
// ("Location is global ...") or foreign output. A line may hold several
// frames, or a heading and frames, run together with blanks in between (as
// in logs copied from a web page); each is handled on its own.
func (p *parser) stackLine(s string) {
	first := true
	for s != "" {
		seg := s
		if j := mergedFrameStart(s); j >= 0 {
			seg, s = s[:j], s[j:]
		} else {
			s = ""
		}
		p.segment(seg, first)
		first = false
	}
}

// mergedFrameStart returns the index of a "#N " frame that follows other
// text and at least two blanks in s, or -1.
func mergedFrameStart(s string) int {
	start := len(s) - len(trimBlanksLeft(s))
	for i := start + 1; i < len(s); {
		j := strings.IndexByte(s[i:], '#')
		if j < 0 {
			return -1
		}
		j += i
		if j >= 2 && isBlank(s[j-1]) && isBlank(s[j-2]) && frameIndexEnd(s[j:]) >= 0 {
			return j
		}
		i = j + 1
	}
	return -1
}

// segment handles one piece of a report line. Only the first piece of a
// line can be a heading; the others start with "#N".
func (p *parser) segment(seg string, first bool) {
	t := trimBlanksLeft(seg)
	if t == "" {
		return
	}
	if t[0] == '#' {
		if p.lite {
			if idx, ok := frameHead(t); ok {
				p.addFrameLite(idx, t)
				return
			}
		} else if f, ok := parseFrame(t); ok {
			p.addFrame(f)
			return
		}
	}
	if t == failedStack {
		if p.hasPending {
			p.addPending()
		}
		return
	}
	if !first || !isHeadingCandidate(seg) {
		return // information or foreign output: stacks are unaffected
	}
	// A heading starts a stack only when a "#0" frame (or TSAN's "[failed
	// to restore the stack]") follows, so that foreign output shaped like
	// a heading cannot split a stack: a "#1" frame after it continues the
	// current stack.
	p.pending, p.hasPending = strings.TrimSpace(seg), true
}

// failedStack is what TSAN prints instead of the frames of a stack it
// could not restore.
const failedStack = "[failed to restore the stack]"

// addPending turns the pending heading into an empty stack.
func (p *parser) addPending() {
	p.newStack(Stack{Heading: p.pending})
	p.pending, p.hasPending = "", false
}

// newStack appends st to the open report's stacks. In a signature parse,
// it notes when the stacks Signature reads are complete: two access
// stacks, the second followed by another stack.
func (p *parser) newStack(st Stack) {
	r := p.cur
	if p.lite && p.accessStacks >= 2 {
		p.keyStacksDone = true
	}
	if r.Stacks == nil {
		r.Stacks = make([]Stack, 0, 4)
	}
	r.Stacks = append(r.Stacks, st)
	if p.lite && isAccessHeading(st.Heading) {
		p.accessStacks++
	}
}

// addFrame adds a frame to the open report: to the current stack, or to a
// new one when it is a "#0" frame after frames or after a pending heading.
func (p *parser) addFrame(f Frame) {
	r := p.cur
	if p.frames >= MaxReportFrames {
		return
	}
	n := len(r.Stacks)
	switch {
	case p.hasPending && f.Index == 0:
		p.addPending()
	case n == 0 || (f.Index == 0 && len(r.Stacks[n-1].Frames) > 0):
		p.newStack(Stack{})
	}
	p.pending, p.hasPending = "", false
	st := &r.Stacks[len(r.Stacks)-1]
	st.Frames = append(st.Frames, f)
	p.frames++
}

// addFrameLite is addFrame for ParseSignatures: the frame (index idx, text
// t) shapes the stacks exactly as addFrame would, but is parsed and kept
// only while its stack has no key frame yet (the first that Signature
// does not skip). Stacks then keep at least one frame whenever addFrame
// would have given them one, so stacks split at the same places.
func (p *parser) addFrameLite(idx int, t string) {
	r := p.cur
	if p.frames >= MaxReportFrames {
		return
	}
	n := len(r.Stacks)
	switch {
	case p.hasPending && idx == 0:
		p.addPending()
		p.keyDone = false
	case n == 0 || (idx == 0 && len(r.Stacks[n-1].Frames) > 0):
		p.newStack(Stack{})
		p.keyDone = false
	}
	p.pending, p.hasPending = "", false
	p.frames++
	if p.keyDone {
		return
	}
	st := &r.Stacks[len(r.Stacks)-1]
	if !p.keyCandidate(len(r.Stacks) - 1) {
		// A stack Signature never reads: one unparsed frame keeps it
		// non-empty, so later stacks split where they should.
		st.Frames = append(st.Frames, Frame{Index: idx})
		p.keyDone = true
		return
	}
	f := p.keyFrame(t)
	st.Frames = append(st.Frames, f.Frame)
	if f.key {
		p.keyDone = true
		if p.accessStacks >= 2 && isAccessHeading(st.Heading) {
			p.keyStacksDone = true // the second access stack is done
		}
	}
}

// cachedFrame is a parsed frame and whether Signature would pick it.
type cachedFrame struct {
	Frame
	key bool
}

// maxFrameCache and maxCachedFrame bound the frames a signature parse
// remembers: how many, and how long each may be (4 MB at most in all).
const (
	maxFrameCache  = 4096
	maxCachedFrame = 1024
)

// keyFrame parses frame text t, remembering the result: the same frames
// recur in every repeat of a race, and parsing one costs more than
// looking it up. A cached frame's strings point into a copy of t, not
// into the report it was first seen in; an uncached one's into t.
func (p *parser) keyFrame(t string) cachedFrame {
	if f, ok := p.frameCache[t]; ok {
		return f
	}
	cache := len(t) <= maxCachedFrame
	if cache {
		t = strings.Clone(t)
	}
	f, _ := parseFrame(t)
	_, key := signatureFrame([]Frame{f})
	c := cachedFrame{Frame: f, key: key}
	if cache {
		if p.frameCache == nil || len(p.frameCache) >= maxFrameCache {
			p.frameCache = make(map[string]cachedFrame, 64)
		}
		p.frameCache[t] = c
	}
	return c
}

// keyCandidate reports whether stack i of the open report may be one that
// Signature reads: one of the first two access stacks, or one of the first
// two stacks (read when the report has no access stack).
func (p *parser) keyCandidate(i int) bool {
	if i < 2 {
		return true
	}
	// The stack is one of the first two access stacks.
	return p.accessStacks <= 2 && isAccessHeading(p.cur.Stacks[i].Heading)
}

// frameHead reports whether parseFrame accepts t, and its index, without
// parsing the rest.
func frameHead(t string) (int, bool) {
	n := frameIndexEnd(t)
	if n < 0 || strings.TrimSpace(t[n:]) == "" {
		return 0, false
	}
	idx, err := strconv.Atoi(t[1:n])
	return idx, err == nil
}

// Complete parses a report from ParseSignatures in full, from its lines;
// other reports are left as they are.
func (r *Report) Complete() {
	if !r.partial {
		return
	}
	if r.Lines == nil && r.text != "" {
		r.Lines = strings.Split(r.text, "\n")
	}
	var full *Report
	p := parser{fn: func(x Report) error { full = &x; return nil }, warnings: -1}
	for _, l := range r.Lines {
		p.lineNo++
		c := cleanLine([]byte(l), &p.scratch)
		if p.line(c.text, c.named) != nil {
			return
		}
	}
	if p.finish() != nil || full == nil {
		return
	}
	full.StartLine, full.DroppedLines = r.StartLine, r.DroppedLines
	*r = *full
}

// isHeadingCandidate reports whether seg looks like a TSAN stack heading:
// indented by exactly two spaces and ending in a colon.
func isHeadingCandidate(seg string) bool {
	if len(seg) < 4 || seg[0] != ' ' || seg[1] != ' ' {
		return false
	}
	switch seg[2] {
	case ' ', '\t', '#':
		return false
	}
	return strings.HasSuffix(trimBlanksRight(seg), ":")
}

// knownHeadingPrefixes begin the headings that TSAN prints above stacks
// (tsan_report.cpp), besides the access headings in accessPrefixes. Only a
// truncated report's last heading needs to be recognised by its words.
var knownHeadingPrefixes = []string{
	"Location is ", "Mutex ", "Thread ", "As if synchronized", "and:", "Signal ",
}

func isKnownHeading(h string) bool {
	if isAccessHeading(h) {
		return true
	}
	for _, pre := range knownHeadingPrefixes {
		if strings.HasPrefix(h, pre) {
			return true
		}
	}
	return false
}

// isCloseMarker reports whether line is TSAN's "==================" line.
func isCloseMarker(line []byte) bool {
	return string(bytes.TrimSpace(line)) == closeMarker
}

// trimEOL removes the line terminator: "\n", "\r\n", and any other
// carriage returns at the end.
func trimEOL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

// stripANSI appends s to dst without ANSI escape sequences: CSI sequences
// ("\x1b[1m\x1b[31m", as TSAN prints on a terminal), OSC sequences and
// two-byte escapes.
func stripANSI(dst, s []byte) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != 0x1b {
			dst = append(dst, c)
			continue
		}
		if i+1 >= len(s) {
			break
		}
		switch s[i+1] {
		case '[': // CSI: parameters, intermediates, one final byte
			j := i + 2
			for j < len(s) && s[j] >= 0x30 && s[j] <= 0x3f {
				j++
			}
			for j < len(s) && s[j] >= 0x20 && s[j] <= 0x2f {
				j++
			}
			if j < len(s) && s[j] >= 0x40 && s[j] <= 0x7e {
				j++
			}
			i = j - 1
		case ']': // OSC: up to BEL or ESC '\'
			j := i + 2
			for j < len(s) && s[j] != 0x07 && s[j] != 0x1b {
				j++
			}
			if j < len(s) && s[j] == 0x1b && j+1 < len(s) && s[j+1] == '\\' {
				j++
			}
			i = j
		default:
			i++
		}
	}
	return dst
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

// trimBlanksLeft and trimBlanksRight remove spaces and tabs: what
// strings.TrimLeft(s, " \t") does, without building a character set on
// every call (they run for every line of a report).
func trimBlanksLeft(s string) string {
	i := 0
	for i < len(s) && isBlank(s[i]) {
		i++
	}
	return s[i:]
}

func trimBlanksRight(s string) string {
	i := len(s)
	for i > 0 && isBlank(s[i-1]) {
		i--
	}
	return s[:i]
}
