package rules

import (
	"fmt"
	"strings"

	"github.com/pyrace/pyrace/internal/python"
	"github.com/pyrace/pyrace/internal/scan"
	"github.com/pyrace/pyrace/internal/scan/model"
)

// sharedListNullification is FT008: `shared[i] = None` / `del shared[i]`
// as a slot-freeing scheme on a shared list outside a lock.
func sharedListNullification() rule {
	return rule{
		meta: scan.RuleMeta{
			ID:    "FT008",
			Name:  "shared-list-nullification",
			Shape: "slot freeing on a shared list",
			Summary: "`self.slots[i] = None` (a variable index), or `del self.slots[i]` with i just looked up " +
				"(`self.slots.index(x)`, a scan of `enumerate(self.slots)`), on a shared list (an " +
				"attribute of self, a class attribute or a module global known to be a list: assigned a list " +
				"display, a list comprehension or `list(...)`, or appended to) outside init code and outside " +
				"its lock; confidence is highest where freed slots are reused (`slots.index(None)`, a scan " +
				"of `enumerate(slots)` for None, the freed index pushed on a free list).",
			Rationale: "Each store is atomic, the scheme is not: a slot table hands out indexes that other threads " +
				"hold on to. Nulling a slot while another thread still uses its index makes that thread read None " +
				"(AttributeError/TypeError) or, when the slot is reused at once, another caller's object; two " +
				"threads scanning for a free slot both find the same one; `del slots[i]` shifts every later item, " +
				"so every index another thread holds now names the wrong item (seed 000 shape 8: pyfakefs' " +
				"open-file table, crashes on free-threaded CPython).",
			Fix: "hold one lock around allocating, freeing and looking up slots; or replace the list by a dict " +
				"keyed by an id from `itertools.count()` (`d[i] = v`, `d.pop(i, None)` and `d.get(i)` are atomic " +
				"and no index ever shifts or is reused).",
			Confidence: scan.Medium,
			Example: "class Table:\n    def __init__(self):\n        self.slots = []\n\n" +
				"    def free(self, i):\n        self.slots[i] = None\n\n" +
				"    def alloc(self, obj):\n        i = self.slots.index(None)\n        self.slots[i] = obj\n        return i\n",
			FixedExample: "class Table:\n    def __init__(self):\n        self._ids = itertools.count()\n        self.slots = {}\n\n" +
				"    def free(self, i):\n        self.slots.pop(i, None)\n\n" +
				"    def alloc(self, obj):\n        i = next(self._ids)\n        self.slots[i] = obj\n        return i\n",
			Seed: "seed 000 shape 8",
		},
		check: lsCheckNullification,
	}
}

// lsNotListFactories are callables whose result is a container other than
// a list.
var lsNotListFactories = map[string]bool{
	"dict": true, "defaultdict": true, "OrderedDict": true, "Counter": true, "ChainMap": true,
	"deque": true, "set": true, "frozenset": true, "tuple": true, "WeakValueDictionary": true,
	"WeakKeyDictionary": true, "WeakSet": true, "array": true, "bytearray": true, "bytes": true,
	"str": true, "memoryview": true, "Queue": true, "SimpleQueue": true, "LifoQueue": true,
	"PriorityQueue": true, "ndarray": true, "zeros": true, "empty": true, "ones": true, "full": true,
}

// lsDictMethods are methods only mappings and sets have.
var lsDictMethods = map[string]bool{
	"get": true, "items": true, "keys": true, "values": true, "setdefault": true, "popitem": true,
	"update": true, "add": true, "discard": true, "appendleft": true, "popleft": true,
}

// lsFreedTo are the calls that hand a freed index on for reuse.
var lsFreedTo = map[string]bool{
	"append": true, "heappush": true, "add": true, "put": true, "put_nowait": true, "appendleft": true, "insert": true,
}

