package model_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/pyrace/pyrace/internal/python"
	"github.com/pyrace/pyrace/internal/scan/model"
)

// edgeSource exercises the traversal's corners: nested definitions and
// classes in methods, lambdas and comprehensions, match statements, type
// aliases, try handlers, acquire/release regions, async code.
const edgeSource = `import threading as th, os.path
from concurrent import futures
LOCK = th.Lock()
type Alias[T: int] = list[T]

class Outer:
    lock = th.RLock()
    attr = 1  # pyrace: guarded-by lock
    def __init__(self, x=[], *a, k=lambda q=1: q, **kw):
        self._lock = th.Lock()
        self._cv = th.Condition(self._lock)
        self.items = []  # pyrace: guarded-by _lock
        self._setup()
        type Local[U] = dict[U, int]
        def inner(y: self._ann() = self._dflt()) -> self._ret():
            nonlocal x
            x = y
            self._helper()
            return lambda z=self._lam(): z
        class K(Base, metaclass=self._meta()):
            kk = self._kcall()
            def m(self2):
                self._from_k()
                with self2._klock:
                    pass
        for i, (j, *k2) in enumerate(x):
            (w := self.walrus())
        [self._comp() for q in x if (r := q)]
        match x:
            case [a, *rest] if self.guard():
                b = a
            case {"k": v, **kw2}:
                pass
            case Point(x=px) | Other(py) as alias_:
                pass
        try:
            pass
        except (ValueError, self.exc()) as e:
            del e
        except KeyError as only_here:
            pass
        finally:
            self._lock.release()
    def _setup(self):
        global _g
        _g = 2
        lock = self._lock
        lock.acquire()
        try:
            self.items.append(1)
        finally:
            lock.release()
        if self._lock.acquire(False):
            self.y = 2
        self._lock.acquire()
        self.z = 3
        self._lock.release()
        self.w = 4
    @synchronized
    def sync(self):
        self.items.pop()
    async def am(self):
        async with self._lock:
            await self._lock.acquire()
            return (yield from x) if False else f"{self.x!r:>{self.y}}"
    @classmethod
    def cm(cls):
        cls._helper2()
        with cls.lock, LOCK as l2:
            cls.n = 1
    def _helper(self):
        with self._cv:
            self.items.clear()
    def _helper2(self): pass
    def _ann(self): pass
def f(a, b=LOCK):
    with LOCK:
        g = lambda: LOCK.acquire()
    def h():
        with b:
            pass
    return g
class _Priv(th.local):
    # pyrace: thread-confined
    def run(self, /, p, *, q):
        print(p, q, {**q}, {1, 2}, [*p], p[1:2:3], -p, not p, p if q else p, t"x{p}")
`

// sources are the sources the differential tests model: the edge cases,
// the model test's module and every scan fixture.
func sources(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{"edge.py": []byte(edgeSource), "mod.py": []byte(source)}
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "*", "*.py"))
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[f] = src
	}
	return out
}

func buildSource(t *testing.T, name string, src []byte, s *model.Scratch) *model.Module {
	t.Helper()
	f := python.ParseFile(name, src)
	return model.BuildScratch(f, string(f.Text), "m", model.Options{}, s)
}

// refEvent is one node of the reference walk.
type refEvent struct {
	ctx  *model.Ctx
	node python.Node
}

// refWalk is the walk as the model used to record it, with python.Inspect
// and a context per statement: the reference the recorded walk must
// match, node for node, context for context.
type refWalk struct {
	m      *model.Module
	events []refEvent
}

func (w *refWalk) run() []refEvent {
	w.stmts(w.m.File.Module.Body, &model.Ctx{Module: w.m})
	for _, f := range w.m.Funcs {
		ctx := &model.Ctx{Module: w.m, Func: f}
		if f.Synchronized != "" {
			ctx = with(ctx, f.Synchronized)
		}
		w.stmts(f.Body, ctx)
	}
	return w.events
}

func with(c *model.Ctx, keys ...string) *model.Ctx {
	n := *c
	n.Held = append(slices.Clone(c.Held), keys...)
	return &n
}

func without(c *model.Ctx, key string) *model.Ctx {
	n := *c
	n.Held = slices.DeleteFunc(slices.Clone(c.Held), func(k string) bool { return k == key })
	return &n
}

func (w *refWalk) emit(c *model.Ctx, n python.Node) {
	if _, ok := n.(*python.Constant); ok {
		return // Walk leaves out constants
	}
	w.events = append(w.events, refEvent{c, n})
}

