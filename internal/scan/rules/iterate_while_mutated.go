package rules

import (
	"fmt"

	"github.com/pyrace/pyrace/internal/python"
	"github.com/pyrace/pyrace/internal/scan"
	"github.com/pyrace/pyrace/internal/scan/model"
)

// iterateWhileMutated is FT003: iterating a shared dict, list or set that
// other code of the same class or module mutates, without a common lock.
func iterateWhileMutated() rule {
	return rule{
		meta: scan.RuleMeta{
			ID:    "FT003",
			Name:  "iterate-while-mutated",
			Shape: "iterate-while-mutated",
			Summary: "A `for` loop, comprehension, generator expression or consuming call (`sum`, `min`, " +
				"`max`, `any`, `all`) iterates a shared dict, list, set or deque (directly or through " +
				"`.items()`, `.keys()`, `.values()`, `enumerate()`, `zip()`...) that another method or " +
				"function of the same class or module mutates, and the iteration does not hold a lock " +
				"that every such mutation also holds.",
			Rationale: "A dict or set iterator checks that the container's size did not change under it: " +
				"when another thread inserts or deletes meanwhile, the loop dies with `RuntimeError: " +
				"dictionary changed size during iteration` (sets and deques have the same check); a list " +
				"iterator silently skips or repeats items. Without the GIL the other thread runs on " +
				"another core at the same time, so the window is the whole loop. Copies made by one " +
				"call (`list(d)`, `list(d.items())`, `sorted(d)`, `d.copy()`, `dict(d)`) are taken " +
				"atomically and are safe to iterate.",
			Fix: "iterate over a copy taken in one call (`for k, v in list(self._d.items()):`, " +
				"`for x in self._items.copy():`), or hold the same lock around the iteration and " +
				"around every mutation; for a registry that is read far more than written, replace " +
				"the container on write (copy-on-write: build a new dict and assign it) instead of " +
				"mutating it in place.",
			Confidence: scan.Medium,
			Example: "class Dir:\n    def __init__(self):\n        self._entries = {}\n\n" +
				"    def add(self, name, entry):\n        self._entries[name] = entry\n\n" +
				"    def names(self):\n        return [n for n in self._entries]\n",
			FixedExample: "class Dir:\n    def __init__(self):\n        self._entries = {}\n\n" +
				"    def add(self, name, entry):\n        self._entries[name] = entry\n\n" +
				"    def names(self):\n        return list(self._entries)  # one atomic copy\n",
			Seed: "seed 000 shape 3, seed 004 #8",
		},
		check: checkIterateWhileMutated,
	}
}

// iterSite is one iteration of a container expression.
type iterSite struct {
	ctx  *model.Ctx
	expr python.Expr // the container iterated
	how  string      // "for loop", "comprehension", "sum()"...
	via  string      // ".items()" and the like, "" for the container itself
	// scope is the loop or comprehension: mutations inside it belong to
	// the single-threaded mutate-while-iterating bug, not this rule.
	scope python.Node
}

func checkIterateWhileMutated(m *model.Module, report func(scan.Report)) {
	fl := flowOf(m)
	for _, s := range fl.iterSites {
		ref, ok := fl.sharedRef(s.ctx, s.expr)
		if !ok {
			continue
		}
		key := fl.key(ref)
		kind := fl.kinds[key]
		var partners []*mutation
		for _, mu := range fl.runtimeMutations(key) {
			if mu.Rebind || (mu.Ambiguous && kind == "") || (mu.DefaultRead && !fl.defaultdicts[key]) {
				continue
			}
			if mu.Op == "item replacement" && kind != "dict" {
				continue // lst[i] = x does not change a list's size
			}
			if sharesLock(fl.held(s.ctx), fl.held(mu.Ctx)) {
				continue
			}
			if mu.Ctx.Func == s.ctx.Func && within(mu.Node.Pos(), s.scope.Pos()) {
				continue
			}
			partners = append(partners, mu)
		}
		if len(partners) == 0 {
			continue
		}
		// Cite mutations of other functions first.
		var first, rest []*mutation
		for _, mu := range partners {
			if mu.Ctx.Func != s.ctx.Func {
				first = append(first, mu)
			} else {
				rest = append(rest, mu)
			}
		}
		partners = append(first, rest...)
		report(iterReport(m, fl, s, ref, kind, partners))
	}
}

