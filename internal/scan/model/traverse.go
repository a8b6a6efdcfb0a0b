package model

import (
	"slices"
	"strings"

	"github.com/pyrace/pyrace/internal/python"
)

// The walk (see Walk) and the facts the model draws from the bodies of
// functions come from one traversal of the module's code, done by Build:
// the module's code first (class bodies included), then each function's
// body in the order of Funcs. Nested functions are visited as their own
// scopes; a class body is visited where it stands, as part of the
// enclosing scope's code (it runs once, when the class is defined).
//
// Which locks a statement holds depends on facts complete only at the end
// (the locals of its function, the lock attributes of every class), so
// the traversal records how the locks held change (a lockState per with
// block, acquire()/release() statement, `if X.acquire():`) and the held
// lists are computed once it is over.
//
// From each function's body (its own scope: not nested functions or
// classes) the traversal gathers the names the scope binds (not counting
// lambdas and comprehensions, whose names are their own), the globals and
// nonlocals it declares, the facts of its self.x assignments, its with
// statements and acquire() calls (for intent), and, for the method it is
// part of, the calls of private methods through that method's receiver
// (for the init closure). It also notes the module's Features.

// lockState is the set of locks held in a stretch of code, derived from
// the state it follows.
type lockState struct {
	parent *lockState
	op     lockOp
	f      *Func
	// node is the with statement (lockWith), the statement that may take
	// or release a lock (lockStmt), the if statement (lockIf).
	node python.Node
	held []string
}

type lockOp uint8

const (
	lockRoot lockOp = iota // held: the initial locks
	lockWith               // the parent's, plus the locks of the with items
	lockStmt               // after `X.acquire()`, `X.release()`, a try whose finally releases
	lockIf                 // the body of `if X.acquire():`
)

// trav is the state of the traversal.
type trav struct {
	m *Module
	b *builder
	// states are the lock states in creation order.
	states []*lockState
	// block and index place the statement whose context is made next:
	// m.blocks[block][index].
	block, index int32
	// classBodies counts the class bodies around the statements walked.
	classBodies int
	// stored holds the Name targets of every function's own scope, each
	// function's a stretch of it (Func.stored).
	stored []string
	// topFuncs are the module's top-level functions by name, topNames and
	// methodNames filters of their names and of every method's; callee
	// is the callee of the last call recorded (the walk records it next).
	topFuncs    map[string]*Func
	topNames    NameFilter
	methodNames NameFilter
	callee      python.Expr
	// f is the function whose body is traversed (nil: module code),
	// root the method whose receiver calls are recorded (nil: none) and
	// recv that receiver; attrs is set for methods with a self.
	f     *Func
	root  *Func
	recv  string
	attrs bool
}

// traverse does the traversal of m's code and computes the held locks.
func (b *builder) traverse() {
	m := b.m
	n := max(64, m.File.Lines*4)
	if s := m.scratch; s != nil {
		m.blocks, s.blocks = s.blocks[:0], nil
	}
	if s := m.scratch; s != nil && cap(s.events) >= n {
		m.events, m.kinds = s.events[:0], s.kinds[:0]
		s.events, s.kinds = nil, nil
	} else {
		m.events = make([]Event, 0, n)
		m.kinds = make([]Kind, 0, n)
	}
	t := &trav{m: m, b: b, topFuncs: map[string]*Func{}}
	for _, f := range m.Funcs {
		switch {
		case f.Parent == nil && f.Class == nil:
			t.topFuncs[f.Name] = f
			t.topNames.Add(f.Name)
		case f.Class != nil:
			t.methodNames.Add(f.Name)
			if _, async := f.Node.(*python.AsyncFunctionDef); async && f.Parent == nil {
				f.Class.LoopBound = true
			}
		}
	}
	t.stmts(m.File.Module.Body, t.state(nil, lockRoot, nil, nil), false)
	for _, f := range m.Funcs {
		t.f, t.root, t.recv = f, nil, ""
		t.attrs = f.Class != nil && f.SelfName != ""
		root := f
		for root.Parent != nil {
			root = root.Parent
		}
		if root.Class != nil {
			t.recv = root.SelfName
			if t.recv == "" {
				t.recv = root.ClsName
			}
			if t.recv != "" {
				t.root = root
			}
		}
		ls := t.state(nil, lockRoot, f, nil)
		if f.Synchronized != "" {
			ls.held = []string{f.Synchronized}
		}
		start := len(t.stored)
		t.stmts(f.Body, ls, true)
		f.stored = t.stored[start:len(t.stored):len(t.stored)]
		for g := range f.Globals {
			f.Locals.Remove(g)
		}
		for g := range f.Nonlocals {
			f.Locals.Remove(g)
		}
	}
	b.traversed = t
}

