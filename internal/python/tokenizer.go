package python

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// Limits that keep pathological input from exhausting the stack; they match
// CPython's tokenizer.
const (
	maxIndentLevels = 100 // MAXINDENT
	maxBracketDepth = 200 // MAXLEVEL
	maxFStringDepth = 150 // MAX_EXPR_NESTING-ish bound for nested f-strings
	tabSize         = 8
)

// tokError is an error found while tokenizing. Each one is followed by a
// tkError token, at index tok, where the parser meets it.
type tokError struct {
	line, col       int
	endLine, endCol int
	msg             string
	tok             int
}

type bracket struct {
	ch        byte
	line, col int32
	off       int32
}

// fsField is an open replacement field `{...}` of an f-string.
type fsField struct {
	base   int  // bracket depth just after the field's '{'
	inSpec bool // scanning the format spec after ':'
}

// fsMode is an f-string (or t-string) being tokenized.
type fsMode struct {
	quote  byte
	triple bool
	raw    bool
	fields []fsField
	// start of the f-string, for "unterminated" errors
	line, col int32
}

// tokenizer turns decoded source text into tokens. It mirrors CPython's
// tokenizer (Parser/lexer) including PEP 701 f-string tokenization.
type tokenizer struct {
	src       []byte
	pos       int
	line      int // current 1-based line
	lineStart int // offset of the current line's first byte

	toks []token
	errs []tokError

	indents    []int // indentation columns (tabs to multiples of 8)
	altIndents []int // the same with tabs counted as 1, for TabError
	brackets   []bracket
	modes      []fsMode

	atLineStart bool
	// lastWasNewline is true when nothing but NEWLINE/INDENT/DEDENT has been
	// emitted since the last logical line ended.
	lastWasNewline bool
}

// tokenize splits src into tokens. It always ends with tkEOF.
func tokenize(src []byte) ([]token, []tokError) {
	t := &tokenizer{
		src:            src,
		line:           1,
		indents:        make([]int, 1, 16),
		altIndents:     make([]int, 1, 16),
		atLineStart:    true,
		lastWasNewline: true,
		toks:           make([]token, 0, len(src)/5+16),
	}
	t.run()
	return t.toks, t.errs
}

func (t *tokenizer) col(off int) int32 { return int32(off - t.lineStart) }

// emit appends a token that starts at start on the current line.
func (t *tokenizer) emit(kind tokKind, start, end int) {
	c := t.col(start)
	t.toks = append(t.toks, token{kind: kind, start: int32(start), end: int32(end),
		line: int32(t.line), col: c, endLine: int32(t.line), endCol: t.col(end)})
	t.lastWasNewline = false
}

// emitFrom appends a token that starts at (line, col) and ends at end on the
// current line.
func (t *tokenizer) emitFrom(kind tokKind, start int, line, col int32, end int) {
	t.toks = append(t.toks, token{kind: kind, start: int32(start), end: int32(end),
		line: line, col: col, endLine: int32(t.line), endCol: t.col(end)})
	t.lastWasNewline = false
}

// errorAt records an error; the caller emits the tkError token next.
func (t *tokenizer) errorAt(line, col int, msg string) {
	t.errs = append(t.errs, tokError{line: line, col: col, endLine: line, endCol: col + 1, msg: msg, tok: len(t.toks)})
}

func (t *tokenizer) errorHere(off int, msg string) {
	t.errorAt(t.line, off-t.lineStart, msg)
}

// newline advances the line counters past the '\n' at off.
func (t *tokenizer) newline(off int) {
	t.line++
	t.lineStart = off + 1
}

func (t *tokenizer) peek(off int) byte {
	if off < len(t.src) {
		return t.src[off]
	}
	return 0
}

func (t *tokenizer) inFStringLiteral() bool {
	if n := len(t.modes); n > 0 {
		m := &t.modes[n-1]
		return len(m.fields) == 0 || m.fields[len(m.fields)-1].inSpec
	}
	return false
}

// topField returns the innermost open replacement field whose expression is
// being scanned at bracket depth equal to its base, or nil.
func (t *tokenizer) topField() *fsField {
	if n := len(t.modes); n > 0 {
		m := &t.modes[n-1]
		if k := len(m.fields); k > 0 {
			f := &m.fields[k-1]
			if !f.inSpec && f.base == len(t.brackets) {
				return f
			}
		}
	}
	return nil
}

