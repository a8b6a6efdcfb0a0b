package rules

import (
	"fmt"
	"strings"

	"github.com/pyrace/pyrace/internal/python"
	"github.com/pyrace/pyrace/internal/scan"
	"github.com/pyrace/pyrace/internal/scan/model"
)

// heapCheckThenPop is FT002: `if h: heappop(h)` (and its variants) on a
// shared heap outside a lock, and bare heapq operations on shared heaps
// outside a lock.
func heapCheckThenPop() rule {
	return rule{
		meta: scan.RuleMeta{
			ID:    "FT002",
			Name:  "heap-check-then-pop",
			Shape: "check-then-act on a heap",
			Summary: "`if h: heappop(h)`, `if len(h) > 0: heapq.heappop(h)`, `while self._heap: heappop(self._heap)`, " +
				"`if not h: return` then `heappop(h)`, `heappop(h) if h else None` on a shared heap (a list of self, " +
				"a class attribute or a module global used with heapq) outside its lock; and, at lower confidence, " +
				"`heappush`/`heappop`/`heapreplace`/`heappushpop`/`heapify` on a shared heap outside a lock.",
			Rationale: "The emptiness check and the pop are two steps: another thread can pop the last item between " +
				"them, and heappop on the now empty list raises IndexError (seed 000: pyfakefs' free-fd heap crashed " +
				"with IndexError on PyPy and with a segfault on free-threaded CPython 3.13). Each heapq function is " +
				"itself several list operations (append or pop, then a sift that moves items): on free-threaded 3.13 " +
				"and PyPy a concurrent push or pop sees a half-sifted heap, loses items or breaks the heap invariant " +
				"(CPython 3.14 made the C heapq functions individually atomic, which does not make check-then-pop safe).",
			Fix: "hold one lock around the check and the pop, and around every other heapq call on the heap " +
				"(`with self._lock: if self._heap: x = heapq.heappop(self._heap)`); for a producer/consumer heap use " +
				"`queue.PriorityQueue`.",
			Confidence: scan.Medium,
			Example: "class FdTable:\n    def __init__(self):\n        self._free = []\n\n" +
				"    def open(self):\n        if self._free:\n            return heapq.heappop(self._free)\n        return self._new_fd()\n\n" +
				"    def close(self, fd):\n        heapq.heappush(self._free, fd)\n",
			FixedExample: "class FdTable:\n    def __init__(self):\n        self._lock = threading.Lock()\n        self._free = []\n\n" +
				"    def open(self):\n        with self._lock:\n            if self._free:\n                return heapq.heappop(self._free)\n            return self._new_fd()\n\n" +
				"    def close(self, fd):\n        with self._lock:\n            heapq.heappush(self._free, fd)\n",
			Seed: "seed 000 shape 2",
		},
		check: lsCheckHeaps,
	}
}

// lsHeapFuncs are the heapq functions that modify a heap; pops are those that
// fail on an empty heap.
var lsHeapFuncs = map[string]bool{
	"heappush": true, "heappop": true, "heapreplace": true, "heappushpop": true, "heapify": true,
	"heappush_max": true, "heappop_max": true, "heapreplace_max": true, "heappushpop_max": true, "heapify_max": true,
}

var lsHeapPops = map[string]bool{"heappop": true, "heapreplace": true, "heappop_max": true, "heapreplace_max": true}

// lsHeapqNames finds how the module reaches heapq: module names bound to it
// (`import heapq`, `import heapq as hq`) and functions imported from it
// (`from heapq import heappop as pop`), at any level.
func lsHeapqNames(m *model.Module) (mods map[string]bool, funcs map[string]string) {
	mods, funcs = map[string]bool{}, map[string]string{}
	// Every statement is in the walk, every import among them.
	m.WalkKinds(model.Kinds(model.KImport, model.KImportFrom), func(_ *model.Ctx, n python.Node) {
		switch n := n.(type) {
		case *python.Import:
			for _, a := range n.Names {
				if a.Name == "heapq" || a.Name == "_heapq" {
					name := a.AsName
					if name == "" {
						name = a.Name
					}
					mods[name] = true
				}
			}
		case *python.ImportFrom:
			if n.Module == "heapq" || n.Module == "_heapq" {
				for _, a := range n.Names {
					if lsHeapFuncs[a.Name] {
						name := a.AsName
						if name == "" {
							name = a.Name
						}
						funcs[name] = a.Name
					}
				}
			}
		}
	})
	return mods, funcs
}

// lsHeapOp is a heapq call on a shared heap (or a peek `h[0]`).
type lsHeapOp struct {
	node python.Node // the call, or the subscript of a peek
	heap python.Expr
	fn   string // heapq function; "" for a peek
	ctx  *model.Ctx
	ref  model.Ref
	id   string
}

