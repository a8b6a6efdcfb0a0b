package rules

import (
	"fmt"
	"strings"

	"github.com/pyrace/pyrace/internal/python"
	"github.com/pyrace/pyrace/internal/scan"
	"github.com/pyrace/pyrace/internal/scan/model"
)

// appendIndexAllocator is FT004: a shared list used as an index allocator,
// `x.append(v)` then `len(x) - 1` (or `x.index(v)`), or `i = len(x)` then
// `x.append(v)`, outside a lock.
func appendIndexAllocator() rule {
	return rule{
		meta: scan.RuleMeta{
			ID:    "FT004",
			Name:  "append-index-allocator",
			Shape: "append then index",
			Summary: "`self.items.append(v)` followed by `len(self.items) - 1` or `self.items.index(v)` " +
				"(`i = len(self.items) - 1`, `return len(self.items) - 1`), or `i = len(self.items)` followed by " +
				"`self.items.append(v)`, on a shared list (an attribute of self, a class attribute or a module " +
				"global) outside its lock: the list's length is used to allocate the new item's index.",
			Rationale: "The append and the length read are two atomic operations, not one: another thread's " +
				"append can land between them, so two callers compute the same index (or one gets the other's " +
				"item) and the ids handed out repeat silently (seed 000: pyfakefs' open-file table gave two " +
				"threads the same file descriptor number).",
			Fix: "hold one lock around the append and the index computation; or allocate ids with " +
				"`itertools.count()` (`next(counter)` is atomic) and store them with the item (a dict keyed by " +
				"id, `d[i] = v`, is an atomic store); or append an entry that already carries its number.",
			Confidence: scan.Medium,
			Example: "class Registry:\n    def __init__(self):\n        self.items = []\n\n" +
				"    def register(self, item):\n        self.items.append(item)\n        return len(self.items) - 1\n",
			FixedExample: "class Registry:\n    def __init__(self):\n        self._lock = threading.Lock()\n        self.items = []\n\n" +
				"    def register(self, item):\n        with self._lock:\n            self.items.append(item)\n            return len(self.items) - 1\n",
			Seed: "seed 000 shape 4",
		},
		check: lsCheckAppendIndex,
	}
}

// lsListUse is an operation on a piece of shared state.
type lsListUse struct {
	node python.Node
	ctx  *model.Ctx
	ref  model.Ref
	id   string
}