func (t *tokenizer) run() {
	for {
		if len(t.modes) > 0 && t.inFStringLiteral() {
			t.scanFStringLiteral()
			continue
		}
		if t.atLineStart && len(t.brackets) == 0 {
			if !t.indentation() {
				break
			}
		}
		if t.pos >= len(t.src) {
			break
		}
		c := t.src[t.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\f':
			t.pos++
		case c == '#':
			t.skipComment()
		case c == '\n':
			if len(t.brackets) > 0 && !t.statementFollows(t.pos+1) {
				t.newline(t.pos)
				t.pos++
				continue
			}
			if len(t.brackets) > 0 {
				// A line that can only start a statement follows an
				// unclosed bracket: report it and resume there.
				b := t.brackets[0]
				t.errorAt(int(b.line), int(b.col), fmt.Sprintf("'%c' was never closed", b.ch))
				t.emit(tkError, t.pos, t.pos)
				t.brackets = t.brackets[:0]
				t.modes = t.modes[:0]
			}
			if !t.lastWasNewline {
				t.emit(tkNewline, t.pos, t.pos+1)
				t.lastWasNewline = true
			}
			t.newline(t.pos)
			t.pos++
			t.atLineStart = true
		case c == '\\':
			if t.peek(t.pos+1) == '\n' {
				t.newline(t.pos + 1)
				t.pos += 2
				if t.pos >= len(t.src) {
					t.errorHere(t.pos, "unexpected EOF while parsing")
					t.emit(tkError, t.pos, t.pos)
				}
				continue
			}
			if t.pos+1 >= len(t.src) {
				t.errorHere(t.pos, "unexpected EOF while parsing")
				t.pos++
				t.emit(tkError, t.pos-1, t.pos)
				continue
			}
			t.errorHere(t.pos, "unexpected character after line continuation character")
			t.emit(tkError, t.pos, t.pos+1)
			t.pos++
		case c >= '0' && c <= '9' || c == '.' && isDigit(t.peek(t.pos+1)):
			t.scanNumber()
		case c == '"' || c == '\'':
			t.scanString(t.pos, t.pos)
		case isASCIILetter(c) || c == '_' || c >= utf8.RuneSelf:
			t.scanName()
		default:
			t.scanOperator()
		}
	}
	t.finish()
}

// statementFollows reports whether the line starting at off begins with a
// keyword that can only start a statement (def, class, return, import...),
// never continue an expression: a sign that a bracket was left unclosed.
// It is only consulted inside brackets, so valid code is never affected.
func (t *tokenizer) statementFollows(off int) bool {
	if len(t.modes) > 0 {
		return false
	}
	for off < len(t.src) && (t.src[off] == ' ' || t.src[off] == '\t' || t.src[off] == '\f') {
		off++
	}
	end := off
	for end < len(t.src) && (isASCIILetter(t.src[end]) || t.src[end] == '_') {
		end++
	}
	if end == off || end < len(t.src) && isNameByte(t.src[end]) {
		return false
	}
	switch lookupKeyword(t.src[off:end]) {
	case kwDef, kwClass, kwReturn, kwImport, kwWhile, kwTry, kwWith, kwPass,
		kwBreak, kwContinue, kwRaise, kwGlobal, kwNonlocal, kwDel, kwAssert,
		kwExcept, kwFinally, kwElif:
		return true
	}
	return false
}

