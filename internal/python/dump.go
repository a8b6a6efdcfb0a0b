package python

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"strconv"
	"unicode/utf8"
)

// This file writes the canonical AST dump described in docs/ast-dump.md.
// testdata/astdump.py writes the same format from CPython's ast module, and
// the differential test compares the two line by line.

// DumpOptions selects the shape of the dump. The zero value dumps for
// LatestVersion().
type DumpOptions struct {
	// Version is the CPython version whose position conventions the dump
	// follows: which node types carry positions, and how Python 3.8
	// subscripts look.
	Version Version
}

// Dump writes the canonical dump of m. The dump is line-oriented: one line
// per node and per scalar field, indented two spaces per level, with fields
// in CPython 3.14's order. It returns the first write error, or an error
// naming a node type that the dump does not know.
func Dump(w io.Writer, m *Module, opts DumpOptions) error {
	v := opts.Version
	if v == (Version{}) {
		v = LatestVersion()
	}
	d := &dumper{
		w:          bufio.NewWriterSize(w, 64<<10),
		posKeyword: !v.Less(Version{3, 9}),
		posAlias:   !v.Less(Version{3, 10}),
		posSlice:   !v.Less(Version{3, 9}),
		extSlice:   v.Less(Version{3, 9}),
	}
	d.w.WriteString("Module\n")
	if m != nil {
		d.stmts(1, "body", m.Body)
	} else {
		d.empty(1, "body")
	}
	d.empty(1, "type_ignores")
	if err := d.w.Flush(); err != nil {
		return err
	}
	return d.err
}

// dumper holds the state of one Dump call.
type dumper struct {
	w   *bufio.Writer
	err error // first unknown node type
	buf []byte

	posKeyword bool // keyword nodes carry positions (3.9+)
	posAlias   bool // alias nodes carry positions (3.10+)
	posSlice   bool // Slice nodes carry positions (3.9+)
	extSlice   bool // a subscript tuple holding a Slice has no position (3.8)
}

// label is a field name, with an index for list elements (idx >= 0).
type label struct {
	name string
	idx  int
}

func field(name string) label { return label{name, -1} }

// start begins a line: indentation and "label: ".
func (d *dumper) start(depth int, l label) {
	b := d.buf[:0]
	for i := 0; i < depth; i++ {
		b = append(b, "  "...)
	}
	b = append(b, l.name...)
	if l.idx >= 0 {
		b = append(b, '[')
		b = strconv.AppendInt(b, int64(l.idx), 10)
		b = append(b, ']')
	}
	b = append(b, ": "...)
	d.buf = b
}

// end finishes the line in d.buf and writes it.
func (d *dumper) end() {
	d.buf = append(d.buf, '\n')
	d.w.Write(d.buf)
}

// scalar writes "label: text".
func (d *dumper) scalar(depth int, l label, text string) {
	d.start(depth, l)
	d.buf = append(d.buf, text...)
	d.end()
}

func (d *dumper) none(depth int, l label) { d.scalar(depth, l, "None") }

func (d *dumper) empty(depth int, name string) { d.scalar(depth, field(name), "[]") }

// head writes a node's line "label: Type" and, when pos is set, its span.
func (d *dumper) head(depth int, l label, typ string, s Span, pos bool) {
	d.start(depth, l)
	d.buf = append(d.buf, typ...)
	if pos {
		d.buf = append(d.buf, " @"...)
		d.buf = strconv.AppendInt(d.buf, int64(s.Line), 10)
		d.buf = append(d.buf, ':')
		d.buf = strconv.AppendInt(d.buf, int64(s.Col), 10)
		d.buf = append(d.buf, '-')
		d.buf = strconv.AppendInt(d.buf, int64(s.EndLine), 10)
		d.buf = append(d.buf, ':')
		d.buf = strconv.AppendInt(d.buf, int64(s.EndCol), 10)
	}
	d.end()
}

// unknown reports a node type that the dump does not know.
func (d *dumper) unknown(depth int, l label, n any) {
	if d.err == nil {
		d.err = fmt.Errorf("python.Dump: unknown node type %T", n)
	}
	d.scalar(depth, l, fmt.Sprintf("?%T", n))
}

// ident writes a required identifier as a JSON string.
func (d *dumper) ident(depth int, name, s string) {
	d.start(depth, field(name))
	d.buf = appendPyString(d.buf, s)
	d.end()
}

