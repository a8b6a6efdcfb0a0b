package rules

import (
	"fmt"
	"regexp"

	"github.com/pyrace/pyrace/internal/python"
	"github.com/pyrace/pyrace/internal/scan"
	"github.com/pyrace/pyrace/internal/scan/model"
)

// classAttributeToggle is FT006: a class attribute written at run time
// (outside the class body and init code) without a lock. Class state is
// shared by every instance in every thread: a mode switched on for one
// thread's work is on for all of them (the pyfakefs `use_original` race).
//
// Augmented assignments (`cls.count += 1`) are FT001's; lazy
// initialisation (`if cls._inst is None: cls._inst = ...`) is FT010's.
func classAttributeToggle() rule {
	return rule{
		meta: scan.RuleMeta{
			ID:    "FT006",
			Name:  "class-attribute-toggle",
			Shape: "class-attribute toggle",
			Summary: "An assignment or `del` of a class attribute (`Cls.flag = ...`, `cls.x = ...`, " +
				"`type(self).x = ...`, `self.__class__.x = ...`, `setattr(cls, \"x\", ...)`) in a function " +
				"other than the class body and init code, outside a lock.",
			Rationale: "A class attribute is one object shared by every instance and every thread. " +
				"Code that switches a class-level mode on for its own work (`FakeOsModule.use_original = True` " +
				"... `= False`) switches it on for every other thread too: another thread sees the mode " +
				"it never asked for, or turns it off under the first one's feet. Without the GIL the " +
				"threads run truly at once and the window is wide open.",
			Fix: "keep per-thread modes in a `threading.local()` or a `contextvars.ContextVar`; keep per-object " +
				"state on the instance (`self.flag`); if the state really is process-wide, hold one lock " +
				"around every writer and reader.",
			Confidence: scan.High,
			Example: "class FakeOs:\n    use_original = False\n\n" +
				"@contextmanager\ndef use_original_os():\n    FakeOs.use_original = True\n    try:\n        yield\n" +
				"    finally:\n        FakeOs.use_original = False\n",
			FixedExample: "_state = threading.local()\n\n" +
				"@contextmanager\ndef use_original_os():\n    _state.use_original = True\n    try:\n        yield\n" +
				"    finally:\n        _state.use_original = False\n",
			Seed: "seed 000 shape 6",
		},
		check: checkClassAttributeToggle,
	}
}

// lkCapWordsRE matches names that by convention are classes: "Config",
// "_FakeOs"; not ALL_CAPS constants.
var lkCapWordsRE = regexp.MustCompile(`^_*[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*$`)

func checkClassAttributeToggle(m *model.Module, report func(scan.Report)) {
	var idx *lkIndex
	imported := lkFromImported(m)
	kinds := model.Kinds(model.KAssign, model.KAnnAssign, model.KDelete)
	if m.Has(model.HasSetattrCall) {
		kinds |= model.Kinds(model.KCall) // the calls looked at are setattr() and delattr()
	}
	m.WalkKinds(kinds, func(ctx *model.Ctx, n python.Node) {
		targets, verb := storeTargets(n)
		if s, ok := n.(*python.Call); ok {
			cn := model.CalleeName(s)
			if _, ok := s.Func.(*python.Name); !ok || (cn != "setattr" && cn != "delattr") || len(s.Args) < 2 {
				return
			}
			c, ok := s.Args[1].(*python.Constant)
			if !ok || c.Value.Kind != python.StrValue {
				return
			}
			// setattr(cls, "x", v) is cls.x = v.
			targets = []python.Expr{&python.Attribute{Span: s.Span, Value: s.Args[0], Attr: c.Value.Str, Ctx: python.Store}}
			if cn == "delattr" {
				verb = "deleted"
			}
		} else if targets == nil {
			return
		}
		if ctx.Func == nil || ctx.Locked() {
			return
		}
		targets = lkFlattenTargets(targets)
		attr := false
		for _, t := range targets {
			if _, ok := t.(*python.Attribute); ok {
				attr = true
			}
		}
		if !attr || !unowned(ctx) || ilForkHandler(ctx.Func) {
			return
		}
		for _, t := range targets {
			a, ok := t.(*python.Attribute)
			if !ok {
				continue
			}
			key, cls, conf, ok := lkClassAttrTarget(m, ctx.Func, a, imported)
			if !ok {
				continue
			}
			if idx == nil {
				idx = lkStmtIndex(m)
			}
			if ctx.Stmt != nil && lkLazyInitGuard(idx.scope(ctx.Func), ctx.Stmt, a, ctx.Func.Body, ctx.Func.Globals) {
				continue
			}
			var related []scan.RelatedNode
			if def := lkClassBodyDef(cls, a.Attr); def != nil {
				related = append(related, scan.RelatedNode{Node: def, Message: "class attribute " + key + " defined here, shared by every instance"})
			}
			node := python.Node(a)
			if _, isCall := n.(*python.Call); isCall {
				node = n
			}
			report(scan.Report{
				Node: node,
				Ctx:  ctx,
				Message: fmt.Sprintf("class attribute %s is %s in %s without a lock: every instance in every thread "+
					"sees the change at once (one thread's mode leaks into the others)", key, verb, lkFuncLabel(ctx.Func)),
				Confidence: conf,
				Related:    related,
			})
		}
	})
}