// indentation measures the indentation of a new logical line and emits
// INDENT/DEDENT tokens. Blank and comment-only lines are skipped. It returns
// false at end of input.
func (t *tokenizer) indentation() bool {
	for {
		col, alt, contCol := 0, 0, 0
		p := t.pos
	measure:
		for p < len(t.src) {
			switch t.src[p] {
			case ' ':
				col++
				alt++
			case '\t':
				col = (col/tabSize + 1) * tabSize
				alt++
			case '\f':
				col, alt = 0, 0
			case '\\':
				// A backslash continuation inside the indentation: like
				// CPython 3.12+, the column of the first one (unless it is
				// 0) sets the level, and measuring goes on on the next line.
				if t.peek(p+1) != '\n' {
					break measure
				}
				if contCol == 0 {
					contCol = col
				}
				t.newline(p + 1)
				p++
			default:
				break measure
			}
			p++
		}
		if contCol != 0 {
			col, alt = contCol, contCol
		}
		if p >= len(t.src) {
			t.pos = p
			return false
		}
		c := t.src[p]
		if c == '#' || c == '\n' {
			// Blank line: no indentation processing.
			t.pos = p
			if c == '#' {
				t.skipComment()
			}
			if t.pos < len(t.src) && t.src[t.pos] == '\n' {
				t.newline(t.pos)
				t.pos++
				continue
			}
			return t.pos < len(t.src)
		}
		t.pos = p
		t.atLineStart = false
		top := len(t.indents) - 1
		switch {
		case col == t.indents[top]:
			if alt != t.altIndents[top] {
				t.tabError()
			}
		case col > t.indents[top]:
			if len(t.indents) >= maxIndentLevels {
				t.errorHere(p, "too many levels of indentation")
				t.emit(tkError, p, p)
				return true
			}
			if alt <= t.altIndents[top] {
				t.tabError()
			}
			t.indents = append(t.indents, col)
			t.altIndents = append(t.altIndents, alt)
			t.emit(tkIndent, p, p)
		default:
			for top > 0 && col < t.indents[top] {
				top--
				t.emit(tkDedent, p, p)
			}
			t.indents = t.indents[:top+1]
			t.altIndents = t.altIndents[:top+1]
			if col != t.indents[top] {
				t.errorHere(p, "unindent does not match any outer indentation level")
				t.emit(tkError, p, p)
			} else if alt != t.altIndents[top] {
				t.tabError()
			}
		}
		t.lastWasNewline = true
		return true
	}
}

func (t *tokenizer) tabError() {
	t.errorHere(t.pos, "inconsistent use of tabs and spaces in indentation")
	t.emit(tkError, t.pos, t.pos)
}

func (t *tokenizer) skipComment() {
	for t.pos < len(t.src) && t.src[t.pos] != '\n' {
		t.pos++
	}
}

// finish emits the closing NEWLINE, DEDENTs and EOF and reports unclosed
// brackets and f-strings.
func (t *tokenizer) finish() {
	if len(t.modes) > 0 {
		m := t.modes[0]
		msg := "unterminated f-string literal (detected at line %d)"
		if m.triple {
			msg = "unterminated triple-quoted f-string literal (detected at line %d)"
		}
		t.errorAt(int(m.line), int(m.col), fmt.Sprintf(msg, t.detectedLine()))
		t.emit(tkError, t.pos, t.pos)
		t.modes = t.modes[:0]
	}
	if len(t.brackets) > 0 {
		b := t.brackets[len(t.brackets)-1]
		t.errorAt(int(b.line), int(b.col), fmt.Sprintf("'%c' was never closed", b.ch))
		t.emit(tkError, t.pos, t.pos)
		t.brackets = t.brackets[:0]
	}
	if !t.lastWasNewline {
		t.emit(tkNewline, t.pos, t.pos)
	}
	for len(t.indents) > 1 {
		t.indents = t.indents[:len(t.indents)-1]
		t.emitEnd(tkDedent)
	}
	t.emitEnd(tkEOF)
}

// detectedLine is the line the tokenizer is on, for "detected at line N"
// messages: at the end of input after a final newline, that is the last
// line, as CPython counts.
func (t *tokenizer) detectedLine() int {
	if n := len(t.src); t.pos >= n && n > 0 && t.src[n-1] == '\n' && t.line > 1 {
		return t.line - 1
	}
	return t.line
}

// emitEnd emits a DEDENT or the EOF token at the end of the input. When the
// input ends with a newline CPython places them on the last line, not on
// the empty line after it; errors such as "expected an indented block" at
// the end of a file are reported there.
func (t *tokenizer) emitEnd(kind tokKind) {
	t.emit(kind, t.pos, t.pos)
	if line := t.detectedLine(); line != t.line {
		tk := &t.toks[len(t.toks)-1]
		tk.line, tk.endLine, tk.col, tk.endCol = int32(line), int32(line), 0, 0
	}
}

func isDigit(c byte) bool       { return c >= '0' && c <= '9' }
func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isNameByte(c byte) bool {
	return isASCIILetter(c) || isDigit(c) || c == '_' || c >= utf8.RuneSelf
}

