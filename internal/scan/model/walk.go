package model

import (
	"slices"
	"strings"

	"github.com/pyrace/pyrace/internal/python"
)

// RefKind classifies what an expression refers to.
type RefKind int

// The kinds of reference.
const (
	// RefOther is anything the model cannot place: a parameter's
	// attribute, a call's result...
	RefOther RefKind = iota
	// RefLocal is a name of the function's own scope: owned.
	RefLocal
	// RefNonlocal is a variable of an enclosing function written through
	// `nonlocal`: shared by every call of the closure.
	RefNonlocal
	// RefGlobal is a module global of this module.
	RefGlobal
	// RefModuleAttr is a global of another module (`helpers.USER_ID`).
	RefModuleAttr
	// RefClassAttr is a class attribute (`Cls.x`, `cls.x`,
	// `type(self).x`).
	RefClassAttr
	// RefInstanceAttr is an attribute of self.
	RefInstanceAttr
	// RefThreadLocal is per-thread state (threading.local, ContextVar):
	// never shared.
	RefThreadLocal
)

// Ref is what an expression refers to.
type Ref struct {
	Kind RefKind
	// Key identifies the state across the module: "self._items" (with
	// the class), "USER_ID", "Cls.flag", "helpers.USER_ID".
	Key string
	// Name is the variable or attribute name.
	Name string
	// Class is the class of an instance or class attribute.
	Class *Class
}

// Shared reports whether the reference is state other threads can reach.
func (r Ref) Shared() bool {
	switch r.Kind {
	case RefGlobal, RefModuleAttr, RefClassAttr, RefInstanceAttr, RefNonlocal:
		return true
	}
	return false
}

// Display is the reference as a message shows it.
func (r Ref) Display() string { return r.Key }

// Resolve classifies e as seen from f (nil at module level).
func (m *Module) Resolve(f *Func, e python.Expr) Ref {
	switch e := e.(type) {
	case *python.Name:
		return m.resolveName(f, e.ID)
	case *python.Attribute:
		return m.resolveAttr(f, e)
	case *python.Subscript:
		return m.Resolve(f, e.Value)
	}
	return Ref{}
}

func (m *Module) resolveName(f *Func, id string) Ref {
	if m.ThreadLocal[id] {
		return Ref{Kind: RefThreadLocal, Key: id, Name: id}
	}
	if f == nil {
		if m.Globals[id] {
			return Ref{Kind: RefGlobal, Key: id, Name: id}
		}
		return Ref{}
	}
	switch {
	case f.Globals[id]:
		return Ref{Kind: RefGlobal, Key: id, Name: id}
	case f.Nonlocals[id]:
		return Ref{Kind: RefNonlocal, Key: f.outerQual(id) + "." + id, Name: id}
	case f.Locals[id]:
		return Ref{Kind: RefLocal, Key: id, Name: id}
	}
	for p := f.Parent; p != nil; p = p.Parent {
		if p.Locals[id] {
			return Ref{Kind: RefLocal, Key: id, Name: id}
		}
	}
	if m.Globals[id] {
		return Ref{Kind: RefGlobal, Key: id, Name: id}
	}
	return Ref{}
}

// outerQual is the function that owns a nonlocal name.
func (f *Func) outerQual(id string) string {
	for p := f.Parent; p != nil; p = p.Parent {
		if p.Locals[id] {
			return p.Qual
		}
	}
	return f.Qual
}

// method returns the method f is part of (f itself or an enclosing
// function's method), for self/cls inside nested functions.
func (f *Func) method() *Func {
	for g := f; g != nil; g = g.Parent {
		if g.Class != nil {
			return g
		}
	}
	return nil
}

