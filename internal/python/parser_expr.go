package python

// startsExpression reports whether the current token can begin an expression.
func (p *parser) startsExpression() bool {
	t := p.tok()
	switch t.kind {
	case tkName:
		switch t.kw {
		case kwNone, kwFalse, kwNoneLit, kwTrue, kwNot, kwLambda, kwAwait:
			return true
		}
		return t.kw > kwLastHard
	case tkNumber, tkString, tkFStringStart, tkLpar, tkLsqb, tkLbrace,
		tkMinus, tkPlus, tkTilde, tkStar, tkEllipsis:
		return true
	}
	return false
}

// starExpressions parses `star_expression (',' star_expression)* [',']`,
// building a Tuple when there is a comma.
func (p *parser) starExpressions() Expr {
	start := p.p
	e := p.starExpression()
	if !p.at(tkComma) {
		return e
	}
	elts := []Expr{e}
	for p.accept(tkComma) {
		if !p.startsExpression() {
			break
		}
		elts = append(elts, p.starExpression())
	}
	return &Tuple{Span: p.spanFrom(start), Elts: elts}
}

// starExpression parses `'*' bitwise_or | expression`.
func (p *parser) starExpression() Expr {
	if p.at(tkStar) {
		start := p.advance()
		v := p.bitwiseOr()
		return &Starred{Span: p.spanFrom(start), Value: v}
	}
	return p.expression()
}

// starNamedExpression parses `'*' bitwise_or | named_expression`.
func (p *parser) starNamedExpression() Expr {
	if p.at(tkStar) {
		start := p.advance()
		v := p.bitwiseOr()
		return &Starred{Span: p.spanFrom(start), Value: v}
	}
	return p.namedExpression()
}

// namedExpression parses `NAME ':=' expression | expression !':='`.
func (p *parser) namedExpression() Expr {
	if p.isName() && p.peekKind(1) == tkColonEqual {
		start := p.advance()
		target := &Name{Span: p.spanTok(start), ID: p.name(start), Ctx: Store}
		p.advance()
		v := p.expression()
		return &NamedExpr{Span: p.spanFrom(start), Target: target, Value: v}
	}
	e := p.expression()
	if p.at(tkColonEqual) {
		p.failNode(e, "cannot use assignment expressions with "+describe(e))
	}
	return e
}

// expression parses a conditional expression or lambda.
func (p *parser) expression() Expr {
	p.enter()
	if p.isKw(kwLambda) {
		e := p.lambdef()
		p.leave()
		return e
	}
	start := p.p
	body := p.disjunction()
	if p.isKw(kwIf) {
		p.advance()
		test := p.disjunction()
		if !p.isKw(kwElse) {
			p.failSpan(p.spanFrom(start), "expected 'else' after 'if' expression")
		}
		p.advance()
		if !p.startsExpression() {
			p.fail("expected expression after 'else', but statement is given")
		}
		orelse := p.expression()
		p.leave()
		return &IfExp{Span: p.spanFrom(start), Test: test, Body: body, Orelse: orelse}
	}
	p.leave()
	return body
}

func (p *parser) yieldExpr() Expr {
	start := p.advance()
	if p.acceptKw(kwFrom) {
		v := p.expression()
		return &YieldFrom{Span: p.spanFrom(start), Value: v}
	}
	var v Expr
	if p.startsExpression() {
		v = p.starExpressions()
	}
	return &Yield{Span: p.spanFrom(start), Value: v}
}

func (p *parser) lambdef() Expr {
	start := p.advance()
	args := p.parameters(tkColon, false)
	p.expect(tkColon)
	body := p.expression()
	return &Lambda{Span: p.spanFrom(start), Args: args, Body: body}
}

func (p *parser) disjunction() Expr {
	start := p.p
	e := p.conjunction()
	if !p.isKw(kwOr) {
		return e
	}
	values := []Expr{e}
	for p.acceptKw(kwOr) {
		values = append(values, p.conjunction())
	}
	return &BoolOp{Span: p.spanFrom(start), Op: Or, Values: values}
}

func (p *parser) conjunction() Expr {
	start := p.p
	e := p.inversion()
	if !p.isKw(kwAnd) {
		return e
	}
	values := []Expr{e}
	for p.acceptKw(kwAnd) {
		values = append(values, p.inversion())
	}
	return &BoolOp{Span: p.spanFrom(start), Op: And, Values: values}
}

