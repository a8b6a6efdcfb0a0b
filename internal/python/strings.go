package python

import (
	"bytes"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"
)

// strPrefix describes a string token's prefix.
type strPrefix struct {
	raw, bytes, unicode, fstr, tstr bool
	n                               int // prefix length in bytes
}

func parsePrefix(text []byte) strPrefix {
	var sp strPrefix
	for i, c := range text {
		switch c | 0x20 {
		case 'r':
			sp.raw = true
		case 'b':
			sp.bytes = true
		case 'u':
			sp.unicode = true
		case 'f':
			sp.fstr = true
		case 't':
			sp.tstr = true
		default:
			sp.n = i
			return sp
		}
	}
	return sp
}

// strings parses one or more adjacent string literals (implicit
// concatenation) into a Constant, JoinedStr or TemplateStr, following
// CPython's _PyPegen_concatenate_strings.
func (p *parser) strings() Expr {
	start := p.p
	if p.at(tkString) {
		if k := p.peekKind(1); k != tkString && k != tkFStringStart {
			i := p.advance()
			return p.stringConstant(i)
		}
	}
	mark := len(p.legacySpecs)
	outerConcat := p.concatStart
	p.concatStart = start
	defer func() {
		p.legacySpecs = p.legacySpecs[:mark]
		p.concatStart = outerConcat
	}()
	var parts []Expr
	fstr, tstr, plain, bytesFound, strFound := false, false, false, false, false
	for {
		switch p.kind() {
		case tkString:
			i := p.advance()
			c := p.stringConstant(i)
			if c.Value.Kind == BytesValue {
				bytesFound = true
			} else {
				strFound = true
			}
			plain = true
			parts = append(parts, c)
			continue
		case tkFStringStart:
			isT := parsePrefix(p.src[p.tok().start:p.tok().end]).tstr
			if isT {
				tstr = true
			} else {
				fstr = true
			}
			parts = p.fstring(parts, isT)
			continue
		}
		break
	}
	span := p.spanFrom(start)
	if tstr && (plain || fstr) {
		p.failSpan(span, "cannot mix t-string literals with string or bytes literals")
	}
	if (strFound || fstr) && bytesFound {
		p.failSpan(span, "cannot mix bytes and nonbytes literals")
	}
	if !fstr && !tstr {
		// Plain strings (or bytes) only: one constant, with the kind of
		// the first.
		first := parts[0].(*Constant)
		var b strings.Builder
		for _, c := range parts {
			b.WriteString(c.(*Constant).Value.Str)
		}
		return &Constant{Span: span, Value: Value{Kind: first.Value.Kind, Str: b.String()}, Kind: first.Kind}
	}
	values := foldConstants(parts)
	if p.version.Less(Version{3, 12}) {
		p.legacyFStringPositions(values, span, mark)
	}
	if tstr {
		return &TemplateStr{Span: span, Values: values}
	}
	return &JoinedStr{Span: span, Values: values}
}

// foldConstants merges runs of adjacent string Constants (the merged node
// spans the run) and drops empty ones, as CPython does when building an
// f-string's values.
func foldConstants(parts []Expr) []Expr {
	out := parts[:0:0]
	for i := 0; i < len(parts); i++ {
		c, ok := parts[i].(*Constant)
		if !ok {
			out = append(out, parts[i])
			continue
		}
		j := i + 1
		for j < len(parts) {
			if _, ok := parts[j].(*Constant); !ok {
				break
			}
			j++
		}
		if j > i+1 {
			var b strings.Builder
			for _, e := range parts[i:j] {
				b.WriteString(e.(*Constant).Value.Str)
			}
			last := parts[j-1].Pos()
			c = &Constant{Span: Span{c.Line, c.Col, last.EndLine, last.EndCol},
				Value: Value{Kind: StrValue, Str: b.String()}, Kind: c.Kind}
			i = j - 1
		}
		if c.Value.Str == "" {
			continue
		}
		out = append(out, c)
	}
	return out
}