// optIdent writes an optional identifier; the empty string means None.
func (d *dumper) optIdent(depth int, name, s string) {
	if s == "" {
		d.none(depth, field(name))
		return
	}
	d.ident(depth, name, s)
}

func (d *dumper) idents(depth int, name string, ss []string) {
	if len(ss) == 0 {
		d.empty(depth, name)
		return
	}
	for i, s := range ss {
		d.start(depth, label{name, i})
		d.buf = appendPyString(d.buf, s)
		d.end()
	}
}

func (d *dumper) intField(depth int, name string, n int) {
	d.start(depth, field(name))
	d.buf = strconv.AppendInt(d.buf, int64(n), 10)
	d.end()
}

func (d *dumper) boolField(depth int, name string, b bool) {
	n := 0
	if b {
		n = 1
	}
	d.intField(depth, name, n)
}

func (d *dumper) value(depth int, name string, v Value) {
	d.start(depth, field(name))
	d.buf = appendValue(d.buf, v)
	d.end()
}

// typeComment writes the type_comment field, which is always None since
// the parser does not collect type comments.
func (d *dumper) typeComment(depth int) { d.none(depth, field("type_comment")) }

// ----------------------------------------------------------------------------
// Lists

// list writes a list field: "name: []" when it is empty, else each item
// under the label name[i].
func list[T any](d *dumper, depth int, name string, items []T, item func(label, T)) {
	if len(items) == 0 {
		d.empty(depth, name)
	}
	for i, it := range items {
		item(label{name, i}, it)
	}
}

// nodes is list for pointers to nodes, writing None for a nil one.
func nodes[T any](d *dumper, depth int, name string, items []*T, item func(label, *T)) {
	list(d, depth, name, items, func(l label, it *T) {
		if it == nil {
			d.none(depth, l)
			return
		}
		item(l, it)
	})
}

func (d *dumper) stmts(depth int, name string, ss []Stmt) {
	list(d, depth, name, ss, func(l label, s Stmt) { d.stmt(depth, l, s) })
}

func (d *dumper) exprs(depth int, name string, es []Expr) {
	list(d, depth, name, es, func(l label, e Expr) { d.expr(depth, l, e) })
}

func (d *dumper) patterns(depth int, name string, ps []Pattern) {
	list(d, depth, name, ps, func(l label, p Pattern) { d.pattern(depth, l, p) })
}

func (d *dumper) typeParams(depth int, ps []TypeParam) {
	list(d, depth, "type_params", ps, func(l label, p TypeParam) { d.typeParam(depth, l, p) })
}

func (d *dumper) keywords(depth int, ks []*Keyword) {
	nodes(d, depth, "keywords", ks, func(l label, k *Keyword) {
		d.head(depth, l, "keyword", k.Span, d.posKeyword)
		d.optIdent(depth+1, "arg", k.Arg)
		d.expr(depth+1, field("value"), k.Value)
	})
}

func (d *dumper) aliases(depth int, as []*Alias) {
	nodes(d, depth, "names", as, func(l label, a *Alias) {
		d.head(depth, l, "alias", a.Span, d.posAlias)
		d.ident(depth+1, "name", a.Name)
		d.optIdent(depth+1, "asname", a.AsName)
	})
}

func (d *dumper) withItems(depth int, items []*WithItem) {
	nodes(d, depth, "items", items, func(l label, it *WithItem) {
		d.head(depth, l, "withitem", Span{}, false)
		d.expr(depth+1, field("context_expr"), it.ContextExpr)
		d.expr(depth+1, field("optional_vars"), it.OptionalVars)
	})
}

func (d *dumper) handlers(depth int, hs []*ExceptHandler) {
	nodes(d, depth, "handlers", hs, func(l label, h *ExceptHandler) {
		d.head(depth, l, "ExceptHandler", h.Span, true)
		d.expr(depth+1, field("type"), h.Type)
		d.optIdent(depth+1, "name", h.Name)
		d.stmts(depth+1, "body", h.Body)
	})
}

func (d *dumper) comprehensions(depth int, cs []*Comprehension) {
	nodes(d, depth, "generators", cs, func(l label, c *Comprehension) {
		d.head(depth, l, "comprehension", Span{}, false)
		d.expr(depth+1, field("target"), c.Target)
		d.expr(depth+1, field("iter"), c.Iter)
		d.exprs(depth+1, "ifs", c.Ifs)
		d.boolField(depth+1, "is_async", c.IsAsync)
	})
}

