package python

import "strconv"

// matchStmt parses a match statement (PEP 634) when the soft keyword
// `match` starts one, and returns nil without consuming input otherwise.
func (p *parser) matchStmt() Stmt {
	switch p.peekKind(1) {
	case tkNewline, tkEqual, tkDot, tkComma, tkRpar, tkColon, tkSemi, tkEOF:
		return nil
	}
	start := p.p
	line := p.tok().line
	var subject Expr
	if !p.speculate(func() {
		p.advance()
		subject = p.subjectExpr()
		if !p.at(tkColon) || p.peekKind(1) != tkNewline {
			p.fail("")
		}
	}) {
		return nil
	}
	p.advance() // ':'
	p.advance() // NEWLINE
	if !p.at(tkIndent) {
		t := p.tok()
		p.failSpan(Span{int(t.line), int(t.col), int(t.endLine), int(t.endCol)},
			"expected an indented block after 'match' statement on line "+strconv.Itoa(int(line)))
	}
	p.advance()
	s := &Match{Subject: subject}
	for !p.at(tkDedent) && !p.at(tkEOF) {
		before := p.p
		if c := p.caseBlockRecovering(); c != nil {
			s.Cases = append(s.Cases, c)
		}
		if p.p == before {
			p.p++
		}
	}
	p.accept(tkDedent)
	s.Span = p.spanFrom(start)
	return s
}

// subjectExpr parses `star_named_expression ',' star_named_expressions? | named_expression`.
func (p *parser) subjectExpr() Expr {
	start := p.p
	first := p.starNamedExpression()
	if !p.at(tkComma) {
		if _, ok := first.(*Starred); ok {
			p.fail("invalid syntax")
		}
		return first
	}
	elts := []Expr{first}
	for p.accept(tkComma) {
		if p.at(tkColon) {
			break
		}
		elts = append(elts, p.starNamedExpression())
	}
	return &Tuple{Span: p.spanFrom(start), Elts: elts}
}

func (p *parser) caseBlockRecovering() (c *MatchCase) {
	start := p.p
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bailout); !ok {
				panic(r)
			}
			p.depth = 0
			p.skipStatement(start)
			c = nil
		}
	}()
	return p.caseBlock()
}

func (p *parser) caseBlock() *MatchCase {
	if !p.isKw(kwCase) {
		p.fail("invalid syntax")
	}
	line := p.tok().line
	p.advance()
	c := &MatchCase{Pattern: p.patterns()}
	if p.acceptKw(kwIf) {
		c.Guard = p.namedExpression()
	}
	p.expect(tkColon)
	c.Body = p.block("'case' statement", line)
	return c
}

// patterns parses `open_sequence_pattern | pattern`.
func (p *parser) patterns() Pattern {
	start := p.p
	first := p.maybeStarPattern()
	if !p.at(tkComma) {
		if _, ok := first.(*MatchStar); ok {
			return &MatchSequence{Span: p.spanFrom(start), Patterns: []Pattern{first}}
		}
		return first
	}
	pats := []Pattern{first}
	for p.accept(tkComma) {
		if p.at(tkColon) || p.isKw(kwIf) {
			break
		}
		pats = append(pats, p.maybeStarPattern())
	}
	return &MatchSequence{Span: p.spanFrom(start), Patterns: pats}
}

func (p *parser) maybeStarPattern() Pattern {
	if p.at(tkStar) {
		start := p.advance()
		ni := p.expectName()
		name := p.name(ni)
		if name == "_" {
			name = ""
		}
		return &MatchStar{Span: p.spanFrom(start), Name: name}
	}
	return p.pattern()
}