func (p *parser) inversion() Expr {
	if p.isKw(kwNot) {
		p.enter()
		start := p.advance()
		operand := p.inversion()
		p.leave()
		return &UnaryOp{Span: p.spanFrom(start), Op: Not, Operand: operand}
	}
	return p.comparison()
}

func (p *parser) compareOp() (CmpOperator, bool) {
	t := p.tok()
	switch t.kind {
	case tkEqEqual:
		p.advance()
		return Eq, true
	case tkNotEqual:
		p.advance()
		return NotEq, true
	case tkLess:
		p.advance()
		return Lt, true
	case tkLessEqual:
		p.advance()
		return LtE, true
	case tkGreater:
		p.advance()
		return Gt, true
	case tkGreaterEqual:
		p.advance()
		return GtE, true
	case tkName:
		switch t.kw {
		case kwIn:
			p.advance()
			return In, true
		case kwIs:
			p.advance()
			if p.acceptKw(kwNot) {
				return IsNot, true
			}
			return Is, true
		case kwNot:
			if n := p.peekTok(1); n.kind == tkName && n.kw == kwIn {
				p.p += 2
				return NotIn, true
			}
		}
	}
	return 0, false
}

func (p *parser) comparison() Expr {
	start := p.p
	left := p.bitwiseOr()
	op, ok := p.compareOp()
	if !ok {
		return left
	}
	c := &Compare{Left: left}
	for ok {
		c.Ops = append(c.Ops, op)
		c.Comparators = append(c.Comparators, p.bitwiseOr())
		op, ok = p.compareOp()
	}
	c.Span = p.spanFrom(start)
	return c
}

// bitwiseOr parses the binary operators from `|` down to `*`, by
// precedence climbing; all of them are left-associative.
func (p *parser) bitwiseOr() Expr { return p.binary(1) }

// binaryOperator returns the operator at the current token and its
// precedence (0 when the token is not a binary operator).
func binaryOperator(k tokKind) (Operator, int) {
	switch k {
	case tkVbar:
		return BitOr, 1
	case tkCircumflex:
		return BitXor, 2
	case tkAmper:
		return BitAnd, 3
	case tkLeftShift:
		return LShift, 4
	case tkRightShift:
		return RShift, 4
	case tkPlus:
		return Add, 5
	case tkMinus:
		return Sub, 5
	case tkStar:
		return Mult, 6
	case tkSlash:
		return Div, 6
	case tkDoubleSlash:
		return FloorDiv, 6
	case tkPercent:
		return Mod, 6
	case tkAt:
		return MatMult, 6
	}
	return 0, 0
}

// binary parses a chain of binary operators of precedence minPrec or
// higher. Every node starts at the chain's first token, as in CPython.
func (p *parser) binary(minPrec int) Expr {
	start := p.p
	left := p.factor()
	for {
		op, prec := binaryOperator(p.kind())
		if prec < minPrec || prec == 0 {
			return left
		}
		p.advance()
		right := p.binary(prec + 1)
		left = &BinOp{Span: p.spanFrom(start), Left: left, Op: op, Right: right}
	}
}

func (p *parser) factor() Expr {
	var op UnaryOperator
	switch p.kind() {
	case tkPlus:
		op = UAdd
	case tkMinus:
		op = USub
	case tkTilde:
		op = Invert
	default:
		return p.power()
	}
	p.enter()
	start := p.advance()
	if p.isKw(kwNot) {
		p.fail("'not' after an operator must be parenthesized")
	}
	operand := p.factor()
	p.leave()
	return &UnaryOp{Span: p.spanFrom(start), Op: op, Operand: operand}
}

func (p *parser) power() Expr {
	start := p.p
	e := p.awaitPrimary()
	if p.at(tkDoubleStar) {
		p.advance()
		p.enter()
		r := p.factor()
		p.leave()
		return &BinOp{Span: p.spanFrom(start), Left: e, Op: Pow, Right: r}
	}
	return e
}

func (p *parser) awaitPrimary() Expr {
	if p.isKw(kwAwait) {
		start := p.advance()
		p.enter()
		v := p.primary()
		p.leave()
		return &Await{Span: p.spanFrom(start), Value: v}
	}
	return p.primary()
}