// stringConstant decodes the plain string token i.
func (p *parser) stringConstant(i int) *Constant {
	t := &p.toks[i]
	text := p.src[t.start:t.end]
	pre := parsePrefix(text)
	body := text[pre.n:]
	q := 1
	if len(body) >= 6 && body[0] == body[1] && body[1] == body[2] {
		q = 3
	}
	body = body[q : len(body)-q]
	c := &Constant{Span: p.spanTok(i)}
	if pre.unicode {
		c.Kind = "u"
	}
	kind := StrValue
	if pre.bytes {
		kind = BytesValue
		for _, b := range body {
			if b >= utf8.RuneSelf {
				p.failAt(i, "bytes can only contain ASCII literal characters", false)
			}
		}
	}
	if pre.raw || bytes.IndexByte(body, '\\') < 0 {
		c.Value = Value{Kind: kind, Str: string(body)}
		return c
	}
	s, err := decodeEscapes(body, pre.bytes)
	if err != "" {
		p.failAt(i, err, false)
	}
	c.Value = Value{Kind: kind, Str: s}
	return c
}

// decodeEscapes processes backslash escapes of a str (or bytes) literal.
// It returns an error message in CPython's words, or "".
func decodeEscapes(body []byte, isBytes bool) (string, string) {
	var b strings.Builder
	b.Grow(len(body))
	const kind = "unicode"
	for i := 0; i < len(body); {
		c := body[i]
		if c != '\\' {
			j := i + 1
			for j < len(body) && body[j] != '\\' {
				j++
			}
			b.Write(body[i:j])
			i = j
			continue
		}
		if i+1 >= len(body) {
			return "", fmt.Sprintf("(%s error) 'unicodeescape' codec can't decode byte 0x5c in position %d: \\ at end of string", kind, i)
		}
		e := body[i+1]
		i += 2
		switch e {
		case '\n':
		case '\\', '\'', '"':
			b.WriteByte(e)
		case 'a':
			b.WriteByte(7)
		case 'b':
			b.WriteByte(8)
		case 'f':
			b.WriteByte(12)
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'v':
			b.WriteByte(11)
		case '0', '1', '2', '3', '4', '5', '6', '7':
			v := int(e - '0')
			for n := 0; n < 2 && i < len(body) && body[i] >= '0' && body[i] <= '7'; n++ {
				v = v*8 + int(body[i]-'0')
				i++
			}
			if isBytes {
				b.WriteByte(byte(v))
			} else {
				writeCodePoint(&b, rune(v))
			}
		case 'x':
			v, ok := hexDigits(body, i, 2)
			if !ok {
				return "", fmt.Sprintf("(%s error) 'unicodeescape' codec can't decode bytes in position %d-%d: truncated \\xXX escape", kind, i-2, min(i+1, len(body)-1))
			}
			i += 2
			if isBytes {
				b.WriteByte(byte(v))
			} else {
				writeCodePoint(&b, rune(v))
			}
		case 'u', 'U', 'N':
			if isBytes {
				b.WriteByte('\\')
				b.WriteByte(e)
				continue
			}
			switch e {
			case 'u', 'U':
				n := 4
				if e == 'U' {
					n = 8
				}
				v, ok := hexDigits(body, i, n)
				if !ok {
					return "", fmt.Sprintf("(unicode error) 'unicodeescape' codec can't decode bytes in position %d-%d: truncated \\%c%s escape", i-2, min(i+n-1, len(body)-1), e, strings.Repeat("X", n))
				}
				if v > utf8.MaxRune {
					return "", fmt.Sprintf("(unicode error) 'unicodeescape' codec can't decode bytes in position %d-%d: illegal Unicode character", i-2, i+n-1)
				}
				i += n
				writeCodePoint(&b, rune(v))
			case 'N':
				if i >= len(body) || body[i] != '{' {
					return "", fmt.Sprintf("(unicode error) 'unicodeescape' codec can't decode bytes in position %d-%d: malformed \\N character escape", i-2, i-1)
				}
				end := bytes.IndexByte(body[i:], '}')
				if end < 0 {
					return "", fmt.Sprintf("(unicode error) 'unicodeescape' codec can't decode bytes in position %d-%d: malformed \\N character escape", i-2, len(body)-1)
				}
				name := string(body[i+1 : i+end])
				r, ok := lookupCharName(name)
				if !ok || name == "" {
					return "", fmt.Sprintf("(unicode error) 'unicodeescape' codec can't decode bytes in position %d-%d: unknown Unicode character name", i-2, i+end)
				}
				i += end + 1
				writeCodePoint(&b, r)
			}
		default:
			// Invalid escape: kept verbatim (CPython only warns).
			b.WriteByte('\\')
			b.WriteByte(e)
		}
	}
	return b.String(), ""
}