// resolveLocks computes the locks each lock state holds, then those of
// each context. It runs once every fact LockKey needs is known.
func (t *trav) resolveLocks() {
	m := t.m
	for _, s := range t.states {
		t.resolve(s)
	}
	m.arena.ctxs.all(func(c *Ctx) {
		c.Held = c.lock.held
		c.lock = nil
		if len(c.Held) > 0 {
			m.locksHeld = true
		}
	})
}

// resolve computes a state's held locks from its parent's, as the code
// would change them.
func (t *trav) resolve(s *lockState) {
	m := t.m
	switch s.op {
	case lockRoot:
	case lockWith:
		var keys []string
		for _, it := range withItems(s.node) {
			if key, ok := m.LockKey(s.f, it.ContextExpr); ok {
				keys = append(keys, key)
			}
		}
		s.held = append(slices.Clone(s.parent.held), keys...)
	case lockIf:
		test := s.node.(*python.If).Test
		a := lockMethod(test, "acquire")
		if a == nil {
			a = notAcquire(test)
		}
		if key, ok := m.LockKey(s.f, a.Value); ok {
			s.held = append(slices.Clone(s.parent.held), key)
		} else {
			s.held = s.parent.held
		}
	case lockStmt:
		st := s.node.(python.Stmt)
		s.held = s.parent.held
		if key, acquire, ok := t.lockCall(s.f, st); ok {
			if acquire {
				s.held = append(slices.Clone(s.parent.held), key)
			} else {
				s.held = releaseKey(s.parent.held, key)
			}
			return
		}
		if tr, ok := st.(*python.Try); ok {
			for _, fs := range tr.Finalbody {
				if key, acquire, ok := t.lockCall(s.f, fs); ok && !acquire {
					s.held = releaseKey(s.held, key)
				}
			}
		}
	}
}

// lockCall recognises a statement that takes or releases a lock in f:
// `X.acquire(...)`, `X.release()`, or a call of a lock wrapper (see
// Func.lockWrap): `self.acquire()`, `_acquireLock()`.
func (t *trav) lockCall(f *Func, st python.Stmt) (key string, acquire, ok bool) {
	es, isExpr := st.(*python.ExprStmt)
	if !isExpr {
		return "", false, false
	}
	m := t.m
	for _, method := range [...]string{"acquire", "release"} {
		if a := lockMethod(es.Value, method); a != nil {
			if key, ok := m.LockKey(f, a.Value); ok {
				return key, method == "acquire", true
			}
		}
	}
	if g := t.wrapperCall(f, es.Value); g != nil {
		if key, ok := m.LockKey(g, g.lockWrap); ok {
			return key, g.lockWrapAcquire, true
		}
	}
	return "", false, false
}

// wrapperCall returns the lock wrapper e calls from f: a module function
// by name, or a method of f's class through its receiver; nil if none.
func (t *trav) wrapperCall(f *Func, e python.Expr) *Func {
	call, ok := e.(*python.Call)
	if !ok || len(call.Args) > 0 || len(call.Keywords) > 0 {
		return nil
	}
	var g *Func
	switch fn := call.Func.(type) {
	case *python.Name:
		g = t.topFuncs[fn.ID]
	case *python.Attribute:
		recv, ok := fn.Value.(*python.Name)
		if !ok || f == nil {
			return nil
		}
		meth := f.method()
		if meth == nil || recv.ID == "" || (recv.ID != meth.SelfName && recv.ID != meth.ClsName) {
			return nil
		}
		g = meth.Class.Methods[fn.Attr]
	}
	if g == nil || g.lockWrap == nil {
		return nil
	}
	return g
}

// notAcquire returns the callee of `not X.acquire(...)`, nil otherwise.
func notAcquire(test python.Expr) *python.Attribute {
	if u, ok := test.(*python.UnaryOp); ok && u.Op == python.Not {
		return lockMethod(u.Operand, "acquire")
	}
	return nil
}