// lsHeapCheck is an emptiness check and the region it guards.
type lsHeapCheck struct {
	check  python.Expr
	ctx    *model.Ctx
	id     string
	ref    model.Ref
	guards lsRegion
	// inExpr is set for `h and ...` checks, which do not guard peeks:
	// `while h and h[0] < now` is one test.
	inExpr bool
}

func lsCheckHeaps(m *model.Module, report func(scan.Report)) {
	mods, funcs := lsHeapqNames(m)
	if len(mods) == 0 && len(funcs) == 0 {
		return
	}
	var calls, peeks, conds []struct {
		n   python.Node
		ctx *model.Ctx
	}
	lf := lsFactsOf(m)
	m.WalkKinds(model.Kinds(model.KCall, model.KSubscript, model.KIfExp, model.KBoolOp), func(ctx *model.Ctx, n python.Node) {
		switch n := n.(type) {
		case *python.Call:
			calls = append(calls, struct {
				n   python.Node
				ctx *model.Ctx
			}{n, ctx})
		case *python.Subscript:
			if v, ok := lsIntConst(n.Slice); ok && v == "0" && n.Ctx == python.Load {
				peeks = append(peeks, struct {
					n   python.Node
					ctx *model.Ctx
				}{n, ctx})
			}
		case *python.IfExp, *python.BoolOp:
			conds = append(conds, struct {
				n   python.Node
				ctx *model.Ctx
			}{n, ctx})
		}
	})
	heapName := func(call *python.Call) string {
		switch f := call.Func.(type) {
		case *python.Name:
			return funcs[f.ID]
		case *python.Attribute:
			if v, ok := f.Value.(*python.Name); ok && mods[v.ID] && lsHeapFuncs[f.Attr] {
				return f.Attr
			}
		}
		return ""
	}
	// The heaps: shared state passed to a heapq function anywhere.
	var ops []*lsHeapOp
	heaps := map[string]bool{}
	for _, c := range calls {
		call := c.n.(*python.Call)
		name := heapName(call)
		if name == "" || len(call.Args) == 0 || !lsIsState(call.Args[0]) {
			continue
		}
		ref := lf.resolve(c.ctx.Func, call.Args[0])
		if !ref.Shared() {
			continue
		}
		op := &lsHeapOp{node: call, heap: call.Args[0], fn: name, ctx: c.ctx, ref: ref, id: lsStateID(ref)}
		ops = append(ops, op)
		heaps[op.id] = true
	}
	if len(heaps) == 0 {
		return
	}
	acts := []*lsHeapOp{}
	for _, op := range ops {
		if lsHeapPops[op.fn] {
			acts = append(acts, op)
		}
	}
	for _, p := range peeks {
		sub := p.n.(*python.Subscript)
		if !lsIsState(sub.Value) {
			continue
		}
		ref := lf.resolve(p.ctx.Func, sub.Value)
		if id := lsStateID(ref); ref.Shared() && heaps[id] {
			acts = append(acts, &lsHeapOp{node: sub, heap: sub.Value, ctx: p.ctx, ref: ref, id: id})
		}
	}
	if len(acts) == 0 {
		return
	}

	// The emptiness checks and the regions they guard.
	var checks []lsHeapCheck
	heapOf := func(f *model.Func, e python.Expr) (model.Ref, bool) {
		if !lsIsState(e) {
			return model.Ref{}, false
		}
		ref := lf.resolve(f, e)
		return ref, ref.Shared() && heaps[lsStateID(ref)]
	}
	inExpr := false
	addChecks := func(ctx *model.Ctx, test python.Expr, whenTrue, whenFalse func() (lsRegion, bool)) {
		for _, side := range []struct {
			truth bool
			guard func() (lsRegion, bool)
		}{{true, whenTrue}, {false, whenFalse}} {
			if side.guard == nil {
				continue
			}
			for _, c := range lsNonEmptyChecks(test, side.truth) {
				ref, ok := heapOf(ctx.Func, c.heap)
				if !ok {
					continue
				}
				if r, ok := side.guard(); ok {
					checks = append(checks, lsHeapCheck{check: c.check, ctx: ctx, id: lsStateID(ref), ref: ref, guards: r, inExpr: inExpr})
				}
			}
		}
	}
	lsBlocks(m, func(f *model.Func, block []python.Stmt) {
		for i, s := range block {
			ctx := m.StmtCtx(s)
			if ctx == nil {
				continue
			}
			switch s := s.(type) {
			case *python.If:
				rest := block[i+1:]
				addChecks(ctx, s.Test,
					func() (lsRegion, bool) { return lsStmtsRegion(s.Body) },
					func() (lsRegion, bool) {
						if len(s.Orelse) > 0 {
							return lsStmtsRegion(s.Orelse)
						}
						if lsTerminates(s.Body) {
							return lsStmtsRegion(rest)
						}
						return lsRegion{}, false
					})
			case *python.While:
				addChecks(ctx, s.Test, func() (lsRegion, bool) { return lsStmtsRegion(s.Body) }, nil)
			}
		}
	})
	for _, c := range conds {
		switch n := c.n.(type) {
		case *python.IfExp:
			addChecks(c.ctx, n.Test,
				func() (lsRegion, bool) { return lsSpan(n.Body), true },
				func() (lsRegion, bool) { return lsSpan(n.Orelse), true })
		case *python.BoolOp:
			inExpr = true
			// `h and heappop(h)`: the rest runs when v is true;
			// `not h or heappop(h)`: when v is false.
			for k, v := range n.Values[:len(n.Values)-1] {
				rest := n.Values[k+1:]
				guard := func() (lsRegion, bool) { return lsSpan(rest[0], rest[len(rest)-1]), true }
				if n.Op == python.And {
					addChecks(c.ctx, v, guard, nil)
				} else {
					addChecks(c.ctx, v, nil, guard)
				}
			}
		}
	}

	// Check-then-pop: the innermost check guarding each pop or peek.
	handled := map[python.Node]bool{}
	reported := map[python.Expr]bool{}
	popSites := map[string][]*lsHeapOp{}
	for _, act := range acts {
		var best *lsHeapCheck
		for i := range checks {
			c := &checks[i]
			if c.id != act.id || c.ctx.Func != act.ctx.Func || !c.guards.contains(act.node) || (c.inExpr && act.fn == "") {
				continue
			}
			if best == nil || lsPosLE(best.guards.from.Line, best.guards.from.Col, c.guards.from.Line, c.guards.from.Col) {
				best = c
			}
		}
		if best == nil {
			continue
		}
		handled[act.node] = true
		if !unowned(best.ctx) || reported[best.check] {
			continue
		}
		reported[best.check] = true // one finding per check: its first pop, else its first peek
		p, other := lf.protect(best.ctx, best.ref)
		if p == lsLocked {
			continue
		}
		popSites[act.id] = append(popSites[act.id], act)
		what := "`" + lsText(m, act.node) + "`"
		verb := "check-then-pop"
		consequence := "another thread can pop the last item between them and this heappop raises IndexError on the empty heap (a segfault on free-threaded 3.13)"
		if act.fn == "" {
			verb = "check-then-peek"
			consequence = "another thread can pop the last item between them and the peek raises IndexError"
		} else if act.fn == "heapreplace" || act.fn == "heapreplace_max" {
			consequence = "another thread can pop the last item between them and heapreplace raises IndexError on the empty heap"
		}
		var note string
		if p2, _ := lf.protect(act.ctx, act.ref); p2 == lsLocked && p == lsUnlocked {
			note = "the check is outside the lock the pop holds"
		} else {
			note = lf.lockNote(best.ctx, p, other, act.ref.Key)
		}
		related := []scan.RelatedNode{{Node: best.check, Message: "the emptiness check of " + act.ref.Key}}
		if partner := lsHeapPartner(ops, act); partner != nil {
			related = append(related, scan.RelatedNode{Node: partner.node,
				Message: fmt.Sprintf("%s on %s in %s, which can run at the same time", partner.fn, act.ref.Key, partner.ctx.Symbol())})
		}
		report(scan.Report{
			Node: act.node,
			Ctx:  act.ctx,
			Message: fmt.Sprintf("%s on heap %s: `%s` then %s %s; %s",
				verb, describe(act.ref), lsText(m, best.check), what, note, consequence),
			Related: related,
		})
	}

	// Bare heapq operations on a shared heap outside its lock.
	for _, op := range ops {
		if handled[op.node] || !unowned(op.ctx) {
			continue
		}
		p, other := lf.protect(op.ctx, op.ref)
		if p == lsLocked {
			continue
		}
		var related []scan.RelatedNode
		partnerNote := ""
		for _, ps := range popSites[op.id] {
			if ps.ctx.Func != op.ctx.Func {
				related = append(related, scan.RelatedNode{Node: ps.node, Message: "the check-then-pop on " + op.ref.Key + " in " + ps.ctx.Symbol()})
				partnerNote = fmt.Sprintf(" (a check-then-pop in %s races with it)", ps.ctx.Symbol())
				break
			}
		}
		if partner := lsHeapPartner(ops, op); partner != nil && related == nil {
			related = append(related, scan.RelatedNode{Node: partner.node,
				Message: fmt.Sprintf("%s on %s in %s", partner.fn, op.ref.Key, partner.ctx.Symbol())})
			partnerNote = fmt.Sprintf(" (with the %s in %s)", partner.fn, partner.ctx.Symbol())
		}
		report(scan.Report{
			Node: op.node,
			Ctx:  op.ctx,
			Message: fmt.Sprintf("%s on shared heap %s %s: a heapq call is several list operations (an append or pop, then a sift); "+
				"concurrent heapq calls%s can corrupt the heap or raise IndexError on free-threaded 3.13 and PyPy",
				op.fn, describe(op.ref), lf.lockNote(op.ctx, p, other, op.ref.Key), partnerNote),
			Confidence: lsIntentConfidence(op.ctx),
			Related:    related,
		})
	}
}

