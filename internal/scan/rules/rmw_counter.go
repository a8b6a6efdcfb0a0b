package rules

import (
	"fmt"

	"github.com/pyrace/pyrace/internal/python"
	"github.com/pyrace/pyrace/internal/scan"
	"github.com/pyrace/pyrace/internal/scan/model"
)

// rmwCounter is FT001: a read-modify-write of shared state outside a lock.
func rmwCounter() rule {
	return rule{
		meta: scan.RuleMeta{
			ID:    "FT001",
			Name:  "rmw-counter",
			Shape: "read-modify-write",
			Summary: "An augmented assignment (`+=`, `-=`, ...) or `x = x + 1` on shared state " +
				"(an attribute of self, a class attribute, a module global, a closure variable, " +
				"or an item of a shared container) outside a lock.",
			Rationale: "`x += 1` is a load, an add and a store. Two threads that load the same value " +
				"both store value+1: one update is lost. Without the GIL this happens at full speed " +
				"on several cores; counters drift, ids repeat, sizes go wrong silently.",
			Fix: "hold a lock around the update (`with self._lock: self.n += 1`); for id or counter " +
				"allocation use `itertools.count()` (`next(counter)` is atomic); for per-thread " +
				"statistics use `threading.local()`.",
			Confidence:   scan.Medium,
			Example:      "class Stats:\n    def hit(self):\n        self.hits += 1\n",
			FixedExample: "class Stats:\n    def __init__(self):\n        self._lock = threading.Lock()\n        self.hits = 0\n\n    def hit(self):\n        with self._lock:\n            self.hits += 1\n",
			Seed:         "seed 000 shape 1",
		},
		check: func(m *model.Module, report func(scan.Report)) {
			fl := flowOf(m)
			m.WalkKinds(model.Kinds(model.KAugAssign, model.KAssign), func(ctx *model.Ctx, n python.Node) {
				// Locked here, or in a private function every caller of
				// which holds a lock (`_read_unlocked()` under `read()`'s).
				if len(fl.held(ctx)) > 0 {
					return
				}
				var target python.Expr
				var aug *python.AugAssign
				var bin *python.BinOp
				switch s := n.(type) {
				case *python.AugAssign:
					target, aug = s.Target, s
				case *python.Assign:
					if len(s.Targets) != 1 {
						return
					}
					// shared() below wants unowned code: look at the
					// value only then.
					if b, ok := s.Value.(*python.BinOp); ok && unowned(ctx) && readsTarget(b, s.Targets[0]) {
						target, bin = s.Targets[0], b
					}
				}
				if target == nil {
					return
				}
				ref, ok := shared(ctx, target)
				if !ok {
					return
				}
				op := ""
				if aug != nil {
					op = opSymbol(aug.Op) + "="
				} else {
					op = "= … " + opSymbol(bin.Op) + " …"
				}
				what := describe(ref)
				if _, isItem := target.(*python.Subscript); isItem {
					what = "an item of " + what
				}
				report(scan.Report{
					Node:       n,
					Ctx:        ctx,
					Message:    fmt.Sprintf("read-modify-write of %s (%s) without a lock: concurrent calls lose updates", what, op),
					Confidence: kindConfidence(ref),
				})
			})
		},
	}
}
