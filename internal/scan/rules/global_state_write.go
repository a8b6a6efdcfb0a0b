package rules

import (
	"fmt"

	"github.com/pyrace/pyrace/internal/python"
	"github.com/pyrace/pyrace/internal/scan"
	"github.com/pyrace/pyrace/internal/scan/model"
)

// globalStateWrite is FT007: a function rebinds a module global (`global
// X` then `X = ...` or `del X`) or another module's global (`helpers.X =
// ...`) without a lock. Augmented assignments are FT001's; lazy
// initialisation (`if X is None: X = ...`) is FT010's.
//
// Not flagged: module top level, functions called only from module top
// level or from such functions (`main()` under `if __name__ ==
// "__main__":`: they run before any thread), fork handlers (one thread in
// the child), thread-confined functions, writes under a lock, globals
// holding locks or thread-local objects, run-once blocks (`if not _built:
// ...; _built = True`).
func globalStateWrite() rule {
	return rule{
		meta: scan.RuleMeta{
			ID:    "FT007",
			Name:  "global-state-write",
			Shape: "process-global module variable",
			Summary: "A function assigns or deletes a module global (`global X` then `X = ...`) or another " +
				"module's global (`helpers.USER_ID = ...`) outside a lock.",
			Rationale: "A module global is one value for the whole process. When a function sets it for its " +
				"own work (`set_uid(0)` to bypass permission checks), every other thread reads that value " +
				"too: a thread's setting contaminates its siblings' decisions. The pyfakefs audit measured " +
				"~590,000 cross-thread reads of USER_ID in one run on free-threaded CPython.",
			Fix: "keep per-thread settings in a `threading.local()` or a `contextvars.ContextVar`; pass the " +
				"value explicitly instead of through a global; if it really is process-wide, hold one lock " +
				"around every writer and reader.",
			Confidence: scan.High,
			Example: "USER_ID = 1\n\ndef set_uid(uid):\n    global USER_ID\n    USER_ID = uid\n\n" +
				"def get_uid():\n    return USER_ID\n",
			FixedExample: "_ids = threading.local()\n\ndef set_uid(uid):\n    _ids.user_id = uid\n\n" +
				"def get_uid():\n    return getattr(_ids, \"user_id\", 1)\n",
			Seed: "seed 000 shape 7",
		},
		check: checkGlobalStateWrite,
	}
}

// lkGlobalRead is a function's read of a global, for the Related location.
type lkGlobalRead struct {
	fn   *model.Func
	node python.Node
}

func checkGlobalStateWrite(m *model.Module, report func(scan.Report)) {
	type write struct {
		ctx    model.Ctx
		target python.Expr
		ref    model.Ref
		verb   string
	}
	// A write is to a name some function declares global, or to an
	// attribute of an imported module.
	declares := len(m.ModuleImports) > 0
	for _, f := range m.Funcs {
		declares = declares || len(f.Globals) > 0
	}
	if !declares {
		return
	}
	var writes []write
	m.WalkKinds(model.Kinds(model.KAssign, model.KAnnAssign, model.KDelete), func(ctx *model.Ctx, n python.Node) {
		if ctx.Func == nil {
			return
		}
		targets, verb := storeTargets(n)
		if targets == nil {
			return
		}
		targets = lkFlattenTargets(targets)
		// A cheap look first: a name declared global, an attribute of an
		// imported module.
		maybe := false
		for _, t := range targets {
			switch t := t.(type) {
			case *python.Name:
				maybe = maybe || ctx.Func.Globals[t.ID]
			case *python.Attribute:
				if b, ok := t.Value.(*python.Name); ok {
					_, imp := m.ModuleImports[b.ID]
					maybe = maybe || imp
				}
			}
		}
		if !maybe || ctx.Locked() || lkConfined(ctx) || ilForkHandler(ctx.Func) {
			return
		}
		for _, t := range targets {
			var ref model.Ref
			switch t := t.(type) {
			case *python.Name:
				if !ctx.Func.Globals[t.ID] {
					continue
				}
				ref = m.Resolve(ctx.Func, t)
				if ref.Kind != model.RefGlobal {
					continue
				}
			case *python.Attribute:
				if _, ok := t.Value.(*python.Name); !ok {
					continue
				}
				ref = m.Resolve(ctx.Func, t)
				if ref.Kind != model.RefModuleAttr {
					continue
				}
			default:
				continue
			}
			if lkIsLockLike(m, nil, ref.Name) {
				continue
			}
			writes = append(writes, write{*ctx, t, ref, verb})
		}
	})
	if len(writes) == 0 {
		return
	}
	idx := lkStmtIndex(m)
	var startup map[string]bool
	kept := writes[:0]
	for _, w := range writes {
		ctx := w.ctx
		if tf := lkTopFunc(ctx.Func); tf != nil {
			if startup == nil {
				startup = lkTopLevelOnly(m)
			}
			if startup[tf.Name] {
				continue
			}
		}
		if ctx.Stmt != nil && lkLazyInitGuard(idx.scope(ctx.Func), ctx.Stmt, w.target, ctx.Func.Body, ctx.Func.Globals) {
			continue
		}
		kept = append(kept, w)
	}
	if len(kept) == 0 {
		return
	}
	// The reads of the written state, for the racing partner.
	readers := map[string][]lkGlobalRead{}
	var names model.NameFilter
	kinds := model.Kinds(model.KName)
	for _, w := range kept {
		readers[w.ref.Key] = nil
		names.Add(w.ref.Key)
		if w.ref.Kind == model.RefModuleAttr {
			kinds |= model.Kinds(model.KAttribute)
		}
	}
	m.WalkKinds(kinds, func(ctx *model.Ctx, n python.Node) {
		if ctx.Func == nil {
			return
		}
		switch s := n.(type) {
		case *python.Name:
			if s.Ctx == python.Load && names.MayHave(s.ID) {
				if _, ok := readers[s.ID]; ok {
					if r := m.Resolve(ctx.Func, s); r.Kind == model.RefGlobal {
						readers[r.Key] = append(readers[r.Key], lkGlobalRead{ctx.Func, s})
					}
				}
			}
		case *python.Attribute:
			if s.Ctx == python.Load {
				if b, ok := s.Value.(*python.Name); ok {
					if _, imp := m.ModuleImports[b.ID]; !imp {
						return // not another module's global
					}
					if r := m.Resolve(ctx.Func, s); r.Kind == model.RefModuleAttr {
						if _, ok := readers[r.Key]; ok {
							readers[r.Key] = append(readers[r.Key], lkGlobalRead{ctx.Func, s})
						}
					}
				}
			}
		}
	})
	for _, w := range kept {
		ctx := w.ctx
		what := "module global " + w.ref.Key
		if w.ref.Kind == model.RefModuleAttr {
			what = w.ref.Key + " (a global of another module)"
		}
		partner := "a thread can read the value another thread " + w.verb
		var related []scan.RelatedNode
		for _, r := range readers[w.ref.Key] {
			if r.fn == ctx.Func {
				continue
			}
			partner = fmt.Sprintf("%s can see another thread's value", lkFuncLabel(r.fn))
			related = append(related, scan.RelatedNode{Node: r.node, Message: fmt.Sprintf("%s read in %s", w.ref.Key, lkFuncLabel(r.fn))})
			break
		}
		report(scan.Report{
			Node: w.target,
			Ctx:  &ctx,
			Message: fmt.Sprintf("%s is %s in %s without a lock: one value for every thread, so %s",
				what, w.verb, lkFuncLabel(ctx.Func), partner),
			Related: related,
		})
	}
}