// lsHeapPartner is another heapq call on the same heap in another function,
// preferring one of the other kind (a push for a pop).
func lsHeapPartner(ops []*lsHeapOp, op *lsHeapOp) *lsHeapOp {
	var best *lsHeapOp
	for _, o := range ops {
		if o.id != op.id || o.ctx.Func == op.ctx.Func || o.ctx.Init() {
			continue
		}
		if best == nil || (lsHeapPops[best.fn] == lsHeapPops[op.fn] && lsHeapPops[o.fn] != lsHeapPops[op.fn]) {
			best = o
		}
	}
	return best
}

// lsEmptiness is an emptiness test found in a condition: check is the
// sub-expression, heap what it tests.
type lsEmptiness struct {
	check python.Expr
	heap  python.Expr
}

// lsNonEmptyChecks finds the tests in a condition that, when the condition
// is truth, imply a heap has items: `h`, `bool(h)`, `len(h)`, `len(h) > 0`,
// `len(h) >= 1` (true); `not h`, `len(h) == 0` (false); conjuncts of a true
// `and`, disjuncts of a false `or`.
func lsNonEmptyChecks(test python.Expr, truth bool) []lsEmptiness {
	switch t := test.(type) {
	case *python.Name, *python.Attribute:
		if truth {
			return []lsEmptiness{{check: test, heap: test}}
		}
	case *python.UnaryOp:
		if t.Op == python.Not {
			es := lsNonEmptyChecks(t.Operand, !truth)
			for i := range es {
				es[i].check = test
			}
			return es
		}
	case *python.Call:
		if !truth {
			return nil
		}
		if x, ok := lsLenOf(t); ok {
			return []lsEmptiness{{check: test, heap: x}}
		}
		if n, ok := t.Func.(*python.Name); ok && n.ID == "bool" && len(t.Args) == 1 {
			return []lsEmptiness{{check: test, heap: t.Args[0]}}
		}
	case *python.Compare:
		if len(t.Ops) != 1 {
			return nil
		}
		op := t.Ops[0]
		x, ok := lsLenOf(t.Left)
		k, kok := lsIntConst(t.Comparators[0])
		if !ok {
			// 0 < len(h): mirror it into len(h) > 0.
			x, ok = lsLenOf(t.Comparators[0])
			k, kok = lsIntConst(t.Left)
			op = lsMirror(op)
		}
		if !ok {
			return nil
		}
		if !truth {
			op = lsNegate(op)
		}
		if lsLenImpliesItems(op, k, kok) {
			return []lsEmptiness{{check: test, heap: x}}
		}
	case *python.BoolOp:
		// `a and b` true: each holds; `a or b` false: none holds.
		if (t.Op == python.And) == truth {
			var out []lsEmptiness
			for _, v := range t.Values {
				out = append(out, lsNonEmptyChecks(v, truth)...)
			}
			return out
		}
	}
	return nil
}

