package rules

import (
	"fmt"
	"strings"

	"github.com/pyrace/pyrace/internal/python"
	"github.com/pyrace/pyrace/internal/scan"
	"github.com/pyrace/pyrace/internal/scan/model"
)

// lockWithoutWith is FT012: `X.acquire()` on a lock whose `release()` is
// not in the `finally` of a try that immediately follows (or is missing
// from the function). An exception between the two leaves the lock held
// forever; every other thread that wants it deadlocks.
//
// Not flagged: `with X:`; `X.acquire()` followed directly by `try: ...
// finally: X.release()` (or inside that try); `if X.acquire(blocking=False):`
// / `ok = X.acquire(timeout=t)` with a later try whose finally releases X;
// a try whose bare `except:` releases X and re-raises; wrappers (functions
// named `__enter__`, `acquire`, `lock`...) whose caller owns the release;
// `X.release` handed off as a callback; `X.acquire(); X.release()` and
// `if X.acquire(False): X.release()` (waiting for or probing the holder);
// functions that first release a lock their caller holds and then take
// it back (Condition.wait's shape); semaphores, whose permits are taken
// and given back by different code by design.
//
// Confidence: high when the function releases the lock outside a
// finally; medium when it does not release it at all (the caller, or
// another method such as end_batch() for start_batch(), may own the
// release).
func lockWithoutWith() rule {
	return rule{
		meta: scan.RuleMeta{
			ID:    "FT012",
			Name:  "lock-without-with",
			Shape: "acquire without try/finally",
			Summary: "`lock.acquire()` whose `lock.release()` is not in the `finally` of a `try` that " +
				"immediately follows it, or is missing from the function.",
			Rationale: "Any exception raised between `acquire()` and `release()` (a KeyError, a " +
				"KeyboardInterrupt, a MemoryError) skips the release: the lock stays held forever and " +
				"every thread that later asks for it blocks. Deadlocks of this kind show up rarely, " +
				"under load, and are hard to trace back to the missing `finally`.",
			Fix: "use `with lock:`; if acquire() needs a timeout or non-blocking mode, put the work in a " +
				"`try:` directly after a successful acquire and release in its `finally:`.",
			Confidence:   scan.High,
			Example:      "def put(self, item):\n    self._lock.acquire()\n    self._items.append(item)\n    self._lock.release()\n",
			FixedExample: "def put(self, item):\n    with self._lock:\n        self._items.append(item)\n",
			Seed:         "seed 004 #3",
		},
		check: checkLockWithoutWith,
	}
}

// lkLockWrapperName reports whether a function is a wrapper whose job is
// to take the lock for its caller: __enter__, acquire, lock, _acquire_lock...
func lkLockWrapperName(name string) bool {
	switch name {
	case "__enter__", "__aenter__":
		return true
	}
	n := strings.ToLower(name)
	return strings.Contains(n, "acquire") || (strings.Contains(n, "lock") && !strings.Contains(n, "block")) ||
		strings.HasPrefix(n, "enter") || strings.HasPrefix(n, "_enter") || strings.Contains(n, "begin")
}

// lkScopeBody is the statements of f's own scope (the module's for nil).
func lkScopeBody(m *model.Module, f *model.Func) []python.Stmt {
	if f == nil {
		return m.File.Module.Body
	}
	return f.Body
}

// lkInspectScope calls fn for every node of body, not entering nested
// definitions.
func lkInspectScope(body []python.Stmt, fn func(python.Node) bool) {
	for _, s := range body {
		python.Inspect(s, func(n python.Node) bool {
			switch n.(type) {
			case *python.FunctionDef, *python.AsyncFunctionDef, *python.ClassDef, *python.Lambda:
				return false
			}
			return fn(n)
		})
	}
}

// lkReleaseInfo is what a scope does with a lock's release.
type lkReleaseInfo struct {
	calls    []python.Node // X.release() calls
	handed   bool          // X.release mentioned without a call: a callback
	safeTrys map[*python.Try]bool
}

