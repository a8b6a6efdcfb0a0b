package python

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// maxNesting bounds the parser's recursion so that pathological input (say,
// ten thousand unary minus signs) yields a syntax error instead of
// exhausting the stack.
const maxNesting = 3000

// Options tunes parsing.
type Options struct {
	// Version selects the CPython version whose `ast` positions the parser
	// reproduces where CPython versions disagree (f-string internals before
	// 3.12, a few quirks of 3.8's parser). The zero value means
	// LatestVersion(). The accepted grammar is always Python 3.14's.
	Version Version
}

// ParseFile decodes and parses one Python source file. It never panics and
// always returns a File whose Module holds every statement that parsed.
func ParseFile(filename string, src []byte) *File {
	return ParseFileOptions(filename, src, Options{})
}

// internalErrorPrefix starts the message of the error that stands for a
// bug in the parser itself (a panic), should one ever happen.
const internalErrorPrefix = "internal parser error: "

// ParseFileOptions is ParseFile with options.
func ParseFileOptions(filename string, src []byte, opts Options) (f *File) {
	f = &File{Filename: filename, Module: &Module{}, Encoding: "utf-8"}
	defer func() {
		// A panic here is a parser bug; the fuzz test fails on it. The
		// caller still gets a File, with the bug as its error.
		if r := recover(); r != nil {
			f.Errors = append(f.Errors, &Error{Filename: filename, Line: 1,
				Msg: fmt.Sprintf("%s%v; please report it with this file", internalErrorPrefix, r)})
		}
	}()
	source, err := DecodeSource(filename, src)
	if err != nil {
		f.Errors = append(f.Errors, err)
		return f
	}
	f.Encoding = source.Encoding
	f.Text = source.Text
	f.Lines = countLines(source.Text)
	if opts.Version == (Version{}) {
		opts.Version = LatestVersion()
	}
	p := newParser(filename, source.Text, opts)
	f.Module = p.parseModule()
	f.Errors = p.errs
	return f
}

func countLines(text []byte) int {
	n := bytes.Count(text, []byte{'\n'})
	if len(text) > 0 && text[len(text)-1] != '\n' {
		n++
	}
	return n
}

// bailout is the panic value that unwinds a statement after a syntax error.
type bailout struct{}

// parser is a recursive-descent parser over the token slice, following the
// structure of CPython's PEG grammar (Grammar/python.gram) and its rules for
// node positions.
type parser struct {
	filename string
	src      []byte
	toks     []token
	p        int // index of the current token
	errs     []*Error
	version  Version
	depth    int
	// speculating > 0 while trying an alternative that may be abandoned:
	// errors then unwind without being recorded.
	speculating int
	names       map[string]string
	// tokErrs holds the tokenizer's errors by the index of their tkError
	// token. One is reported when the parser fails at that token, as
	// CPython reports a tokenizer error only when its parser gets there.
	tokErrs map[int]*Error
	// fstringStart is the FSTRING_START token of the innermost f-string
	// being parsed; legacySpecs collects format specs whose positions are
	// rewritten for versions before 3.12.
	fstringStart int
	concatStart  int // first token of the string concatenation being parsed
	legacySpecs  []legacySpec
}

func newParser(filename string, src []byte, opts Options) *parser {
	toks, terrs := tokenize(src)
	p := &parser{
		filename: filename,
		src:      src,
		toks:     toks,
		version:  opts.Version,
		names:    make(map[string]string, 256),
	}
	for _, e := range terrs {
		if p.tokErrs == nil {
			p.tokErrs = make(map[int]*Error, len(terrs))
		}
		if _, dup := p.tokErrs[e.tok]; !dup {
			p.tokErrs[e.tok] = &Error{Filename: filename, Line: e.line, Col: e.col,
				EndLine: e.endLine, EndCol: e.endCol, Msg: e.msg}
		}
	}
	return p
}

// ----------------------------------------------------------------------------
// Token access

func (p *parser) tok() *token       { return &p.toks[p.p] }
func (p *parser) kind() tokKind     { return p.toks[p.p].kind }
func (p *parser) at(k tokKind) bool { return p.toks[p.p].kind == k }

func (p *parser) peekKind(n int) tokKind {
	if i := p.p + n; i < len(p.toks) {
		return p.toks[i].kind
	}
	return tkEOF
}

func (p *parser) peekTok(n int) *token {
	if i := p.p + n; i < len(p.toks) {
		return &p.toks[i]
	}
	return &p.toks[len(p.toks)-1]
}