func (d *dumper) matchCases(depth int, cs []*MatchCase) {
	nodes(d, depth, "cases", cs, func(l label, c *MatchCase) {
		d.head(depth, l, "match_case", Span{}, false)
		d.pattern(depth+1, field("pattern"), c.Pattern)
		d.expr(depth+1, field("guard"), c.Guard)
		d.stmts(depth+1, "body", c.Body)
	})
}

func (d *dumper) args(depth int, name string, as []*Arg) {
	list(d, depth, name, as, func(l label, a *Arg) { d.arg(depth, l, a) })
}

func (d *dumper) arg(depth int, l label, a *Arg) {
	if a == nil {
		d.none(depth, l)
		return
	}
	d.head(depth, l, "arg", a.Span, true)
	d.ident(depth+1, "arg", a.Arg)
	d.expr(depth+1, field("annotation"), a.Annotation)
	d.typeComment(depth + 1)
}

func (d *dumper) arguments(depth int, a *Arguments) {
	l := field("args")
	if a == nil {
		// CPython always has an arguments node; print an empty one.
		a = &Arguments{}
	}
	d.head(depth, l, "arguments", Span{}, false)
	depth++
	d.args(depth, "posonlyargs", a.PosOnlyArgs)
	d.args(depth, "args", a.Args)
	d.arg(depth, field("vararg"), a.Vararg)
	d.args(depth, "kwonlyargs", a.KwOnlyArgs)
	d.exprs(depth, "kw_defaults", a.KwDefaults)
	d.arg(depth, field("kwarg"), a.Kwarg)
	d.exprs(depth, "defaults", a.Defaults)
}

// ----------------------------------------------------------------------------
// Statements