func (w *refWalk) stmts(body []python.Stmt, ctx *model.Ctx) {
	cur := ctx
	for _, s := range body {
		w.stmt(s, cur)
		if key, ok := w.lockCall(cur.Func, s, "acquire"); ok {
			cur = with(cur, key)
			continue
		}
		if key, ok := w.lockCall(cur.Func, s, "release"); ok {
			cur = without(cur, key)
			continue
		}
		if t, ok := s.(*python.Try); ok {
			for _, fs := range t.Finalbody {
				if key, ok := w.lockCall(cur.Func, fs, "release"); ok {
					cur = without(cur, key)
				}
			}
		}
		if ifs, ok := s.(*python.If); ok && len(ifs.Body) > 0 {
			// `if not X.acquire(False): return` holds X after the if.
			if key, ok := w.notAcquire(cur.Func, ifs.Test); ok && leaves(ifs.Body) {
				cur = with(cur, key)
			}
		}
	}
}

// leaves reports whether a block always returns, raises, continues or
// breaks.
func leaves(body []python.Stmt) bool {
	if len(body) == 0 {
		return false
	}
	switch s := body[len(body)-1].(type) {
	case *python.Return, *python.Raise, *python.Continue, *python.Break:
		return true
	case *python.If:
		return leaves(s.Body) && leaves(s.Orelse)
	}
	return false
}

// notAcquire matches `not X.acquire(...)` with X a lock.
func (w *refWalk) notAcquire(f *model.Func, test python.Expr) (string, bool) {
	u, ok := test.(*python.UnaryOp)
	if !ok || u.Op != python.Not {
		return "", false
	}
	return w.lockMethodCall(f, u.Operand, "acquire")
}

// wrapped returns the lock a call of a lock wrapper takes or releases: a
// module function or a method of f's class through its receiver, taking
// no arguments, whose body (after a docstring) is `X.method()`, perhaps
// under `if X:`.
func (w *refWalk) wrapped(f *model.Func, e python.Expr, method string) (string, bool) {
	call, ok := e.(*python.Call)
	if !ok || len(call.Args) > 0 || len(call.Keywords) > 0 {
		return "", false
	}
	var g *model.Func
	for _, h := range w.m.Funcs {
		switch fn := call.Func.(type) {
		case *python.Name:
			if h.Parent == nil && h.Class == nil && h.Name == fn.ID {
				g = h
			}
		case *python.Attribute:
			recv, ok := fn.Value.(*python.Name)
			meth := f
			for meth != nil && meth.Class == nil {
				meth = meth.Parent
			}
			if ok && meth != nil && recv.ID != "" && (recv.ID == meth.SelfName || recv.ID == meth.ClsName) &&
				h.Class == meth.Class && h.Parent == meth.Parent && h.Name == fn.Attr {
				g = h
			}
		}
	}
	if g == nil || g.Args == nil || len(g.Args.Args)+len(g.Args.PosOnlyArgs)+len(g.Args.KwOnlyArgs) > 1 || g.Args.Vararg != nil || g.Args.Kwarg != nil {
		return "", false
	}
	if n := len(g.Args.Args) + len(g.Args.PosOnlyArgs) + len(g.Args.KwOnlyArgs); n == 1 && g.SelfName == "" && g.ClsName == "" {
		return "", false
	}
	body := g.Body
	if len(body) > 1 {
		if es, ok := body[0].(*python.ExprStmt); ok {
			if c, ok := es.Value.(*python.Constant); ok && c.Value.Kind == python.StrValue {
				body = body[1:]
			}
		}
	}
	if len(body) != 1 {
		return "", false
	}
	st := body[0]
	if ifs, ok := st.(*python.If); ok && len(ifs.Body) == 1 && len(ifs.Orelse) == 0 {
		st = ifs.Body[0]
	}
	es, ok := st.(*python.ExprStmt)
	if !ok {
		return "", false
	}
	if c, ok := es.Value.(*python.Call); !ok || (method == "release" && len(c.Args) > 0) {
		return "", false
	}
	return w.lockMethodCall(g, es.Value, method)
}

func (w *refWalk) lockCall(f *model.Func, s python.Stmt, method string) (string, bool) {
	es, ok := s.(*python.ExprStmt)
	if !ok {
		return "", false
	}
	if key, ok := w.lockMethodCall(f, es.Value, method); ok {
		return key, true
	}
	return w.wrapped(f, es.Value, method)
}