// advance consumes the current token and returns its index.
func (p *parser) advance() int {
	i := p.p
	if p.toks[i].kind != tkEOF {
		p.p++
	}
	return i
}

// isKw reports whether the current token is the (hard or soft) keyword kw.
func (p *parser) isKw(kw keyword) bool {
	t := &p.toks[p.p]
	return t.kind == tkName && t.kw == kw
}

func (p *parser) acceptKw(kw keyword) bool {
	if p.isKw(kw) {
		p.p++
		return true
	}
	return false
}

func (p *parser) accept(k tokKind) bool {
	if p.toks[p.p].kind == k {
		p.p++
		return true
	}
	return false
}

// expect consumes a token of kind k or reports "expected ..." and bails out.
func (p *parser) expect(k tokKind) int {
	if p.toks[p.p].kind != k {
		p.failExpected(k)
	}
	return p.advance()
}

func (p *parser) failExpected(k tokKind) {
	if k == tkColon && p.at(tkNewline) {
		p.failAt(p.p-1, "expected ':'", true)
	}
	p.fail("invalid syntax")
}

func (p *parser) expectKw(kw keyword, text string) {
	if !p.isKw(kw) {
		p.fail("invalid syntax")
	}
	p.p++
}

// isName reports whether the current token is an identifier (a NAME that is
// not a hard keyword).
func (p *parser) isName() bool { return isIdentTok(&p.toks[p.p]) }

func isIdentTok(t *token) bool { return t.kind == tkName && (t.kw == kwNone || t.kw > kwLastHard) }

// name returns the identifier of token i, NFKC-normalised and interned.
func (p *parser) name(i int) string {
	t := &p.toks[i]
	b := p.src[t.start:t.end]
	if s, ok := p.names[string(b)]; ok {
		return s
	}
	s := string(b)
	for _, c := range b {
		if c >= utf8.RuneSelf {
			s = normalizeIdentifier(s)
			break
		}
	}
	p.names[string(b)] = s
	return s
}

// expectName consumes an identifier and returns its token index.
func (p *parser) expectName() int {
	if !p.isName() {
		p.fail("invalid syntax")
	}
	return p.advance()
}

// ----------------------------------------------------------------------------
// Positions

func (p *parser) spanTok(i int) Span {
	t := &p.toks[i]
	return Span{int(t.line), int(t.col), int(t.endLine), int(t.endCol)}
}

// spanFrom covers tokens from index start to the last consumed token.
// NEWLINE, INDENT and DEDENT tokens never end a node, as in CPython.
func (p *parser) spanFrom(start int) Span {
	i := p.p - 1
	if i < start {
		i = start
	}
	for i > start {
		if k := p.toks[i].kind; k != tkNewline && k != tkIndent && k != tkDedent {
			break
		}
		i--
	}
	s, e := &p.toks[start], &p.toks[i]
	return Span{int(s.line), int(s.col), int(e.endLine), int(e.endCol)}
}

// ----------------------------------------------------------------------------
// Errors

// fail reports a syntax error at the current token and unwinds the statement.
func (p *parser) fail(msg string) {
	p.failAt(p.p, msg, false)
}

// failAt reports a syntax error at token i (at its end when atEnd).
func (p *parser) failAt(i int, msg string, atEnd bool) {
	if i < 0 {
		i = 0
	}
	t := &p.toks[i]
	if atEnd {
		p.failSpan(Span{int(t.endLine), int(t.endCol), int(t.endLine), int(t.endCol) + 1}, msg)
	}
	p.failSpan(Span{int(t.line), int(t.col), int(t.endLine), int(t.endCol)}, msg)
}

// failNode reports a syntax error covering node n.
func (p *parser) failNode(n Node, msg string) {
	p.failSpan(n.Pos(), msg)
}

func (p *parser) failSpan(s Span, msg string) {
	if p.speculating == 0 {
		if e := p.tokErrs[p.p]; e != nil && p.toks[p.p].kind == tkError {
			p.errs = append(p.errs, e)
		} else if e := p.tokenizerErrorAhead(s.Line); e != nil && msg != "unexpected indent" {
			p.errs = append(p.errs, e)
		} else {
			p.errs = append(p.errs, &Error{Filename: p.filename, Line: s.Line, Col: s.Col,
				EndLine: s.EndLine, EndCol: s.EndCol, Msg: msg})
		}
	}
	panic(bailout{})
}

