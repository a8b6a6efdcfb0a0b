package python

// statement parses one logical line: a compound statement, or simple
// statements separated by ';'. Parsed statements are appended to body.
func (p *parser) statement(body []Stmt) []Stmt {
	t := p.tok()
	switch t.kind {
	case tkAt:
		return append(body, p.decorated())
	case tkName:
		switch t.kw {
		case kwDef:
			return append(body, p.funcDef(p.p, nil, false))
		case kwClass:
			return append(body, p.classDef(p.p, nil))
		case kwIf:
			return append(body, p.ifStmt())
		case kwWhile:
			return append(body, p.whileStmt())
		case kwFor:
			return append(body, p.forStmt(p.p, false))
		case kwTry:
			return append(body, p.tryStmt())
		case kwWith:
			return append(body, p.withStmt(p.p, false))
		case kwAsync:
			start := p.p
			switch next := p.peekTok(1); {
			case next.kind == tkName && next.kw == kwDef:
				p.advance()
				return append(body, p.funcDef(start, nil, true))
			case next.kind == tkName && next.kw == kwFor:
				p.advance()
				return append(body, p.forStmt(start, true))
			case next.kind == tkName && next.kw == kwWith:
				p.advance()
				return append(body, p.withStmt(start, true))
			}
			p.advance()
			p.fail("invalid syntax")
		case kwMatch:
			if s := p.matchStmt(); s != nil {
				return append(body, s)
			}
		}
	}
	return p.simpleStatements(body)
}

// simpleStatements parses `simple_stmt (';' simple_stmt)* [';'] NEWLINE`.
func (p *parser) simpleStatements(body []Stmt) []Stmt {
	for {
		body = append(body, p.simpleStatement())
		if p.accept(tkSemi) {
			if p.at(tkNewline) {
				break
			}
			continue
		}
		break
	}
	if !p.at(tkNewline) {
		p.fail("invalid syntax")
	}
	p.advance()
	return body
}

func (p *parser) simpleStatement() Stmt {
	start := p.p
	t := p.tok()
	if t.kind == tkName {
		switch t.kw {
		case kwPass:
			p.advance()
			return &Pass{p.spanFrom(start)}
		case kwBreak:
			p.advance()
			return &Break{p.spanFrom(start)}
		case kwContinue:
			p.advance()
			return &Continue{p.spanFrom(start)}
		case kwReturn:
			p.advance()
			var v Expr
			if !p.atSimpleStmtEnd() {
				v = p.starExpressions()
			}
			return &Return{Span: p.spanFrom(start), Value: v}
		case kwImport:
			return p.importStmt()
		case kwFrom:
			return p.importFrom()
		case kwRaise:
			p.advance()
			s := &Raise{}
			if !p.atSimpleStmtEnd() {
				s.Exc = p.expression()
				if p.acceptKw(kwFrom) {
					s.Cause = p.expression()
				}
			}
			s.Span = p.spanFrom(start)
			return s
		case kwDel:
			return p.delStmt()
		case kwAssert:
			p.advance()
			s := &Assert{Test: p.expression()}
			if p.accept(tkComma) {
				s.Msg = p.expression()
			}
			s.Span = p.spanFrom(start)
			return s
		case kwGlobal, kwNonlocal:
			p.advance()
			var names []string
			for {
				names = append(names, p.name(p.expectName()))
				if !p.accept(tkComma) {
					break
				}
			}
			if t.kw == kwGlobal {
				return &Global{Span: p.spanFrom(start), Names: names}
			}
			return &Nonlocal{Span: p.spanFrom(start), Names: names}
		case kwType:
			if n := p.peekTok(1); isIdentTok(n) {
				if k := p.peekKind(2); k == tkEqual || k == tkLsqb {
					return p.typeAlias()
				}
			}
		}
	}
	return p.exprOrAssignment()
}

func (p *parser) atSimpleStmtEnd() bool {
	k := p.kind()
	return k == tkNewline || k == tkSemi || k == tkEOF
}