// scanName scans an identifier, keyword or string prefix.
func (t *tokenizer) scanName() {
	start := t.pos
	p := t.pos
	ascii := true
	for p < len(t.src) {
		c := t.src[p]
		if c < utf8.RuneSelf {
			if isASCIILetter(c) || isDigit(c) || c == '_' {
				p++
				continue
			}
			break
		}
		ascii = false
		r, size := utf8.DecodeRune(t.src[p:])
		if !isPotentialIdentifierRune(r) {
			break
		}
		p += size
	}
	if p < len(t.src) && (t.src[p] == '"' || t.src[p] == '\'') && p-start <= 2 && isStringPrefix(t.src[start:p]) {
		t.pos = p
		t.scanString(start, p)
		return
	}
	if !ascii {
		if !t.verifyIdentifier(start, p) {
			t.pos = p
			t.emit(tkError, start, p)
			return
		}
	}
	t.pos = p
	kw := kwNone
	if ascii {
		kw = lookupKeyword(t.src[start:p])
	}
	t.emit(tkName, start, p)
	t.toks[len(t.toks)-1].kw = kw
}

// isPotentialIdentifierRune reports whether CPython's tokenizer would take r
// as part of an identifier before validating it: every non-ASCII code point
// except the ones that are plainly separators.
func isPotentialIdentifierRune(r rune) bool {
	return r >= utf8.RuneSelf && r != utf8.RuneError
}

// verifyIdentifier checks a non-ASCII identifier (PEP 3131) and reports the
// first invalid character as CPython does.
func (t *tokenizer) verifyIdentifier(start, end int) bool {
	s := t.src[start:end]
	first := true
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRune(s[i:])
		ok := false
		if first {
			ok = isIDStart(r)
		} else {
			ok = isIDContinue(r)
		}
		if !ok {
			t.invalidCharacter(start+i, r)
			return false
		}
		first = false
		i += size
	}
	return true
}

func (t *tokenizer) invalidCharacter(off int, r rune) {
	if isPrintableRune(r) {
		t.errorHere(off, fmt.Sprintf("invalid character '%c' (U+%04X)", r, r))
	} else {
		t.errorHere(off, fmt.Sprintf("invalid non-printable character U+%04X", r))
	}
}

func isStringPrefix(p []byte) bool {
	switch len(p) {
	case 1:
		switch p[0] | 0x20 {
		case 'r', 'u', 'b', 'f', 't':
			return true
		}
	case 2:
		a, b := p[0]|0x20, p[1]|0x20
		if a == 'r' {
			a, b = b, a
		}
		return b == 'r' && (a == 'b' || a == 'f' || a == 't')
	}
	return false
}

// scanString scans a string literal whose prefix starts at start and whose
// opening quote is at q.
func (t *tokenizer) scanString(start, q int) {
	raw, fstr := false, false
	for _, c := range t.src[start:q] {
		switch c | 0x20 {
		case 'r':
			raw = true
		case 'f', 't':
			fstr = true
		}
	}
	quote := t.src[q]
	triple := t.peek(q+1) == quote && t.peek(q+2) == quote
	qlen := 1
	if triple {
		qlen = 3
	}
	if fstr {
		if len(t.modes) >= maxFStringDepth {
			t.errorHere(start, "too many nested f-strings")
			t.emit(tkError, start, start)
		}
		t.pos = q + qlen
		t.emit(tkFStringStart, start, t.pos)
		t.modes = append(t.modes, fsMode{quote: quote, triple: triple, raw: raw,
			line: int32(t.line), col: t.col(start)})
		return
	}
	line, col := int32(t.line), t.col(start)
	p := q + qlen
	for {
		if p >= len(t.src) {
			if !triple && t.closesFString(start, q, quote) {
				return
			}
			t.pos = p
			if triple {
				t.errorAt(int(line), int(col), fmt.Sprintf("unterminated triple-quoted string literal (detected at line %d)", t.detectedLine()))
			} else {
				t.errorAt(int(line), int(col), fmt.Sprintf("unterminated string literal (detected at line %d)", t.detectedLine()))
			}
			t.emitFrom(tkError, start, line, col, p)
			return
		}
		c := t.src[p]
		switch c {
		case quote:
			if !triple {
				t.pos = p + 1
				t.emitFrom(tkString, start, line, col, t.pos)
				return
			}
			if t.peek(p+1) == quote && t.peek(p+2) == quote {
				t.pos = p + 3
				t.emitFrom(tkString, start, line, col, t.pos)
				return
			}
			p++
		case '\\':
			if p+1 < len(t.src) {
				if t.src[p+1] == '\n' {
					t.newline(p + 1)
				}
				p += 2
			} else {
				p++
			}
		case '\n':
			if !triple && t.closesFString(start, q, quote) {
				return
			}
			if !triple {
				t.errorAt(int(line), int(col), fmt.Sprintf("unterminated string literal (detected at line %d)", t.detectedLine()))
				t.pos = p
				t.emitFrom(tkError, start, line, col, p)
				return
			}
			t.newline(p)
			p++
		default:
			p++
		}
	}
}

