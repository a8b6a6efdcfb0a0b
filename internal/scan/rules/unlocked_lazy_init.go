package rules

import (
	"fmt"
	"strings"

	"github.com/pyrace/pyrace/internal/python"
	"github.com/pyrace/pyrace/internal/scan"
	"github.com/pyrace/pyrace/internal/scan/model"
)

// unlockedLazyInit is FT010: `if X is None: X = make()` on shared state
// without a lock, including double-checked locking without the re-check.
func unlockedLazyInit() rule {
	return rule{
		meta: scan.RuleMeta{
			ID:    "FT010",
			Name:  "unlocked-lazy-init",
			Shape: "lazy initialisation (check-then-create)",
			Summary: "`if X is None: X = make()` (also `if not X:`, `if X is not None: return X` " +
				"followed by `X = make()`, `X = X or make()`, `getattr(self, \"_x\", None) is None`) on " +
				"a module global (`global X`), a class attribute (`cls._instance`) or an instance " +
				"attribute outside init code, with no lock around the check and the assignment; and " +
				"double-checked locking whose assignment under the lock is not guarded by a second " +
				"check inside the lock. Also `if not self._started: self._started = True; ...` " +
				"run-once guards.",
			Rationale: "Two threads can both see None and both create the object: each gets its own " +
				"\"singleton\", lock, connection or cache, and whatever the loser stored in its copy is " +
				"lost (two locks for one resource protect nothing). Double-checked locking is only " +
				"correct when the check is repeated inside the lock; without the re-check the lock " +
				"merely serialises the duplicate creations. `functools.cached_property` and " +
				"`functools.cache` do not make the computation run once under free-threading either: " +
				"both may run the function twice.",
			Fix: "hold a lock around the check and the assignment; to keep the fast path lock-free, " +
				"use double-checked locking with the re-check inside the lock (`if X is None: with " +
				"_lock: if X is None: X = make()`); for a module singleton, create it at import time; " +
				"for an instance attribute, create it in `__init__`.",
			Confidence: scan.Medium,
			Example: "_instance = None\n\n\ndef get_instance():\n    global _instance\n" +
				"    if _instance is None:\n        _instance = Expensive()\n    return _instance\n",
			FixedExample: "_instance = None\n_lock = threading.Lock()\n\n\ndef get_instance():\n    global _instance\n" +
				"    if _instance is None:\n        with _lock:\n            if _instance is None:\n" +
				"                _instance = Expensive()\n    return _instance\n",
			Seed: "seed 004 pattern 9",
		},
		check: checkUnlockedLazyInit,
	}
}

// lazyCheck is a test that X is unset.
type lazyCheck struct {
	x python.Expr
	// unsetInBody is true for `X is None` / `not X`: the body runs when X
	// is unset; false for `X is not None` / `X`.
	unsetInBody bool
	// falsy is set for `not X` (a flag or a container), not `is None`.
	falsy bool
}