func lsCheckNullification(m *model.Module, report func(scan.Report)) {
	// Without `x[i] = None` or `del x[i]` (i not a constant), no site to
	// report (and the text filter costs more than this look).
	slotFree := false
	var at []python.Node // where the text filter looks first
	m.WalkKinds(model.Kinds(model.KAssign, model.KDelete), func(_ *model.Ctx, n python.Node) {
		var targets []python.Expr
		switch n := n.(type) {
		case *python.Assign:
			if lsIsNone(n.Value) {
				targets = n.Targets
			}
		case *python.Delete:
			targets = n.Targets
		}
		for _, t := range targets {
			if sub, ok := t.(*python.Subscript); ok && lsSlotIndex(sub.Slice) {
				slotFree = true
				at = append(at, n)
			}
		}
	})
	if !slotFree || !lsAnyLineWith(m, []string{"] = None", "]=None", "del "}, func(l string) bool {
		return strings.Contains(l, "] = None") || strings.Contains(l, "]=None") ||
			(strings.Contains(l, "del ") && strings.Contains(l, "["))
	}, at...) {
		return
	}
	type site struct {
		target *python.Subscript
		ctx    *model.Ctx
		ref    model.Ref
		id     string
		del    bool
	}
	var sites []site
	isList := map[string]bool{}
	appended := map[string]bool{}
	notList := map[string]bool{}
	reuse := map[string]python.Node{}
	refill := map[string]python.Node{}
	type lookup struct {
		node python.Node
		ctx  *model.Ctx
	}
	lookups := map[string][]lookup{} // id -> index lookups (x.index(...), enumerate(x))
	var freeCalls []struct {
		call *python.Call
		ctx  *model.Ctx
	}
	lf := lsFactsOf(m)
	m.WalkKinds(model.Kinds(model.KAssign, model.KAnnAssign, model.KDelete, model.KSubscript, model.KCall, model.KCompare,
		model.KFor, model.KListComp, model.KGeneratorExp, model.KSetComp, model.KDictComp), func(ctx *model.Ctx, n python.Node) {
		idOf := func(e python.Expr) (model.Ref, string, bool) {
			if !lsIsState(e) {
				return model.Ref{}, "", false
			}
			ref := lf.resolve(ctx.Func, e)
			if !ref.Shared() {
				return ref, "", false
			}
			return ref, lsStateID(ref), true
		}
		assigned := func(target, value python.Expr) {
			_, id, ok := idOf(target)
			if !ok {
				return
			}
			switch k := lsValueKind(value); k {
			case "list":
				isList[id] = true
			case "other":
				notList[id] = true
			}
		}
		// enumerate(x) / range(len(x)) scans with a None test.
		scanFor := func(iter python.Expr, tests ...python.Node) {
			x, ok := lsEnumerated(iter)
			if !ok {
				return
			}
			_, id, ok := idOf(x)
			if !ok {
				return
			}
			lookups[id] = append(lookups[id], lookup{iter, ctx})
			for _, t := range tests {
				if lsTestsNone(t) {
					if _, seen := reuse[id]; !seen {
						reuse[id] = iter
					}
				}
			}
		}
		switch n := n.(type) {
		case *python.Assign:
			for _, t := range n.Targets {
				assigned(t, n.Value)
				sub, ok := t.(*python.Subscript)
				if !ok || ctx.Stmt != python.Stmt(n) || !lsSlotIndex(sub.Slice) {
					continue
				}
				ref, id, ok := idOf(sub.Value)
				if !ok {
					continue
				}
				if lsIsNone(n.Value) {
					sites = append(sites, site{target: sub, ctx: ctx, ref: ref, id: id})
				} else if _, seen := refill[id]; !seen && !ctx.Init() {
					// x[i] = obj at run time: freed slots are filled again.
					refill[id] = n
				}
			}
		case *python.AnnAssign:
			if n.Value != nil {
				assigned(n.Target, n.Value)
			}
		case *python.Delete:
			for _, t := range n.Targets {
				if sub, ok := t.(*python.Subscript); ok && lsSlotIndex(sub.Slice) {
					if ref, id, ok := idOf(sub.Value); ok {
						sites = append(sites, site{target: sub, ctx: ctx, ref: ref, id: id, del: true})
					}
				}
			}
		case *python.Subscript:
			if c, ok := n.Slice.(*python.Constant); ok && c.Value.Kind == python.StrValue {
				if _, id, ok := idOf(n.Value); ok {
					notList[id] = true
				}
			}
		case *python.Call:
			if name := model.CalleeName(n); lsFreedTo[name] {
				freeCalls = append(freeCalls, struct {
					call *python.Call
					ctx  *model.Ctx
				}{n, ctx})
			}
			a, ok := n.Func.(*python.Attribute)
			if !ok {
				return
			}
			_, id, ok := idOf(a.Value)
			if !ok {
				return
			}
			switch {
			case a.Attr == "append" || a.Attr == "extend" || a.Attr == "insert":
				appended[id] = true
			case lsDictMethods[a.Attr]:
				notList[id] = true
			case (a.Attr == "index" || a.Attr == "count") && len(n.Args) >= 1:
				lookups[id] = append(lookups[id], lookup{n, ctx})
				if lsIsNone(n.Args[0]) {
					if _, seen := reuse[id]; !seen {
						reuse[id] = n
					}
				}
			}
		case *python.Compare:
			// None in x
			if len(n.Ops) == 1 && (n.Ops[0] == python.In || n.Ops[0] == python.NotIn) && lsIsNone(n.Left) {
				if _, id, ok := idOf(n.Comparators[0]); ok {
					if _, seen := reuse[id]; !seen {
						reuse[id] = n
					}
				}
			}
		case *python.For:
			if ctx.Stmt == python.Stmt(n) {
				var body []python.Node
				for _, s := range n.Body {
					body = append(body, s)
				}
				scanFor(n.Iter, body...)
			}
		case *python.ListComp, *python.GeneratorExp, *python.SetComp, *python.DictComp:
			var gens []*python.Comprehension
			switch c := n.(type) {
			case *python.ListComp:
				gens = c.Generators
			case *python.GeneratorExp:
				gens = c.Generators
			case *python.SetComp:
				gens = c.Generators
			case *python.DictComp:
				gens = c.Generators
			}
			for _, g := range gens {
				var tests []python.Node
				for _, t := range g.Ifs {
					tests = append(tests, t)
				}
				scanFor(g.Iter, tests...)
			}
		}
	})
	// Class-body assignments (`_conns = []`) are class attributes the
	// walk does not resolve at class level.
	for _, c := range m.Classes {
		for _, st := range c.Node.Body {
			var targets []python.Expr
			var value python.Expr
			switch st := st.(type) {
			case *python.Assign:
				targets, value = st.Targets, st.Value
			case *python.AnnAssign:
				targets, value = []python.Expr{st.Target}, st.Value
			}
			for _, t := range targets {
				if n, ok := t.(*python.Name); ok && value != nil {
					id := lsStateID(model.Ref{Kind: model.RefClassAttr, Key: c.Name + "." + n.ID, Class: c})
					switch lsValueKind(value) {
					case "list":
						isList[id] = true
					case "other":
						notList[id] = true
					}
				}
			}
		}
	}
	for _, s := range sites {
		if notList[s.id] || !(isList[s.id] || appended[s.id]) {
			continue
		}
		if !unowned(s.ctx) {
			continue
		}
		p, other := lf.protect(s.ctx, s.ref)
		if p == lsLocked {
			continue
		}
		note := lf.lockNote(s.ctx, p, other, s.ref.Key)
		idx := lsText(m, s.target.Slice)
		var related []scan.RelatedNode
		conf := scan.Medium
		if s.del {
			// `del x[i]` alone is one atomic list operation; it breaks
			// when i came from a lookup in the same function (an
			// index() call, a scan of enumerate(x) or range(len(x))):
			// the lookup and the del are a check-then-act.
			for _, l := range lookups[s.id] {
				if l.ctx.Func == s.ctx.Func && !lsAfter(l.node, s.target.Pos()) {
					related = append(related, scan.RelatedNode{Node: l.node, Message: "the index lookup in " + s.ctx.Symbol()})
					break
				}
			}
			if related == nil {
				continue
			}
			report(scan.Report{
				Node: s.target,
				Ctx:  s.ctx,
				Message: fmt.Sprintf("`del %s` on shared list %s after looking the index up, %s: another thread's "+
					"del or insert in between shifts the items, so this deletes the wrong one (and every index other "+
					"threads hold shifts too)",
					lsText(m, s.target), lsDescribe(s.ref), note),
				Related: related,
			})
			continue
		}
		reason := "a thread that still holds index " + idx + " reads None"
		if r, ok := reuse[s.id]; ok {
			related = append(related, scan.RelatedNode{Node: r, Message: "free slots of " + s.ref.Key + " are looked up for reuse here"})
			reason += ", and two threads looking for a free slot can both take this one"
			conf = ""
		}
		if r, ok := refill[s.id]; ok && conf != "" {
			related = append(related, scan.RelatedNode{Node: r, Message: "slots of " + s.ref.Key + " are filled again here"})
			reason += ", and once the slot is filled again it reads another caller's object"
			conf = ""
		}
		for _, fc := range freeCalls {
			if fc.ctx.Func == s.ctx.Func && lsBefore(s.target, fc.call) && len(fc.call.Args) > 0 &&
				sameExpr(fc.call.Args[len(fc.call.Args)-1], s.target.Slice) {
				related = append(related, scan.RelatedNode{Node: fc.call, Message: "the freed index is handed on for reuse"})
				if conf != "" {
					reason += ", and the freed index is handed on for reuse while the slot may still be in use"
				}
				conf = ""
				break
			}
		}
		report(scan.Report{
			Node: s.target,
			Ctx:  s.ctx,
			Message: fmt.Sprintf("slot freed by `%s = None` on shared list %s %s: %s",
				lsText(m, s.target), lsDescribe(s.ref), note, reason),
			Confidence: conf,
			Related:    related,
		})
	}
}