func hexDigits(b []byte, i, n int) (uint64, bool) {
	if i+n > len(b) {
		return 0, false
	}
	var v uint64
	for _, c := range b[i : i+n] {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c|0x20 >= 'a' && c|0x20 <= 'f':
			d = c | 0x20 - 'a' + 10
		default:
			return 0, false
		}
		v = v*16 + uint64(d)
	}
	return v, true
}

// writeCodePoint appends r as UTF-8, or as WTF-8 for surrogate code points
// (which a Python str can hold but UTF-8 cannot).
func writeCodePoint(b *strings.Builder, r rune) {
	if r >= 0xD800 && r <= 0xDFFF {
		b.WriteByte(byte(0xE0 | r>>12))
		b.WriteByte(byte(0x80 | (r>>6)&0x3F))
		b.WriteByte(byte(0x80 | r&0x3F))
		return
	}
	b.WriteRune(r)
}

// ----------------------------------------------------------------------------
// f-strings and t-strings

// fstring parses one f-string (or t-string) starting at FSTRING_START and
// appends its values to parts: decoded literal Constants (empty ones
// dropped) and FormattedValue/Interpolation nodes, debug texts included.
func (p *parser) fstring(parts []Expr, isT bool) []Expr {
	startTok := p.advance()
	outer := p.fstringStart
	p.fstringStart = startTok
	defer func() { p.fstringStart = outer }()
	raw := parsePrefix(p.src[p.toks[startTok].start:p.toks[startTok].end]).raw
	for {
		switch p.kind() {
		case tkFStringMiddle:
			i := p.advance()
			if c := p.fstringLiteral(i, raw, false); c.Value.Str != "" {
				parts = append(parts, c)
			}
		case tkLbrace:
			parts = p.replacementField(parts, raw, isT)
		case tkFStringEnd:
			p.advance()
			return parts
		default:
			if p.at(tkError) {
				p.fail("invalid syntax")
			}
			p.fail(fstringKind(isT) + ": expecting '}'")
		}
	}
}

func fstringKind(isT bool) string {
	if isT {
		return "t-string"
	}
	return "f-string"
}

// fstringLiteral decodes an FSTRING_MIDDLE token: escapes (unless raw) and,
// outside format specs, doubled braces.
func (p *parser) fstringLiteral(i int, raw, inSpec bool) *Constant {
	t := &p.toks[i]
	body := p.src[t.start:t.end]
	c := &Constant{Span: p.spanTok(i)}
	if !inSpec && (bytes.Contains(body, []byte("{{")) || bytes.Contains(body, []byte("}}"))) {
		body = collapseBraces(body, raw)
	}
	if raw || bytes.IndexByte(body, '\\') < 0 {
		c.Value = Value{Kind: StrValue, Str: string(body)}
		return c
	}
	s, err := decodeEscapes(body, false)
	if err != "" {
		p.failAt(i, err, false)
	}
	c.Value = Value{Kind: StrValue, Str: s}
	return c
}

// collapseBraces turns "{{" into "{" and "}}" into "}", leaving escaped
// sequences such as "\N{...}" alone.
func collapseBraces(body []byte, raw bool) []byte {
	out := make([]byte, 0, len(body))
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c == '\\' && !raw && i+1 < len(body) {
			if body[i+1] == 'N' && i+2 < len(body) && body[i+2] == '{' {
				if end := bytes.IndexByte(body[i:], '}'); end > 0 {
					out = append(out, body[i:i+end+1]...)
					i += end
					continue
				}
			}
			if body[i+1] != '{' && body[i+1] != '}' {
				out = append(out, c, body[i+1])
				i++
				continue
			}
		}
		out = append(out, c)
		if (c == '{' || c == '}') && i+1 < len(body) && body[i+1] == c {
			i++
		}
	}
	return out
}

