package python

// Inspect traverses the tree rooted at n in depth-first order, children in
// CPython's field order. It calls f(node) for every node with a position
// before its children; when f returns false the children are skipped.
// Nodes without a position of their own (arguments, comprehension,
// withitem, match_case) are traversed but not passed to f: their children
// are.
func Inspect(n Node, f func(Node) bool) {
	if n == nil || !f(n) {
		return
	}
	walkChildren(n, f)
}

// InspectModule traverses every statement of m with Inspect.
func InspectModule(m *Module, f func(Node) bool) {
	for _, s := range m.Body {
		Inspect(s, f)
	}
}

func inspectExprs(list []Expr, f func(Node) bool) {
	for _, e := range list {
		if e != nil {
			Inspect(e, f)
		}
	}
}

func inspectStmts(list []Stmt, f func(Node) bool) {
	for _, s := range list {
		Inspect(s, f)
	}
}

func inspectExpr(e Expr, f func(Node) bool) {
	if e != nil {
		Inspect(e, f)
	}
}

func inspectArgs(a *Arguments, f func(Node) bool) {
	if a == nil {
		return
	}
	for _, x := range a.PosOnlyArgs {
		Inspect(x, f)
	}
	for _, x := range a.Args {
		Inspect(x, f)
	}
	if a.Vararg != nil {
		Inspect(a.Vararg, f)
	}
	for _, x := range a.KwOnlyArgs {
		Inspect(x, f)
	}
	inspectExprs(a.KwDefaults, f)
	if a.Kwarg != nil {
		Inspect(a.Kwarg, f)
	}
	inspectExprs(a.Defaults, f)
}

func inspectComprehensions(gens []*Comprehension, f func(Node) bool) {
	for _, g := range gens {
		inspectExpr(g.Target, f)
		inspectExpr(g.Iter, f)
		inspectExprs(g.Ifs, f)
	}
}

func inspectTypeParams(tps []TypeParam, f func(Node) bool) {
	for _, tp := range tps {
		Inspect(tp, f)
	}
}

func inspectKeywords(kws []*Keyword, f func(Node) bool) {
	for _, k := range kws {
		Inspect(k, f)
	}
}

func inspectPatterns(ps []Pattern, f func(Node) bool) {
	for _, p := range ps {
		if p != nil {
			Inspect(p, f)
		}
	}
}

// The async statements have the fields of their plain twins.

func inspectFunction(args *Arguments, body []Stmt, decorators []Expr, returns Expr, tps []TypeParam, f func(Node) bool) {
	inspectArgs(args, f)
	inspectStmts(body, f)
	inspectExprs(decorators, f)
	inspectExpr(returns, f)
	inspectTypeParams(tps, f)
}

func inspectFor(target, iter Expr, body, orelse []Stmt, f func(Node) bool) {
	inspectExpr(target, f)
	inspectExpr(iter, f)
	inspectStmts(body, f)
	inspectStmts(orelse, f)
}

func inspectWith(items []*WithItem, body []Stmt, f func(Node) bool) {
	for _, it := range items {
		inspectExpr(it.ContextExpr, f)
		inspectExpr(it.OptionalVars, f)
	}
	inspectStmts(body, f)
}

func inspectTry(body []Stmt, handlers []*ExceptHandler, orelse, final []Stmt, f func(Node) bool) {
	inspectStmts(body, f)
	for _, h := range handlers {
		Inspect(h, f)
	}
	inspectStmts(orelse, f)
	inspectStmts(final, f)
}