func checkUnlockedLazyInit(m *model.Module, report func(scan.Report)) {
	fl := flowOf(m)
	done := map[python.Node]bool{}
	emit := func(checkNode python.Node, checkText string, checkCtx *model.Ctx, assign python.Stmt, actx *model.Ctx, x python.Expr, value python.Expr, runOnce bool) {
		if done[assign] {
			return
		}
		ref, ok := fl.sharedRef(actx, x)
		if !ok {
			return
		}
		if _, ok := fl.sharedRef(checkCtx, x); !ok {
			return
		}
		done[assign] = true
		what := "`" + codeAt(m, assign) + "`"
		var msg string
		held := fl.held(actx)
		fix := lazyFix(m, ref, x, len(held) > 0)
		switch {
		case runOnce:
			msg = fmt.Sprintf("run-once guard on %s without a lock: `%s` then %s; two threads can both see it unset and both run the guarded code", describe(ref), checkText, what)
			fix = "make the test and the set one atomic step: hold a lock around them (`with lock: if flag: return; flag = True`), then run the guarded code"
		case len(held) > 0:
			msg = fmt.Sprintf("double-checked locking on %s without the re-check: `%s` is tested outside %s and %s inside it does not test again; two threads that both saw it unset each create and store their own",
				describe(ref), checkText, fl.heldDesc(actx), what)
		case checkText == "":
			msg = fmt.Sprintf("lazy initialisation of %s without a lock: %s tests and creates in one statement, but not atomically; two threads can both see it unset, both create it, and one overwrites the other%s",
				describe(ref), what, lazyConsequence(value))
		default:
			msg = fmt.Sprintf("lazy initialisation of %s without a lock: `%s` then %s; two threads can both see it unset, both create it, and one overwrites the other%s",
				describe(ref), checkText, what, lazyConsequence(value))
		}
		report(scan.Report{
			Node:       assign,
			Ctx:        actx,
			Message:    msg,
			Fix:        fix,
			Confidence: kindConfidence(ref),
			Related:    []scan.RelatedNode{{Node: checkNode, Message: "the unlocked check: `" + exprTextOr(m, asExpr(checkNode), checkText) + "`"}},
		})
	}
	// The if statements of the functions' own code.
	m.WalkKinds(model.Kinds(model.KIf), func(ctx *model.Ctx, n python.Node) {
		if ctx.Func == nil || ctx.InClassBody() {
			return
		}
		ifs := n.(*python.If)
		stmts, i := ctx.Block()
		lc, ok := parseLazyCheck(ifs.Test)
		if !ok {
			return
		}
		if len(fl.held(ctx)) > 0 {
			return // checked under a lock
		}
		if _, ok := fl.sharedRef(ctx, lc.x); !ok {
			return
		}
		var region []python.Stmt
		checkText := "if " + exprTextOr(m, ifs.Test, "…")
		switch {
		case lc.unsetInBody:
			region = ifs.Body
		case model.Exits(ifs.Body):
			region = stmts[i+1:]
			checkText += ": " + exitWord(ifs.Body)
		default:
			region = ifs.Orelse
			checkText += ": … else"
		}
		if !mayMention(m, region, nil, lc.x) {
			return // no assignment to X in code that never names it
		}
		var assigns []python.Stmt
		calls := 0
		made := map[string]bool{}          // locals assigned a new object in the region
		madeContainer := map[string]bool{} // ... a new container
		fl.scanStmts(region, ctx, func(actx *model.Ctx, n python.Node) bool {
			switch n := n.(type) {
			case *python.If:
				// A re-check of X: the assignment under it is judged
				// by that check (locked or not).
				if lc2, ok := parseLazyCheck(n.Test); ok && exprEqual(lc2.x, lc.x) {
					return false
				}
			case *python.Assign:
				for _, t := range n.Targets {
					if exprEqual(t, lc.x) {
						assigns = append(assigns, n)
					}
					if nm, ok := t.(*python.Name); ok && fl.identity(actx, n.Value) {
						made[nm.ID] = true
						if isContainerValue(n.Value) {
							madeContainer[nm.ID] = true
						}
					}
				}
			case *python.AnnAssign:
				if n.Value != nil && exprEqual(n.Target, lc.x) {
					assigns = append(assigns, n)
				}
			case *python.ExprStmt:
				if _, ok := n.Value.(*python.Call); ok {
					calls++
				}
			}
			return true
		})
		for _, as := range assigns {
			actx := fl.m.StmtCtx(as)
			if actx == nil {
				continue
			}
			value := assignValue(as)
			nm, isName := value.(*python.Name)
			if (isContainerValue(value) || (isName && madeContainer[nm.ID])) && !fl.mutatedInPlace(m, actx, lc.x) {
				continue // a lookup table built once and only read: racing builds agree
			}
			if isName && made[nm.ID] {
				emit(ifs.Test, checkText, ctx, as, actx, lc.x, value, false)
				continue
			}
			switch {
			case fl.identity(actx, value):
				emit(ifs.Test, checkText, ctx, as, actx, lc.x, value, false)
			case lc.falsy && isTrue(value) && calls > 0:
				emit(ifs.Test, checkText, ctx, as, actx, lc.x, value, true)
			}
		}
	})
	for _, o := range fl.orAssigns {
		v := o.n.Value.(*python.BoolOp).Values[1]
		if len(fl.held(o.ctx)) > 0 || !fl.identity(o.ctx, v) || (isContainerValue(v) && !fl.mutatedInPlace(m, o.ctx, o.n.Targets[0])) {
			continue
		}
		emit(o.n.Value, "", o.ctx, o.n, o.ctx, o.n.Targets[0], o.n.Value.(*python.BoolOp).Values[1], false)
	}
}