// Exits reports whether a block always leaves: its last statement returns,
// raises, continues or breaks, or is an if whose branches both leave.
func Exits(body []python.Stmt) bool {
	if len(body) == 0 {
		return false
	}
	switch s := body[len(body)-1].(type) {
	case *python.Return, *python.Raise, *python.Continue, *python.Break:
		return true
	case *python.If:
		return Exits(s.Body) && Exits(s.Orelse)
	}
	return false
}

func releaseKey(held []string, key string) []string {
	return slices.DeleteFunc(slices.Clone(held), func(k string) bool { return k == key })
}

func withItems(n python.Node) []*python.WithItem {
	switch n := n.(type) {
	case *python.With:
		return n.Items
	case *python.AsyncWith:
		return n.Items
	}
	return nil
}

// lockMethod returns the callee of `X.method(...)`, nil for anything else.
func lockMethod(e python.Expr, method string) *python.Attribute {
	call, ok := e.(*python.Call)
	if !ok {
		return nil
	}
	a, ok := call.Func.(*python.Attribute)
	if !ok || a.Attr != method {
		return nil
	}
	return a
}

// lockStmtCall returns the callee of a statement `X.method(...)`.
func lockStmtCall(s python.Stmt, method string) *python.Attribute {
	es, ok := s.(*python.ExprStmt)
	if !ok {
		return nil
	}
	return lockMethod(es.Value, method)
}

// state makes a lock state.
func (t *trav) state(parent *lockState, op lockOp, f *Func, node python.Node) *lockState {
	s := t.m.arena.states.alloc()
	*s = lockState{parent: parent, op: op, f: f, node: node}
	t.states = append(t.states, s)
	return s
}

// effect returns the state after statement s, nil when s cannot change
// the locks held.
func (t *trav) effect(s python.Stmt, ls *lockState) *lockState {
	switch st := s.(type) {
	case *python.ExprStmt:
		if lockMethod(st.Value, "acquire") != nil || lockMethod(st.Value, "release") != nil || t.wrapperCall(t.f, st.Value) != nil {
			return t.state(ls, lockStmt, t.f, s)
		}
	case *python.Try:
		for _, fs := range st.Finalbody {
			if lockStmtCall(fs, "release") != nil {
				return t.state(ls, lockStmt, t.f, s)
			}
			if es, ok := fs.(*python.ExprStmt); ok {
				if g := t.wrapperCall(t.f, es.Value); g != nil && !g.lockWrapAcquire {
					return t.state(ls, lockStmt, t.f, s)
				}
			}
		}
	case *python.If:
		// `if not X.acquire(False): return` holds X after the if.
		if notAcquire(st.Test) != nil && Exits(st.Body) {
			return t.state(ls, lockIf, t.f, s)
		}
	}
	return nil
}

// newCtx returns the context of statement s.
func (t *trav) newCtx(s python.Stmt, ls *lockState) *Ctx {
	c := t.m.arena.ctxs.alloc()
	*c = Ctx{Module: t.m, Func: t.f, Stmt: s, lock: ls, block: t.block, index: t.index}
	return c
}

// emit records one node of the walk, and notes the references to the
// module's functions and methods (see FuncRefs).
func (t *trav) emit(c *Ctx, n python.Node, k Kind) {
	m := t.m
	switch k {
	case KConstant:
		return // not recorded (see Walk)
	case KCall:
		t.callee = n.(*python.Call).Func
	case KName:
		if x := n.(*python.Name); x.Ctx == python.Load && t.topNames.MayHave(x.ID) {
			if f := t.topFuncs[x.ID]; f != nil {
				m.funcRefs = append(m.funcRefs, FuncRef{Ctx: c, Node: x, Func: f, Call: t.callee == python.Expr(x)})
			}
		}
	case KAttribute:
		t.attrRef(c, n.(*python.Attribute))
	}
	m.events = append(m.events, Event{c, n})
	m.kinds = append(m.kinds, k)
	m.kindCount[k]++
}