// closesFString handles an unterminated plain string that starts, inside a
// replacement field, with the quote of the enclosing single-quoted f-string
// (`f"{x"`): like CPython, it reports the missing '}' and ends the f-string
// at that quote.
func (t *tokenizer) closesFString(start, q int, quote byte) bool {
	n := len(t.modes)
	if n == 0 || start != q {
		return false
	}
	m := &t.modes[n-1]
	if m.triple || m.quote != quote || len(m.fields) == 0 {
		return false
	}
	// Rewind to the quote: it is still on the current line.
	t.errorHere(q, "f-string: expecting '}'")
	for len(m.fields) > 0 {
		m.fields = m.fields[:len(m.fields)-1]
		if len(t.brackets) > 0 {
			t.brackets = t.brackets[:len(t.brackets)-1]
		}
	}
	t.modes = t.modes[:n-1]
	t.pos = q + 1
	t.emit(tkError, q, q+1)
	return true
}

// scanFStringLiteral scans literal text of the innermost f-string (or of a
// format spec) up to a replacement field, the end of the spec, or the
// closing quote.
func (t *tokenizer) scanFStringLiteral() {
	m := &t.modes[len(t.modes)-1]
	inSpec := len(m.fields) > 0
	start := t.pos
	line, col := int32(t.line), t.col(start)
	p := t.pos
	flush := func(end int) {
		if end > start {
			t.pos = end
			t.emitFrom(tkFStringMiddle, start, line, col, end)
		}
	}
	for {
		if p >= len(t.src) {
			flush(p)
			t.pos = p
			t.unterminatedFString(m)
			return
		}
		c := t.src[p]
		switch c {
		case m.quote:
			if m.triple && !(t.peek(p+1) == m.quote && t.peek(p+2) == m.quote) {
				p++
				continue
			}
			flush(p)
			if inSpec {
				t.errorHere(p, "f-string: expecting '}'")
				// Close the open fields so the rest of the file tokenizes.
				for len(m.fields) > 0 {
					m.fields = m.fields[:len(m.fields)-1]
					if len(t.brackets) > 0 {
						t.brackets = t.brackets[:len(t.brackets)-1]
					}
				}
				t.emit(tkError, p, p)
			}
			qlen := 1
			if m.triple {
				qlen = 3
			}
			t.pos = p + qlen
			t.emit(tkFStringEnd, p, t.pos)
			t.modes = t.modes[:len(t.modes)-1]
			return
		case '\\':
			if p+1 >= len(t.src) {
				p++
				continue
			}
			n := t.src[p+1]
			switch {
			case n == '\n':
				t.newline(p + 1)
				p += 2
			case m.raw:
				if n == m.quote || n == '\\' {
					p += 2
				} else {
					p++
				}
			case n == 'N' && t.peek(p+2) == '{':
				// A named escape \N{...}: its braces are not a field.
				q := p + 3
				for q < len(t.src) && t.src[q] != '}' && t.src[q] != m.quote && t.src[q] != '\n' {
					q++
				}
				if q < len(t.src) && t.src[q] == '}' {
					p = q + 1
				} else {
					p += 2
				}
			case n == '{' || n == '}':
				p++ // the brace keeps its meaning
			default:
				p += 2
			}
		case '\n':
			if !m.triple {
				flush(p)
				t.pos = p
				t.unterminatedFString(m)
				return
			}
			t.newline(p)
			p++
		case '{':
			if !inSpec && t.peek(p+1) == '{' {
				p += 2
				continue
			}
			flush(p)
			t.openField(p)
			return
		case '}':
			if !inSpec && t.peek(p+1) == '}' {
				p += 2
				continue
			}
			flush(p)
			if !inSpec {
				t.errorHere(p, "f-string: single '}' is not allowed")
				t.pos = p + 1
				t.emit(tkError, p, p+1)
				return
			}
			t.closeField(p)
			return
		default:
			p++
		}
	}
}