// orAssign is `X = X or make()`.
type orAssign struct {
	ctx *model.Ctx
	n   *python.Assign
}

// collectOrAssign records `X = X or make()` statements (FT010).
func (fl *flow) collectOrAssign(ctx *model.Ctx, n python.Node) {
	if a, ok := n.(*python.Assign); ok && len(a.Targets) == 1 {
		if b, ok := a.Value.(*python.BoolOp); ok && b.Op == python.Or && len(b.Values) == 2 && exprEqual(b.Values[0], a.Targets[0]) {
			fl.orAssigns = append(fl.orAssigns, orAssign{ctx, a})
		}
	}
}

// parseLazyCheck matches `X is None`, `X is not None`, `not X`, `X`,
// `X == None`, `getattr(obj, "x", None) is None`, and those inside an
// `and`/`or` for the body's sake.
func parseLazyCheck(test python.Expr) (lazyCheck, bool) {
	switch t := test.(type) {
	case *python.Compare:
		if len(t.Ops) != 1 {
			return lazyCheck{}, false
		}
		left, right := t.Left, t.Comparators[0]
		if isNone(left) {
			left, right = right, left
		}
		if !isNone(right) {
			return lazyCheck{}, false
		}
		x := lazyTarget(left)
		if x == nil {
			return lazyCheck{}, false
		}
		switch t.Ops[0] {
		case python.Is, python.Eq:
			return lazyCheck{x: x, unsetInBody: true}, true
		case python.IsNot, python.NotEq:
			return lazyCheck{x: x}, true
		}
	case *python.UnaryOp:
		if t.Op == python.Not {
			if x := lazyTarget(t.Operand); x != nil {
				return lazyCheck{x: x, unsetInBody: true, falsy: true}, true
			}
		}
	case *python.BoolOp:
		// `if X is None or force:` / `if X is None and enabled:` still run
		// the body with X unset.
		for _, v := range t.Values {
			if lc, ok := parseLazyCheck(v); ok && lc.unsetInBody {
				return lc, true
			}
		}
	}
	return lazyCheck{}, false
}

// lazyTarget is the state a lazy check tests: a name or attribute chain,
// or obj.x for `getattr(obj, "x", None)`.
func lazyTarget(e python.Expr) python.Expr {
	switch e := e.(type) {
	case *python.Name, *python.Attribute:
		if isRefExpr(e) {
			return e
		}
	case *python.Call:
		if n, ok := e.Func.(*python.Name); ok && n.ID == "getattr" && len(e.Args) == 3 && isNone(e.Args[2]) {
			if c, ok := e.Args[1].(*python.Constant); ok && c.Value.Kind == python.StrValue && isRefExpr(e.Args[0]) {
				return &python.Attribute{Span: e.Span, Value: e.Args[0], Attr: c.Value.Str, Ctx: python.Load}
			}
		}
	}
	return nil
}

func assignValue(s python.Stmt) python.Expr {
	switch s := s.(type) {
	case *python.Assign:
		return s.Value
	case *python.AnnAssign:
		return s.Value
	}
	return nil
}