// attrRef notes `self.m` / `cls.m` naming a method of the class of the
// method the code is part of (see FuncRefs), and `self._loop` (see
// Class.LoopBound).
func (t *trav) attrRef(c *Ctx, x *python.Attribute) {
	if t.f == nil {
		return
	}
	b, ok := x.Value.(*python.Name)
	if !ok || b.ID == "" {
		return
	}
	if x.Attr == "_loop" {
		if meth := t.f.method(); meth != nil && b.ID == meth.SelfName {
			meth.Class.LoopBound = true
		}
	}
	if !t.methodNames.MayHave(x.Attr) {
		return
	}
	meth := t.f.method()
	if meth == nil || (b.ID != meth.SelfName && b.ID != meth.ClsName) {
		return
	}
	if g := meth.Class.Methods[x.Attr]; g != nil {
		t.m.funcRefs = append(t.m.funcRefs, FuncRef{Ctx: c, Node: x, Func: g, Call: t.callee == python.Expr(x)})
	}
}

// stmts walks a statement list in lock state ls. own is set for the
// statements of the function's own scope (not in a class body).
func (t *trav) stmts(body []python.Stmt, ls *lockState, own bool) {
	if len(body) == 0 {
		return
	}
	block := int32(len(t.m.blocks))
	t.m.blocks = append(t.m.blocks, stmtList{body, t.classBodies > 0})
	for i, s := range body {
		t.block, t.index = block, int32(i)
		t.stmt(s, ls, own)
		if next := t.effect(s, ls); next != nil {
			ls = next
		}
	}
}