// exprOrAssignment parses expression statements and all assignment forms.
func (p *parser) exprOrAssignment() Stmt {
	start := p.p
	var first Expr
	if p.isKw(kwYield) {
		first = p.yieldExpr()
	} else {
		first = p.starExpressions()
	}
	switch k := p.kind(); {
	case k == tkEqual:
		targets := []Expr{first}
		var value Expr
		for p.accept(tkEqual) {
			if p.isKw(kwYield) {
				value = p.yieldExpr()
			} else {
				value = p.starExpressions()
			}
			if p.at(tkEqual) {
				targets = append(targets, value)
			}
		}
		for _, t := range targets {
			p.checkAssignTarget(t, len(targets) == 1, value)
			p.setContext(t, Store, "assign")
		}
		return &Assign{Span: p.spanFrom(start), Targets: targets, Value: value}
	case k == tkColon:
		p.advance()
		if !p.startsExpression() {
			p.fail("invalid syntax")
		}
		simple := false
		switch first.(type) {
		case *Name:
			simple = p.toks[start].kind != tkLpar
		case *Attribute, *Subscript:
		case *Tuple:
			p.failNode(first, "only single target (not tuple) can be annotated")
		case *List:
			p.failNode(first, "only single target (not list) can be annotated")
		default:
			p.failNode(first, "illegal target for annotation")
		}
		p.setContext(first, Store, "assign")
		s := &AnnAssign{Target: first, Annotation: p.expression(), Simple: simple}
		if p.accept(tkEqual) {
			if p.isKw(kwYield) {
				s.Value = p.yieldExpr()
			} else {
				s.Value = p.starExpressions()
			}
		}
		s.Span = p.spanFrom(start)
		return s
	case k >= tkPlusEqual && k <= tkDoubleSlashEqual && k != tkDoubleSlash || k == tkAtEqual:
		op := augOperator(k)
		switch first.(type) {
		case *Name, *Attribute, *Subscript:
			p.setContext(first, Store, "assign")
		default:
			p.failNode(first, "'"+describe(first)+"' is an illegal expression for augmented assignment")
		}
		p.advance()
		var v Expr
		if p.isKw(kwYield) {
			v = p.yieldExpr()
		} else {
			v = p.starExpressions()
		}
		return &AugAssign{Span: p.spanFrom(start), Target: first, Op: op, Value: v}
	}
	if !p.atSimpleStmtEnd() {
		p.invalidExpressionStatement(first)
	}
	return &ExprStmt{Span: p.spanFrom(start), Value: first}
}

// invalidExpressionStatement reports what follows a complete expression
// statement, with CPython's hints for the common mistakes.
func (p *parser) invalidExpressionStatement(first Expr) {
	if n, ok := first.(*Name); ok && (n.ID == "print" || n.ID == "exec") {
		switch p.kind() {
		case tkName, tkNumber, tkString, tkFStringStart, tkRightShift, tkLpar, tkLsqb, tkLbrace, tkMinus:
			p.failNode(first, "Missing parentheses in call to '"+n.ID+"'. Did you mean "+n.ID+"(...)?")
		}
	}
	p.fail("invalid syntax")
}

func augOperator(k tokKind) Operator {
	switch k {
	case tkPlusEqual:
		return Add
	case tkMinEqual:
		return Sub
	case tkStarEqual:
		return Mult
	case tkAtEqual:
		return MatMult
	case tkSlashEqual:
		return Div
	case tkPercentEqual:
		return Mod
	case tkDoubleStarEqual:
		return Pow
	case tkLeftShiftEqual:
		return LShift
	case tkRightShiftEqual:
		return RShift
	case tkVbarEqual:
		return BitOr
	case tkCircumflexEqual:
		return BitXor
	case tkAmperEqual:
		return BitAnd
	}
	return FloorDiv
}

func (p *parser) delStmt() Stmt {
	start := p.advance()
	var targets []Expr
	for {
		if p.atSimpleStmtEnd() {
			if len(targets) == 0 {
				p.fail("invalid syntax")
			}
			break
		}
		e := p.starTarget()
		p.setContext(e, Del, "delete")
		targets = append(targets, e)
		if !p.accept(tkComma) {
			break
		}
	}
	return &Delete{Span: p.spanFrom(start), Targets: targets}
}

func (p *parser) importStmt() Stmt {
	start := p.advance()
	if p.atSimpleStmtEnd() {
		p.fail("Expected one or more names after 'import'")
	}
	var names []*Alias
	for {
		a := p.p
		name := p.dottedName()
		al := &Alias{Name: name}
		if p.acceptKw(kwAs) {
			al.AsName = p.name(p.expectName())
		}
		al.Span = p.spanFrom(a)
		names = append(names, al)
		if !p.accept(tkComma) {
			break
		}
	}
	if p.isKw(kwFrom) {
		p.failAt(start, "Did you mean to use 'from ... import ...' instead?", false)
	}
	return &Import{Span: p.spanFrom(start), Names: names}
}