func isTrue(e python.Expr) bool {
	c, ok := e.(*python.Constant)
	return ok && c.Value.Kind == python.BoolValue && c.Value.Bool
}

// factoryWords mark callees that build an object whose identity matters
// (a second one is a different lock, connection, pool, cache...).
var factoryWords = map[string]bool{"create": true, "make": true, "build": true, "new": true, "open": true,
	"connect": true, "connection": true, "factory": true, "pool": true, "session": true, "client": true,
	"executor": true, "thread": true, "lock": true, "rlock": true, "queue": true, "object": true,
	"socket": true, "loop": true, "future": true, "event": true, "semaphore": true, "condition": true}

// getterWords start the names of calls that return a value or an object
// that already exists.
var getterWords = map[string]bool{"get": true, "query": true, "read": true, "is": true, "has": true,
	"find": true, "lookup": true, "compute": true, "calc": true, "calculate": true, "count": true}

// nameWords splits snake_case and CamelCase names into lower-case words.
func nameWords(name string) []string {
	var words []string
	cur := []rune{}
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	prevLower := false
	for _, r := range name {
		switch {
		case r == '_':
			flush()
			prevLower = false
			continue
		case r >= 'A' && r <= 'Z' && prevLower:
			flush()
		}
		cur = append(cur, r)
		prevLower = r >= 'a' && r <= 'z' || r >= '0' && r <= '9'
	}
	flush()
	return words
}

// hasIdentity reports whether creating the value twice matters: a
// constructor (a capitalised callee), a lock, container or factory call, a
// mutable container display; not a constant, a name, arithmetic, or a call
// that computes a value (two threads computing it get equal results).
func hasIdentity(e python.Expr) bool {
	switch e := e.(type) {
	case *python.Call:
		name := model.CalleeName(e)
		if name == "" {
			return false
		}
		if model.IsLockFactory(e) || model.IsThreadLocalFactory(e) || containerKind(e) != "" {
			return true
		}
		if c := name[0]; c >= 'A' && c <= 'Z' {
			if words := nameWords(name); len(words) > 1 && getterWords[words[0]] {
				return false // GetExitCodeProcess(): a Windows-style function
			}
			return true // a class: a constructor call
		}
		switch name {
		case "cls", "klass", "__class__":
			return true // cls(), self.__class__()
		}
		words := nameWords(name)
		if len(words) > 0 && getterWords[words[0]] {
			return false // GetExitCodeProcess(), get_foo(): a value, or an object that already exists
		}
		for _, w := range words {
			if factoryWords[w] {
				return true
			}
		}
		return false
	case *python.Dict, *python.List, *python.Set, *python.ListComp, *python.DictComp, *python.SetComp:
		return true
	case *python.IfExp:
		return hasIdentity(e.Body) || hasIdentity(e.Orelse)
	case *python.BoolOp:
		for _, v := range e.Values {
			if hasIdentity(v) {
				return true
			}
		}
	case *python.Await:
		return hasIdentity(e.Value)
	}
	return false
}

// identity is hasIdentity, also following calls of the module's own
// functions and methods: `_load()` whose body returns a new dict.
func (fl *flow) identity(ctx *model.Ctx, e python.Expr) bool {
	if hasIdentity(e) {
		return true
	}
	call, ok := e.(*python.Call)
	return ok && fl.returnsNew(ctx, call, 0)
}