// primary parses an atom followed by attribute references, calls and
// subscripts.
func (p *parser) primary() Expr {
	start := p.p
	e := p.atom()
	for {
		switch p.kind() {
		case tkDot:
			p.advance()
			ni := p.expectName()
			e = &Attribute{Span: p.spanFrom(start), Value: e, Attr: p.name(ni)}
		case tkLpar:
			e = p.call(start, e)
		case tkLsqb:
			p.advance()
			s := p.slices()
			p.expect(tkRsqb)
			e = &Subscript{Span: p.spanFrom(start), Value: e, Slice: s}
		default:
			return e
		}
	}
}

// call parses the argument list of a call of fn, whose first token is start.
func (p *parser) call(start int, fn Expr) Expr {
	open := p.advance()
	args, kws := p.callArgumentsFrom(tkRpar, open)
	p.expect(tkRpar)
	return &Call{Span: p.spanFrom(start), Func: fn, Args: args, Keywords: kws}
}

// slices parses the inside of a subscript.
func (p *parser) slices() Expr {
	start := p.p
	first := p.sliceItem()
	p.checkMissingComma(start)
	if !p.at(tkComma) {
		if _, ok := first.(*Starred); ok {
			return &Tuple{Span: p.spanFrom(start), Elts: []Expr{first}}
		}
		return first
	}
	elts := []Expr{first}
	for p.accept(tkComma) {
		if p.at(tkRsqb) {
			break
		}
		elts = append(elts, p.sliceItem())
		p.checkMissingComma(-1)
	}
	return &Tuple{Span: p.spanFrom(start), Elts: elts}
}

// sliceItem parses `slice | starred_expression`.
func (p *parser) sliceItem() Expr {
	start := p.p
	if p.at(tkStar) {
		p.advance()
		v := p.expression()
		return &Starred{Span: p.spanFrom(start), Value: v}
	}
	var lower Expr
	if !p.at(tkColon) {
		lower = p.namedExpression()
		if !p.at(tkColon) {
			return lower
		}
		if _, ok := lower.(*NamedExpr); ok {
			p.fail("invalid syntax")
		}
	}
	p.advance()
	s := &Slice{Lower: lower}
	if !p.at(tkColon) && !p.at(tkComma) && !p.at(tkRsqb) {
		s.Upper = p.expression()
	}
	if p.accept(tkColon) {
		if !p.at(tkComma) && !p.at(tkRsqb) {
			s.Step = p.expression()
		}
	}
	s.Span = p.spanFrom(start)
	return s
}

// atom parses names, literals and displays.
func (p *parser) atom() Expr {
	t := p.tok()
	switch t.kind {
	case tkName:
		switch t.kw {
		case kwNoneLit:
			i := p.advance()
			return &Constant{Span: p.spanTok(i), Value: Value{Kind: NoneValue}}
		case kwTrue:
			i := p.advance()
			return &Constant{Span: p.spanTok(i), Value: Value{Kind: BoolValue, Bool: true}}
		case kwFalse:
			i := p.advance()
			return &Constant{Span: p.spanTok(i), Value: Value{Kind: BoolValue}}
		}
		if t.kw != kwNone && t.kw <= kwLastHard {
			p.fail("invalid syntax")
		}
		i := p.advance()
		return &Name{Span: p.spanTok(i), ID: p.name(i)}
	case tkNumber:
		i := p.advance()
		return &Constant{Span: p.spanTok(i), Value: p.number(i)}
	case tkString, tkFStringStart:
		return p.strings()
	case tkEllipsis:
		i := p.advance()
		return &Constant{Span: p.spanTok(i), Value: Value{Kind: EllipsisValue}}
	case tkLpar:
		return p.parenthesized()
	case tkLsqb:
		return p.listDisplay()
	case tkLbrace:
		return p.braceDisplay()
	}
	if p.at(tkStar) {
		p.fail("cannot use starred expression here")
	}
	p.fail("invalid syntax")
	return nil
}

// checkMissingComma fails with CPython's hint when, inside brackets, the
// element that starts at token start (or the previous token's element when
// start is -1) is directly followed by another expression.
func (p *parser) checkMissingComma(start int) {
	if !p.startsExpression() || p.tok().line != p.toks[p.p-1].endLine {
		// Across a line break the likelier mistake is an unclosed
		// bracket, which the tokenizer reports.
		return
	}
	if start < 0 {
		start = p.p - 1
		for start > 0 && p.toks[start-1].kind != tkComma {
			start--
		}
	}
	first := &p.toks[start]
	if first.kind == tkName && first.kw > kwLastHard && p.p == start+1 {
		return // a soft keyword: `[match x]` is some other mistake
	}
	if first.kind == tkName && first.kw == kwNone && p.p == start+1 && (p.at(tkString) || p.at(tkFStringStart)) {
		return // `print "x"`: the legacy-statement message applies
	}
	p.failAt(start, "invalid syntax. Perhaps you forgot a comma?", false)
}

