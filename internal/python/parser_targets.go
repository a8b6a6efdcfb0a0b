package python

// setContext marks e as an assignment (Store) or deletion (Del) target,
// recursively through tuples, lists and starred expressions, and rejects
// expressions that cannot be targets with CPython's messages.
func (p *parser) setContext(e Expr, ctx ExprContext, verb string) {
	switch n := e.(type) {
	case *Name:
		n.Ctx = ctx
	case *Attribute:
		n.Ctx = ctx
	case *Subscript:
		n.Ctx = ctx
	case *Starred:
		if ctx == Del {
			p.failNode(e, "cannot delete starred")
		}
		n.Ctx = ctx
		p.setContext(n.Value, ctx, verb)
	case *Tuple:
		n.Ctx = ctx
		for _, el := range n.Elts {
			p.setContext(el, ctx, verb)
		}
	case *List:
		n.Ctx = ctx
		for _, el := range n.Elts {
			p.setContext(el, ctx, verb)
		}
	case *Yield, *YieldFrom:
		if ctx == Store {
			p.failNode(e, "assignment to yield expression not possible")
		}
		p.failNode(e, "cannot delete "+describe(e))
	default:
		if ctx == Del {
			p.failNode(e, "cannot delete "+describe(e))
		}
		p.failNode(e, "cannot "+verb+" to "+describe(e))
	}
}

// checkAssignTarget reports an invalid target of an assignment statement
// with CPython's hint for a likely comparison ("f() = 1"): the hint is
// given for a single target and value that are both plain operands.
func (p *parser) checkAssignTarget(t Expr, single bool, value Expr) {
	if !single || !isPlainOperand(t) || !isPlainOperand(value) {
		return
	}
	switch t := t.(type) {
	case *Name, *Attribute, *Subscript, *Tuple, *List, *Starred, *GeneratorExp:
		return
	case *Constant:
		if k := t.Value.Kind; k == NoneValue || k == BoolValue {
			return
		}
	}
	p.failNode(t, "cannot assign to "+describe(t)+" here. Maybe you meant '==' instead of '='?")
}

// isPlainOperand reports whether e is an expression of the `bitwise_or`
// level or tighter (no comparison, boolean operator, conditional, lambda).
func isPlainOperand(e Expr) bool {
	switch n := e.(type) {
	case *Compare, *BoolOp, *IfExp, *Lambda, *NamedExpr, *Starred, *Yield, *YieldFrom:
		return false
	case *UnaryOp:
		return n.Op != Not
	}
	return true
}

// describe names an expression the way CPython's error messages do.
func describe(e Expr) string {
	switch n := e.(type) {
	case *Name:
		return "name"
	case *Attribute:
		return "attribute"
	case *Subscript:
		return "subscript"
	case *Starred:
		return "starred"
	case *Tuple:
		return "tuple"
	case *List:
		return "list"
	case *Call:
		return "function call"
	case *BoolOp, *BinOp, *UnaryOp:
		return "expression"
	case *Compare:
		return "comparison"
	case *Lambda:
		return "lambda"
	case *IfExp:
		return "conditional expression"
	case *NamedExpr:
		return "named expression"
	case *Dict:
		return "dict literal"
	case *Set:
		return "set display"
	case *ListComp:
		return "list comprehension"
	case *SetComp:
		return "set comprehension"
	case *DictComp:
		return "dict comprehension"
	case *GeneratorExp:
		return "generator expression"
	case *Yield, *YieldFrom:
		return "yield expression"
	case *Await:
		return "await expression"
	case *JoinedStr:
		return "f-string expression"
	case *TemplateStr:
		return "t-string expression"
	case *Constant:
		switch n.Value.Kind {
		case NoneValue:
			return "None"
		case BoolValue:
			if n.Value.Bool {
				return "True"
			}
			return "False"
		case EllipsisValue:
			return "ellipsis"
		}
		return "literal"
	}
	return "expression"
}
