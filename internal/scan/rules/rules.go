// Package rules holds pyrace's scan rules, one file per rule. Each rule has
// metadata (id, name, shape, summary, rationale, fix advice, default
// confidence) and a check over a module's model (internal/scan/model).
//
// The atomicity oracle is CPython's "Thread Safety Guarantees": single
// operations such as lst.append(x), d[k] = v, d.get(k), d.setdefault(k, v),
// d.pop(k, None) and lst.pop() are atomic in the free-threaded build and are
// never flagged alone; the rules flag the compound shapes: read-modify-write,
// check-then-act and iteration while another method mutates.
package rules

import (
	"fmt"
	"strings"

	"github.com/pyrace/pyrace/internal/scan"
	"github.com/pyrace/pyrace/internal/scan/model"
)

// rule is a scan.Checker built from metadata and a check function.
type rule struct {
	meta  scan.RuleMeta
	check func(m *model.Module, report func(scan.Report))
}

func (r rule) Meta() scan.RuleMeta { return r.meta }

func (r rule) Check(m *model.Module, report func(scan.Report)) { r.check(m, report) }

// All returns every rule, in id order.
func All() []scan.Checker {
	return []scan.Checker{
		rmwCounter(),
		heapCheckThenPop(),
		iterateWhileMutated(),
		appendIndexAllocator(),
		checkThenAct(),
		classAttributeToggle(),
		globalStateWrite(),
		sharedListNullification(),
		mutableDefaultShared(),
		unlockedLazyInit(),
		inconsistentLocking(),
		lockWithoutWith(),
	}
}

// Metas returns the metadata of every rule, in id order.
func Metas() []scan.RuleMeta {
	var out []scan.RuleMeta
	for _, r := range All() {
		out = append(out, r.Meta())
	}
	return out
}

// Known reports whether s is a rule id (case-insensitive) or name.
func Known(s string) bool {
	for _, r := range All() {
		m := r.Meta()
		if strings.EqualFold(s, m.ID) || s == m.Name {
			return true
		}
	}
	return false
}

// Select returns the rules matching selectors (ids, id prefixes such as
// "FT0", names, or "ALL"; empty means all) minus those matching ignore.
// An unknown selector is an error.
func Select(selectors, ignore []string) ([]scan.Checker, error) {
	all := All()
	matches := func(sel string, m scan.RuleMeta) bool {
		return strings.EqualFold(sel, "ALL") || sel == m.Name || strings.HasPrefix(strings.ToUpper(m.ID), strings.ToUpper(sel))
	}
	check := func(list []string, what string) error {
		for _, sel := range list {
			found := false
			for _, r := range all {
				if matches(sel, r.Meta()) {
					found = true
					break
				}
			}
			if !found {
				return fmt.Errorf("%s: unknown rule %q (see pyrace rules, or docs/rules.md)", what, sel)
			}
		}
		return nil
	}
	if err := check(selectors, "select"); err != nil {
		return nil, err
	}
	if err := check(ignore, "ignore"); err != nil {
		return nil, err
	}
	var out []scan.Checker
	for _, r := range all {
		m := r.Meta()
		in := len(selectors) == 0
		for _, sel := range selectors {
			in = in || matches(sel, m)
		}
		for _, ig := range ignore {
			if matches(ig, m) {
				in = false
			}
		}
		if in {
			out = append(out, r)
		}
	}
	return out, nil
}

// unowned reports whether code in ctx touches state other threads may
// reach at the same time: not init code, not thread-confined.
func unowned(ctx *model.Ctx) bool {
	if ctx.Init() {
		return false
	}
	for f := ctx.Func; f != nil; f = f.Parent {
		if f.ThreadConfined || (f.Class != nil && (f.Class.ThreadConfined || f.Class.ThreadLocalBase)) {
			return false
		}
	}
	return true
}

// shared resolves e and reports whether it is shared state accessed from
// code that does not own it.
func shared(ctx *model.Ctx, e pyExpr) (model.Ref, bool) {
	if !unowned(ctx) {
		return model.Ref{}, false
	}
	ref := ctx.Module.Resolve(ctx.Func, e)
	if ref.Kind == model.RefInstanceAttr && ref.Class != nil && ref.Class.LoopBound {
		return ref, false // an asyncio object belongs to its event loop's thread
	}
	return ref, ref.Shared()
}

// kindConfidence raises findings on module globals and class attributes
// written at run time to high: that state is shared by construction.
func kindConfidence(ref model.Ref) scan.Confidence {
	switch ref.Kind {
	case model.RefGlobal, model.RefModuleAttr, model.RefClassAttr:
		return scan.High
	}
	return ""
}

// describe names the kind of state for messages.
func describe(ref model.Ref) string {
	switch ref.Kind {
	case model.RefGlobal:
		return "module global " + ref.Key
	case model.RefModuleAttr:
		return "module global " + ref.Key + " of another module"
	case model.RefClassAttr:
		return "class attribute " + ref.Key
	case model.RefInstanceAttr:
		return "attribute " + ref.Key
	case model.RefNonlocal:
		return "closure variable " + ref.Name
	}
	return ref.Key
}

// KnownSelector reports whether a selector (an id, an id prefix such as
// "FT0", a name, or "ALL") names at least one rule.
func KnownSelector(s string) bool {
	_, err := Select([]string{s}, nil)
	return err == nil
}