func (m *Module) resolveAttr(f *Func, a *python.Attribute) Ref {
	base := m.Resolve(f, a.Value)
	if base.Kind == RefThreadLocal {
		return Ref{Kind: RefThreadLocal, Key: base.Key + "." + a.Attr, Name: a.Attr}
	}
	if f == nil {
		if n, ok := a.Value.(*python.Name); ok {
			if c := m.classByQua[n.ID]; c != nil {
				return Ref{Kind: RefClassAttr, Key: c.Name + "." + a.Attr, Name: a.Attr, Class: c}
			}
		}
		return Ref{}
	}
	meth := f.method()
	if n, ok := a.Value.(*python.Name); ok {
		if meth != nil {
			shadowed := f != meth && f.Locals[n.ID]
			if !shadowed && n.ID == meth.SelfName && meth.SelfName != "" {
				c := meth.Class
				if c.LocalAttrs[a.Attr] {
					return Ref{Kind: RefThreadLocal, Key: "self." + a.Attr, Name: a.Attr, Class: c}
				}
				return Ref{Kind: RefInstanceAttr, Key: "self." + a.Attr, Name: a.Attr, Class: c}
			}
			if !shadowed && ((n.ID == meth.ClsName && meth.ClsName != "") || n.ID == meth.Class.Name) {
				return Ref{Kind: RefClassAttr, Key: meth.Class.Name + "." + a.Attr, Name: a.Attr, Class: meth.Class}
			}
		}
		if base.Kind == RefGlobal {
			if c := m.classByQua[n.ID]; c != nil {
				return Ref{Kind: RefClassAttr, Key: c.Name + "." + a.Attr, Name: a.Attr, Class: c}
			}
			if mod, ok := m.ModuleImports[n.ID]; ok {
				return Ref{Kind: RefModuleAttr, Key: mod + "." + a.Attr, Name: a.Attr}
			}
		}
		return Ref{}
	}
	if meth != nil && DottedName(a.Value) == "type("+meth.SelfName+")" && meth.SelfName != "" {
		return Ref{Kind: RefClassAttr, Key: meth.Class.Name + "." + a.Attr, Name: a.Attr, Class: meth.Class}
	}
	if base.Kind == RefInstanceAttr || base.Kind == RefClassAttr || base.Kind == RefGlobal {
		// self._state.count: part of shared state, keyed by the whole path.
		return Ref{Kind: base.Kind, Key: base.Key + "." + a.Attr, Name: a.Attr, Class: base.Class}
	}
	return Ref{}
}

// Ctx is where a node is: its function, whether that is init code, and
// the locks held.
type Ctx struct {
	Module *Module
	// Func is nil for module-level code.
	Func *Func
	// Held are the keys of the locks held, innermost last.
	Held []string
	// Stmt is the statement the node belongs to.
	Stmt python.Stmt
}

// Init reports whether the code is init code (module top level,
// constructors, set-up, code reachable only from them): the state it
// touches is not shared yet.
func (c *Ctx) Init() bool {
	return c.Func == nil || c.Func.Init || (c.Func.method() != nil && c.Func.method().Init && c.Func.Parent != nil)
}

// Locked reports whether any lock is held.
func (c *Ctx) Locked() bool { return len(c.Held) > 0 }

// Holds reports whether the lock with key is held.
func (c *Ctx) Holds(key string) bool { return slices.Contains(c.Held, key) }

// Symbol is the enclosing symbol as findings show it.
func (c *Ctx) Symbol() string {
	if c.Func == nil {
		return "<module>"
	}
	return c.Func.Qual
}

func (c *Ctx) with(keys ...string) *Ctx {
	n := *c
	n.Held = append(slices.Clone(c.Held), keys...)
	return &n
}

func (c *Ctx) without(key string) *Ctx {
	n := *c
	n.Held = slices.DeleteFunc(slices.Clone(c.Held), func(k string) bool { return k == key })
	return &n
}

// LockKey returns the identity of the lock e stands for ("self._lock",
// "_LOCK", "Cls._lock"), or false when e does not look like a lock: a
// lock created in this module or class, or a name matching the lock-name
// patterns.
func (m *Module) LockKey(f *Func, e python.Expr) (string, bool) {
	name := DottedName(e)
	if name == "" {
		return "", false
	}
	last := name[strings.LastIndexByte(name, '.')+1:]
	ref := m.Resolve(f, e)
	known := false
	switch ref.Kind {
	case RefGlobal:
		known = m.GlobalLocks[ref.Name]
	case RefInstanceAttr, RefClassAttr:
		known = ref.Class != nil && ref.Class.LockAttrs[ref.Name]
	}
	if !known && !m.IsLockName(last) {
		return "", false
	}
	if ref.Key != "" {
		return ref.Key, true
	}
	return name, true
}

// Walk calls fn for every statement and expression of the module, with its
// context: module-level code first, then each function in order. Nested
// functions and classes are visited as their own scopes, not as part of
// the enclosing one.
//
// The walk is done once per module and replayed for every later call, so
// that each rule walking the module costs a pass over a slice. A Module is
// not safe for concurrent use.
func (m *Module) Walk(fn func(*Ctx, python.Node)) {
	if m.events == nil {
		m.events = []walkEvent{}
		w := walker{m: m, fn: func(c *Ctx, n python.Node) {
			m.events = append(m.events, walkEvent{c, n})
		}}
		w.stmts(m.File.Module.Body, &Ctx{Module: m})
		for _, f := range m.Funcs {
			ctx := &Ctx{Module: m, Func: f}
			if f.Synchronized != "" {
				ctx = ctx.with(f.Synchronized)
			}
			w.stmts(f.Body, ctx)
		}
	}
	for _, e := range m.events {
		fn(e.ctx, e.node)
	}
}

// walkEvent is one node of the walk with its context.
type walkEvent struct {
	ctx  *Ctx
	node python.Node
}

type walker struct {
	m  *Module
	fn func(*Ctx, python.Node)
}