func (d *dumper) stmt(depth int, l label, s Stmt) {
	if s == nil {
		d.none(depth, l)
		return
	}
	in := depth + 1
	switch n := s.(type) {
	case *FunctionDef:
		d.head(depth, l, "FunctionDef", n.Span, true)
		d.function(in, n.Name, n.Args, n.Body, n.DecoratorList, n.Returns, n.TypeParams)
	case *AsyncFunctionDef:
		d.head(depth, l, "AsyncFunctionDef", n.Span, true)
		d.function(in, n.Name, n.Args, n.Body, n.DecoratorList, n.Returns, n.TypeParams)
	case *ClassDef:
		d.head(depth, l, "ClassDef", n.Span, true)
		d.ident(in, "name", n.Name)
		d.exprs(in, "bases", n.Bases)
		d.keywords(in, n.Keywords)
		d.stmts(in, "body", n.Body)
		d.exprs(in, "decorator_list", n.DecoratorList)
		d.typeParams(in, n.TypeParams)
	case *Return:
		d.head(depth, l, "Return", n.Span, true)
		d.expr(in, field("value"), n.Value)
	case *Delete:
		d.head(depth, l, "Delete", n.Span, true)
		d.exprs(in, "targets", n.Targets)
	case *Assign:
		d.head(depth, l, "Assign", n.Span, true)
		d.exprs(in, "targets", n.Targets)
		d.expr(in, field("value"), n.Value)
		d.typeComment(in)
	case *TypeAlias:
		d.head(depth, l, "TypeAlias", n.Span, true)
		d.expr(in, field("name"), n.Name)
		d.typeParams(in, n.TypeParams)
		d.expr(in, field("value"), n.Value)
	case *AugAssign:
		d.head(depth, l, "AugAssign", n.Span, true)
		d.expr(in, field("target"), n.Target)
		d.scalar(in, field("op"), n.Op.String())
		d.expr(in, field("value"), n.Value)
	case *AnnAssign:
		d.head(depth, l, "AnnAssign", n.Span, true)
		d.expr(in, field("target"), n.Target)
		d.expr(in, field("annotation"), n.Annotation)
		d.expr(in, field("value"), n.Value)
		d.boolField(in, "simple", n.Simple)
	case *For:
		d.head(depth, l, "For", n.Span, true)
		d.forLoop(in, n.Target, n.Iter, n.Body, n.Orelse)
	case *AsyncFor:
		d.head(depth, l, "AsyncFor", n.Span, true)
		d.forLoop(in, n.Target, n.Iter, n.Body, n.Orelse)
	case *While:
		d.head(depth, l, "While", n.Span, true)
		d.expr(in, field("test"), n.Test)
		d.stmts(in, "body", n.Body)
		d.stmts(in, "orelse", n.Orelse)
	case *If:
		d.head(depth, l, "If", n.Span, true)
		d.expr(in, field("test"), n.Test)
		d.stmts(in, "body", n.Body)
		d.stmts(in, "orelse", n.Orelse)
	case *With:
		d.head(depth, l, "With", n.Span, true)
		d.withItems(in, n.Items)
		d.stmts(in, "body", n.Body)
		d.typeComment(in)
	case *AsyncWith:
		d.head(depth, l, "AsyncWith", n.Span, true)
		d.withItems(in, n.Items)
		d.stmts(in, "body", n.Body)
		d.typeComment(in)
	case *Match:
		d.head(depth, l, "Match", n.Span, true)
		d.expr(in, field("subject"), n.Subject)
		d.matchCases(in, n.Cases)
	case *Raise:
		d.head(depth, l, "Raise", n.Span, true)
		d.expr(in, field("exc"), n.Exc)
		d.expr(in, field("cause"), n.Cause)
	case *Try:
		d.head(depth, l, "Try", n.Span, true)
		d.try(in, n.Body, n.Handlers, n.Orelse, n.Finalbody)
	case *TryStar:
		d.head(depth, l, "TryStar", n.Span, true)
		d.try(in, n.Body, n.Handlers, n.Orelse, n.Finalbody)
	case *Assert:
		d.head(depth, l, "Assert", n.Span, true)
		d.expr(in, field("test"), n.Test)
		d.expr(in, field("msg"), n.Msg)
	case *Import:
		d.head(depth, l, "Import", n.Span, true)
		d.aliases(in, n.Names)
	case *ImportFrom:
		d.head(depth, l, "ImportFrom", n.Span, true)
		d.optIdent(in, "module", n.Module)
		d.aliases(in, n.Names)
		d.intField(in, "level", n.Level)
	case *Global:
		d.head(depth, l, "Global", n.Span, true)
		d.idents(in, "names", n.Names)
	case *Nonlocal:
		d.head(depth, l, "Nonlocal", n.Span, true)
		d.idents(in, "names", n.Names)
	case *ExprStmt:
		d.head(depth, l, "Expr", n.Span, true)
		d.expr(in, field("value"), n.Value)
	case *Pass:
		d.head(depth, l, "Pass", n.Span, true)
	case *Break:
		d.head(depth, l, "Break", n.Span, true)
	case *Continue:
		d.head(depth, l, "Continue", n.Span, true)
	default:
		d.unknown(depth, l, s)
	}
}

// function writes the fields of FunctionDef and AsyncFunctionDef.
func (d *dumper) function(depth int, name string, args *Arguments, body []Stmt, decorators []Expr, returns Expr, tps []TypeParam) {
	d.ident(depth, "name", name)
	d.arguments(depth, args)
	d.stmts(depth, "body", body)
	d.exprs(depth, "decorator_list", decorators)
	d.expr(depth, field("returns"), returns)
	d.typeComment(depth)
	d.typeParams(depth, tps)
}

// forLoop writes the fields of For and AsyncFor.
func (d *dumper) forLoop(depth int, target, iter Expr, body, orelse []Stmt) {
	d.expr(depth, field("target"), target)
	d.expr(depth, field("iter"), iter)
	d.stmts(depth, "body", body)
	d.stmts(depth, "orelse", orelse)
	d.typeComment(depth)
}

// try writes the fields of Try and TryStar.
func (d *dumper) try(depth int, body []Stmt, handlers []*ExceptHandler, orelse, final []Stmt) {
	d.stmts(depth, "body", body)
	d.handlers(depth, handlers)
	d.stmts(depth, "orelse", orelse)
	d.stmts(depth, "finalbody", final)
}

// ----------------------------------------------------------------------------
// Expressions