func (p *parser) dottedName() string {
	name := p.name(p.expectName())
	for p.at(tkDot) {
		p.advance()
		name = name + "." + p.name(p.expectName())
	}
	return name
}

func (p *parser) importFrom() Stmt {
	start := p.advance()
	level := 0
	for {
		if p.accept(tkDot) {
			level++
		} else if p.accept(tkEllipsis) {
			level += 3
		} else {
			break
		}
	}
	s := &ImportFrom{Level: level}
	if !p.isKw(kwImport) || level == 0 {
		s.Module = p.dottedName()
	}
	p.expectKw(kwImport, "import")
	if p.atSimpleStmtEnd() {
		p.fail("Expected one or more names after 'import'")
	}
	if p.at(tkStar) {
		i := p.advance()
		s.Names = []*Alias{{Span: p.spanTok(i), Name: "*"}}
		s.Span = p.spanFrom(start)
		return s
	}
	paren := p.accept(tkLpar)
	for {
		a := p.p
		al := &Alias{Name: p.name(p.expectName())}
		if p.acceptKw(kwAs) {
			al.AsName = p.name(p.expectName())
		}
		al.Span = p.spanFrom(a)
		s.Names = append(s.Names, al)
		if !p.accept(tkComma) {
			break
		}
		if paren && p.at(tkRpar) {
			break
		}
		if !paren && p.atSimpleStmtEnd() {
			p.fail("trailing comma not allowed without surrounding parentheses")
		}
	}
	if paren {
		p.expect(tkRpar)
	}
	s.Span = p.spanFrom(start)
	return s
}

func (p *parser) typeAlias() Stmt {
	start := p.advance()
	ni := p.expectName()
	name := &Name{Span: p.spanTok(ni), ID: p.name(ni), Ctx: Store}
	var params []TypeParam
	if p.at(tkLsqb) {
		params = p.typeParams()
	}
	p.expect(tkEqual)
	v := p.expression()
	return &TypeAlias{Span: p.spanFrom(start), Name: name, TypeParams: params, Value: v}
}

// typeParams parses `'[' type_param (',' type_param)* [','] ']'`.
func (p *parser) typeParams() []TypeParam {
	p.expect(tkLsqb)
	if p.at(tkRsqb) {
		p.fail("Type parameter list cannot be empty")
	}
	var params []TypeParam
	for !p.at(tkRsqb) {
		start := p.p
		switch {
		case p.accept(tkStar):
			n := p.name(p.expectName())
			if p.at(tkColon) {
				p.fail("cannot use bound with TypeVarTuple")
			}
			tp := &TypeVarTuple{Name: n}
			if p.accept(tkEqual) {
				tp.DefaultValue = p.starExpression()
			}
			tp.Span = p.spanFrom(start)
			params = append(params, tp)
		case p.accept(tkDoubleStar):
			n := p.name(p.expectName())
			if p.at(tkColon) {
				p.fail("cannot use bound with ParamSpec")
			}
			tp := &ParamSpec{Name: n}
			if p.accept(tkEqual) {
				tp.DefaultValue = p.expression()
			}
			tp.Span = p.spanFrom(start)
			params = append(params, tp)
		default:
			tp := &TypeVar{Name: p.name(p.expectName())}
			if p.accept(tkColon) {
				tp.Bound = p.expression()
			}
			if p.accept(tkEqual) {
				tp.DefaultValue = p.expression()
			}
			tp.Span = p.spanFrom(start)
			params = append(params, tp)
		}
		if !p.accept(tkComma) {
			break
		}
	}
	p.expect(tkRsqb)
	return params
}

// ----------------------------------------------------------------------------
// Compound statements

func (p *parser) decorated() Stmt {
	var decorators []Expr
	for p.at(tkAt) {
		p.advance()
		decorators = append(decorators, p.namedExpression())
		if !p.at(tkNewline) {
			p.fail("invalid syntax")
		}
		p.advance()
	}
	start := p.p
	switch {
	case p.isKw(kwDef):
		return p.funcDef(start, decorators, false)
	case p.isKw(kwClass):
		return p.classDef(start, decorators)
	case p.isKw(kwAsync) && p.peekTok(1).kind == tkName && p.peekTok(1).kw == kwDef:
		p.advance()
		return p.funcDef(start, decorators, true)
	}
	p.fail("invalid syntax")
	return nil
}