func (w *refWalk) lockMethodCall(f *model.Func, e python.Expr, method string) (string, bool) {
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

func (w *refWalk) stmt(s python.Stmt, ctx *model.Ctx) {
	sctx := *ctx
	sctx.Stmt = s
	c := &sctx
	w.emit(c, s)
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
		w.stmts(s.Body, &model.Ctx{Module: w.m, Func: ctx.Func, Held: ctx.Held})
	case *python.With:
		w.with(c, s.Items, s.Body)
	case *python.AsyncWith:
		w.with(c, s.Items, s.Body)
	case *python.If:
		w.exprs(c, s.Test)
		if key, ok := w.lockMethodCall(c.Func, s.Test, "acquire"); ok {
			w.stmts(s.Body, with(ctx, key))
			w.stmts(s.Orelse, ctx)
		} else if key, ok := w.notAcquire(c.Func, s.Test); ok {
			w.stmts(s.Body, ctx)
			w.stmts(s.Orelse, with(ctx, key))
		} else {
			w.stmts(s.Body, ctx)
			w.stmts(s.Orelse, ctx)
		}
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
			if n != python.Node(s) {
				w.emit(c, n)
			}
			return true
		})
	}
}

func (w *refWalk) with(c *model.Ctx, items []*python.WithItem, body []python.Stmt) {
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
	w.stmts(body, with(&inner, keys...))
}