// lkFlattenTargets expands tuple and list targets. The result may be ts
// itself: callers must not change it.
func lkFlattenTargets(ts []python.Expr) []python.Expr {
	return flatTargets(ts)
}

// lkClassAttrTarget reports whether a is an attribute of a class itself
// (not of an object stored in a class attribute): `Cls.x`, `cls.x`,
// `type(self).x`, `self.__class__.x`, or `Name.x` for a CapWords name
// imported from another module (medium confidence: a class by naming
// convention only).
func lkClassAttrTarget(m *model.Module, f *model.Func, a *python.Attribute, imported map[string]bool) (key string, cls *model.Class, conf scan.Confidence, ok bool) {
	switch v := a.Value.(type) {
	case *python.Name, *python.Call:
		ref := m.Resolve(f, a)
		if ref.Kind == model.RefClassAttr {
			return ref.Key, ref.Class, scan.High, true
		}
		if n, isName := v.(*python.Name); isName && imported[n.ID] && lkCapWordsRE.MatchString(n.ID) {
			if r := m.Resolve(f, n); r.Kind == model.RefGlobal {
				return n.ID + "." + a.Attr + " (" + n.ID + " is a class by its name)", nil, scan.Medium, true
			}
		}
	case *python.Attribute:
		self, isName := v.Value.(*python.Name)
		if !isName || v.Attr != "__class__" {
			return "", nil, "", false
		}
		for g := f; g != nil; g = g.Parent {
			if g.Class != nil {
				if g.SelfName == self.ID && (g == f || !f.Locals.Has(self.ID)) {
					return g.Class.Name + "." + a.Attr, g.Class, scan.High, true
				}
				break
			}
		}
	}
	return "", nil, "", false
}

// lkClassBodyDef finds the class-body assignment of attr.
func lkClassBodyDef(c *model.Class, attr string) python.Node {
	if c == nil {
		return nil
	}
	for _, s := range c.Node.Body {
		var targets []python.Expr
		switch s := s.(type) {
		case *python.Assign:
			targets = s.Targets
		case *python.AnnAssign:
			targets = []python.Expr{s.Target}
		}
		for _, t := range lkFlattenTargets(targets) {
			if n, ok := t.(*python.Name); ok && n.ID == attr {
				return s
			}
		}
	}
	return nil
}

// lkFromImported lists the names bound by `from X import Name` at module
// level (and in module-level if/try blocks).
func lkFromImported(m *model.Module) map[string]bool {
	out := map[string]bool{}
	var visit func(body []python.Stmt)
	visit = func(body []python.Stmt) {
		for _, s := range body {
			if imp, ok := s.(*python.ImportFrom); ok {
				for _, a := range imp.Names {
					name := a.AsName
					if name == "" {
						name = a.Name
					}
					out[name] = true
				}
				continue
			}
			if lkIsDef(s) {
				continue
			}
			for _, b := range lkChildBlocks(s) {
				visit(b)
			}
		}
	}
	visit(m.File.Module.Body)
	return out
}