func (p *parser) funcDef(start int, decorators []Expr, async bool) Stmt {
	defLine := p.tok().line
	p.expectKw(kwDef, "def")
	name := p.name(p.expectName())
	var tparams []TypeParam
	if p.at(tkLsqb) {
		tparams = p.typeParams()
	}
	if !p.at(tkLpar) {
		p.fail("expected '('")
	}
	p.advance()
	args := p.parameters(tkRpar, true)
	p.expect(tkRpar)
	var returns Expr
	if p.accept(tkRarrow) {
		returns = p.expression()
	}
	p.expectForcedColon()
	body := p.block("function definition", defLine)
	span := p.compoundSpan(start, body)
	if async {
		return &AsyncFunctionDef{Span: span, Name: name, Args: args, Body: body,
			DecoratorList: decorators, Returns: returns, TypeParams: tparams}
	}
	return &FunctionDef{Span: span, Name: name, Args: args, Body: body,
		DecoratorList: decorators, Returns: returns, TypeParams: tparams}
}

func (p *parser) classDef(start int, decorators []Expr) Stmt {
	line := p.tok().line
	p.advance()
	s := &ClassDef{Name: p.name(p.expectName()), DecoratorList: decorators}
	if p.at(tkLsqb) {
		s.TypeParams = p.typeParams()
	}
	if p.accept(tkLpar) {
		s.Bases, s.Keywords = p.callArguments(tkRpar)
		p.expect(tkRpar)
	}
	p.expect(tkColon)
	s.Body = p.block("class definition", line)
	s.Span = p.compoundSpan(start, s.Body)
	return s
}

func (p *parser) ifStmt() Stmt {
	start := p.p
	line := p.tok().line
	what := "'if' statement"
	if p.isKw(kwElif) {
		what = "'elif' statement"
	}
	p.advance()
	s := &If{Test: p.namedExpression()}
	p.checkAssignInExpression(s.Test)
	p.expect(tkColon)
	s.Body = p.block(what, line)
	switch {
	case p.isKw(kwElif):
		s.Orelse = []Stmt{p.ifStmt()}
	case p.isKw(kwElse):
		s.Orelse = p.elseBlock()
	}
	s.Span = p.compoundSpan(start, s.Body, s.Orelse)
	return s
}

func (p *parser) elseBlock() []Stmt {
	line := p.tok().line
	p.advance()
	p.expectForcedColon()
	return p.block("'else' statement", line)
}

func (p *parser) whileStmt() Stmt {
	start := p.p
	line := p.tok().line
	p.advance()
	s := &While{Test: p.namedExpression()}
	p.checkAssignInExpression(s.Test)
	p.expect(tkColon)
	s.Body = p.block("'while' statement", line)
	if p.isKw(kwElse) {
		s.Orelse = p.elseBlock()
	}
	s.Span = p.compoundSpan(start, s.Body, s.Orelse)
	return s
}

func (p *parser) forStmt(start int, async bool) Stmt {
	line := p.toks[start].line
	p.advance()
	target := p.starTargets()
	p.expectKw(kwIn, "in")
	iter := p.starExpressions()
	p.expect(tkColon)
	body := p.block("'for' statement", line)
	var orelse []Stmt
	if p.isKw(kwElse) {
		orelse = p.elseBlock()
	}
	span := p.compoundSpan(start, body, orelse)
	if async {
		return &AsyncFor{Span: span, Target: target, Iter: iter, Body: body, Orelse: orelse}
	}
	return &For{Span: span, Target: target, Iter: iter, Body: body, Orelse: orelse}
}

func (p *parser) withStmt(start int, async bool) Stmt {
	line := p.toks[start].line
	p.advance()
	var items []*WithItem
	parenthesized := false
	if p.at(tkLpar) {
		// 'with' '(' ','.with_item+ ','? ')' ':'
		parenthesized = p.speculate(func() {
			p.advance()
			var its []*WithItem
			for {
				its = append(its, p.withItem())
				if !p.accept(tkComma) {
					break
				}
				if p.at(tkRpar) {
					break
				}
			}
			p.expect(tkRpar)
			if !p.at(tkColon) {
				p.fail("invalid syntax")
			}
			items = its
		})
	}
	if !parenthesized {
		for {
			items = append(items, p.withItem())
			if !p.accept(tkComma) {
				break
			}
		}
	}
	p.expect(tkColon)
	body := p.block("'with' statement", line)
	span := p.compoundSpan(start, body)
	if async {
		return &AsyncWith{Span: span, Items: items, Body: body}
	}
	return &With{Span: span, Items: items, Body: body}
}