func (t *tokenizer) unterminatedFString(m *fsMode) {
	msg := "unterminated f-string literal (detected at line %d)"
	if m.triple {
		msg = "unterminated triple-quoted f-string literal (detected at line %d)"
	}
	t.errorAt(int(m.line), int(m.col), fmt.Sprintf(msg, t.detectedLine()))
	t.emit(tkError, t.pos, t.pos)
	// Drop the f-string and any brackets its fields opened.
	for len(m.fields) > 0 {
		m.fields = m.fields[:len(m.fields)-1]
		if len(t.brackets) > 0 {
			t.brackets = t.brackets[:len(t.brackets)-1]
		}
	}
	t.modes = t.modes[:len(t.modes)-1]
}

// openField emits the '{' at p that opens a replacement field.
func (t *tokenizer) openField(p int) {
	m := &t.modes[len(t.modes)-1]
	if len(t.brackets) >= maxBracketDepth {
		t.errorHere(p, "too many nested parentheses")
		t.emit(tkError, p, p)
	}
	t.brackets = append(t.brackets, bracket{ch: '{', line: int32(t.line), col: t.col(p), off: int32(p)})
	m.fields = append(m.fields, fsField{base: len(t.brackets)})
	t.pos = p + 1
	t.emit(tkLbrace, p, p+1)
}

// closeField emits the '}' at p that closes the innermost replacement field.
func (t *tokenizer) closeField(p int) {
	m := &t.modes[len(t.modes)-1]
	m.fields = m.fields[:len(m.fields)-1]
	if len(t.brackets) > 0 {
		t.brackets = t.brackets[:len(t.brackets)-1]
	}
	t.pos = p + 1
	t.emit(tkRbrace, p, p+1)
}

// scanNumber scans a numeric literal, reporting malformed ones as CPython does.
func (t *tokenizer) scanNumber() {
	start := t.pos
	p := t.pos
	src := t.src
	fail := func(at int, msg string) {
		t.errorHere(at, msg)
		for at < len(src) && isNameByte(src[at]) {
			at++
		}
		t.pos = at
		t.emit(tkError, start, at)
	}
	// digits scans [0-9](_?[0-9])* and returns the end, or -1 after a bad '_'.
	digits := func(p int, valid func(byte) bool) int {
		for {
			for p < len(src) && valid(src[p]) {
				p++
			}
			if p < len(src) && src[p] == '_' {
				if p+1 < len(src) && valid(src[p+1]) {
					p++
					continue
				}
				return -1 - p
			}
			return p
		}
	}
	if src[p] == '0' && p+1 < len(src) && (src[p+1]|0x20 == 'x' || src[p+1]|0x20 == 'o' || src[p+1]|0x20 == 'b') {
		kind := src[p+1] | 0x20
		var valid func(byte) bool
		var name string
		switch kind {
		case 'x':
			valid = func(c byte) bool { return isDigit(c) || c|0x20 >= 'a' && c|0x20 <= 'f' }
			name = "hexadecimal"
		case 'o':
			valid = func(c byte) bool { return c >= '0' && c <= '7' }
			name = "octal"
		default:
			valid = func(c byte) bool { return c == '0' || c == '1' }
			name = "binary"
		}
		p += 2
		if p < len(src) && src[p] == '_' {
			p++
		}
		if p >= len(src) || !valid(src[p]) {
			if p < len(src) && isDigit(src[p]) {
				fail(p, fmt.Sprintf("invalid digit '%c' in %s literal", src[p], name))
			} else {
				fail(p, fmt.Sprintf("invalid %s literal", name))
			}
			return
		}
		e := digits(p, valid)
		if e < 0 {
			fail(-1-e, fmt.Sprintf("invalid %s literal", name))
			return
		}
		if e < len(src) && isDigit(src[e]) {
			fail(e, fmt.Sprintf("invalid digit '%c' in %s literal", src[e], name))
			return
		}
		t.endNumber(start, e, name)
		return
	}
	if src[p] != '.' {
		leadingZero := src[p] == '0'
		e := digits(p, isDigit)
		if e < 0 {
			fail(-1-e, "invalid decimal literal")
			return
		}
		nonzero := false
		if leadingZero {
			for _, c := range src[p:e] {
				if c != '0' && c != '_' {
					nonzero = true
					break
				}
			}
		}
		p = e
		if leadingZero && nonzero {
			// Only legal when it turns out to be a float or imaginary.
			if p >= len(src) || (src[p] != '.' && src[p]|0x20 != 'e' && src[p]|0x20 != 'j') {
				t.errorHere(start, "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers")
				for p < len(src) && isNameByte(src[p]) {
					p++
				}
				t.pos = p
				t.emit(tkError, start, p)
				return
			}
		}
	}
	if p < len(src) && src[p] == '.' {
		p++
		if p < len(src) && isDigit(src[p]) {
			e := digits(p, isDigit)
			if e < 0 {
				fail(-1-e, "invalid decimal literal")
				return
			}
			p = e
		}
	}
	if p < len(src) && src[p]|0x20 == 'e' {
		q := p + 1
		if q < len(src) && (src[q] == '+' || src[q] == '-') {
			q++
		}
		if q < len(src) && isDigit(src[q]) {
			e := digits(q, isDigit)
			if e < 0 {
				fail(-1-e, "invalid decimal literal")
				return
			}
			p = e
		} else {
			// "1e" / "1else": the e may start a keyword (1else is legal but
			// deprecated); otherwise it's an invalid literal.
			t.endNumber(start, p, "decimal")
			return
		}
	}
	if p < len(src) && src[p]|0x20 == 'j' {
		p++
		t.pos = p
		t.endNumberChecked(start, p, "imaginary")
		return
	}
	t.endNumber(start, p, "decimal")
}