func (w *refWalk) args(c *model.Ctx, a *python.Arguments) {
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

func (w *refWalk) exprs(c *model.Ctx, es ...python.Expr) {
	for _, e := range es {
		if e != nil {
			python.Inspect(e, func(n python.Node) bool {
				w.emit(c, n)
				return true
			})
		}
	}
}

// TestWalkMatchesReference checks the recorded walk against the reference
// walk: the same nodes in the same order, the same statement, function and
// locks held, and contexts shared exactly where the reference shares them.
func TestWalkMatchesReference(t *testing.T) {
	for name, src := range sources(t) {
		m := buildSource(t, name, src, nil)
		ref := (&refWalk{m: m}).run()
		var got []refEvent
		m.Walk(func(c *model.Ctx, n python.Node) { got = append(got, refEvent{c, n}) })
		if len(got) != len(ref) {
			t.Errorf("%s: %d nodes, reference %d", name, len(got), len(ref))
			continue
		}
		gotID, refID := map[*model.Ctx]int{}, map[*model.Ctx]int{}
		for i := range got {
			g, r := got[i], ref[i]
			if _, ok := gotID[g.ctx]; !ok {
				gotID[g.ctx] = len(gotID)
			}
			if _, ok := refID[r.ctx]; !ok {
				refID[r.ctx] = len(refID)
			}
			if g.node != r.node || g.ctx.Func != r.ctx.Func || g.ctx.Stmt != r.ctx.Stmt || g.ctx.Module != m ||
				!slices.Equal(g.ctx.Held, r.ctx.Held) || gotID[g.ctx] != refID[r.ctx] {
				t.Errorf("%s: node %d (%T at %v): got %s held %v, reference %s held %v", name, i, g.node, g.node.Pos(),
					g.ctx.Symbol(), g.ctx.Held, r.ctx.Symbol(), r.ctx.Held)
				break
			}
		}
	}
}

// refScope is the scope of a function as the model used to compute it:
// python.Inspect over the body, not entering nested scopes.
func refScope(f *model.Func) (locals, globals, nonlocals map[string]bool, stores map[string]int) {
	locals, globals, nonlocals, stores = map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]int{}
	a := f.Args
	for _, list := range [][]*python.Arg{a.PosOnlyArgs, a.Args, a.KwOnlyArgs} {
		for _, p := range list {
			locals[p.Arg] = true
		}
	}
	if a.Vararg != nil {
		locals[a.Vararg.Arg] = true
	}
	if a.Kwarg != nil {
		locals[a.Kwarg.Arg] = true
	}
	for _, s := range f.Body {
		python.Inspect(s, func(n python.Node) bool {
			switch n := n.(type) {
			case *python.Global:
				for _, x := range n.Names {
					globals[x] = true
				}
			case *python.Nonlocal:
				for _, x := range n.Names {
					nonlocals[x] = true
				}
			case *python.FunctionDef:
				locals[n.Name] = true
				return false
			case *python.AsyncFunctionDef:
				locals[n.Name] = true
				return false
			case *python.ClassDef:
				locals[n.Name] = true
				return false
			case *python.Lambda, *python.ListComp, *python.SetComp, *python.DictComp, *python.GeneratorExp:
				return false
			case *python.Name:
				if n.Ctx == python.Store || n.Ctx == python.Del {
					locals[n.ID] = true
					stores[n.ID]++
				}
			case *python.Import:
				for _, al := range n.Names {
					x := al.AsName
					if x == "" {
						x, _, _ = strings.Cut(al.Name, ".")
					}
					locals[x] = true
				}
			case *python.ImportFrom:
				for _, al := range n.Names {
					x := al.AsName
					if x == "" {
						x = al.Name
					}
					locals[x] = true
				}
			case *python.ExceptHandler:
				if n.Name != "" {
					locals[n.Name] = true
				}
			case *python.MatchAs:
				if n.Name != "" {
					locals[n.Name] = true
				}
			case *python.MatchStar:
				if n.Name != "" {
					locals[n.Name] = true
				}
			}
			return true
		})
	}
	for g := range globals {
		delete(locals, g)
	}
	for g := range nonlocals {
		delete(locals, g)
	}
	return locals, globals, nonlocals, stores
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestScopesMatchReference checks each function's names against a plain
// python.Inspect of its body.
func TestScopesMatchReference(t *testing.T) {
	for name, src := range sources(t) {
		m := buildSource(t, name, src, nil)
		for _, f := range m.Funcs {
			locals, globals, nonlocals, stores := refScope(f)
			var got []string
			f.Locals.All(func(s string) { got = append(got, s) })
			sort.Strings(got)
			if !slices.Equal(got, sortedKeys(locals)) || f.Locals.Len() != len(locals) {
				t.Errorf("%s: %s locals %v, want %v", name, f.Qual, got, sortedKeys(locals))
			}
			for l := range locals {
				if !f.Locals.Has(l) {
					t.Errorf("%s: %s: Locals.Has(%q) false", name, f.Qual, l)
				}
			}
			if !slices.Equal(sortedKeys(f.Globals), sortedKeys(globals)) || !slices.Equal(sortedKeys(f.Nonlocals), sortedKeys(nonlocals)) {
				t.Errorf("%s: %s globals %v nonlocals %v, want %v %v", name, f.Qual, sortedKeys(f.Globals), sortedKeys(f.Nonlocals),
					sortedKeys(globals), sortedKeys(nonlocals))
			}
			for x, n := range stores {
				if f.Stores(x) != n {
					t.Errorf("%s: %s: Stores(%q) = %d, want %d", name, f.Qual, x, f.Stores(x), n)
				}
			}
		}
	}
}

// TestWalkKinds checks WalkKinds, Events and StmtCtx against Walk.
func TestWalkKinds(t *testing.T) {
	sets := []model.KindSet{
		model.Kinds(model.KName),
		model.Kinds(model.KCall),
		model.Kinds(model.KAssign, model.KDelete),
		model.Kinds(model.KName, model.KAttribute),
		model.Kinds(model.KCall, model.KName, model.KAttribute, model.KAssign),
		model.StmtKinds,
		model.Kinds(model.KImport, model.KImportFrom, model.KLambda, model.KOther),
		^model.KindSet(0),
	}
	// Every pair of kinds: kinds absent from a module, rare and common
	// ones, in each of WalkKinds' strategies.
	for a := model.KOther; a <= model.KOtherExpr; a++ {
		for b := a + 1; b <= model.KOtherExpr; b++ {
			sets = append(sets, model.Kinds(a, b))
		}
	}
	for name, src := range sources(t) {
		m := buildSource(t, name, src, nil)
		var all []refEvent
		m.Walk(func(c *model.Ctx, n python.Node) { all = append(all, refEvent{c, n}) })
		events, kinds := m.Events()
		if len(events) != len(all) || len(kinds) != len(all) {
			t.Fatalf("%s: Events: %d/%d nodes, Walk %d", name, len(events), len(kinds), len(all))
		}
		for i, e := range all {
			if events[i].Ctx != e.ctx || events[i].Node != e.node || kinds[i] != model.KindOf(e.node) {
				t.Fatalf("%s: Events differs from Walk at %d", name, i)
			}
			_, isStmt := e.node.(python.Stmt)
			if isStmt != model.StmtKinds.Has(kinds[i]) {
				t.Errorf("%s: %T: statement kind %v", name, e.node, !isStmt)
			}
			if isStmt {
				if c := m.StmtCtx(e.node.(python.Stmt)); c != e.ctx {
					t.Errorf("%s: StmtCtx(%T at %v) is not the walk's context", name, e.node, e.node.Pos())
				}
			}
		}
		for _, ks := range sets {
			var want, got []refEvent
			for _, e := range all {
				if ks.Has(model.KindOf(e.node)) {
					want = append(want, e)
				}
			}
			m.WalkKinds(ks, func(c *model.Ctx, n python.Node) { got = append(got, refEvent{c, n}) })
			if !slices.Equal(got, want) {
				t.Errorf("%s: WalkKinds(%b): %d nodes, want %d", name, ks, len(got), len(want))
			}
		}
		// A walk inside a walk's callback (a rule computing facts on
		// first use) sees its own nodes, and leaves the outer walk whole.
		outer, inner := model.Kinds(model.KAssign, model.KIf), model.Kinds(model.KCall, model.KReturn)
		var wantOuter, wantInner, gotOuter []refEvent
		for _, e := range all {
			if outer.Has(model.KindOf(e.node)) {
				wantOuter = append(wantOuter, e)
			}
			if inner.Has(model.KindOf(e.node)) {
				wantInner = append(wantInner, e)
			}
		}
		m.WalkKinds(outer, func(c *model.Ctx, n python.Node) {
			gotOuter = append(gotOuter, refEvent{c, n})
			var gotInner []refEvent
			m.WalkKinds(inner, func(c *model.Ctx, n python.Node) { gotInner = append(gotInner, refEvent{c, n}) })
			if !slices.Equal(gotInner, wantInner) {
				t.Fatalf("%s: nested WalkKinds: %d nodes, want %d", name, len(gotInner), len(wantInner))
			}
		})
		if !slices.Equal(gotOuter, wantOuter) {
			t.Errorf("%s: WalkKinds around a nested walk: %d nodes, want %d", name, len(gotOuter), len(wantOuter))
		}
	}
}

// TestScratch checks that a module built with reused buffers walks as
// one built with fresh ones.
func TestScratch(t *testing.T) {
	s := &model.Scratch{}
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range sources(t) {
			if !yield(n) {
				return
			}
		}
	})
	srcs := sources(t)
	walk := func(m *model.Module) string {
		var b strings.Builder
		m.WalkKinds(model.Kinds(model.KCall, model.KName), func(c *model.Ctx, n python.Node) {
			fmt.Fprintf(&b, "%T%v%v;", n, n.Pos(), c.Held)
		})
		m.Walk(func(c *model.Ctx, n python.Node) { fmt.Fprintf(&b, "%T%v;", n, n.Pos()) })
		return b.String()
	}
	for _, name := range names {
		fresh := walk(buildSource(t, name, srcs[name], nil))
		m := buildSource(t, name, srcs[name], s)
		if got := walk(m); got != fresh {
			t.Errorf("%s: walk with reused buffers differs", name)
		}
		m.Release()
	}
}