func (d *dumper) expr(depth int, l label, e Expr) {
	if e == nil {
		d.none(depth, l)
		return
	}
	in := depth + 1
	switch n := e.(type) {
	case *BoolOp:
		d.head(depth, l, "BoolOp", n.Span, true)
		d.scalar(in, field("op"), n.Op.String())
		d.exprs(in, "values", n.Values)
	case *NamedExpr:
		d.head(depth, l, "NamedExpr", n.Span, true)
		d.expr(in, field("target"), n.Target)
		d.expr(in, field("value"), n.Value)
	case *BinOp:
		d.head(depth, l, "BinOp", n.Span, true)
		d.expr(in, field("left"), n.Left)
		d.scalar(in, field("op"), n.Op.String())
		d.expr(in, field("right"), n.Right)
	case *UnaryOp:
		d.head(depth, l, "UnaryOp", n.Span, true)
		d.scalar(in, field("op"), n.Op.String())
		d.expr(in, field("operand"), n.Operand)
	case *Lambda:
		d.head(depth, l, "Lambda", n.Span, true)
		d.arguments(in, n.Args)
		d.expr(in, field("body"), n.Body)
	case *IfExp:
		d.head(depth, l, "IfExp", n.Span, true)
		d.expr(in, field("test"), n.Test)
		d.expr(in, field("body"), n.Body)
		d.expr(in, field("orelse"), n.Orelse)
	case *Dict:
		d.head(depth, l, "Dict", n.Span, true)
		d.exprs(in, "keys", n.Keys)
		d.exprs(in, "values", n.Values)
	case *Set:
		d.head(depth, l, "Set", n.Span, true)
		d.exprs(in, "elts", n.Elts)
	case *ListComp:
		d.head(depth, l, "ListComp", n.Span, true)
		d.expr(in, field("elt"), n.Elt)
		d.comprehensions(in, n.Generators)
	case *SetComp:
		d.head(depth, l, "SetComp", n.Span, true)
		d.expr(in, field("elt"), n.Elt)
		d.comprehensions(in, n.Generators)
	case *DictComp:
		d.head(depth, l, "DictComp", n.Span, true)
		d.expr(in, field("key"), n.Key)
		d.expr(in, field("value"), n.Value)
		d.comprehensions(in, n.Generators)
	case *GeneratorExp:
		d.head(depth, l, "GeneratorExp", n.Span, true)
		d.expr(in, field("elt"), n.Elt)
		d.comprehensions(in, n.Generators)
	case *Await:
		d.head(depth, l, "Await", n.Span, true)
		d.expr(in, field("value"), n.Value)
	case *Yield:
		d.head(depth, l, "Yield", n.Span, true)
		d.expr(in, field("value"), n.Value)
	case *YieldFrom:
		d.head(depth, l, "YieldFrom", n.Span, true)
		d.expr(in, field("value"), n.Value)
	case *Compare:
		d.head(depth, l, "Compare", n.Span, true)
		d.expr(in, field("left"), n.Left)
		if len(n.Ops) == 0 {
			d.empty(in, "ops")
		}
		for i, op := range n.Ops {
			d.scalar(in, label{"ops", i}, op.String())
		}
		d.exprs(in, "comparators", n.Comparators)
	case *Call:
		d.head(depth, l, "Call", n.Span, true)
		d.expr(in, field("func"), n.Func)
		d.exprs(in, "args", n.Args)
		d.keywords(in, n.Keywords)
	case *FormattedValue:
		d.head(depth, l, "FormattedValue", n.Span, true)
		d.expr(in, field("value"), n.Value)
		d.intField(in, "conversion", n.Conversion)
		d.expr(in, field("format_spec"), n.FormatSpec)
	case *Interpolation:
		d.head(depth, l, "Interpolation", n.Span, true)
		d.expr(in, field("value"), n.Value)
		d.ident(in, "str", n.Str)
		d.intField(in, "conversion", n.Conversion)
		d.expr(in, field("format_spec"), n.FormatSpec)
	case *JoinedStr:
		d.head(depth, l, "JoinedStr", n.Span, true)
		d.exprs(in, "values", n.Values)
	case *TemplateStr:
		d.head(depth, l, "TemplateStr", n.Span, true)
		d.exprs(in, "values", n.Values)
	case *Constant:
		d.head(depth, l, "Constant", n.Span, true)
		d.value(in, "value", n.Value)
		d.optIdent(in, "kind", n.Kind)
	case *Attribute:
		d.head(depth, l, "Attribute", n.Span, true)
		d.expr(in, field("value"), n.Value)
		d.ident(in, "attr", n.Attr)
		d.scalar(in, field("ctx"), n.Ctx.String())
	case *Subscript:
		d.head(depth, l, "Subscript", n.Span, true)
		d.expr(in, field("value"), n.Value)
		if t, ok := n.Slice.(*Tuple); ok && d.extSlice && hasSlice(t.Elts) {
			// Python 3.8's ExtSlice, which has no position.
			d.head(in, field("slice"), "Tuple", t.Span, false)
			d.exprs(in+1, "elts", t.Elts)
			d.scalar(in+1, field("ctx"), t.Ctx.String())
		} else {
			d.expr(in, field("slice"), n.Slice)
		}
		d.scalar(in, field("ctx"), n.Ctx.String())
	case *Starred:
		d.head(depth, l, "Starred", n.Span, true)
		d.expr(in, field("value"), n.Value)
		d.scalar(in, field("ctx"), n.Ctx.String())
	case *Name:
		d.head(depth, l, "Name", n.Span, true)
		d.ident(in, "id", n.ID)
		d.scalar(in, field("ctx"), n.Ctx.String())
	case *List:
		d.head(depth, l, "List", n.Span, true)
		d.exprs(in, "elts", n.Elts)
		d.scalar(in, field("ctx"), n.Ctx.String())
	case *Tuple:
		d.head(depth, l, "Tuple", n.Span, true)
		d.exprs(in, "elts", n.Elts)
		d.scalar(in, field("ctx"), n.Ctx.String())
	case *Slice:
		d.head(depth, l, "Slice", n.Span, d.posSlice)
		d.expr(in, field("lower"), n.Lower)
		d.expr(in, field("upper"), n.Upper)
		d.expr(in, field("step"), n.Step)
	default:
		d.unknown(depth, l, e)
	}
}

