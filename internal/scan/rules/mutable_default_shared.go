package rules

import (
	"fmt"

	"github.com/pyrace/pyrace/internal/python"
	"github.com/pyrace/pyrace/internal/scan"
	"github.com/pyrace/pyrace/internal/scan/model"
)

// mutableDefaultShared is FT009: a function mutates a mutable default
// argument. The default is created once, when `def` runs, and every call
// in every thread gets the same object.
//
// Not flagged: defaults only read, `None` defaults, a parameter rebound
// before the mutation (`items = list(items)`), mutations under a lock, the
// defaults of nested functions (evaluated at each call of the enclosing
// function, so owned by that call).
func mutableDefaultShared() rule {
	return rule{
		meta: scan.RuleMeta{
			ID:    "FT009",
			Name:  "mutable-default-shared",
			Shape: "shared mutable default argument",
			Summary: "A function mutates (`append`, `extend`, `add`, `update`, `setdefault`, `pop`, `d[k] = v`, " +
				"`+=`, ...) a parameter whose default is a mutable object (`[]`, `{}`, `set()`, `dict()`, " +
				"`collections.defaultdict(...)`...).",
			Rationale: "Default values are evaluated once, when the function is defined: every call that " +
				"omits the argument gets the same list or dict. Calls from different threads then mutate " +
				"one object at the same time: results leak from one caller to another, and compound " +
				"updates on it race like any other shared container.",
			Fix: "default to `None` and create a fresh object inside the function (`if items is None: items = []`); " +
				"if the sharing is an intentional cache, make it an explicit module-level object guarded by a " +
				"lock, or use `functools.lru_cache`.",
			Confidence:   scan.Medium,
			Example:      "def collect(x, into=[]):\n    into.append(x)\n    return into\n",
			FixedExample: "def collect(x, into=None):\n    if into is None:\n        into = []\n    into.append(x)\n    return into\n",
			Seed:         "seed 004 #4",
		},
		check: checkMutableDefaultShared,
	}
}

// lkMutableFactories are callables that build a fresh mutable container.
var lkMutableFactories = map[string]bool{
	"list": true, "dict": true, "set": true, "bytearray": true, "defaultdict": true,
	"OrderedDict": true, "Counter": true, "deque": true, "ChainMap": true, "WeakValueDictionary": true,
	"WeakKeyDictionary": true, "WeakSet": true,
}

// lkIsMutableDefault reports whether a default value is a fresh mutable
// container.
func lkIsMutableDefault(e python.Expr) bool {
	switch e := e.(type) {
	case *python.List, *python.Dict, *python.Set, *python.ListComp, *python.DictComp, *python.SetComp:
		return true
	case *python.Call:
		return lkMutableFactories[model.CalleeName(e)]
	}
	return false
}

// lkMutableDefaults maps the parameters of f with a mutable default to the
// default.
func lkMutableDefaults(f *model.Func) map[string]python.Expr {
	a := f.Args
	if a == nil {
		return nil
	}
	mutable := false
	for _, d := range a.Defaults {
		mutable = mutable || lkIsMutableDefault(d)
	}
	for _, d := range a.KwDefaults {
		mutable = mutable || (d != nil && lkIsMutableDefault(d))
	}
	if !mutable {
		return nil // most functions: no allocation
	}
	out := map[string]python.Expr{}
	pos := append(append([]*python.Arg{}, a.PosOnlyArgs...), a.Args...)
	for i, d := range a.Defaults {
		j := len(pos) - len(a.Defaults) + i
		if j >= 0 && j < len(pos) && lkIsMutableDefault(d) {
			out[pos[j].Arg] = d
		}
	}
	for i, d := range a.KwDefaults {
		if d != nil && i < len(a.KwOnlyArgs) && lkIsMutableDefault(d) {
			out[a.KwOnlyArgs[i].Arg] = d
		}
	}
	return out
}