// stmts walks a statement list, tracking X.acquire() / X.release() pairs:
// the statements between them hold X.
func (w *walker) stmts(body []python.Stmt, ctx *Ctx) {
	cur := ctx
	for _, s := range body {
		w.stmt(s, cur)
		if key, ok := w.lockCall(cur.Func, s, "acquire"); ok {
			cur = cur.with(key)
			continue
		}
		if key, ok := w.lockCall(cur.Func, s, "release"); ok {
			cur = cur.without(key)
			continue
		}
		if t, ok := s.(*python.Try); ok {
			for _, fs := range t.Finalbody {
				if key, ok := w.lockCall(cur.Func, fs, "release"); ok {
					cur = cur.without(key)
				}
			}
		}
	}
}

// lockCall returns the lock of a `X.acquire()` / `X.release()` statement.
func (w *walker) lockCall(f *Func, s python.Stmt, method string) (string, bool) {
	es, ok := s.(*python.ExprStmt)
	if !ok {
		return "", false
	}
	return w.lockMethodCall(f, es.Value, method)
}

func (w *walker) lockMethodCall(f *Func, e python.Expr, method string) (string, bool) {
	call, ok := e.(*python.Call)
	if !ok {
		return "", false
	}
	a, ok := call.Func.(*python.Attribute)
	if !ok || a.Attr != method {
		return "", false
	}
	return w.m.LockKey(f, a.Value)
}

func (w *walker) stmt(s python.Stmt, ctx *Ctx) {
	sctx := *ctx
	sctx.Stmt = s
	c := &sctx
	w.fn(c, s)
	switch s := s.(type) {
	case *python.FunctionDef:
		w.exprs(c, s.DecoratorList...)
		w.args(c, s.Args)
	case *python.AsyncFunctionDef:
		w.exprs(c, s.DecoratorList...)
		w.args(c, s.Args)
	case *python.ClassDef:
		w.exprs(c, s.DecoratorList...)
		w.exprs(c, s.Bases...)
		// The class body runs once, at definition: module-level code.
		w.stmts(s.Body, &Ctx{Module: w.m, Func: ctx.Func, Held: ctx.Held})
	case *python.With:
		w.with(c, s.Items, s.Body)
	case *python.AsyncWith:
		w.with(c, s.Items, s.Body)
	case *python.If:
		w.exprs(c, s.Test)
		if key, ok := w.lockMethodCall(c.Func, s.Test, "acquire"); ok {
			w.stmts(s.Body, ctx.with(key))
		} else {
			w.stmts(s.Body, ctx)
		}
		w.stmts(s.Orelse, ctx)
	case *python.For:
		w.exprs(c, s.Target, s.Iter)
		w.stmts(s.Body, ctx)
		w.stmts(s.Orelse, ctx)
	case *python.AsyncFor:
		w.exprs(c, s.Target, s.Iter)
		w.stmts(s.Body, ctx)
		w.stmts(s.Orelse, ctx)
	case *python.While:
		w.exprs(c, s.Test)
		w.stmts(s.Body, ctx)
		w.stmts(s.Orelse, ctx)
	case *python.Try:
		w.stmts(s.Body, ctx)
		for _, h := range s.Handlers {
			w.exprs(c, h.Type)
			w.stmts(h.Body, ctx)
		}
		w.stmts(s.Orelse, ctx)
		w.stmts(s.Finalbody, ctx)
	case *python.TryStar:
		w.stmts(s.Body, ctx)
		for _, h := range s.Handlers {
			w.exprs(c, h.Type)
			w.stmts(h.Body, ctx)
		}
		w.stmts(s.Orelse, ctx)
		w.stmts(s.Finalbody, ctx)
	case *python.Match:
		w.exprs(c, s.Subject)
		for _, mc := range s.Cases {
			w.exprs(c, mc.Guard)
			w.stmts(mc.Body, ctx)
		}
	default:
		python.Inspect(s, func(n python.Node) bool {
			if n == python.Node(s) {
				return true
			}
			w.fn(c, n)
			return true
		})
	}
}

func (w *walker) with(c *Ctx, items []*python.WithItem, body []python.Stmt) {
	var keys []string
	for _, it := range items {
		w.exprs(c, it.ContextExpr)
		if it.OptionalVars != nil {
			w.exprs(c, it.OptionalVars)
		}
		if key, ok := w.m.LockKey(c.Func, it.ContextExpr); ok {
			keys = append(keys, key)
		}
	}
	inner := *c
	inner.Stmt = nil
	w.stmts(body, inner.with(keys...))
}

func (w *walker) args(c *Ctx, a *python.Arguments) {
	if a == nil {
		return
	}
	w.exprs(c, a.Defaults...)
	for _, d := range a.KwDefaults {
		if d != nil {
			w.exprs(c, d)
		}
	}
}

func (w *walker) exprs(c *Ctx, es ...python.Expr) {
	for _, e := range es {
		if e == nil {
			continue
		}
		python.Inspect(e, func(n python.Node) bool {
			w.fn(c, n)
			return true
		})
	}
}