func walkChildren(n Node, f func(Node) bool) {
	switch n := n.(type) {
	// Statements
	case *FunctionDef:
		inspectFunction(n.Args, n.Body, n.DecoratorList, n.Returns, n.TypeParams, f)
	case *AsyncFunctionDef:
		inspectFunction(n.Args, n.Body, n.DecoratorList, n.Returns, n.TypeParams, f)
	case *ClassDef:
		inspectExprs(n.Bases, f)
		inspectKeywords(n.Keywords, f)
		inspectStmts(n.Body, f)
		inspectExprs(n.DecoratorList, f)
		inspectTypeParams(n.TypeParams, f)
	case *Return:
		inspectExpr(n.Value, f)
	case *Delete:
		inspectExprs(n.Targets, f)
	case *Assign:
		inspectExprs(n.Targets, f)
		inspectExpr(n.Value, f)
	case *TypeAlias:
		inspectExpr(n.Name, f)
		inspectTypeParams(n.TypeParams, f)
		inspectExpr(n.Value, f)
	case *AugAssign:
		inspectExpr(n.Target, f)
		inspectExpr(n.Value, f)
	case *AnnAssign:
		inspectExpr(n.Target, f)
		inspectExpr(n.Annotation, f)
		inspectExpr(n.Value, f)
	case *For:
		inspectFor(n.Target, n.Iter, n.Body, n.Orelse, f)
	case *AsyncFor:
		inspectFor(n.Target, n.Iter, n.Body, n.Orelse, f)
	case *While:
		inspectExpr(n.Test, f)
		inspectStmts(n.Body, f)
		inspectStmts(n.Orelse, f)
	case *If:
		inspectExpr(n.Test, f)
		inspectStmts(n.Body, f)
		inspectStmts(n.Orelse, f)
	case *With:
		inspectWith(n.Items, n.Body, f)
	case *AsyncWith:
		inspectWith(n.Items, n.Body, f)
	case *Match:
		inspectExpr(n.Subject, f)
		for _, c := range n.Cases {
			if c.Pattern != nil {
				Inspect(c.Pattern, f)
			}
			inspectExpr(c.Guard, f)
			inspectStmts(c.Body, f)
		}
	case *Raise:
		inspectExpr(n.Exc, f)
		inspectExpr(n.Cause, f)
	case *Try:
		inspectTry(n.Body, n.Handlers, n.Orelse, n.Finalbody, f)
	case *TryStar:
		inspectTry(n.Body, n.Handlers, n.Orelse, n.Finalbody, f)
	case *Assert:
		inspectExpr(n.Test, f)
		inspectExpr(n.Msg, f)
	case *Import:
		for _, a := range n.Names {
			Inspect(a, f)
		}
	case *ImportFrom:
		for _, a := range n.Names {
			Inspect(a, f)
		}
	case *ExprStmt:
		inspectExpr(n.Value, f)
	case *Global, *Nonlocal, *Pass, *Break, *Continue:

	// Expressions
	case *BoolOp:
		inspectExprs(n.Values, f)
	case *NamedExpr:
		inspectExpr(n.Target, f)
		inspectExpr(n.Value, f)
	case *BinOp:
		inspectExpr(n.Left, f)
		inspectExpr(n.Right, f)
	case *UnaryOp:
		inspectExpr(n.Operand, f)
	case *Lambda:
		inspectArgs(n.Args, f)
		inspectExpr(n.Body, f)
	case *IfExp:
		inspectExpr(n.Test, f)
		inspectExpr(n.Body, f)
		inspectExpr(n.Orelse, f)
	case *Dict:
		inspectExprs(n.Keys, f)
		inspectExprs(n.Values, f)
	case *Set:
		inspectExprs(n.Elts, f)
	case *ListComp:
		inspectExpr(n.Elt, f)
		inspectComprehensions(n.Generators, f)
	case *SetComp:
		inspectExpr(n.Elt, f)
		inspectComprehensions(n.Generators, f)
	case *DictComp:
		inspectExpr(n.Key, f)
		inspectExpr(n.Value, f)
		inspectComprehensions(n.Generators, f)
	case *GeneratorExp:
		inspectExpr(n.Elt, f)
		inspectComprehensions(n.Generators, f)
	case *Await:
		inspectExpr(n.Value, f)
	case *Yield:
		inspectExpr(n.Value, f)
	case *YieldFrom:
		inspectExpr(n.Value, f)
	case *Compare:
		inspectExpr(n.Left, f)
		inspectExprs(n.Comparators, f)
	case *Call:
		inspectExpr(n.Func, f)
		inspectExprs(n.Args, f)
		inspectKeywords(n.Keywords, f)
	case *FormattedValue:
		inspectExpr(n.Value, f)
		inspectExpr(n.FormatSpec, f)
	case *Interpolation:
		inspectExpr(n.Value, f)
		inspectExpr(n.FormatSpec, f)
	case *JoinedStr:
		inspectExprs(n.Values, f)
	case *TemplateStr:
		inspectExprs(n.Values, f)
	case *Attribute:
		inspectExpr(n.Value, f)
	case *Subscript:
		inspectExpr(n.Value, f)
		inspectExpr(n.Slice, f)
	case *Starred:
		inspectExpr(n.Value, f)
	case *List:
		inspectExprs(n.Elts, f)
	case *Tuple:
		inspectExprs(n.Elts, f)
	case *Slice:
		inspectExpr(n.Lower, f)
		inspectExpr(n.Upper, f)
		inspectExpr(n.Step, f)
	case *Constant, *Name:

	// Other nodes
	case *ExceptHandler:
		inspectExpr(n.Type, f)
		inspectStmts(n.Body, f)
	case *Arg:
		inspectExpr(n.Annotation, f)
	case *Keyword:
		inspectExpr(n.Value, f)
	case *Alias:

	// Patterns
	case *MatchValue:
		inspectExpr(n.Value, f)
	case *MatchSingleton, *MatchStar:
	case *MatchSequence:
		inspectPatterns(n.Patterns, f)
	case *MatchMapping:
		inspectExprs(n.Keys, f)
		inspectPatterns(n.Patterns, f)
	case *MatchClass:
		inspectExpr(n.Cls, f)
		inspectPatterns(n.Patterns, f)
		inspectPatterns(n.KwdPatterns, f)
	case *MatchAs:
		if n.Pattern != nil {
			Inspect(n.Pattern, f)
		}
	case *MatchOr:
		inspectPatterns(n.Patterns, f)

	// Type parameters
	case *TypeVar:
		inspectExpr(n.Bound, f)
		inspectExpr(n.DefaultValue, f)
	case *ParamSpec:
		inspectExpr(n.DefaultValue, f)
	case *TypeVarTuple:
		inspectExpr(n.DefaultValue, f)
	}
}
