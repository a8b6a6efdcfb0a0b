package python

// callArguments parses the arguments of a class definition's base list.
func (p *parser) callArguments(closer tokKind) ([]Expr, []*Keyword) {
	return p.callArgumentsFrom(closer, -1)
}

// callArgumentsFrom parses call arguments up to (not including) closer.
// open is the index of the call's '(' token, which lets a lone generator
// expression argument take the parentheses of the call (`f(x for x in y)`);
// -1 disallows that.
func (p *parser) callArgumentsFrom(closer tokKind, open int) (args []Expr, kws []*Keyword) {
	sawKeyword, sawDoubleStar := false, false
	for !p.at(closer) {
		start := p.p
		switch {
		case p.at(tkStar):
			p.advance()
			v := p.expression()
			st := &Starred{Span: p.spanFrom(start), Value: v}
			if p.version == (Version{3, 8}) {
				// 3.8 ended the starred argument with its value, without a
				// closing parenthesis around the value.
				e := v.Pos()
				st.EndLine, st.EndCol = e.EndLine, e.EndCol
			}
			if sawDoubleStar {
				p.failNode(st, "iterable argument unpacking follows keyword argument unpacking")
			}
			args = append(args, st)
		case p.at(tkDoubleStar):
			p.advance()
			v := p.expression()
			kws = append(kws, &Keyword{Span: p.spanFrom(start), Value: v})
			sawDoubleStar = true
		case p.isName() && p.peekKind(1) == tkEqual:
			ni := p.advance()
			p.advance()
			if p.isCompFor() || p.at(tkComma) || p.at(closer) {
				p.fail("expected argument value expression")
			}
			v := p.expression()
			kws = append(kws, &Keyword{Span: p.spanFrom(start), Arg: p.name(ni), Value: v})
			sawKeyword = true
		default:
			e := p.namedExpression()
			if p.isCompFor() {
				if open < 0 {
					p.fail("invalid syntax")
				}
				gens := p.comprehensionClauses()
				if open < 0 {
					p.fail("invalid syntax")
				}
				if len(args) > 0 || len(kws) > 0 || !p.at(closer) {
					p.failSpan(p.spanFrom(start), "Generator expression must be parenthesized")
				}
				o, c := &p.toks[open], p.tok()
				span := Span{int(o.line), int(o.col), int(c.endLine), int(c.endCol)}
				return []Expr{&GeneratorExp{Span: span, Elt: e, Generators: gens}}, nil
			}
			if p.at(tkEqual) {
				switch n := e.(type) {
				case *Constant:
					if n.Value.Kind == BoolValue || n.Value.Kind == NoneValue {
						p.failNode(e, "cannot assign to "+describe(e))
					}
				}
				p.failSpan(p.spanFrom(start), "expression cannot contain assignment, perhaps you meant \"==\"?")
			}
			if sawDoubleStar {
				p.failNode(e, "positional argument follows keyword argument unpacking")
			} else if sawKeyword {
				p.failNode(e, "positional argument follows keyword argument")
			}
			args = append(args, e)
		}
		p.checkMissingComma(start)
		if !p.accept(tkComma) {
			break
		}
	}
	return args, kws
}

// parameters parses a def's or lambda's parameter list up to closer.
func (p *parser) parameters(closer tokKind, annotations bool) *Arguments {
	a := &Arguments{}
	sawDefault, sawSlash, sawStar := false, false, false
	for !p.at(closer) {
		switch {
		case p.at(tkSlash):
			switch {
			case sawSlash:
				p.fail("/ may appear only once")
			case sawStar:
				p.fail("/ must be ahead of *")
			case len(a.Args) == 0:
				p.fail("at least one argument must precede /")
			}
			p.advance()
			a.PosOnlyArgs, a.Args = a.Args, nil
			sawSlash = true
		case p.at(tkStar):
			if sawStar {
				p.fail("* argument may appear only once")
			}
			star := p.advance()
			sawStar = true
			if p.at(tkComma) || p.at(closer) {
				if p.at(closer) || p.peekKind(1) == tkDoubleStar || p.peekKind(1) == closer {
					p.failAt(star, "named arguments must follow bare *", false)
				}
				break
			}
			a.Vararg = p.param(annotations, true)
			if p.at(tkEqual) {
				p.fail("var-positional argument cannot have default value")
			}
		case p.at(tkDoubleStar):
			p.advance()
			a.Kwarg = p.param(annotations, false)
			if p.at(tkEqual) {
				p.fail("var-keyword argument cannot have default value")
			}
			if p.accept(tkComma) && !p.at(closer) {
				p.fail("arguments cannot follow var-keyword argument")
			}
			return a
		default:
			argTok := p.p
			arg := p.param(annotations, false)
			var def Expr
			if p.accept(tkEqual) {
				def = p.expression()
			}
			if sawStar {
				if p.version == (Version{3, 8}) {
					// 3.8 gave keyword-only parameters the span of their name.
					arg.EndLine, arg.EndCol = arg.Line, arg.Col+len(p.src[p.toks[argTok].start:p.toks[argTok].end])
				}
				a.KwOnlyArgs = append(a.KwOnlyArgs, arg)
				a.KwDefaults = append(a.KwDefaults, def)
				break
			}
			if def != nil {
				a.Defaults = append(a.Defaults, def)
				sawDefault = true
			} else if sawDefault {
				p.failNode(arg, "parameter without a default follows parameter with a default")
			}
			a.Args = append(a.Args, arg)
		}
		if !p.accept(tkComma) {
			break
		}
	}
	return a
}

// param parses `NAME [':' annotation]`; starAnnotation allows `*args: *Ts`.
func (p *parser) param(annotations, starAnnotation bool) *Arg {
	start := p.p
	if !p.isName() {
		if p.at(tkLpar) {
			p.fail("Function parameters cannot be parenthesized")
		}
		p.fail("invalid syntax")
	}
	ni := p.advance()
	arg := &Arg{Arg: p.name(ni)}
	if annotations && p.accept(tkColon) {
		if starAnnotation && p.at(tkStar) {
			arg.Annotation = p.starExpression()
		} else {
			arg.Annotation = p.expression()
		}
	}
	arg.Span = p.spanFrom(start)
	return arg
}