// checkAssignInExpression fails with CPython's hints when an expression in
// a condition or display is followed by '=' (`if x = 1:`).
func (p *parser) checkAssignInExpression(e Expr) {
	if !p.at(tkEqual) {
		return
	}
	switch n := e.(type) {
	case *Name:
		p.failNode(e, "invalid syntax. Maybe you meant '==' or ':=' instead of '='?")
	case *List, *Tuple, *GeneratorExp:
		return
	case *Constant:
		if n.Value.Kind == NoneValue || n.Value.Kind == BoolValue {
			return
		}
	}
	if isPlainOperand(e) {
		p.failNode(e, "cannot assign to "+describe(e)+" here. Maybe you meant '==' instead of '='?")
	}
}

func (p *parser) isCompFor() bool {
	if p.isKw(kwFor) {
		return true
	}
	if p.isKw(kwAsync) {
		n := p.peekTok(1)
		return n.kind == tkName && n.kw == kwFor
	}
	return false
}

func (p *parser) parenthesized() Expr {
	p.enter()
	defer p.leave()
	start := p.advance()
	if p.accept(tkRpar) {
		return &Tuple{Span: p.spanFrom(start)}
	}
	firstTok := p.p
	if p.isKw(kwYield) {
		e := p.yieldExpr()
		p.expect(tkRpar)
		return e
	}
	first := p.starNamedExpression()
	if p.isCompFor() {
		if _, ok := first.(*Starred); ok {
			p.failNode(first, "iterable unpacking cannot be used in comprehension")
		}
		gens := p.comprehensionClauses()
		p.expect(tkRpar)
		return &GeneratorExp{Span: p.spanFrom(start), Elt: first, Generators: gens}
	}
	if p.accept(tkRpar) {
		if _, ok := first.(*Starred); ok {
			p.failNode(first, "cannot use starred expression here")
		}
		return first
	}
	if !p.at(tkComma) {
		p.checkAssignInExpression(first)
		p.checkMissingComma(firstTok)
		p.fail("invalid syntax")
	}
	elts := []Expr{first}
	for p.accept(tkComma) {
		if p.at(tkRpar) {
			break
		}
		elts = append(elts, p.starNamedExpression())
		p.checkMissingComma(-1)
	}
	p.expect(tkRpar)
	return &Tuple{Span: p.spanFrom(start), Elts: elts}
}

func (p *parser) listDisplay() Expr {
	p.enter()
	defer p.leave()
	start := p.advance()
	if p.accept(tkRsqb) {
		return &List{Span: p.spanFrom(start)}
	}
	firstTok := p.p
	first := p.starNamedExpression()
	if p.isCompFor() {
		if _, ok := first.(*Starred); ok {
			p.failNode(first, "iterable unpacking cannot be used in comprehension")
		}
		gens := p.comprehensionClauses()
		p.expect(tkRsqb)
		return &ListComp{Span: p.spanFrom(start), Elt: first, Generators: gens}
	}
	elts := []Expr{first}
	p.checkAssignInExpression(first)
	p.checkMissingComma(firstTok)
	for p.accept(tkComma) {
		if p.at(tkRsqb) {
			break
		}
		elts = append(elts, p.starNamedExpression())
		p.checkMissingComma(-1)
	}
	if p.isCompFor() && len(elts) > 1 {
		p.fail("did you forget parentheses around the comprehension target?")
	}
	p.expect(tkRsqb)
	return &List{Span: p.spanFrom(start), Elts: elts}
}