// hasSlice reports whether a subscript tuple has a Slice element, which
// makes it an ExtSlice in Python 3.8.
func hasSlice(es []Expr) bool {
	for _, e := range es {
		if _, ok := e.(*Slice); ok {
			return true
		}
	}
	return false
}

// ----------------------------------------------------------------------------
// Patterns and type parameters

func (d *dumper) pattern(depth int, l label, p Pattern) {
	if p == nil {
		d.none(depth, l)
		return
	}
	in := depth + 1
	switch n := p.(type) {
	case *MatchValue:
		d.head(depth, l, "MatchValue", n.Span, true)
		d.expr(in, field("value"), n.Value)
	case *MatchSingleton:
		d.head(depth, l, "MatchSingleton", n.Span, true)
		d.value(in, "value", n.Value)
	case *MatchSequence:
		d.head(depth, l, "MatchSequence", n.Span, true)
		d.patterns(in, "patterns", n.Patterns)
	case *MatchMapping:
		d.head(depth, l, "MatchMapping", n.Span, true)
		d.exprs(in, "keys", n.Keys)
		d.patterns(in, "patterns", n.Patterns)
		d.optIdent(in, "rest", n.Rest)
	case *MatchClass:
		d.head(depth, l, "MatchClass", n.Span, true)
		d.expr(in, field("cls"), n.Cls)
		d.patterns(in, "patterns", n.Patterns)
		d.idents(in, "kwd_attrs", n.KwdAttrs)
		d.patterns(in, "kwd_patterns", n.KwdPatterns)
	case *MatchStar:
		d.head(depth, l, "MatchStar", n.Span, true)
		d.optIdent(in, "name", n.Name)
	case *MatchAs:
		d.head(depth, l, "MatchAs", n.Span, true)
		d.pattern(in, field("pattern"), n.Pattern)
		d.optIdent(in, "name", n.Name)
	case *MatchOr:
		d.head(depth, l, "MatchOr", n.Span, true)
		d.patterns(in, "patterns", n.Patterns)
	default:
		d.unknown(depth, l, p)
	}
}

func (d *dumper) typeParam(depth int, l label, p TypeParam) {
	if p == nil {
		d.none(depth, l)
		return
	}
	in := depth + 1
	switch n := p.(type) {
	case *TypeVar:
		d.head(depth, l, "TypeVar", n.Span, true)
		d.ident(in, "name", n.Name)
		d.expr(in, field("bound"), n.Bound)
		d.expr(in, field("default_value"), n.DefaultValue)
	case *ParamSpec:
		d.head(depth, l, "ParamSpec", n.Span, true)
		d.ident(in, "name", n.Name)
		d.expr(in, field("default_value"), n.DefaultValue)
	case *TypeVarTuple:
		d.head(depth, l, "TypeVarTuple", n.Span, true)
		d.ident(in, "name", n.Name)
		d.expr(in, field("default_value"), n.DefaultValue)
	default:
		d.unknown(depth, l, p)
	}
}