func lkReleasesOf(m *model.Module, f *model.Func, body []python.Stmt, key string) lkReleaseInfo {
	info := lkReleaseInfo{safeTrys: map[*python.Try]bool{}}
	calledFuncs := map[python.Node]bool{}
	isRelease := func(nodes []python.Stmt) bool {
		found := false
		lkInspectScope(nodes, func(n python.Node) bool {
			if es, ok := n.(*python.ExprStmt); ok {
				if k, _, ok := lkLockCallOf(m, f, es.Value, "release"); ok && k == key {
					found = true
				}
			}
			if call, ok := n.(*python.Call); ok {
				if k, _, ok := lkLockCallOf(m, f, call, "release"); ok && k == key {
					found = true
				}
			}
			return !found
		})
		return found
	}
	lkInspectScope(body, func(n python.Node) bool {
		switch n := n.(type) {
		case *python.Call:
			if k, _, ok := lkLockCallOf(m, f, n, "release"); ok && k == key {
				info.calls = append(info.calls, n)
				calledFuncs[n.Func] = true
			}
		case *python.Attribute:
			if n.Attr == "release" && !calledFuncs[n] {
				if k, ok := m.LockKey(f, n.Value); ok && k == key {
					info.handed = true
				}
			}
		case *python.Try:
			if isRelease(n.Finalbody) {
				info.safeTrys[n] = true
			}
			for _, h := range n.Handlers {
				if lkCatchAll(h) && isRelease(h.Body) {
					info.safeTrys[n] = true
				}
			}
		}
		return true
	})
	return info
}

// lkCatchAll reports whether a handler catches every exception: `except:`
// or `except BaseException:`.
func lkCatchAll(h *python.ExceptHandler) bool {
	if h.Type == nil {
		return true
	}
	d := model.DottedName(h.Type)
	return d == "BaseException" || d == "builtins.BaseException"
}

func checkLockWithoutWith(m *model.Module, report func(scan.Report)) {
	if !m.Has(model.HasAcquireCall) {
		return // every finding is at an acquire() call
	}
	var idx *lkIndex
	var sems map[string]bool
	m.WalkKinds(model.Kinds(model.KCall), func(ctx *model.Ctx, n python.Node) {
		call, ok := n.(*python.Call)
		if !ok {
			return
		}
		key, _, ok := lkLockCallOf(m, ctx.Func, call, "acquire")
		if !ok || ctx.Stmt == nil {
			return
		}
		if ctx.Func != nil && lkLockWrapperName(ctx.Func.Name) {
			return
		}
		form := ""
		switch s := ctx.Stmt.(type) {
		case *python.ExprStmt:
			if s.Value == python.Expr(call) {
				form = "stmt"
			} else if aw, ok := s.Value.(*python.Await); ok && aw.Value == python.Expr(call) {
				form = "stmt"
			}
		case *python.Assign, *python.AnnAssign:
			form = "later"
		case *python.If:
			if lkMentionsNode(s.Test, call) {
				form = "later"
			}
		case *python.While:
			if lkMentionsNode(s.Test, call) {
				form = "later"
			}
		}
		if form == "" {
			return // return lock.acquire(), lambda: ...: the caller releases.
		}
		if idx == nil {
			idx = lkStmtIndex(m)
		}
		body := lkScopeBody(m, ctx.Func)
		info := lkReleasesOf(m, ctx.Func, body, key)
		if info.handed {
			return
		}
		lock := model.DottedName(call.Func.(*python.Attribute).Value)
		last := lock[strings.LastIndexByte(lock, '.')+1:]
		if sems == nil {
			sems = lkSemaphoreNames(m)
		}
		if sems[last] || containsLower(last, "sem") {
			// A semaphore counts permits: taking one and giving it back
			// elsewhere, or never, is what it is for.
			return
		}
		s := ctx.Stmt
		loc, _ := idx.scope(ctx.Func).get(s)
		if len(info.calls) > 0 && lkBefore(info.calls[0].Pos(), lkFirstAcquire(m, ctx.Func, body, key).Pos()) {
			// The function starts by releasing a lock its caller holds
			// (Condition.wait's shape): the acquire takes it back.
			return
		}
		// `X.acquire(); X.release()` (wait for the holder, mimic join) and
		// `if X.acquire(False): X.release()` (probe) hold nothing.
		var next python.Stmt
		if form == "stmt" && loc.idx+1 < len(loc.block) {
			next = loc.block[loc.idx+1]
		}
		if iff, ok := s.(*python.If); ok && len(iff.Body) > 0 && lkMentionsNode(iff.Test, call) {
			next = iff.Body[0]
		}
		if es, ok := next.(*python.ExprStmt); ok {
			if k, _, ok := lkLockCallOf(m, ctx.Func, es.Value, "release"); ok && k == key {
				return
			}
		}
		safe := false
		switch form {
		case "stmt":
			if loc.idx+1 < len(loc.block) {
				if t, ok := loc.block[loc.idx+1].(*python.Try); ok && info.safeTrys[t] {
					safe = true
				}
			}
			if t, ok := loc.parent.(*python.Try); ok && info.safeTrys[t] && len(t.Body) > 0 && lkStmtInList(t.Body, s) {
				safe = true
			}
		case "later":
			for t := range info.safeTrys {
				if lkBefore(s.Pos(), t.Pos()) {
					safe = true
				}
			}
		}
		if safe {
			return
		}
		if len(info.calls) > 0 {
			rel := info.calls[0]
			for _, c := range info.calls {
				if lkBefore(call.Pos(), c.Pos()) {
					rel = c
					break
				}
			}
			report(scan.Report{
				Node: call,
				Ctx:  ctx,
				Message: fmt.Sprintf("%s.acquire() is released at line %d outside a finally: an exception raised between "+
					"acquire() and release() leaves %s held and every other thread waiting for it deadlocks",
					lock, rel.Pos().Line, lock),
				Related: []scan.RelatedNode{{Node: rel, Message: lock + ".release(), skipped when an exception is raised before it"}},
			})
			return
		}
		// No release in this function: the lock is held across calls,
		// on purpose or not; medium confidence.
		other := lkReleasedElsewhere(m, ctx.Func, key)
		if other != nil {
			report(scan.Report{
				Node: call,
				Ctx:  ctx,
				Message: fmt.Sprintf("%s.acquire() in %s is released only in %s: an exception after the acquire, or a "+
					"path that never reaches %s, leaves %s held forever", lock, lkFuncLabel(ctx.Func), lkFuncLabel(other.fn), lkFuncLabel(other.fn), lock),
				Confidence: scan.Medium,
				Related:    []scan.RelatedNode{{Node: other.node, Message: lock + ".release() in " + lkFuncLabel(other.fn)}},
			})
			return
		}
		report(scan.Report{
			Node: call,
			Ctx:  ctx,
			Message: fmt.Sprintf("%s.acquire() with no %s.release() in %s: unless every caller releases it on every "+
				"path, the lock stays held and every other thread waiting for it deadlocks", lock, lock, lkFuncLabel(ctx.Func)),
			Confidence: scan.Medium,
		})
	})
}