func (t *trav) stmt(s python.Stmt, ls *lockState, own bool) {
	c := t.newCtx(s, ls)
	k := KindOf(s)
	t.emit(c, s, k)
	f := t.f
	switch s := s.(type) {
	case *python.FunctionDef:
		if own {
			f.Locals.Add(s.Name)
		}
		t.exprs(c, s.DecoratorList, false)
		t.args(c, s.Args)
		if t.root != nil {
			t.unwalkedCalls(s.Args, s.Returns, s.TypeParams)
		}
	case *python.AsyncFunctionDef:
		if own {
			f.Locals.Add(s.Name)
		}
		t.exprs(c, s.DecoratorList, false)
		t.args(c, s.Args)
		if t.root != nil {
			t.unwalkedCalls(s.Args, s.Returns, s.TypeParams)
		}
	case *python.ClassDef:
		if own {
			f.Locals.Add(s.Name)
		}
		t.exprs(c, s.DecoratorList, false)
		t.exprs(c, s.Bases, false)
		if t.root != nil {
			for _, kw := range s.Keywords {
				python.Inspect(kw, t.callsOnly)
			}
			for _, tp := range s.TypeParams {
				python.Inspect(tp, t.callsOnly)
			}
		}
		// The class body runs once, at definition: module-level code.
		t.classBodies++
		t.stmts(s.Body, ls, false)
		t.classBodies--
	case *python.With:
		if own {
			f.lockUses = append(f.lockUses, s)
		}
		t.withItems(c, s.Items, own)
		t.stmts(s.Body, t.state(ls, lockWith, f, s), own)
	case *python.AsyncWith:
		t.withItems(c, s.Items, own)
		t.stmts(s.Body, t.state(ls, lockWith, f, s), own)
	case *python.If:
		t.expr(c, s.Test, own, own)
		switch {
		case lockMethod(s.Test, "acquire") != nil:
			t.stmts(s.Body, t.state(ls, lockIf, f, s), own)
			t.stmts(s.Orelse, ls, own)
		case notAcquire(s.Test) != nil:
			// `if not X.acquire(False): ... else: ...`: the else holds X.
			t.stmts(s.Body, ls, own)
			t.stmts(s.Orelse, t.state(ls, lockIf, f, s), own)
		default:
			t.stmts(s.Body, ls, own)
			t.stmts(s.Orelse, ls, own)
		}
	case *python.For:
		t.expr(c, s.Target, own, own)
		t.expr(c, s.Iter, own, own)
		t.stmts(s.Body, ls, own)
		t.stmts(s.Orelse, ls, own)
	case *python.AsyncFor:
		t.expr(c, s.Target, own, own)
		t.expr(c, s.Iter, own, own)
		t.stmts(s.Body, ls, own)
		t.stmts(s.Orelse, ls, own)
	case *python.While:
		t.expr(c, s.Test, own, own)
		t.stmts(s.Body, ls, own)
		t.stmts(s.Orelse, ls, own)
	case *python.Try:
		t.try(c, s.Body, s.Handlers, s.Orelse, s.Finalbody, ls, own)
	case *python.TryStar:
		t.try(c, s.Body, s.Handlers, s.Orelse, s.Finalbody, ls, own)
	case *python.Match:
		t.expr(c, s.Subject, own, own)
		for _, mc := range s.Cases {
			if own && mc.Pattern != nil {
				python.Inspect(mc.Pattern, func(n python.Node) bool {
					switch n := n.(type) {
					case *python.MatchAs:
						if n.Name != "" {
							f.Locals.Add(n.Name)
						}
					case *python.MatchStar:
						if n.Name != "" {
							f.Locals.Add(n.Name)
						}
					}
					return true
				})
			}
			t.expr(c, mc.Guard, own, own)
			t.stmts(mc.Body, ls, own)
		}
	case *python.Return:
		t.expr(c, s.Value, own, own)
	case *python.Delete:
		t.exprs(c, s.Targets, own)
	case *python.Assign:
		if own {
			if len(s.Targets) == 1 {
				if tn, ok := s.Targets[0].(*python.Name); ok {
					switch s.Value.(type) {
					case *python.Name, *python.Attribute:
						f.aliases = append(f.aliases, Alias{tn.ID, s.Value})
					}
				}
			}
			if t.attrs {
				for _, tg := range s.Targets {
					t.b.instanceAttr(f, f.Class, tg, s.Value, s.Span)
				}
			}
		}
		t.exprs(c, s.Targets, own)
		t.expr(c, s.Value, own, own)
	case *python.AugAssign:
		t.expr(c, s.Target, own, own)
		t.expr(c, s.Value, own, own)
	case *python.AnnAssign:
		if own && t.attrs && s.Value != nil {
			t.b.instanceAttr(f, f.Class, s.Target, s.Value, s.Span)
		}
		t.expr(c, s.Target, own, own)
		t.expr(c, s.Annotation, own, own)
		t.expr(c, s.Value, own, own)
	case *python.Raise:
		t.expr(c, s.Exc, own, own)
		t.expr(c, s.Cause, own, own)
	case *python.Assert:
		t.expr(c, s.Test, own, own)
		t.expr(c, s.Msg, own, own)
	case *python.Import:
		for _, a := range s.Names {
			if own {
				name := a.AsName
				if name == "" {
					name, _, _ = cutDot(a.Name)
				}
				f.Locals.Add(name)
			}
			t.emit(c, a, KOther)
		}
	case *python.ImportFrom:
		for _, a := range s.Names {
			if own {
				name := a.AsName
				if name == "" {
					name = a.Name
				}
				f.Locals.Add(name)
			}
			t.emit(c, a, KOther)
		}
	case *python.ExprStmt:
		t.expr(c, s.Value, own, own)
	case *python.Global:
		if own {
			for _, name := range s.Names {
				setTrue(&f.Globals, name)
			}
		}
	case *python.Nonlocal:
		if own {
			for _, name := range s.Names {
				setTrue(&f.Nonlocals, name)
			}
		}
	case *python.Pass, *python.Break, *python.Continue:
	default:
		// Type aliases: their children as python.Inspect orders them.
		t.inspect(c, s, own)
	}
}

// cutDot returns the part of a dotted name before its first dot.
func cutDot(s string) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func (t *trav) try(c *Ctx, body []python.Stmt, handlers []*python.ExceptHandler, orelse, final []python.Stmt, ls *lockState, own bool) {
	t.stmts(body, ls, own)
	for _, h := range handlers {
		if own && h.Name != "" {
			t.f.Locals.Add(h.Name)
		}
		t.expr(c, h.Type, own, own)
		t.stmts(h.Body, ls, own)
	}
	t.stmts(orelse, ls, own)
	t.stmts(final, ls, own)
}

func (t *trav) withItems(c *Ctx, items []*python.WithItem, own bool) {
	for _, it := range items {
		t.expr(c, it.ContextExpr, own, own)
		t.expr(c, it.OptionalVars, own, own)
	}
}

// args walks the defaults of a definition: they are evaluated where it
// stands. They are not part of the enclosing scope's own code.
func (t *trav) args(c *Ctx, a *python.Arguments) {
	if a == nil {
		return
	}
	t.exprs(c, a.Defaults, false)
	for _, d := range a.KwDefaults {
		t.expr(c, d, false, false)
	}
}