// lsLenImpliesItems reports whether `len(h) OP k` being true implies h has
// items. k is an integer constant when kok, else an unknown expression
// (taken as a non-negative size).
func lsLenImpliesItems(op python.CmpOperator, k string, kok bool) bool {
	if !kok {
		return op == python.Gt || op == python.GtE
	}
	if strings.HasPrefix(k, "-") {
		return false
	}
	zero := strings.TrimLeft(k, "0") == ""
	switch op {
	case python.Gt:
		return true
	case python.GtE, python.Eq:
		return !zero
	case python.NotEq:
		return zero
	}
	return false
}

// lsMirror swaps a comparison's sides: a < b is b > a.
func lsMirror(op python.CmpOperator) python.CmpOperator {
	switch op {
	case python.Lt:
		return python.Gt
	case python.LtE:
		return python.GtE
	case python.Gt:
		return python.Lt
	case python.GtE:
		return python.LtE
	}
	return op
}

// lsNegate is the comparison that holds when op does not.
func lsNegate(op python.CmpOperator) python.CmpOperator {
	switch op {
	case python.Eq:
		return python.NotEq
	case python.NotEq:
		return python.Eq
	case python.Lt:
		return python.GtE
	case python.GtE:
		return python.Lt
	case python.LtE:
		return python.Gt
	case python.Gt:
		return python.LtE
	}
	return op
}