// pattern parses `or_pattern ['as' NAME]`.
func (p *parser) pattern() Pattern {
	p.enter()
	defer p.leave()
	start := p.p
	pat := p.orPattern()
	if p.acceptKw(kwAs) {
		if !p.isName() {
			p.fail("invalid pattern target")
		}
		ni := p.advance()
		name := p.name(ni)
		if name == "_" {
			p.failAt(ni, "cannot use '_' as a target", false)
		}
		if p.at(tkDot) || p.at(tkLpar) || p.at(tkEqual) {
			p.fail("invalid pattern target")
		}
		return &MatchAs{Span: p.spanFrom(start), Pattern: pat, Name: name}
	}
	return pat
}

func (p *parser) orPattern() Pattern {
	start := p.p
	first := p.closedPattern()
	if !p.at(tkVbar) {
		return first
	}
	pats := []Pattern{first}
	for p.accept(tkVbar) {
		pats = append(pats, p.closedPattern())
	}
	return &MatchOr{Span: p.spanFrom(start), Patterns: pats}
}

func (p *parser) closedPattern() Pattern {
	start := p.p
	t := p.tok()
	switch t.kind {
	case tkNumber, tkMinus:
		v := p.signedNumberPattern()
		return &MatchValue{Span: v.Pos(), Value: v}
	case tkString, tkFStringStart:
		v := p.strings()
		if _, ok := v.(*Constant); !ok {
			p.failNode(v, "patterns may only match literals and attribute lookups")
		}
		return &MatchValue{Span: v.Pos(), Value: v}
	case tkName:
		switch t.kw {
		case kwNoneLit:
			p.advance()
			return &MatchSingleton{Span: p.spanFrom(start), Value: Value{Kind: NoneValue}}
		case kwTrue:
			p.advance()
			return &MatchSingleton{Span: p.spanFrom(start), Value: Value{Kind: BoolValue, Bool: true}}
		case kwFalse:
			p.advance()
			return &MatchSingleton{Span: p.spanFrom(start), Value: Value{Kind: BoolValue}}
		}
		if !p.isName() {
			p.fail("invalid syntax")
		}
		ni := p.advance()
		var e Expr = &Name{Span: p.spanTok(ni), ID: p.name(ni)}
		dotted := false
		for p.at(tkDot) {
			p.advance()
			ai := p.expectName()
			e = &Attribute{Span: p.spanFrom(start), Value: e, Attr: p.name(ai)}
			dotted = true
		}
		if p.at(tkLpar) {
			return p.classPattern(start, e)
		}
		if dotted {
			return &MatchValue{Span: e.Pos(), Value: e}
		}
		name := e.(*Name).ID
		if name == "_" {
			return &MatchAs{Span: p.spanFrom(start)}
		}
		return &MatchAs{Span: p.spanFrom(start), Name: name}
	case tkLpar:
		p.advance()
		if p.accept(tkRpar) {
			return &MatchSequence{Span: p.spanFrom(start)}
		}
		first := p.maybeStarPattern()
		if p.accept(tkRpar) {
			if _, ok := first.(*MatchStar); ok {
				return &MatchSequence{Span: p.spanFrom(start), Patterns: []Pattern{first}}
			}
			return first // a group
		}
		pats := []Pattern{first}
		for p.accept(tkComma) {
			if p.at(tkRpar) {
				break
			}
			pats = append(pats, p.maybeStarPattern())
		}
		p.expect(tkRpar)
		return &MatchSequence{Span: p.spanFrom(start), Patterns: pats}
	case tkLsqb:
		p.advance()
		var pats []Pattern
		for !p.at(tkRsqb) {
			pats = append(pats, p.maybeStarPattern())
			if !p.accept(tkComma) {
				break
			}
		}
		p.expect(tkRsqb)
		return &MatchSequence{Span: p.spanFrom(start), Patterns: pats}
	case tkLbrace:
		return p.mappingPattern()
	}
	p.fail("invalid syntax")
	return nil
}