// unwalkedCalls records the receiver calls in the parts of a nested
// definition the walk leaves out: annotations and type parameters.
func (t *trav) unwalkedCalls(a *python.Arguments, returns python.Expr, tps []python.TypeParam) {
	if a != nil {
		for _, list := range [][]*python.Arg{a.PosOnlyArgs, a.Args, a.KwOnlyArgs} {
			for _, p := range list {
				python.Inspect(p, t.callsOnly)
			}
		}
		if a.Vararg != nil {
			python.Inspect(a.Vararg, t.callsOnly)
		}
		if a.Kwarg != nil {
			python.Inspect(a.Kwarg, t.callsOnly)
		}
	}
	if returns != nil {
		python.Inspect(returns, t.callsOnly)
	}
	for _, tp := range tps {
		python.Inspect(tp, t.callsOnly)
	}
}

// callsOnly is a python.Inspect visitor recording receiver calls.
func (t *trav) callsOnly(n python.Node) bool {
	if call, ok := n.(*python.Call); ok {
		t.selfCall(call)
	}
	return true
}

// selfCall records a call through the root method's receiver, of a
// private method (the init closure looks at no other).
func (t *trav) selfCall(call *python.Call) {
	if a, ok := call.Func.(*python.Attribute); ok && strings.HasPrefix(a.Attr, "_") && !strings.HasPrefix(a.Attr, "__") {
		if v, ok := a.Value.(*python.Name); ok && v.ID == t.recv {
			t.root.selfCalls = append(t.root.selfCalls, a.Attr)
		}
	}
}

func (t *trav) exprs(c *Ctx, es []python.Expr, own bool) {
	for _, e := range es {
		t.expr(c, e, own, own)
	}
}