// tokenizerErrorAhead returns the tokenizer error that CPython would report
// instead of a syntax error the parser found on line: after a parser error
// CPython tokenizes on, and an error of the tokenizer wins (an unterminated
// string, an invalid character...), except indentation errors and, when the
// bracket was opened on the same line as the parser error or later, an
// unclosed bracket. pyrace looks to the end of the logical line, the part
// its recovery skips.
func (p *parser) tokenizerErrorAhead(line int) *Error {
	for i := p.p; i < len(p.toks); i++ {
		switch p.toks[i].kind {
		case tkNewline, tkEOF:
			return nil
		case tkError:
			e := p.tokErrs[i]
			switch {
			case e == nil || isIndentationError(e.Msg):
			case strings.HasSuffix(e.Msg, "was never closed"):
				if e.Line < line {
					return e
				}
			default:
				return e
			}
		}
	}
	return nil
}

func isIndentationError(msg string) bool {
	switch msg {
	case "unindent does not match any outer indentation level",
		"inconsistent use of tabs and spaces in indentation",
		"too many levels of indentation":
		return true
	}
	return false
}

// enter guards recursion depth; call leave (deferred or not) after.
func (p *parser) enter() {
	p.depth++
	if p.depth > maxNesting {
		p.depth = 0
		p.fail("too many nested expressions or statements")
	}
}

func (p *parser) leave() { p.depth-- }

// speculate runs f; if f fails, the parser is rewound and ok is false.
// Errors inside f are not recorded.
func (p *parser) speculate(f func()) (ok bool) {
	save, depth := p.p, p.depth
	p.speculating++
	defer func() {
		p.speculating--
		if r := recover(); r != nil {
			if _, isBail := r.(bailout); !isBail {
				panic(r)
			}
			p.p, p.depth = save, depth
			ok = false
		}
	}()
	f()
	return true
}

// ----------------------------------------------------------------------------
// Module and blocks

func (p *parser) parseModule() *Module {
	m := &Module{}
	for !p.at(tkEOF) {
		before := p.p
		m.Body = p.statementRecovering(m.Body, true)
		if p.p == before && !p.at(tkEOF) {
			p.p++ // guarantee progress
		}
	}
	return m
}

// statementRecovering parses one statement line; after a syntax error it
// skips to the next statement.
func (p *parser) statementRecovering(body []Stmt, topLevel bool) (out []Stmt) {
	out = body
	start := p.p
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bailout); !ok {
				panic(r)
			}
			p.depth = 0
			p.skipStatement(start)
		}
	}()
	switch p.kind() {
	case tkIndent:
		p.fail("unexpected indent")
	case tkDedent:
		if topLevel {
			p.p++
			return out
		}
	case tkNewline:
		// An empty logical line (e.g. after a lone ';' error); skip.
		p.p++
		return out
	}
	return p.statement(out)
}

// skipStatement advances past the rest of the logical line and any block
// that belongs to it.
func (p *parser) skipStatement(start int) {
	if p.p < start {
		p.p = start
	}
	for !p.at(tkNewline) && !p.at(tkEOF) {
		if p.at(tkIndent) || p.at(tkDedent) {
			break
		}
		p.p++
	}
	p.accept(tkNewline)
	if p.at(tkIndent) {
		depth := 0
		for !p.at(tkEOF) {
			switch p.kind() {
			case tkIndent:
				depth++
			case tkDedent:
				depth--
			}
			p.p++
			if depth == 0 {
				break
			}
		}
	}
}

// block parses `':' NEWLINE INDENT statements DEDENT` or `':' simple_stmts`
// after the colon has been consumed. what names the construct for the
// "expected an indented block" message, and line is its first line.
func (p *parser) block(what string, line int32) []Stmt {
	if !p.at(tkNewline) {
		return p.simpleStatements(nil)
	}
	p.advance()
	if p.at(tkError) {
		p.fail("invalid syntax")
	}
	if !p.at(tkIndent) {
		msg := "expected an indented block"
		if what != "" {
			msg = fmt.Sprintf("expected an indented block after %s on line %d", what, line)
		}
		t := p.tok()
		if p.speculating == 0 {
			p.errs = append(p.errs, &Error{Filename: p.filename, Line: int(t.line), Col: int(t.col),
				EndLine: int(t.endLine), EndCol: int(t.endCol), Msg: msg})
		} else {
			panic(bailout{})
		}
		return nil
	}
	p.advance()
	var body []Stmt
	for !p.at(tkDedent) && !p.at(tkEOF) {
		before := p.p
		body = p.statementRecovering(body, false)
		if p.p == before && !p.at(tkEOF) && !p.at(tkDedent) {
			p.p++
		}
	}
	p.accept(tkDedent)
	return body
}