// collectIterSites records the iterations of containers (FT003).
func (fl *flow) collectIterSites(ctx *model.Ctx, n python.Node) {
	switch n := n.(type) {
	case *python.For:
		fl.addIterSite(ctx, n.Iter, "`for` loop", n, nil)
	case *python.ListComp:
		fl.addComprehension(ctx, n, n.Generators, "list comprehension")
	case *python.SetComp:
		fl.addComprehension(ctx, n, n.Generators, "set comprehension")
	case *python.DictComp:
		fl.addComprehension(ctx, n, n.Generators, "dict comprehension")
	case *python.GeneratorExp:
		fl.addComprehension(ctx, n, n.Generators, "generator expression")
	case *python.YieldFrom:
		fl.addIterSite(ctx, n.Value, "`yield from`", n, nil)
	case *python.Call:
		if name, ok := n.Func.(*python.Name); ok && len(n.Args) > 0 {
			switch name.ID {
			case "sum", "min", "max", "any", "all":
				if len(n.Args) == 1 || name.ID == "sum" {
					fl.addIterSite(ctx, n.Args[0], "`"+name.ID+"()` call", n, nil)
				}
			}
		}
	}
}

// addIterSite records the containers iter iterates over, but names bound
// by the enclosing comprehensions.
func (fl *flow) addIterSite(ctx *model.Ctx, iter python.Expr, how string, scope python.Node, bound map[string]bool) {
	for _, u := range iterContainers(iter) {
		if fl.iterSeen[u.expr] {
			continue
		}
		if bound != nil {
			if r := rootName(u.expr); r != "" && bound[r] {
				continue
			}
		}
		fl.iterSeen[u.expr] = true
		fl.iterSites = append(fl.iterSites, iterSite{ctx: ctx, expr: u.expr, how: how, via: u.via, scope: scope})
	}
}

// addComprehension records the iterables of a comprehension's clauses;
// names its own clauses bind are not shared state.
func (fl *flow) addComprehension(ctx *model.Ctx, n python.Node, gens []*python.Comprehension, how string) {
	bound := comprehensionNames(ctx.Stmt)
	for _, g := range gens {
		fl.addIterSite(ctx, g.Iter, how, n, bound)
	}
}

// comprehensionNames are the names bound by comprehension clauses anywhere
// in a statement.
func comprehensionNames(s python.Stmt) map[string]bool {
	out := map[string]bool{}
	if s == nil {
		return out
	}
	python.Inspect(s, func(n python.Node) bool {
		var gens []*python.Comprehension
		switch n := n.(type) {
		case *python.ListComp:
			gens = n.Generators
		case *python.SetComp:
			gens = n.Generators
		case *python.DictComp:
			gens = n.Generators
		case *python.GeneratorExp:
			gens = n.Generators
		}
		for _, g := range gens {
			for _, t := range flatTargets([]python.Expr{g.Target}) {
				if nm, ok := t.(*python.Name); ok {
					out[nm.ID] = true
				}
			}
		}
		return true
	})
	return out
}

// rootName is the name at the root of an attribute chain.
func rootName(e python.Expr) string {
	for {
		switch x := e.(type) {
		case *python.Name:
			return x.ID
		case *python.Attribute:
			e = x.Value
		default:
			return ""
		}
	}
}

type iterUse struct {
	expr python.Expr
	via  string
}