func (p *parser) braceDisplay() Expr {
	p.enter()
	defer p.leave()
	start := p.advance()
	if p.accept(tkRbrace) {
		return &Dict{Span: p.spanFrom(start)}
	}
	if p.at(tkDoubleStar) {
		return p.dictRest(start, nil, nil)
	}
	firstTok := p.p
	first := p.starNamedExpression()
	if p.at(tkColon) {
		if _, ok := first.(*Starred); ok {
			p.failNode(first, "cannot use a starred expression in a dictionary key")
		}
		if _, ok := first.(*NamedExpr); ok && p.toks[firstTok].kind != tkLpar {
			p.fail("invalid syntax")
		}
		p.advance()
		if p.at(tkRbrace) || p.at(tkComma) {
			p.failAt(p.p-1, "expression expected after dictionary key and ':'", false)
		}
		if p.at(tkStar) {
			p.fail("cannot use a starred expression in a dictionary value")
		}
		vstart := p.p
		v := p.expression()
		if p.isCompFor() {
			gens := p.comprehensionClauses()
			p.expect(tkRbrace)
			return &DictComp{Span: p.spanFrom(start), Key: first, Value: v, Generators: gens}
		}
		p.checkMissingComma(vstart)
		return p.dictRest(start, []Expr{first}, []Expr{v})
	}
	if p.isCompFor() {
		if _, ok := first.(*Starred); ok {
			p.failNode(first, "iterable unpacking cannot be used in comprehension")
		}
		gens := p.comprehensionClauses()
		p.expect(tkRbrace)
		return &SetComp{Span: p.spanFrom(start), Elt: first, Generators: gens}
	}
	elts := []Expr{first}
	p.checkAssignInExpression(first)
	p.checkMissingComma(firstTok)
	for p.accept(tkComma) {
		if p.at(tkRbrace) {
			break
		}
		elts = append(elts, p.starNamedExpression())
		p.checkMissingComma(-1)
	}
	p.expect(tkRbrace)
	return &Set{Span: p.spanFrom(start), Elts: elts}
}

// dictRest parses the remaining entries of a dict display whose first
// entries are keys/values; the current token starts an entry or is ',' / '}'.
func (p *parser) dictRest(start int, keys, values []Expr) Expr {
	first := len(keys) == 0
	for {
		if !first {
			if !p.accept(tkComma) {
				break
			}
			if p.at(tkRbrace) {
				break
			}
		}
		first = false
		if p.at(tkDoubleStar) {
			star := p.advance()
			v := p.bitwiseOr()
			if p.isCompFor() {
				p.failAt(star, "dict unpacking cannot be used in dict comprehension", false)
			}
			keys = append(keys, nil)
			values = append(values, v)
			continue
		}
		if p.at(tkStar) {
			p.fail("cannot use a starred expression in a dictionary key")
		}
		k := p.expression()
		if !p.at(tkColon) {
			p.failNode(k, "':' expected after dictionary key")
		}
		p.advance()
		if p.at(tkRbrace) || p.at(tkComma) {
			p.failAt(p.p-1, "expression expected after dictionary key and ':'", false)
		}
		if p.at(tkStar) {
			p.fail("cannot use a starred expression in a dictionary value")
		}
		keys = append(keys, k)
		vstart := p.p
		values = append(values, p.expression())
		p.checkMissingComma(vstart)
	}
	p.expect(tkRbrace)
	return &Dict{Span: p.spanFrom(start), Keys: keys, Values: values}
}

// comprehensionClauses parses `(['async'] 'for' star_targets 'in' disjunction ('if' disjunction)*)+`.
func (p *parser) comprehensionClauses() []*Comprehension {
	var gens []*Comprehension
	for p.isCompFor() {
		c := &Comprehension{}
		if p.acceptKw(kwAsync) {
			c.IsAsync = true
		}
		p.advance() // for
		c.Target = p.starTargets()
		p.expectKw(kwIn, "in")
		c.Iter = p.disjunction()
		for p.isKw(kwIf) {
			p.advance()
			c.Ifs = append(c.Ifs, p.disjunction())
		}
		gens = append(gens, c)
	}
	return gens
}

// starTargets parses assignment targets of for loops and comprehensions:
// `star_target (',' star_target)* [',']`.
func (p *parser) starTargets() Expr {
	start := p.p
	first := p.starTarget()
	if !p.at(tkComma) {
		p.setContext(first, Store, "assign")
		return first
	}
	elts := []Expr{first}
	for p.accept(tkComma) {
		if p.isKw(kwIn) || p.at(tkEqual) || p.at(tkColon) {
			break
		}
		elts = append(elts, p.starTarget())
	}
	t := &Tuple{Span: p.spanFrom(start), Elts: elts}
	p.setContext(t, Store, "assign")
	return t
}

// starTarget parses one target: `'*'? bitwise_or`, validated by setContext.
func (p *parser) starTarget() Expr {
	if p.at(tkStar) {
		start := p.advance()
		if p.at(tkStar) {
			p.fail("invalid syntax")
		}
		v := p.starTarget()
		return &Starred{Span: p.spanFrom(start), Value: v}
	}
	return p.bitwiseOr()
}