// signedNumberPattern parses a number literal pattern, optionally signed,
// and `real +/- imag` complex literals.
func (p *parser) signedNumberPattern() Expr {
	start := p.p
	var e Expr
	if p.at(tkMinus) {
		p.advance()
		if !p.at(tkNumber) {
			p.fail("invalid syntax")
		}
		ni := p.advance()
		c := &Constant{Span: p.spanTok(ni), Value: p.number(ni)}
		e = &UnaryOp{Span: p.spanFrom(start), Op: USub, Operand: c}
	} else {
		ni := p.advance()
		e = &Constant{Span: p.spanTok(ni), Value: p.number(ni)}
	}
	if p.at(tkPlus) || p.at(tkMinus) {
		op := Add
		if p.at(tkMinus) {
			op = Sub
		}
		p.advance()
		if !p.at(tkNumber) {
			p.fail("invalid syntax")
		}
		ni := p.advance()
		imag := &Constant{Span: p.spanTok(ni), Value: p.number(ni)}
		if imag.Value.Kind != ComplexValue {
			p.failNode(imag, "imaginary number required in complex literal")
		}
		if c, ok := realPart(e); !ok || c.Value.Kind == ComplexValue {
			p.failNode(e, "real number required in complex literal")
		}
		e = &BinOp{Span: p.spanFrom(start), Left: e, Op: op, Right: imag}
	}
	return e
}

func realPart(e Expr) (*Constant, bool) {
	switch n := e.(type) {
	case *Constant:
		return n, true
	case *UnaryOp:
		c, ok := n.Operand.(*Constant)
		return c, ok
	}
	return nil, false
}

func (p *parser) classPattern(start int, cls Expr) Pattern {
	p.advance() // '('
	m := &MatchClass{Cls: cls}
	for !p.at(tkRpar) {
		if p.isName() && p.peekKind(1) == tkEqual {
			ni := p.advance()
			p.advance()
			m.KwdAttrs = append(m.KwdAttrs, p.name(ni))
			m.KwdPatterns = append(m.KwdPatterns, p.pattern())
		} else {
			pat := p.pattern()
			if len(m.KwdAttrs) > 0 {
				p.failNode(pat, "positional patterns follow keyword patterns")
			}
			m.Patterns = append(m.Patterns, pat)
		}
		if !p.accept(tkComma) {
			break
		}
	}
	p.expect(tkRpar)
	m.Span = p.spanFrom(start)
	return m
}

func (p *parser) mappingPattern() Pattern {
	start := p.advance()
	m := &MatchMapping{}
	for !p.at(tkRbrace) {
		if p.accept(tkDoubleStar) {
			m.Rest = p.name(p.expectName())
			p.accept(tkComma)
			if !p.at(tkRbrace) {
				p.fail("invalid syntax")
			}
			break
		}
		var key Expr
		switch t := p.tok(); {
		case t.kind == tkNumber || t.kind == tkMinus:
			key = p.signedNumberPattern()
		case t.kind == tkString || t.kind == tkFStringStart:
			key = p.strings()
		case t.kind == tkName && t.kw == kwNoneLit:
			i := p.advance()
			key = &Constant{Span: p.spanTok(i), Value: Value{Kind: NoneValue}}
		case t.kind == tkName && (t.kw == kwTrue || t.kw == kwFalse):
			i := p.advance()
			key = &Constant{Span: p.spanTok(i), Value: Value{Kind: BoolValue, Bool: t.kw == kwTrue}}
		case p.isName():
			ks := p.p
			ni := p.advance()
			key = &Name{Span: p.spanTok(ni), ID: p.name(ni)}
			if !p.at(tkDot) {
				p.fail("invalid syntax")
			}
			for p.accept(tkDot) {
				ai := p.expectName()
				key = &Attribute{Span: p.spanFrom(ks), Value: key, Attr: p.name(ai)}
			}
		default:
			p.fail("invalid syntax")
		}
		p.expect(tkColon)
		m.Keys = append(m.Keys, key)
		m.Patterns = append(m.Patterns, p.pattern())
		if !p.accept(tkComma) {
			break
		}
	}
	p.expect(tkRbrace)
	m.Span = p.spanFrom(start)
	return m
}