// iterContainers are the containers iterating e walks over: e itself, the
// dict behind `.items()` / `.keys()` / `.values()`, the arguments of lazy
// wrappers (`enumerate`, `zip`, `reversed`, `iter`, `filter`, `map`).
// Copies (`list(d)`, `sorted(d)`, `d.copy()`, `d[:]`) walk nothing shared.
func iterContainers(e python.Expr) []iterUse {
	switch e := e.(type) {
	case *python.Name, *python.Attribute:
		return []iterUse{{expr: e}}
	case *python.Call:
		switch f := e.Func.(type) {
		case *python.Attribute:
			switch f.Attr {
			case "items", "keys", "values":
				if len(e.Args) == 0 && len(e.Keywords) == 0 {
					switch f.Value.(type) {
					case *python.Name, *python.Attribute:
						return []iterUse{{expr: f.Value, via: "." + f.Attr + "()"}}
					}
				}
			}
		case *python.Name:
			var args []python.Expr
			switch f.ID {
			case "enumerate", "reversed", "iter":
				if len(e.Args) > 0 {
					args = e.Args[:1]
				}
			case "zip":
				args = e.Args
			case "filter", "map":
				if len(e.Args) > 1 {
					args = e.Args[1:]
				}
			}
			var out []iterUse
			for _, a := range args {
				out = append(out, iterContainers(a)...)
			}
			return out
		}
	}
	return nil
}

func iterReport(m *model.Module, fl *flow, s iterSite, ref model.Ref, kind string, partners []*mutation) scan.Report {
	if kind == "" {
		kind = partnerKind(partners)
	}
	mu := partners[0]
	who := "`" + funcLabel(mu.Ctx) + "`"
	if mu.Ctx.Func == s.ctx.Func {
		who = "this same function (concurrent calls race with each other)"
	}
	lock, mlock := " without a lock", ""
	sh, mh := fl.held(s.ctx), fl.held(mu.Ctx)
	if len(sh) > 0 {
		lock = " under " + fl.heldDesc(s.ctx)
		mlock = " without that lock"
		if len(mh) > 0 {
			mlock = " under " + fl.heldDesc(mu.Ctx) + " only"
		}
	} else if len(mh) > 0 {
		mlock = " under " + fl.heldDesc(mu.Ctx) + ", which this iteration does not take"
	}
	msg := fmt.Sprintf("iterating %s%s (%s) in a %s%s; %s mutates it%s (`%s`, line %d): %s",
		ref.Display(), s.via, kindText(kind), s.how, lock, who, mlock, codeAt(m, mu.Node), mu.Node.Pos().Line, consequence(kind))
	var related []scan.RelatedNode
	for i, p := range partners {
		if i == 3 {
			break
		}
		related = append(related, scan.RelatedNode{Node: p.Node,
			Message: fmt.Sprintf("%s mutated here (%s) in %s", ref.Display(), p.Op, funcLabel(p.Ctx))})
	}
	return scan.Report{
		Node:       s.expr,
		Ctx:        s.ctx,
		Message:    msg,
		Fix:        iterFix(m, s, ref),
		Confidence: kindConfidence(ref),
		Related:    related,
	}
}

// partnerKind guesses the container kind from the mutations' methods.
func partnerKind(partners []*mutation) string {
	for _, p := range partners {
		if call, ok := p.Node.(*python.Call); ok {
			name := model.CalleeName(call)
			if info, ok := containerMethod(name); ok && info.kind != "" {
				return info.kind
			}
			if info, ok := containerFunc(name); ok {
				return info.kind
			}
		}
	}
	return ""
}

func kindText(kind string) string {
	if kind == "" {
		return "a container"
	}
	return "a " + kind
}

func consequence(kind string) string {
	switch kind {
	case "dict":
		return "a concurrent insert or delete raises RuntimeError: dictionary changed size during iteration"
	case "set":
		return "a concurrent add or discard raises RuntimeError: Set changed size during iteration"
	case "deque":
		return "a concurrent change raises RuntimeError: deque mutated during iteration"
	case "list":
		return "a concurrent change makes the loop skip or repeat items"
	}
	return "a concurrent change raises RuntimeError (dict, set) or makes the loop skip items (list)"
}

func iterFix(m *model.Module, s iterSite, ref model.Ref) string {
	src := exprText(m, s.expr)
	if src == "" {
		src = ref.Display()
	}
	copyExpr := "list(" + src + s.via + ")"
	if s.via == "" {
		copyExpr = src + ".copy()"
	}
	return fmt.Sprintf("iterate over a copy taken in one call (`%s`), or hold one lock around this iteration and every mutation of %s",
		copyExpr, ref.Display())
}