// lkRebinds lists where f's own body binds name (not in nested scopes).
func lkRebinds(f *model.Func, name string) []python.Span {
	var out []python.Span
	for _, s := range f.Body {
		python.Inspect(s, func(n python.Node) bool {
			switch n := n.(type) {
			case *python.FunctionDef, *python.AsyncFunctionDef, *python.ClassDef, *python.Lambda,
				*python.ListComp, *python.SetComp, *python.DictComp, *python.GeneratorExp:
				return false
			case *python.Name:
				if n.ID == name && (n.Ctx == python.Store || n.Ctx == python.Del) {
					out = append(out, n.Span)
				}
			}
			return true
		})
	}
	return out
}

func lkBefore(a, b python.Span) bool {
	return a.Line < b.Line || (a.Line == b.Line && a.Col < b.Col)
}

func checkMutableDefaultShared(m *model.Module, report func(scan.Report)) {
	defaults := map[*model.Func]map[string]python.Expr{}
	for _, f := range m.Funcs {
		if f.Parent != nil {
			// A nested def runs once per call of its enclosing function:
			// its defaults belong to that call (the `counter=[0]` idiom).
			continue
		}
		if d := lkMutableDefaults(f); len(d) > 0 {
			defaults[f] = d
		}
	}
	if len(defaults) == 0 {
		return
	}
	rebound := map[*model.Func]map[string][]python.Span{}
	rebindsOf := func(f *model.Func, name string) []python.Span {
		if rebound[f] == nil {
			rebound[f] = map[string][]python.Span{}
		}
		if r, ok := rebound[f][name]; ok {
			return r
		}
		r := lkRebinds(f, name)
		rebound[f][name] = r
		return r
	}
	// owner finds the function whose mutable-default parameter name is,
	// as seen from f (a closure sees its enclosing function's parameters).
	owner := func(f *model.Func, name string) (*model.Func, python.Expr) {
		for g := f; g != nil; g = g.Parent {
			if d, ok := defaults[g][name]; ok {
				return g, d
			}
			if g.Locals.Has(name) || g.Globals[name] || g.Nonlocals[name] {
				return nil, nil
			}
		}
		return nil, nil
	}
	seen := map[python.Stmt]bool{}
	m.WalkKinds(model.Kinds(model.KCall, model.KSubscript, model.KAugAssign), func(ctx *model.Ctx, n python.Node) {
		if ctx.Func == nil || ctx.Locked() || lkConfined(ctx) {
			return
		}
		objs, op := lkMutatedObjects(n)
		for _, o := range objs {
			// The object itself or an item of it: `groups[k].append(v)`
			// changes what the default holds.
			for {
				if sub, ok := o.(*python.Subscript); ok {
					o = sub.Value
					continue
				}
				break
			}
			name, ok := o.(*python.Name)
			if !ok {
				continue
			}
			f, def := owner(ctx.Func, name.ID)
			if f == nil {
				continue
			}
			rb := rebindsOf(f, name.ID)
			skip := false
			for _, sp := range rb {
				// A rebinding before the mutation (or any rebinding when
				// the mutation is in a closure) gives the name a fresh
				// object: `items = list(items)`.
				if f != ctx.Func || lkBefore(sp, name.Span) {
					skip = true
					break
				}
			}
			if skip {
				continue
			}
			if ctx.Stmt != nil && seen[ctx.Stmt] {
				continue
			}
			if ctx.Stmt != nil {
				seen[ctx.Stmt] = true
			}
			report(scan.Report{
				Node: n,
				Ctx:  ctx,
				Message: fmt.Sprintf("%s() mutates its default argument %s (%s): the default %s is created once "+
					"and shared by every call in every thread", f.Name, name.ID, op, lkExprText(m, def)),
				Related: []scan.RelatedNode{{Node: def, Message: fmt.Sprintf("default of %s, evaluated once when %s() is defined", name.ID, f.Name)}},
			})
		}
	})
}

// lkExprText is the source text of a one-line expression, shortened.
func lkExprText(m *model.Module, e python.Expr) string {
	sp := e.Pos()
	if sp.Line != sp.EndLine {
		return "object"
	}
	line := m.Line(sp.Line)
	if sp.Col < 0 || sp.EndCol > len(line) || sp.Col >= sp.EndCol {
		return "object"
	}
	t := line[sp.Col:sp.EndCol]
	if len(t) > 40 {
		t = t[:37] + "..."
	}
	return "`" + t + "`"
}