// endNumber emits a NUMBER token [start,end) after checking what follows it.
func (t *tokenizer) endNumber(start, end int, kind string) {
	t.pos = end
	t.endNumberChecked(start, end, kind)
}

// endNumberChecked implements CPython's verify_end_of_number: a number may
// be directly followed by some keywords (deprecated), not by other names.
func (t *tokenizer) endNumberChecked(start, end int, kind string) {
	src := t.src
	if end < len(src) && isNameByte(src[end]) {
		ok := false
		rest := src[end:]
		for _, kw := range [...]string{"and", "else", "for", "if", "in", "is", "not", "or"} {
			if len(rest) >= len(kw) && string(rest[:len(kw)]) == kw {
				ok = true
				break
			}
		}
		if !ok {
			msg := "invalid " + kind + " literal"
			if kind == "imaginary" {
				msg = "invalid imaginary literal"
			}
			p := end
			for p < len(src) && isNameByte(src[p]) {
				p++
			}
			t.errorHere(end-1, msg)
			t.pos = p
			t.emit(tkError, start, p)
			return
		}
	}
	t.emit(tkNumber, start, end)
}

// scanOperator scans an operator or delimiter.
func (t *tokenizer) scanOperator() {
	p := t.pos
	src := t.src
	c := src[p]
	c1 := t.peek(p + 1)
	c2 := t.peek(p + 2)
	kind, n := tkError, 1
	switch c {
	case '(':
		kind = tkLpar
	case ')':
		kind = tkRpar
	case '[':
		kind = tkLsqb
	case ']':
		kind = tkRsqb
	case '{':
		kind = tkLbrace
	case '}':
		kind = tkRbrace
	case ',':
		kind = tkComma
	case ';':
		kind = tkSemi
	case '~':
		kind = tkTilde
	case ':':
		kind = tkColon
		if c1 == '=' {
			kind, n = tkColonEqual, 2
		}
	case '+':
		kind = tkPlus
		if c1 == '=' {
			kind, n = tkPlusEqual, 2
		}
	case '-':
		kind = tkMinus
		if c1 == '=' {
			kind, n = tkMinEqual, 2
		} else if c1 == '>' {
			kind, n = tkRarrow, 2
		}
	case '*':
		kind = tkStar
		if c1 == '*' {
			kind, n = tkDoubleStar, 2
			if c2 == '=' {
				kind, n = tkDoubleStarEqual, 3
			}
		} else if c1 == '=' {
			kind, n = tkStarEqual, 2
		}
	case '/':
		kind = tkSlash
		if c1 == '/' {
			kind, n = tkDoubleSlash, 2
			if c2 == '=' {
				kind, n = tkDoubleSlashEqual, 3
			}
		} else if c1 == '=' {
			kind, n = tkSlashEqual, 2
		}
	case '|':
		kind = tkVbar
		if c1 == '=' {
			kind, n = tkVbarEqual, 2
		}
	case '&':
		kind = tkAmper
		if c1 == '=' {
			kind, n = tkAmperEqual, 2
		}
	case '^':
		kind = tkCircumflex
		if c1 == '=' {
			kind, n = tkCircumflexEqual, 2
		}
	case '%':
		kind = tkPercent
		if c1 == '=' {
			kind, n = tkPercentEqual, 2
		}
	case '@':
		kind = tkAt
		if c1 == '=' {
			kind, n = tkAtEqual, 2
		}
	case '=':
		kind = tkEqual
		if c1 == '=' {
			kind, n = tkEqEqual, 2
		}
	case '!':
		kind = tkExclamation
		if c1 == '=' {
			kind, n = tkNotEqual, 2
		}
	case '<':
		kind = tkLess
		switch c1 {
		case '=':
			kind, n = tkLessEqual, 2
		case '<':
			kind, n = tkLeftShift, 2
			if c2 == '=' {
				kind, n = tkLeftShiftEqual, 3
			}
		case '>':
			// '<>' is only valid with barry_as_FLUFL.
			kind, n = tkNotEqual, 2
			t.errorHere(p, "invalid syntax")
			t.pos = p + 2
			t.emit(tkError, p, p+2)
			return
		}
	case '>':
		kind = tkGreater
		switch c1 {
		case '=':
			kind, n = tkGreaterEqual, 2
		case '>':
			kind, n = tkRightShift, 2
			if c2 == '=' {
				kind, n = tkRightShiftEqual, 3
			}
		}
	case '.':
		kind = tkDot
		if c1 == '.' && c2 == '.' {
			kind, n = tkEllipsis, 3
		}
	}
	if kind == tkError {
		switch {
		case c < ' ' || c == 0x7f:
			t.errorHere(p, fmt.Sprintf("invalid non-printable character U+%04X", c))
		default:
			t.errorHere(p, "invalid syntax")
		}
		t.pos = p + 1
		t.emit(tkError, p, p+1)
		return
	}

	// Inside an f-string replacement field, some tokens at the field's own
	// bracket depth have special meaning.
	if f := t.topField(); f != nil {
		switch kind {
		case tkColon, tkColonEqual:
			// ':' starts the format spec, even when followed by '='.
			t.pos = p + 1
			t.emit(tkColon, p, p+1)
			f.inSpec = true
			return
		case tkRbrace:
			t.closeField(p)
			return
		}
	}

	switch kind {
	case tkLpar, tkLsqb, tkLbrace:
		if len(t.brackets) >= maxBracketDepth {
			t.errorHere(p, "too many nested parentheses")
			t.pos = p + 1
			t.emit(tkError, p, p+1)
			return
		}
		t.brackets = append(t.brackets, bracket{ch: c, line: int32(t.line), col: t.col(p), off: int32(p)})
	case tkRpar, tkRsqb, tkRbrace:
		if len(t.brackets) == 0 || t.inFieldBoundary() {
			t.errorHere(p, fmt.Sprintf("unmatched '%c'", c))
			t.pos = p + 1
			t.emit(tkError, p, p+1)
			return
		}
		open := t.brackets[len(t.brackets)-1]
		if closerOf(open.ch) != c {
			if int(open.line) != t.line {
				t.errorHere(p, fmt.Sprintf("closing parenthesis '%c' does not match opening parenthesis '%c' on line %d", c, open.ch, open.line))
			} else {
				t.errorHere(p, fmt.Sprintf("closing parenthesis '%c' does not match opening parenthesis '%c'", c, open.ch))
			}
			// Recover by closing the opener as well, so that the rest of
			// the file is not taken as one long logical line.
			t.brackets = t.brackets[:len(t.brackets)-1]
			t.pos = p + 1
			t.emit(tkError, p, p+1)
			return
		}
		t.brackets = t.brackets[:len(t.brackets)-1]
	}
	t.pos = p + n
	t.emit(kind, p, p+n)
}

func closerOf(open byte) byte {
	switch open {
	case '(':
		return ')'
	case '[':
		return ']'
	}
	return '}'
}

// inFieldBoundary reports whether the innermost open bracket is the '{' of
// an f-string replacement field (so a ')' or ']' here is unmatched).
func (t *tokenizer) inFieldBoundary() bool {
	if n := len(t.modes); n > 0 {
		m := &t.modes[n-1]
		if k := len(m.fields); k > 0 && m.fields[k-1].base == len(t.brackets) {
			return true
		}
	}
	return false
}

// isPrintableRune approximates Python's str.isprintable for one character:
// letters, marks, numbers, punctuation, symbols and the ASCII space.
func isPrintableRune(r rune) bool { return unicode.IsPrint(r) }