// expr walks an expression, children in python.Inspect's order. own is
// set in the function's own scope, scope where the names bound are the
// function's (not in lambdas and comprehensions).
func (t *trav) expr(c *Ctx, e python.Expr, own, scope bool) {
	if e == nil {
		return
	}
	switch n := e.(type) {
	case *python.Name:
		t.emit(c, n, KName)
		if scope && (n.Ctx == python.Store || n.Ctx == python.Del) {
			t.f.Locals.Add(n.ID)
			t.stored = append(t.stored, n.ID)
		}
	case *python.Constant:
		// Not recorded: a literal is never shared state (see Walk).
	case *python.Attribute:
		t.emit(c, n, KAttribute)
		t.expr(c, n.Value, own, scope)
	case *python.Call:
		t.emit(c, n, KCall)
		t.callFeatures(n)
		if t.root != nil {
			t.selfCall(n)
		}
		if own {
			if a, ok := n.Func.(*python.Attribute); ok && a.Attr == "acquire" {
				t.f.lockUses = append(t.f.lockUses, n)
			}
		}
		t.expr(c, n.Func, own, scope)
		for _, a := range n.Args {
			t.expr(c, a, own, scope)
		}
		for _, kw := range n.Keywords {
			t.emit(c, kw, KOther)
			t.expr(c, kw.Value, own, scope)
		}
	case *python.Subscript:
		t.emit(c, n, KSubscript)
		t.expr(c, n.Value, own, scope)
		t.expr(c, n.Slice, own, scope)
	case *python.Tuple:
		t.emit(c, n, KTuple)
		for _, x := range n.Elts {
			t.expr(c, x, own, scope)
		}
	case *python.List:
		t.emit(c, n, KList)
		for _, x := range n.Elts {
			t.expr(c, x, own, scope)
		}
	case *python.BinOp:
		t.emit(c, n, KBinOp)
		t.expr(c, n.Left, own, scope)
		t.expr(c, n.Right, own, scope)
	case *python.Compare:
		t.emit(c, n, KCompare)
		t.expr(c, n.Left, own, scope)
		for _, x := range n.Comparators {
			t.expr(c, x, own, scope)
		}
	case *python.BoolOp:
		t.emit(c, n, KBoolOp)
		for _, x := range n.Values {
			t.expr(c, x, own, scope)
		}
	case *python.UnaryOp:
		t.emit(c, n, KUnaryOp)
		t.expr(c, n.Operand, own, scope)
	case *python.NamedExpr:
		t.emit(c, n, KNamedExpr)
		t.expr(c, n.Target, own, scope)
		t.expr(c, n.Value, own, scope)
	case *python.IfExp:
		t.emit(c, n, KIfExp)
		t.expr(c, n.Test, own, scope)
		t.expr(c, n.Body, own, scope)
		t.expr(c, n.Orelse, own, scope)
	case *python.Dict:
		t.emit(c, n, KDict)
		for _, x := range n.Keys {
			t.expr(c, x, own, scope)
		}
		for _, x := range n.Values {
			t.expr(c, x, own, scope)
		}
	case *python.Set:
		t.emit(c, n, KSet)
		for _, x := range n.Elts {
			t.expr(c, x, own, scope)
		}
	case *python.Starred:
		t.emit(c, n, KStarred)
		t.expr(c, n.Value, own, scope)
	case *python.Slice:
		t.emit(c, n, KSlice)
		t.expr(c, n.Lower, own, scope)
		t.expr(c, n.Upper, own, scope)
		t.expr(c, n.Step, own, scope)
	case *python.JoinedStr:
		t.emit(c, n, KOtherExpr)
		for _, x := range n.Values {
			t.expr(c, x, own, scope)
		}
	case *python.FormattedValue:
		t.emit(c, n, KOtherExpr)
		t.expr(c, n.Value, own, scope)
		t.expr(c, n.FormatSpec, own, scope)
	case *python.Await:
		t.emit(c, n, KAwait)
		t.expr(c, n.Value, own, scope)
	case *python.Yield:
		t.emit(c, n, KYield)
		t.expr(c, n.Value, own, scope)
	case *python.YieldFrom:
		t.emit(c, n, KYieldFrom)
		t.expr(c, n.Value, own, scope)
	case *python.Lambda:
		t.emit(c, n, KLambda)
		if a := n.Args; a != nil {
			for _, list := range [][]*python.Arg{a.PosOnlyArgs, a.Args} {
				for _, p := range list {
					t.arg(c, p, own)
				}
			}
			if a.Vararg != nil {
				t.arg(c, a.Vararg, own)
			}
			for _, p := range a.KwOnlyArgs {
				t.arg(c, p, own)
			}
			for _, d := range a.KwDefaults {
				t.expr(c, d, own, false)
			}
			if a.Kwarg != nil {
				t.arg(c, a.Kwarg, own)
			}
			for _, d := range a.Defaults {
				t.expr(c, d, own, false)
			}
		}
		t.expr(c, n.Body, own, false)
	case *python.ListComp:
		t.emit(c, n, KListComp)
		t.expr(c, n.Elt, own, false)
		t.comprehensions(c, n.Generators, own)
	case *python.SetComp:
		t.emit(c, n, KSetComp)
		t.expr(c, n.Elt, own, false)
		t.comprehensions(c, n.Generators, own)
	case *python.DictComp:
		t.emit(c, n, KDictComp)
		t.expr(c, n.Key, own, false)
		t.expr(c, n.Value, own, false)
		t.comprehensions(c, n.Generators, own)
	case *python.GeneratorExp:
		t.emit(c, n, KGeneratorExp)
		t.expr(c, n.Elt, own, false)
		t.comprehensions(c, n.Generators, own)
	case *python.Interpolation:
		t.emit(c, n, KOtherExpr)
		t.expr(c, n.Value, own, scope)
		t.expr(c, n.FormatSpec, own, scope)
	case *python.TemplateStr:
		t.emit(c, n, KOtherExpr)
		for _, x := range n.Values {
			t.expr(c, x, own, scope)
		}
	default:
		t.emit(c, n, KindOf(n))
		t.inspect(c, n, own)
	}
}

// callFeatures notes the features of a call.
func (t *trav) callFeatures(call *python.Call) {
	switch fn := call.Func.(type) {
	case *python.Attribute:
		if fn.Attr == "acquire" {
			t.m.features |= HasAcquireCall
		}
	case *python.Name:
		if fn.ID == "setattr" || fn.ID == "delattr" {
			t.m.features |= HasSetattrCall
		}
	}
}

// arg walks a lambda parameter.
func (t *trav) arg(c *Ctx, p *python.Arg, own bool) {
	t.emit(c, p, KOther)
	t.expr(c, p.Annotation, own, false)
}