// returnsNew reports whether the module function or method call invokes
// returns a newly built object (looking two calls deep).
func (fl *flow) returnsNew(ctx *model.Ctx, call *python.Call, depth int) bool {
	if depth > 2 || ctx == nil {
		return false
	}
	f := fl.callee(ctx, call)
	if f == nil {
		return false
	}
	fctx := &model.Ctx{Module: fl.m, Func: f}
	made := map[string]bool{}
	found := false
	newValue := func(v python.Expr) bool {
		if hasIdentity(v) {
			return true
		}
		if c, ok := v.(*python.Call); ok {
			return fl.returnsNew(fctx, c, depth+1)
		}
		return false
	}
	inspectScope(f.Body, func(n python.Node) bool {
		switch n := n.(type) {
		case *python.Assign:
			for _, t := range n.Targets {
				if nm, ok := t.(*python.Name); ok && newValue(n.Value) {
					made[nm.ID] = true
				}
			}
		case *python.Return:
			if n.Value == nil {
				break
			}
			if nm, ok := n.Value.(*python.Name); ok && made[nm.ID] {
				found = true
			} else if newValue(n.Value) {
				found = true
			}
		}
		return !found
	})
	return found
}

// callee is the module's own function or method a call invokes: `f()`
// for a module function f, `self.m()` / `cls.m()` for a method.
func (fl *flow) callee(ctx *model.Ctx, call *python.Call) *model.Func {
	switch fn := call.Func.(type) {
	case *python.Name:
		if f := fl.funcByName[fn.ID]; f != nil && fl.m.Resolve(ctx.Func, fn).Kind == model.RefGlobal {
			return f
		}
	case *python.Attribute:
		b, ok := fn.Value.(*python.Name)
		if !ok || ctx.Func == nil {
			return nil
		}
		if meth := methodOf(ctx.Func); meth != nil && b.ID != "" && (b.ID == meth.SelfName || b.ID == meth.ClsName) {
			return meth.Class.Methods[fn.Attr]
		}
	}
	return nil
}

// isContainerValue reports whether e builds a container.
func isContainerValue(e python.Expr) bool {
	switch e := e.(type) {
	case *python.Dict, *python.List, *python.Set, *python.ListComp, *python.DictComp, *python.SetComp:
		return true
	case *python.Call:
		return containerKind(e) != ""
	}
	return false
}

// mutatedInPlace reports whether run-time code changes the container x
// holds (not just rebinds x).
func (fl *flow) mutatedInPlace(m *model.Module, ctx *model.Ctx, x python.Expr) bool {
	ref, ok := fl.resolveState(ctx, x)
	if !ok {
		return false
	}
	for _, mu := range fl.runtimeMutations(fl.key(ref)) {
		if !mu.Rebind && !mu.DefaultRead {
			return true
		}
	}
	return false
}

func lazyConsequence(value python.Expr) string {
	if call, ok := value.(*python.Call); ok && model.IsLockFactory(call) {
		return " (two different locks: each thread locks its own and nothing is excluded)"
	}
	switch value.(type) {
	case *python.Dict, *python.List, *python.Set, *python.ListComp, *python.DictComp, *python.SetComp:
		return " (what the loser stores in its container is lost)"
	}
	return ""
}

func lazyFix(m *model.Module, ref model.Ref, x python.Expr, locked bool) string {
	name := model.DottedName(x)
	if name == "" {
		name = exprTextOr(m, x, ref.Display())
	}
	if locked {
		return fmt.Sprintf("test again inside the lock before assigning: `with lock: if %s is None: %s = ...`", name, name)
	}
	switch ref.Kind {
	case model.RefGlobal, model.RefModuleAttr:
		return fmt.Sprintf("create %s at import time, or hold a module-level lock around the check and the assignment (double-checked: re-check inside the lock); functools.cache does not guarantee a single call under free-threading", name)
	case model.RefNonlocal:
		return fmt.Sprintf("create %s in the enclosing function before the closure can run on several threads, or hold a lock around the check and the assignment", name)
	case model.RefClassAttr:
		return fmt.Sprintf("create %s in the class body, or hold a class-level lock around the check and the assignment (double-checked: re-check inside the lock)", name)
	}
	return fmt.Sprintf("create %s in __init__, or hold a lock around the check and the assignment (double-checked: re-check inside the lock); functools.cached_property may run the function twice under free-threading", name)
}