func lsCheckAppendIndex(m *model.Module, report func(scan.Report)) {
	var appends, reads, lens []lsListUse
	lf := lsFactsOf(m)
	// Two passes: the appends first (most modules have none to shared
	// state), then, past the text filter, the index reads and lengths.
	visit := func(kinds model.KindSet, first bool) {
		m.WalkKinds(kinds, func(ctx *model.Ctx, n python.Node) {
			use := func(node python.Node, target python.Expr) (lsListUse, bool) {
				if !lsIsState(target) {
					return lsListUse{}, false
				}
				ref := lf.resolve(ctx.Func, target)
				if !ref.Shared() {
					return lsListUse{}, false
				}
				return lsListUse{node: node, ctx: ctx, ref: ref, id: lsStateID(ref)}, true
			}
			switch n := n.(type) {
			case *python.Call:
				a, ok := n.Func.(*python.Attribute)
				if !ok {
					return
				}
				switch {
				case a.Attr == "append" && len(n.Args) == 1 && first:
					if u, ok := use(n, a.Value); ok {
						appends = append(appends, u)
					}
				case a.Attr == "index" && len(n.Args) >= 1 && !first:
					if u, ok := use(n, a.Value); ok {
						reads = append(reads, u)
					}
				}
			case *python.BinOp:
				// len(x) - 1
				if x, ok := lsLenOf(n.Left); ok && n.Op == python.Sub {
					if k, ok := lsIntConst(n.Right); ok && k == "1" {
						if u, ok := use(n, x); ok {
							reads = append(reads, u)
						}
					}
				}
			case *python.Assign:
				if ctx.Stmt == python.Stmt(n) {
					if x, ok := lsLenValue(n.Value); ok {
						if u, ok := use(n, x); ok {
							lens = append(lens, u)
						}
					}
				}
			case *python.AnnAssign:
				if ctx.Stmt == python.Stmt(n) && n.Value != nil {
					if x, ok := lsLenValue(n.Value); ok {
						if u, ok := use(n, x); ok {
							lens = append(lens, u)
						}
					}
				}
			}
		})
	}
	visit(model.Kinds(model.KCall), true)
	if len(appends) == 0 {
		return
	}
	visit(model.Kinds(model.KCall, model.KBinOp, model.KAssign, model.KAnnAssign), false)
	if len(reads) == 0 && len(lens) == 0 {
		return // nothing to pair with the appends
	}
	// The text filter, last: it costs more than the walks above, and the
	// uses found show where to look first.
	var appendAt, readAt []python.Node
	for _, a := range appends {
		appendAt = append(appendAt, a.node)
	}
	for _, u := range append(append([]lsListUse{}, reads...), lens...) {
		readAt = append(readAt, u.node)
	}
	if !lsAnyLineWith(m, []string{".append("}, func(l string) bool { return strings.Contains(l, ".append(") }, appendAt...) ||
		!lsAnyLineWith(m, []string{".index(", ") - 1", ")-1", "= len("}, func(l string) bool {
			return (strings.Contains(l, "len(") && (strings.Contains(l, ") - 1") || strings.Contains(l, ")-1") ||
				strings.Contains(l, "= len("))) || strings.Contains(l, ".index(")
		}, readAt...) {
		return
	}
	type pair struct {
		first, second lsListUse
		pre           bool
	}
	pairs := map[python.Node]pair{}
	var order []python.Node
	// The uses by function (in walk order), and the lengths by statement:
	// a block looks at its own function's only.
	appendsOf := map[*model.Func][]lsListUse{}
	for _, a := range appends {
		appendsOf[a.ctx.Func] = append(appendsOf[a.ctx.Func], a)
	}
	readsOf := map[*model.Func][]lsListUse{}
	for _, rd := range reads {
		readsOf[rd.ctx.Func] = append(readsOf[rd.ctx.Func], rd)
	}
	lensAt := map[python.Node][]lsListUse{}
	for _, l := range lens {
		lensAt[l.node] = append(lensAt[l.node], l)
	}
	lsBlocks(m, func(f *model.Func, block []python.Stmt) {
		fAppends, fReads := appendsOf[f], readsOf[f]
		if len(fAppends) == 0 {
			return // both forms pair with an append of the function
		}
		rest := func(i int) (lsRegion, bool) { return lsStmtsRegion(block[i+1:]) }
		for i, s := range block {
			r, ok := rest(i)
			if !ok {
				continue
			}
			// Post form: append in s (or in a block nested in it: an
			// append under a lock that the read is outside of), then an
			// index read later in the block.
			in := lsSpan(s)
			for _, a := range fAppends {
				if !in.contains(a.node) {
					continue
				}
				for _, rd := range fReads {
					if rd.id == a.id && r.contains(rd.node) {
						if _, seen := pairs[rd.node]; !seen {
							order = append(order, rd.node)
						}
						pairs[rd.node] = pair{first: a, second: rd}
					}
				}
			}
			// Pre form: `i = len(x)` in s, then an append later.
			for _, l := range lensAt[s] {
				if l.ctx.Func != f || !lsLenTargetUsed(s, block[i+1:]) {
					continue
				}
				for _, a := range fAppends {
					if a.id == l.id && r.contains(a.node) {
						if _, seen := pairs[l.node]; !seen {
							order = append(order, l.node)
							pairs[l.node] = pair{first: l, second: a, pre: true}
						}
						break
					}
				}
			}
		}
	})
	for _, n := range order {
		p := pairs[n]
		if !unowned(p.first.ctx) || !unowned(p.second.ctx) {
			continue
		}
		p1, o1 := lf.protect(p.first.ctx, p.first.ref)
		p2, o2 := lf.protect(p.second.ctx, p.second.ref)
		if p1 == lsLocked && p2 == lsLocked {
			continue
		}
		note := ""
		switch {
		case p1 == lsLocked && p2 == lsUnlocked:
			note = "with the second outside the lock the first holds"
		case p2 == lsLocked && p1 == lsUnlocked:
			note = "with the first outside the lock the second holds"
		case p2 != lsLocked:
			note = lf.lockNote(p.second.ctx, p2, o2, p.first.ref.Key)
		default:
			note = lf.lockNote(p.first.ctx, p1, o1, p.first.ref.Key)
		}
		name := p.first.ref.Key
		if p.pre {
			report(scan.Report{
				Node: p.first.node,
				Ctx:  p.first.ctx,
				Message: fmt.Sprintf("length used as the next index of shared list %s: `%s` then `%s` %s; "+
					"two threads can read the same length and both take that index",
					lsDescribe(p.first.ref), lsText(m, p.first.node), lsText(m, p.second.node), note),
				Related: []scan.RelatedNode{{Node: p.second.node, Message: "the append to " + name}},
			})
			continue
		}
		report(scan.Report{
			Node: p.second.node,
			Ctx:  p.second.ctx,
			Message: fmt.Sprintf("append-then-index on shared list %s: `%s` then `%s` %s; "+
				"another thread's append in between makes two callers get the same index (or this caller another's item)",
				lsDescribe(p.first.ref), lsText(m, p.first.node), lsText(m, p.second.node), note),
			Related: []scan.RelatedNode{{Node: p.first.node, Message: "the append to " + name}},
		})
	}
}

// lsDescribe is describe without the kind for attributes of self.
func lsDescribe(ref model.Ref) string {
	if ref.Kind == model.RefInstanceAttr {
		return ref.Key
	}
	return describe(ref)
}

// lsLenValue reports whether e is `len(x)` or `len(x) + k` and returns x.
func lsLenValue(e python.Expr) (python.Expr, bool) {
	if x, ok := lsLenOf(e); ok {
		return x, true
	}
	if b, ok := e.(*python.BinOp); ok && b.Op == python.Add {
		if _, ok := lsIntConst(b.Right); ok {
			return lsLenOf(b.Left)
		}
	}
	return nil, false
}

// lsLenTargetUsed reports whether the length an assignment stores is used
// after it: the target is an attribute or item (kept), or a name that the
// rest of the block reads.
func lsLenTargetUsed(s python.Stmt, rest []python.Stmt) bool {
	var targets []python.Expr
	switch s := s.(type) {
	case *python.Assign:
		targets = s.Targets
	case *python.AnnAssign:
		targets = []python.Expr{s.Target}
	}
	for _, t := range targets {
		n, ok := t.(*python.Name)
		if !ok {
			return true
		}
		for _, r := range rest {
			if lsMentionsName(r, n.ID) {
				return true
			}
		}
	}
	return false
}