// lsValueKind classifies an assigned value: "list" for a list display, a
// list comprehension, list(...) or [x] * n; "other" for another container
// or a constant; "" when unknown.
func lsValueKind(v python.Expr) string {
	switch v := v.(type) {
	case *python.List, *python.ListComp:
		return "list"
	case *python.Dict, *python.DictComp, *python.Set, *python.SetComp, *python.Tuple, *python.Constant, *python.JoinedStr:
		if lsIsNone(v) {
			return ""
		}
		return "other"
	case *python.Call:
		name := model.CalleeName(v)
		if name == "list" {
			return "list"
		}
		if lsNotListFactories[name] {
			return "other"
		}
	case *python.BinOp:
		if v.Op == python.Mult || v.Op == python.Add {
			l, r := lsValueKind(v.Left), lsValueKind(v.Right)
			if l == "list" || r == "list" {
				return "list"
			}
		}
	}
	return ""
}

// lsSlotIndex reports whether an index names a slot chosen at run time: not
// a slice, not a constant (`x[0] = None` is a fixed cell, `del x[-1]` a
// pop, both single atomic operations).
func lsSlotIndex(e python.Expr) bool {
	switch e.(type) {
	case *python.Slice, *python.Constant:
		return false
	}
	if _, ok := lsIntConst(e); ok {
		return false
	}
	return true
}