func (t *trav) comprehensions(c *Ctx, gens []*python.Comprehension, own bool) {
	for _, g := range gens {
		t.expr(c, g.Target, own, false)
		t.expr(c, g.Iter, own, false)
		for _, x := range g.Ifs {
			t.expr(c, x, own, false)
		}
	}
}

// inspect walks the children of a node the traversal has no case for
// (type aliases) with python.Inspect, the fallback, and gathers the facts
// of the function's body from them as python.Inspect sees them.
func (t *trav) inspect(c *Ctx, n python.Node, own bool) {
	python.Inspect(n, func(x python.Node) bool {
		if x != n {
			t.emit(c, x, KindOf(x))
			if call, ok := x.(*python.Call); ok {
				t.callFeatures(call)
			}
		}
		return true
	})
	switch {
	case own:
		python.Inspect(n, func(x python.Node) bool { return x == n || t.ownVisit(x) })
	case t.root != nil:
		python.Inspect(n, t.callsOnly)
	}
}

// ownVisit gathers the facts of one node of the function's own scope, as
// a python.Inspect visitor.
func (t *trav) ownVisit(n python.Node) bool {
	f := t.f
	switch n := n.(type) {
	case *python.Global:
		for _, name := range n.Names {
			setTrue(&f.Globals, name)
		}
	case *python.Nonlocal:
		for _, name := range n.Names {
			setTrue(&f.Nonlocals, name)
		}
	case *python.FunctionDef:
		f.Locals.Add(n.Name)
		if t.root != nil {
			python.Inspect(n, t.callsOnly)
		}
		return false
	case *python.AsyncFunctionDef:
		f.Locals.Add(n.Name)
		if t.root != nil {
			python.Inspect(n, t.callsOnly)
		}
		return false
	case *python.ClassDef:
		f.Locals.Add(n.Name)
		if t.root != nil {
			python.Inspect(n, t.callsOnly)
		}
		return false
	case *python.Lambda, *python.ListComp, *python.SetComp, *python.DictComp, *python.GeneratorExp:
		python.Inspect(n, t.looseVisit)
		return false
	case *python.Name:
		if n.Ctx == python.Store || n.Ctx == python.Del {
			f.Locals.Add(n.ID)
			t.stored = append(t.stored, n.ID)
		}
	case *python.Import:
		for _, a := range n.Names {
			name := a.AsName
			if name == "" {
				name, _, _ = cutDot(a.Name)
			}
			f.Locals.Add(name)
		}
	case *python.ImportFrom:
		for _, a := range n.Names {
			name := a.AsName
			if name == "" {
				name = a.Name
			}
			f.Locals.Add(name)
		}
	case *python.ExceptHandler:
		if n.Name != "" {
			f.Locals.Add(n.Name)
		}
	case *python.MatchAs:
		if n.Name != "" {
			f.Locals.Add(n.Name)
		}
	case *python.MatchStar:
		if n.Name != "" {
			f.Locals.Add(n.Name)
		}
	case *python.Assign:
		if len(n.Targets) == 1 {
			if tn, ok := n.Targets[0].(*python.Name); ok {
				switch n.Value.(type) {
				case *python.Name, *python.Attribute:
					f.aliases = append(f.aliases, Alias{tn.ID, n.Value})
				}
			}
		}
		if t.attrs {
			for _, tg := range n.Targets {
				t.b.instanceAttr(f, f.Class, tg, n.Value, n.Span)
			}
		}
	case *python.AnnAssign:
		if t.attrs && n.Value != nil {
			t.b.instanceAttr(f, f.Class, n.Target, n.Value, n.Span)
		}
	case *python.With:
		f.lockUses = append(f.lockUses, n)
	case *python.Call:
		if t.root != nil {
			t.selfCall(n)
		}
		if a, ok := n.Func.(*python.Attribute); ok && a.Attr == "acquire" {
			f.lockUses = append(f.lockUses, n)
		}
	}
	return true
}

// looseVisit gathers the facts of a lambda or comprehension of the
// function's own scope: receiver calls and acquire() calls.
func (t *trav) looseVisit(n python.Node) bool {
	if call, ok := n.(*python.Call); ok {
		if t.root != nil {
			t.selfCall(call)
		}
		if a, ok := call.Func.(*python.Attribute); ok && a.Attr == "acquire" {
			t.f.lockUses = append(t.f.lockUses, call)
		}
	}
	return true
}