func (p *parser) withItem() *WithItem {
	it := &WithItem{ContextExpr: p.expression()}
	if p.acceptKw(kwAs) {
		it.OptionalVars = p.starTarget()
		p.setContext(it.OptionalVars, Store, "assign")
		switch p.kind() {
		case tkComma, tkRpar, tkColon:
		default:
			p.fail("invalid syntax")
		}
	}
	return it
}

func (p *parser) tryStmt() Stmt {
	start := p.p
	line := p.tok().line
	p.advance()
	p.expectForcedColon()
	body := p.block("'try' statement", line)
	var handlers []*ExceptHandler
	star, plain := false, false
	for p.isKw(kwExcept) {
		hstart := p.p
		hline := p.tok().line
		p.advance()
		h := &ExceptHandler{}
		what := "'except' statement"
		if p.accept(tkStar) {
			if plain {
				p.failAt(hstart, "cannot have both 'except' and 'except*' on the same 'try'", false)
			}
			star = true
			what = "'except*' statement"
			if p.at(tkColon) {
				p.fail("expected one or more exception types")
			}
		} else {
			if star {
				p.failAt(hstart, "cannot have both 'except' and 'except*' on the same 'try'", false)
			}
			plain = true
		}
		if !p.at(tkColon) {
			tstart := p.p
			h.Type = p.expression()
			if p.at(tkComma) {
				elts := []Expr{h.Type}
				for p.accept(tkComma) {
					if p.at(tkColon) || p.isKw(kwAs) {
						break
					}
					elts = append(elts, p.expression())
				}
				h.Type = &Tuple{Span: p.spanFrom(tstart), Elts: elts}
				if p.isKw(kwAs) {
					p.failNode(h.Type, "multiple exception types must be parenthesized when using 'as'")
				}
			}
			if p.acceptKw(kwAs) {
				h.Name = p.name(p.expectName())
			}
		}
		p.expect(tkColon)
		h.Body = p.block(what, hline)
		h.Span = p.compoundSpan(hstart, h.Body)
		handlers = append(handlers, h)
	}
	var orelse, final []Stmt
	if len(handlers) > 0 && p.isKw(kwElse) {
		orelse = p.elseBlock()
	}
	if p.isKw(kwFinally) {
		fline := p.tok().line
		p.advance()
		p.expectForcedColon()
		final = p.block("'finally' statement", fline)
	} else if len(handlers) == 0 {
		p.fail("expected 'except' or 'finally' block")
	}
	span := p.compoundSpan(start, body, handlerBodies(handlers), orelse, final)
	if star {
		return &TryStar{Span: span, Body: body, Handlers: handlers, Orelse: orelse, Finalbody: final}
	}
	return &Try{Span: span, Body: body, Handlers: handlers, Orelse: orelse, Finalbody: final}
}

// handlerBodies returns the last handler's body, which ends a try statement
// that has no else or finally block.
func handlerBodies(hs []*ExceptHandler) []Stmt {
	if len(hs) == 0 {
		return nil
	}
	return hs[len(hs)-1].Body
}

// compoundSpan is the span of a compound statement from token start to the
// last token consumed. CPython 3.8 ended it at the end of the last
// statement of the last block instead (which differs after a trailing ';').
func (p *parser) compoundSpan(start int, bodies ...[]Stmt) Span {
	s := p.spanFrom(start)
	if p.version != (Version{3, 8}) {
		return s
	}
	for i := len(bodies) - 1; i >= 0; i-- {
		if b := bodies[i]; len(b) > 0 {
			e := b[len(b)-1].Pos()
			s.EndLine, s.EndCol = e.EndLine, e.EndCol
			return s
		}
	}
	return s
}

// expectForcedColon consumes the ':' that CPython's grammar forces after a
// def header, try, else and finally: anything else is "expected ':'".
func (p *parser) expectForcedColon() {
	if !p.at(tkColon) {
		p.fail("expected ':'")
	}
	p.advance()
}