// lsEnumerated returns x for `enumerate(x)` and `range(len(x))` (with
// other bounds too).
func lsEnumerated(iter python.Expr) (python.Expr, bool) {
	call, ok := iter.(*python.Call)
	if !ok || len(call.Args) == 0 {
		return nil, false
	}
	switch model.CalleeName(call) {
	case "enumerate":
		return call.Args[0], true
	case "range":
		// range(len(x)), range(len(x) - 1, 0, -1)...
		for _, a := range call.Args {
			if b, ok := a.(*python.BinOp); ok {
				a = b.Left
			}
			if x, ok := lsLenOf(a); ok {
				return x, true
			}
		}
	}
	return nil, false
}

// lsTestsNone reports whether n contains a comparison with None.
func lsTestsNone(n python.Node) bool {
	found := false
	python.Inspect(n, func(x python.Node) bool {
		if c, ok := x.(*python.Compare); ok {
			if lsIsNone(c.Left) {
				found = true
			}
			for _, e := range c.Comparators {
				if lsIsNone(e) {
					found = true
				}
			}
		}
		return !found
	})
	return found
}

// lsBefore reports whether a starts before b.
func lsBefore(a, b python.Node) bool {
	pa, pb := a.Pos(), b.Pos()
	return pa.Line < pb.Line || (pa.Line == pb.Line && pa.Col < pb.Col)
}