// replacementField parses `'{' expr ['='] ['!' NAME] [':' spec] '}'`.
func (p *parser) replacementField(parts []Expr, raw, isT bool) []Expr {
	lb := p.advance()
	kind := fstringKind(isT)
	if p.at(tkRbrace) {
		p.fail(kind + ": valid expression required before '}'")
	}
	if p.at(tkError) {
		p.fail("invalid syntax")
	}
	var value Expr
	if p.isKw(kwYield) {
		value = p.yieldExpr()
	} else {
		if p.isKw(kwLambda) {
			lam := p.p
			if !p.speculate(func() { p.starExpressions() }) || !p.at(tkRbrace) {
				p.p = lam
				p.fail(kind + ": lambda expressions are not allowed without parentheses")
			}
			p.p = lam
		}
		start := p.p
		value = p.starExpression()
		if p.at(tkComma) {
			elts := []Expr{value}
			for p.accept(tkComma) {
				if !p.startsExpression() {
					break
				}
				elts = append(elts, p.starExpression())
			}
			value = &Tuple{Span: p.spanFrom(start), Elts: elts}
			if p.version.Less(Version{3, 12}) {
				// Before 3.12 the field was parsed as "(" + text + ")", so a
				// bare tuple spans the braces' positions.
				l, t := &p.toks[lb], p.tok()
				value.(*Tuple).Span = Span{int(l.line), int(l.col), int(t.line), int(t.col) + 1}
			}
		}
	}
	if p.version.Less(Version{3, 10}) {
		p.legacyFieldPositions(value, lb, p.p)
	}
	debug := p.accept(tkEqual)
	// exprEnd is the token that ends the expression text (the one after '='
	// for debug expressions).
	exprEnd := p.p
	conversion := -1
	if p.at(tkExclamation) {
		bang := p.advance()
		if !p.isName() && !(p.at(tkName)) {
			p.fail(kind + ": missing conversion character")
		}
		ni := p.advance()
		if p.toks[ni].start != p.toks[bang].end {
			p.failAt(bang, kind+": conversion type must come right after the exclamanation mark", false)
		}
		switch name := p.name(ni); name {
		case "s", "r", "a":
			conversion = int(name[0])
		default:
			p.failAt(ni, fmt.Sprintf("%s: invalid conversion character '%s': expected 's', 'r', or 'a'", kind, name), false)
		}
	}
	var spec Expr
	if p.at(tkColon) {
		spec = p.formatSpec(raw, isT)
	}
	if !p.at(tkRbrace) {
		if p.at(tkError) {
			p.fail("invalid syntax")
		}
		p.fail(kind + ": expecting '}'")
	}
	rb := p.advance()
	span := p.spanFrom(lb)
	if debug {
		if conversion == -1 && spec == nil {
			conversion = 'r'
		}
		s, e := &p.toks[lb], &p.toks[exprEnd]
		text := p.sourceWithoutComments(lb, exprEnd)
		parts = append(parts, &Constant{
			Span:  Span{int(s.line), int(s.col) + 1, int(e.line), int(e.col)},
			Value: Value{Kind: StrValue, Str: text},
		})
	}
	_ = rb
	if isT {
		str := strings.TrimRight(p.sourceWithoutComments(lb, exprEnd), " \t\n\r\f\v=")
		return append(parts, &Interpolation{Span: span, Value: value, Str: str, Conversion: conversion, FormatSpec: spec})
	}
	return append(parts, &FormattedValue{Span: span, Value: value, Conversion: conversion, FormatSpec: spec})
}