func TestNames(t *testing.T) {
	var s model.Names
	for i := range 20 {
		s.Add(fmt.Sprint("n", i))
		s.Add(fmt.Sprint("n", i))
		if s.Len() != i+1 || !s.Has(fmt.Sprint("n", i)) || s.Has("x") {
			t.Fatalf("after %d adds: len %d", i+1, s.Len())
		}
	}
	s.Remove("n3")
	if s.Has("n3") || s.Len() != 19 {
		t.Errorf("remove: has %v len %d", s.Has("n3"), s.Len())
	}
	var small model.Names
	small.Add("a")
	small.Add("b")
	small.Remove("a")
	if small.Has("a") || !small.Has("b") || small.Len() != 1 {
		t.Errorf("small remove: %v %v %d", small.Has("a"), small.Has("b"), small.Len())
	}
}

func TestFeaturesAndComments(t *testing.T) {
	m := buildSource(t, "edge.py", []byte(edgeSource), nil)
	if !m.Has(model.HasAcquireCall) || m.Has(model.HasSetattrCall) || !m.LocksHeld() {
		t.Errorf("edge: acquire %v setattr %v locks %v", m.Has(model.HasAcquireCall), m.Has(model.HasSetattrCall), m.LocksHeld())
	}
	if p, ts := m.Comments(); !p || ts {
		t.Errorf("edge: comments %v %v", p, ts)
	}
	plain := buildSource(t, "p.py", []byte("def f(o):\n    setattr(o, 'x', 1)  #thread_safe_ok\n"), nil)
	if plain.Has(model.HasAcquireCall) || !plain.Has(model.HasSetattrCall) || plain.LocksHeld() {
		t.Errorf("plain: acquire %v setattr %v locks %v", plain.Has(model.HasAcquireCall), plain.Has(model.HasSetattrCall), plain.LocksHeld())
	}
	if p, ts := plain.Comments(); p || !ts {
		t.Errorf("plain: comments %v %v", p, ts)
	}
	if p, _ := buildSource(t, "q.py", []byte("x = 'pyrace:'  # not one\n"), nil).Comments(); p {
		t.Error("a string spelling pyrace: is not a comment")
	}
}