// ----------------------------------------------------------------------------
// Scalars

// appendValue appends the type-tagged text of a constant: str:"...",
// bytes:<hex>, int:<decimal>, float:<repr>, complex:<repr>,<repr>, None,
// True, False or Ellipsis.
func appendValue(b []byte, v Value) []byte {
	switch v.Kind {
	case NoneValue:
		return append(b, "None"...)
	case BoolValue:
		if v.Bool {
			return append(b, "True"...)
		}
		return append(b, "False"...)
	case IntValue:
		b = append(b, "int:"...)
		return append(b, v.Str...)
	case FloatValue:
		b = append(b, "float:"...)
		return appendFloatRepr(b, v.Float)
	case ComplexValue:
		// Literals are imaginary: the real part is always 0.0.
		b = append(b, "complex:0.0,"...)
		return appendFloatRepr(b, v.Float)
	case StrValue:
		b = append(b, "str:"...)
		return appendPyString(b, v.Str)
	case BytesValue:
		b = append(b, "bytes:"...)
		return hex.AppendEncode(b, []byte(v.Str))
	case EllipsisValue:
		return append(b, "Ellipsis"...)
	}
	return fmt.Appendf(b, "?kind%d", v.Kind)
}

// appendFloatRepr appends Python's repr of f: the shortest digits that
// round-trip, in fixed notation (with ".0" for integral values) when the
// decimal exponent is in [-4, 16), else in exponent notation such as 1e+16
// or 1.5e-05.
func appendFloatRepr(b []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(b, "inf"...)
	case math.IsInf(f, -1):
		return append(b, "-inf"...)
	case math.IsNaN(f):
		return append(b, "nan"...)
	case f == 0:
		if math.Signbit(f) {
			return append(b, "-0.0"...)
		}
		return append(b, "0.0"...)
	}
	// The exponent of the shortest scientific form decides the notation.
	// Go's exponent form ("d.ddde±XX", at least two exponent digits) is
	// exactly Python's.
	start := len(b)
	b = strconv.AppendFloat(b, f, 'e', -1, 64)
	i := len(b) - 1
	for b[i] != 'e' {
		i--
	}
	exp, _ := strconv.Atoi(string(b[i+1:]))
	if exp < -4 || exp >= 16 {
		return b
	}
	b = strconv.AppendFloat(b[:start], f, 'f', -1, 64)
	for _, c := range b[start:] {
		if c == '.' {
			return b
		}
	}
	return append(b, ".0"...)
}

// appendPyString appends s quoted as Python's json.dumps(s) does with
// ensure_ascii: printable ASCII except '"' and '\\' as is, short escapes
// for '"', '\\', \b, \f, \n, \r and \t, and \uXXXX (lowercase hex) for
// everything else, with surrogate pairs above U+FFFF. Lone surrogates,
// which s carries WTF-8 encoded, print as their own \udXXX escape; bytes
// that are not UTF-8 at all (which a Python string cannot hold) print as
// \ufffd.
func appendPyString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	u := func(b []byte, r rune) []byte {
		return append(b, '\\', 'u', hexDigits[r>>12&0xF], hexDigits[r>>8&0xF], hexDigits[r>>4&0xF], hexDigits[r&0xF])
	}
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c == '\b':
				b = append(b, '\\', 'b')
			case c == '\f':
				b = append(b, '\\', 'f')
			case c < 0x20 || c == 0x7f:
				b = u(b, rune(c))
			default:
				b = append(b, c)
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			if c == 0xED && i+2 < len(s) && s[i+1] >= 0xA0 && s[i+1] <= 0xBF && s[i+2] >= 0x80 && s[i+2] <= 0xBF {
				r = 0xD000 | rune(s[i+1]&0x3F)<<6 | rune(s[i+2]&0x3F)
				size = 3
			} else {
				r = utf8.RuneError
			}
		}
		i += size
		if r >= 0x10000 {
			r -= 0x10000
			b = u(b, 0xD800|r>>10)
			b = u(b, 0xDC00|r&0x3FF)
		} else {
			b = u(b, r)
		}
	}
	return append(b, '"')
}