// sourceWithoutComments returns the source text between the end of token
// from and the start of token to, without comments, as CPython records the
// text of a replacement field's expression.
func (p *parser) sourceWithoutComments(from, to int) string {
	start, end := int(p.toks[from].end), int(p.toks[to].start)
	if bytes.IndexByte(p.src[start:end], '#') < 0 {
		return string(p.src[start:end])
	}
	var b strings.Builder
	pos := start
	for i := from + 1; i <= to; i++ {
		gapEnd := int(p.toks[i].start)
		if i == to {
			gapEnd = end
		}
		gap := p.src[pos:gapEnd]
		for len(gap) > 0 {
			h := bytes.IndexByte(gap, '#')
			if h < 0 {
				b.Write(gap)
				break
			}
			b.Write(gap[:h])
			nl := bytes.IndexByte(gap[h:], '\n')
			if nl < 0 {
				break
			}
			gap = gap[h+nl:]
		}
		if i < to {
			b.Write(p.src[p.toks[i].start:p.toks[i].end])
			pos = int(p.toks[i].end)
		}
	}
	return b.String()
}

// formatSpec parses the format spec after ':' up to (not including) the
// closing '}', as a JoinedStr spanning from the colon.
func (p *parser) formatSpec(raw, isT bool) Expr {
	colon := p.advance()
	var values []Expr
	for {
		switch p.kind() {
		case tkFStringMiddle:
			i := p.advance()
			if c := p.fstringLiteral(i, raw, true); c.Value.Str != "" {
				values = append(values, c)
			}
			continue
		case tkLbrace:
			p.enter()
			values = p.replacementField(values, raw, false)
			p.leave()
			if p.version == (Version{3, 12}) && p.at(tkRbrace) {
				// CPython 3.12 keeps the empty literal between a nested
				// field and the end of the spec.
				t := p.tok()
				values = append(values, &Constant{Span: Span{int(t.line), int(t.col), int(t.line), int(t.col)},
					Value: Value{Kind: StrValue}})
			}
			continue
		}
		break
	}
	if p.version != (Version{3, 12}) {
		values = foldConstants(values)
	}
	spec := &JoinedStr{Span: p.spanFrom(colon), Values: values}
	if p.version.Less(Version{3, 12}) {
		p.legacySpecs = append(p.legacySpecs, legacySpec{spec: spec, fstring: p.fstringStart})
	}
	return spec
}

// legacySpec records a format spec parsed for a version before 3.12, whose
// position depends on the f-string token that contains it.
type legacySpec struct {
	spec    *JoinedStr
	fstring int // index of the FSTRING_START token of the enclosing f-string
}

// legacyFStringPositions rewrites the positions inside an f-string the way
// CPython 3.8–3.11 reported them, when f-strings were single tokens parsed
// in a second pass: the literal parts and replacement fields take the span
// of the whole (implicitly concatenated) string; a format spec spans from
// the start of the concatenation to the end of the string token holding it
// (3.9–3.11) or the whole concatenation (3.8), and so do its parts.
func (p *parser) legacyFStringPositions(values []Expr, span Span, mark int) {
	for _, v := range values {
		setSpan(v, span)
	}
	for _, ls := range p.legacySpecs[mark:] {
		if p.version == (Version{3, 8}) {
			ls.spec.Span = span
			for _, v := range ls.spec.Values {
				setSpan(v, span)
			}
			continue
		}
		// 3.9–3.11: the spec and a literal that ends it take the span of the
		// string token holding the spec; earlier parts take the whole span.
		st, end := &p.toks[ls.fstring], &p.toks[p.fstringEndOf(ls.fstring)]
		tokSpan := Span{int(st.line), int(st.col), int(end.endLine), int(end.endCol)}
		ls.spec.Span = tokSpan
		for i, v := range ls.spec.Values {
			if _, ok := v.(*Constant); ok && i == len(ls.spec.Values)-1 {
				setSpan(v, tokSpan)
			} else {
				setSpan(v, span)
			}
		}
	}
}

// fstringEndOf returns the index of the FSTRING_END token matching the
// FSTRING_START token at start.
func (p *parser) fstringEndOf(start int) int {
	depth := 0
	for i := start; i < len(p.toks); i++ {
		switch p.toks[i].kind {
		case tkFStringStart:
			depth++
		case tkFStringEnd:
			depth--
			if depth == 0 {
				return i
			}
		case tkEOF:
			return i
		}
	}
	return len(p.toks) - 1
}