// lkFirstAcquire is the first `X.acquire()` of the scope.
func lkFirstAcquire(m *model.Module, f *model.Func, body []python.Stmt, key string) python.Node {
	var first python.Node
	lkInspectScope(body, func(n python.Node) bool {
		if call, ok := n.(*python.Call); ok && first == nil {
			if k, _, ok := lkLockCallOf(m, f, call, "acquire"); ok && k == key {
				first = call
			}
		}
		return first == nil
	})
	return first
}

// lkMentionsNode reports whether node x occurs in e.
func lkMentionsNode(e python.Expr, x python.Node) bool {
	found := false
	python.Inspect(e, func(n python.Node) bool {
		if n == x {
			found = true
		}
		return !found
	})
	return found
}

// lkReleasedElsewhere finds another function of the module that releases
// the lock without acquiring it: the other half of a split pair.
func lkReleasedElsewhere(m *model.Module, f *model.Func, key string) *lkGlobalRead {
	for _, g := range m.Funcs {
		if g == f {
			continue
		}
		var found python.Node
		acquires := false
		lkInspectScope(g.Body, func(n python.Node) bool {
			switch n := n.(type) {
			case *python.Call:
				if k, _, ok := lkLockCallOf(m, g, n, "release"); ok && k == key && found == nil {
					found = n
				}
				if k, _, ok := lkLockCallOf(m, g, n, "acquire"); ok && k == key {
					acquires = true
				}
			case *python.With:
				for _, it := range n.Items {
					if k, ok := m.LockKey(g, it.ContextExpr); ok && k == key {
						acquires = true
					}
				}
			}
			return true
		})
		// Only a function that releases without acquiring is the other
		// half of a split pair (end_batch() for start_batch()).
		if found != nil && !acquires {
			return &lkGlobalRead{fn: g, node: found}
		}
	}
	return nil
}

// lkSemaphoreNames lists the attribute and global names assigned a
// Semaphore or BoundedSemaphore anywhere in the module.
func lkSemaphoreNames(m *model.Module) map[string]bool {
	out := map[string]bool{}
	python.InspectModule(m.File.Module, func(n python.Node) bool {
		as, ok := n.(*python.Assign)
		if !ok {
			return true
		}
		call, ok := as.Value.(*python.Call)
		if !ok {
			return true
		}
		if cn := model.CalleeName(call); cn != "Semaphore" && cn != "BoundedSemaphore" {
			return true
		}
		for _, t := range as.Targets {
			switch t := t.(type) {
			case *python.Name:
				out[t.ID] = true
			case *python.Attribute:
				out[t.Attr] = true
			}
		}
		return true
	})
	return out
}