// legacyFieldPositions moves the positions inside the expression of a
// replacement field (opened by token lb, ended by token term) to where
// CPython 3.8 and 3.9 reported them. Those versions parsed the expression
// text again, as "(" + text + ")", and shifted the positions of its first
// line by an offset they computed from the string token: 3.9 added the
// token's column once too often when the field was not on the token's
// first line; 3.8 located the field by searching "{text}" in the first
// token of the concatenation, so repeated or converted fields land on the
// first match or on the token's start.
func (p *parser) legacyFieldPositions(value Expr, lb, term int) {
	l := &p.toks[lb]
	line := int(l.line)
	var lineDelta, colShift int
	switch p.version {
	case Version{3, 9}:
		fs := &p.toks[p.fstringStart]
		if l.line == fs.line {
			return
		}
		for i := int(l.end); i < len(p.src); i++ {
			c := p.src[i]
			if c == '}' || c == '\n' {
				return // newline right after the brace: no shift
			}
			if c != ' ' && c != '\t' && c != '\f' {
				break
			}
		}
		colShift = int(fs.col) + 1
	case Version{3, 8}:
		parent := &p.toks[p.concatStart]
		parentEnd := int(parent.end)
		if parent.kind == tkFStringStart {
			parentEnd = int(p.toks[p.fstringEndOf(p.concatStart)].end)
		}
		ptext := p.src[parent.start:parentEnd]
		needle := make([]byte, 0, int(p.toks[term].start)-int(l.end)+2)
		needle = append(needle, '{')
		needle = append(needle, p.src[l.end:p.toks[term].start]...)
		needle = append(needle, '}')
		cols, lines := int(parent.col), int(parent.line)-1
		if idx := bytes.Index(ptext, needle); idx >= 0 {
			nl := bytes.LastIndexByte(ptext[:idx], '\n')
			if nl < 0 {
				cols += idx
			} else {
				cols += idx - nl
			}
			lines += bytes.Count(ptext[:idx], []byte{'\n'})
		}
		// A position on the field's first line, at true column c, sits at
		// column c-lb.col of "(text)"; 3.8 adds cols to it. Lines map from
		// the substring's line numbers.
		colShift = cols - int(l.col)
		lineDelta = lines + 1 - line
	default:
		return
	}
	Inspect(value, func(n Node) bool {
		sp, ok := n.(spanned)
		if !ok {
			return true
		}
		s := sp.spanPtr()
		if s.Line == line {
			s.Col += colShift
		}
		if s.EndLine == line {
			s.EndCol += colShift
		}
		s.Line += lineDelta
		s.EndLine += lineDelta
		return true
	})
}

func setSpan(e Expr, s Span) {
	if n, ok := e.(spanned); ok {
		*n.spanPtr() = s
	}
}

// ----------------------------------------------------------------------------
// Numbers

// number converts the NUMBER token i to a Value.
func (p *parser) number(i int) Value {
	t := &p.toks[i]
	text := p.src[t.start:t.end]
	if bytes.IndexByte(text, '_') >= 0 {
		text = bytes.ReplaceAll(text, []byte("_"), nil)
	}
	last := text[len(text)-1] | 0x20
	if last == 'j' {
		f, _ := strconv.ParseFloat(string(text[:len(text)-1]), 64)
		return Value{Kind: ComplexValue, Float: f}
	}
	if len(text) > 1 && text[0] == '0' {
		base := 0
		switch text[1] | 0x20 {
		case 'x':
			base = 16
		case 'o':
			base = 8
		case 'b':
			base = 2
		}
		if base != 0 {
			digits := string(text[2:])
			if v, err := strconv.ParseUint(digits, base, 64); err == nil {
				return Value{Kind: IntValue, Str: strconv.FormatUint(v, 10)}
			}
			var n big.Int
			n.SetString(digits, base)
			return Value{Kind: IntValue, Str: n.String()}
		}
	}
	if bytes.ContainsAny(text, ".eE") {
		f, _ := strconv.ParseFloat(string(text), 64)
		return Value{Kind: FloatValue, Float: f}
	}
	j := 0
	for j < len(text)-1 && text[j] == '0' {
		j++
	}
	return Value{Kind: IntValue, Str: string(text[j:])}
}
