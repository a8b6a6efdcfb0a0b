package rules

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/pyrace/pyrace/internal/python"
	"github.com/pyrace/pyrace/internal/scan"
	"github.com/pyrace/pyrace/internal/scan/model"
)

// inconsistentLocking is FT011, SpotBugs' IS2_INCONSISTENT_SYNC / CodeQL's
// inconsistent-field-synchronization / RacerD's unprotected access, for
// Python: per class (instance attributes of self) and per module (globals),
// every access outside init code is collected with the locks held. State
// that is written under a lock somewhere and accessed without that lock
// elsewhere is reported at the unlocked accesses, when the lock is held in
// most of the accesses.
//
// Weighting (SpotBugs'): a write counts 2, a read 1 (the accesses of one
// statement count once). Among the locks held by at least one write, L is
// the one with the highest weighted share, and its unlocked accesses are
// reported when
//
//	(locked reads + 2*locked writes) / (all reads + 2*all writes) >= 50%.
//
// Below that, the lock probably protects something else. An access under
// a different lock counts as unlocked for L. Mutating a container held in
// the attribute (`self._items.append(x)`, `self._d[k] = v`, heappush) is a
// write; other uses are reads.
//
// Locks held by callers count: a private method (or module function)
// called only with L held (and never passed around as a callback) runs
// under L; methods named `*_locked` / `*_unlocked` / `*_nolock` are
// assumed to be called with the lock held. A Condition built on a lock
// (`Condition(self._lock)`) is that lock.
//
// Not counted: init code (constructors, set-up, module top level, methods
// called only from them), `__del__`, `__setstate__`, fork handlers
// (`_after_fork`: one thread in the child) and methods called only from
// those, `__repr__`/`__str__` (diagnostic reads), thread-confined code,
// attributes holding locks, events or thread-local objects, state that
// carries its own lock (`with self.pools.lock:`), methods, and asyncio
// locks (`async with`, `await lock.acquire()`: they order coroutines of
// one thread). `x.clear()`-style calls count as writes only when x is seen
// holding a list, dict, set or deque.
//
// Unlocked reads not reported (writes always are): the fast path of a
// double-checked initialisation (`if self._x is None: with self._lock:
// if self._x is None: ...`, with `with` or acquire/try/finally); reads of
// state whose every locked write is a lazy initialisation under a test of
// it (the one published object); `return self._x` of state that is only
// rebound, never mutated (one atomic reference read); `q = self._queue`
// of state that is only mutated, never rebound (the reference cannot
// change).
//
// `# pyrace: guarded-by LOCK` on an attribute's (or global's) first
// assignment makes every access without LOCK a finding, regardless of
// the ratio.
func inconsistentLocking() rule {
	return rule{
		meta: scan.RuleMeta{
			ID:    "FT011",
			Name:  "inconsistent-locking",
			Shape: "inconsistent synchronisation",
			Summary: "An attribute of self (or a module global) written under a lock in one method and " +
				"read or written without that lock in another, when the lock is held in most of its " +
				"accesses (writes weigh double), or accessed without the lock its `# pyrace: guarded-by` " +
				"annotation names.",
			Rationale: "A lock only protects state if every access takes it. When most accesses of " +
				"`self._items` hold `self._lock`, the author meant the lock to guard it; the few that do not " +
				"race with the locked writers: they read half-updated state, iterate a dict another thread " +
				"is resizing, or lose updates. This is the signal behind SpotBugs' IS2_INCONSISTENT_SYNC, " +
				"CodeQL's inconsistent-field-synchronization and RacerD: cheap, and rarely wrong.",
			Fix: "take the same lock around the unlocked access (`with self._lock:`), or, for a method " +
				"that must be called with the lock held, name it `*_locked` and call it only under the lock.",
			Confidence: scan.High,
			Example: "class Registry:\n    def __init__(self):\n        self._lock = threading.Lock()\n        self._items = {}\n\n" +
				"    def add(self, k, v):\n        with self._lock:\n            self._items[k] = v\n\n" +
				"    def snapshot(self):\n        return [v for v in self._items.values()]\n",
			FixedExample: "class Registry:\n    def __init__(self):\n        self._lock = threading.Lock()\n        self._items = {}\n\n" +
				"    def add(self, k, v):\n        with self._lock:\n            self._items[k] = v\n\n" +
				"    def snapshot(self):\n        with self._lock:\n            return list(self._items.values())\n",
			Seed: "RacerD / SpotBugs IS2_INCONSISTENT_SYNC / CodeQL inconsistent-field-synchronization",
		},
		check: checkInconsistentLocking,
	}
}

// ilAccess is one access of a piece of state.
type ilAccess struct {
	node  python.Node
	ctx   model.Ctx
	write bool
	// rebind is a write that rebinds the state itself (`self.x = v`,
	// `self.x += 1`, `del self.x`), not a mutation of the object it holds.
	rebind bool
	// viaMethod is a write only as the receiver of a mutating method
	// (`x.clear()`): a read unless x is seen holding a container.
	viaMethod bool
	held      map[string]bool
}

// hold records that lock k is held at the access.
func (a *ilAccess) hold(k string) {
	if a.held == nil {
		a.held = map[string]bool{}
	}
	a.held[k] = true
}

// ilState is an instance attribute of a class, or a module global.
type ilState struct {
	cls      *model.Class // nil for a module global
	name     string
	display  string
	accesses []*ilAccess
}

// ilSite is a call of a private method or function.
type ilSite struct {
	caller *model.Func
	held   []string
	// owned is a call from init code, __setstate__ or a fork handler.
	owned bool
}

const ilAnyLock = "*"

func checkInconsistentLocking(m *model.Module, report func(scan.Report)) {
	// Without a lock held anywhere and without a guarded-by annotation,
	// no access holds a lock and no state names one: nothing to report.
	modGuarded := lkModuleGuarded(m)
	if !m.LocksHeld() && len(modGuarded) == 0 && !lkAnyClassGuarded(m) {
		return
	}
	aliases := lkLockAliases(m)
	modFuncs := map[string]*model.Func{}
	for _, f := range m.Funcs {
		if f.Class == nil && f.Parent == nil {
			modFuncs[f.Name] = f
		}
	}
	defNames := map[string]bool{}
	for _, s := range m.File.Module.Body {
		switch s := s.(type) {
		case *python.FunctionDef:
			defNames[s.Name] = true
		case *python.AsyncFunctionDef:
			defNames[s.Name] = true
		case *python.ClassDef:
			defNames[s.Name] = true
		}
	}

	holders := ilLockHolders(m)
	states := map[string]*ilState{}
	var order []string
	writeNodes := map[python.Node]bool{}
	methodWrites := map[python.Node]bool{} // receivers of x.append(...)-style calls
	valueKind := map[string]int{}          // state id -> ilContainer | ilObject bits
	// callFunc is the callee of the last call: the walk visits it right
	// after the call.
	var callFunc python.Node
	// The owned test of the last function seen (the walk visits each
	// function's nodes together).
	var ownedFn *model.Func
	ownedSet, ownedNow := false, false
	sites := map[*model.Func][]ilSite{}
	escapes := map[*model.Func]bool{}

	// calleeOf returns the private method or module function a
	// reference names: self._m, _helper.
	calleeOf := func(f *model.Func, e python.Expr) *model.Func {
		switch e := e.(type) {
		case *python.Attribute:
			v, ok := e.Value.(*python.Name)
			if !ok || f == nil {
				return nil
			}
			meth := ilMethod(f)
			if meth == nil || v.ID != meth.SelfName || meth.SelfName == "" || (f != meth && f.Locals.Has(v.ID)) {
				return nil
			}
			return meth.Class.Methods[e.Attr]
		case *python.Name:
			if g := modFuncs[e.ID]; g != nil && f != nil && m.Resolve(f, e).Kind == model.RefGlobal {
				return g
			}
		}
		return nil
	}

	for _, c := range m.Classes {
		for _, st := range c.Node.Body {
			if as, ok := st.(*python.Assign); ok {
				for _, t := range lkFlattenTargets(as.Targets) {
					if n, ok := t.(*python.Name); ok {
						valueKind[c.Qual+"\x00"+n.ID] |= ilValueKind(as.Value)
					}
				}
			}
		}
	}
	kinds := model.Kinds(model.KAssign, model.KCall, model.KSubscript, model.KAugAssign, model.KAttribute, model.KName)
	m.WalkKinds(kinds, func(ctx *model.Ctx, n python.Node) {
		if as, ok := n.(*python.Assign); ok {
			for _, t := range lkFlattenTargets(as.Targets) {
				if id := ilStateID(m, ctx.Func, t); id != "" {
					valueKind[id] |= ilValueKind(as.Value)
				}
			}
		}
		if ctx.Func == nil {
			return
		}
		objs, _ := lkMutatedObjects(n)
		for _, o := range objs {
			writeNodes[o] = true
			if call, ok := n.(*python.Call); ok {
				if a, ok := call.Func.(*python.Attribute); ok && a.Value == o {
					methodWrites[o] = true
				}
			}
		}
		switch n := n.(type) {
		case *python.Call:
			callFunc = n.Func
			if g := calleeOf(ctx.Func, n.Func); g != nil {
				sites[g] = append(sites[g], ilSite{ctx.Func, slices.Clone(ctx.Held), ctx.Init() || ilOwnedFunc(ctx.Func)})
			}
			return
		case *python.Attribute, *python.Name:
		default:
			return
		}
		e := n.(python.Expr)
		if callFunc != n {
			if g := calleeOf(ctx.Func, e); g != nil {
				escapes[g] = true // passed around: may run without the lock.
			}
		}
		if !ownedSet || ctx.Func != ownedFn {
			ownedFn, ownedSet = ctx.Func, true
			ownedNow = ctx.Init() || lkConfined(ctx) || ilOwnedFunc(ctx.Func)
		}
		if ownedNow {
			return
		}
		var st *ilState
		switch e := e.(type) {
		case *python.Attribute:
			if _, ok := e.Value.(*python.Name); !ok {
				return
			}
			ref := m.Resolve(ctx.Func, e)
			if ref.Kind != model.RefInstanceAttr || ref.Class == nil || ref.Key != "self."+e.Attr {
				return
			}
			c := ref.Class
			if c.Methods[e.Attr] != nil || lkIsLockLike(m, c, e.Attr) || c.LocalAttrs[e.Attr] || holders[c.Qual+"|self."+e.Attr] {
				return
			}
			id := c.Qual + "\x00" + e.Attr
			if st = states[id]; st == nil {
				st = &ilState{cls: c, name: e.Attr, display: "self." + e.Attr}
				states[id] = st
				order = append(order, id)
			}
		case *python.Name:
			ref := m.Resolve(ctx.Func, e)
			if ref.Kind != model.RefGlobal || defNames[e.ID] || m.ModuleImports[e.ID] != "" || lkIsLockLike(m, nil, e.ID) || holders[e.ID] {
				return
			}
			id := "\x00" + e.ID
			if st = states[id]; st == nil {
				st = &ilState{name: e.ID, display: e.ID}
				states[id] = st
				order = append(order, id)
			}
		}
		rebind := false
		switch e := e.(type) {
		case *python.Attribute:
			rebind = e.Ctx != python.Load
		case *python.Name:
			rebind = e.Ctx != python.Load
		}
		st.accesses = append(st.accesses, &ilAccess{node: n, ctx: *ctx, write: rebind || writeNodes[n], rebind: rebind,
			viaMethod: !rebind && methodWrites[n]})
	})
	if len(order) == 0 {
		return
	}

	ownedOnly := ilOwnedOnly(sites, escapes)
	eff := ilCallerLocks(sites, escapes, aliases)
	async := ilAsyncLocks(m, aliases)
	for _, id := range order {
		st := states[id]
		container := valueKind[id]&ilContainer != 0
		kept := st.accesses[:0]
		for _, a := range st.accesses {
			if ownedOnly[a.ctx.Func] || ownedOnly[ilMethod(a.ctx.Func)] {
				continue // runs only from init code, __setstate__ or a fork handler
			}
			if !container && a.viaMethod {
				// x.clear() where x is not seen holding a list, dict, set
				// or deque: a method of some object, not a mutation we
				// can vouch for.
				a.write = false
			}
			kept = append(kept, a)
		}
		st.accesses = kept
		for _, a := range st.accesses {
			for _, k := range a.ctx.Held {
				if k := lkCanonLock(aliases, a.ctx.Func, k); !async[k] {
					a.hold(k)
				}
			}
			if meth := a.ctx.Func; meth != nil {
				for k := range eff[meth] {
					if !async[k] {
						a.hold(k)
					}
				}
				if ilLockedName(meth.Name) {
					a.hold(ilAnyLock)
				}
			}
		}
	}

	var idx *lkIndex
	stmtIdx := func() *lkIndex {
		if idx == nil {
			idx = lkStmtIndex(m)
		}
		return idx
	}
	for _, id := range order {
		st := states[id]
		guard := ""
		if st.cls != nil {
			guard = st.cls.Guarded[st.name]
		} else {
			guard = modGuarded[st.name]
		}
		if guard != "" {
			ilReportGuarded(st, guard, aliases, report)
			continue
		}
		if lock := ilChooseLock(st); lock != "" {
			ilReportInconsistent(st, lock, stmtIdx, report)
		}
	}
}

// lkAnyClassGuarded reports whether a class has a guarded-by annotation.
func lkAnyClassGuarded(m *model.Module) bool {
	for _, c := range m.Classes {
		if len(c.Guarded) > 0 {
			return true
		}
	}
	return false
}

// ilMethod is the method a function belongs to (itself or an enclosing
// method), nil for plain functions.
func ilMethod(f *model.Func) *model.Func {
	for g := f; g != nil; g = g.Parent {
		if g.Class != nil {
			return g
		}
	}
	return nil
}

func ilMethodName(f *model.Func) string {
	if m := ilMethod(f); m != nil {
		return m.Name
	}
	return ""
}

// ilLockedName reports whether a function's name says its caller holds
// the lock: `_add_locked`, `_flush_unlocked`, `_pop_nolock`.
func ilLockedName(name string) bool {
	n := strings.ToLower(name)
	for _, suf := range []string{"_locked", "_unlocked", "_nolock", "_no_lock", "_lock_held", "_with_lock"} {
		if strings.HasSuffix(n, suf) {
			return true
		}
	}
	return false
}

// ilCallerLocks computes the locks held on entry to private methods and
// functions: those held at every call site (plus the caller's own), for
// callees never passed around. Public names may be called from anywhere
// and hold nothing.
func ilCallerLocks(sites map[*model.Func][]ilSite, escapes map[*model.Func]bool, aliases map[string]string) map[*model.Func]map[string]bool {
	type set = map[string]bool
	eff := map[*model.Func]set{} // nil entry: not computed (top)
	var cands []*model.Func
	for g, ss := range sites {
		name := g.Name
		unowned := 0
		for _, s := range ss {
			if !s.owned {
				unowned++
			}
		}
		if escapes[g] || unowned == 0 || !strings.HasPrefix(name, "_") || (strings.HasPrefix(name, "__") && strings.HasSuffix(name, "__")) {
			continue
		}
		cands = append(cands, g)
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].Qual < cands[j].Qual })
	top := map[*model.Func]bool{}
	for _, g := range cands {
		top[g] = true
	}
	for iter := 0; iter < 20; iter++ {
		changed := false
		for _, g := range cands {
			var acc set
			for _, s := range sites[g] {
				if s.owned {
					continue // the object is not shared yet
				}
				here := set{}
				for _, k := range s.held {
					here[lkCanonLock(aliases, s.caller, k)] = true
				}
				if top[s.caller] {
					continue // optimistic: the caller holds everything so far
				}
				for k := range eff[s.caller] {
					here[k] = true
				}
				if acc == nil {
					acc = here
					continue
				}
				for k := range acc {
					if !here[k] {
						delete(acc, k)
					}
				}
			}
			if acc == nil {
				continue // every caller still top
			}
			if top[g] || len(acc) != len(eff[g]) {
				changed = true
			}
			top[g] = false
			eff[g] = acc
		}
		if !changed {
			break
		}
	}
	return eff
}

// ilHolds reports whether an access holds lock.
func ilHolds(a *ilAccess, lock string) bool { return a.held[lock] || a.held[ilAnyLock] }

// ilChooseLock picks the lock that guards most of the state's accesses,
// among the locks held by at least one write, and returns it when the
// weighted locked share reaches 50% and some access goes without it.
func ilChooseLock(st *ilState) string {
	cands := map[string]bool{}
	for _, a := range st.accesses {
		if a.write {
			for k := range a.held {
				if k != ilAnyLock {
					cands[k] = true
				}
			}
		}
	}
	keys := make([]string, 0, len(cands))
	for k := range cands {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	best, bestShare, bestLocked := "", 0.0, 0
	for _, l := range keys {
		locked, unlocked, nLocked, nUnlocked := 0, 0, 0, 0
		for _, a := range ilDedup(st.accesses) {
			w := 1
			if a.write {
				w = 2
			}
			if ilHolds(a, l) {
				locked += w
				nLocked++
			} else {
				unlocked += w
				nUnlocked++
			}
		}
		if nUnlocked == 0 {
			return "" // consistently locked by l
		}
		share := float64(locked) / float64(locked+unlocked)
		if share >= 0.5 && (share > bestShare || (share == bestShare && nLocked > bestLocked)) {
			best, bestShare, bestLocked = l, share, nLocked
		}
	}
	return best
}

// ilDedup merges the accesses of one statement (`self.n = self.n + 1` is
// one write).
func ilDedup(as []*ilAccess) []*ilAccess {
	var out []*ilAccess
	byStmt := map[python.Stmt]*ilAccess{}
	for _, a := range as {
		if a.ctx.Stmt == nil {
			out = append(out, a)
			continue
		}
		if prev := byStmt[a.ctx.Stmt]; prev != nil && ilSameHeld(prev, a) {
			rebind := prev.rebind || a.rebind
			if a.write && !prev.write {
				*prev = *a
			}
			prev.rebind = rebind
			continue
		}
		cp := *a
		byStmt[a.ctx.Stmt] = &cp
		out = append(out, &cp)
	}
	return out
}

func ilSameHeld(a, b *ilAccess) bool {
	if len(a.held) != len(b.held) {
		return false
	}
	for k := range a.held {
		if !b.held[k] {
			return false
		}
	}
	return true
}

// ilLockName shows a canonical lock key: "@synchronized" as the decorator.
func ilLockName(k string) string {
	k = lkLockDisplay(k)
	if strings.HasPrefix(k, "@") {
		return "the " + k + " decorator's lock"
	}
	return k
}

// ilOtherLocks describes the locks an access holds instead of lock.
func ilOtherLocks(a *ilAccess) string {
	var others []string
	for k := range a.held {
		if k != ilAnyLock {
			others = append(others, ilLockName(k))
		}
	}
	sort.Strings(others)
	return strings.Join(others, ", ")
}

func ilVerb(a *ilAccess) string {
	if a.write {
		return "written"
	}
	return "read"
}

// ilWithout is "without it in f()" or "in f() under X (a different lock)".
func ilWithout(a *ilAccess) string {
	if o := ilOtherLocks(a); o != "" {
		return "in " + lkFuncLabel(a.ctx.Func) + " under " + o + " (a different lock)"
	}
	return "without it in " + lkFuncLabel(a.ctx.Func)
}

func ilReportInconsistent(st *ilState, lock string, stmtIdx func() *lkIndex, report func(scan.Report)) {
	accs := ilDedup(st.accesses)
	var lockedWrite *ilAccess
	nLocked := 0
	for _, a := range accs {
		if ilHolds(a, lock) {
			nLocked++
			if a.write && lockedWrite == nil && a.held[lock] {
				lockedWrite = a
			}
		}
	}
	if lockedWrite == nil {
		for _, a := range accs {
			if a.write && ilHolds(a, lock) {
				lockedWrite = a
				break
			}
		}
	}
	idx := stmtIdx()
	tests := func(e python.Expr) bool { return ilTestsState(e, st) }
	// Which kinds of writes the state gets outside init code.
	rebinds, mutations, lazyOnly := false, false, true
	for _, a := range accs {
		if !a.write {
			continue
		}
		if a.rebind {
			rebinds = true
		} else {
			mutations = true
		}
		if ilHolds(a, lock) && !ilUnderTest(idx, a, tests) {
			lazyOnly = false
		}
	}
	dcl := map[*model.Func]bool{}
	for _, a := range accs {
		if a.ctx.Func == nil || dcl[a.ctx.Func] || !ilHolds(a, lock) {
			continue
		}
		// A locked test of the state nested in an unlocked test of it:
		// a double-checked initialisation.
		if iff, ok := a.ctx.Stmt.(*python.If); ok && lkMentionsNode(iff.Test, a.node) && ilUnderTest(idx, a, tests) {
			dcl[a.ctx.Func] = true
		}
	}
	for _, a := range accs {
		if ilHolds(a, lock) || a.write {
			continue
		}
		switch {
		case lazyOnly:
			// Every locked write initialises the state lazily
			// (`with lock: if X is None: X = make()`): unlocked reads see
			// None or the one published object.
			continue
		case dcl[a.ctx.Func]:
			continue // the fast path of a double-checked initialisation.
		case !mutations && ilBareRead(a, "return"):
			// `return self._flag` of state that is only ever rebound: a
			// reference read is atomic and sees the old or the new value.
			continue
		case !rebinds && ilBareRead(a, "alias"):
			// `q = self._queue` of state never rebound: the reference
			// cannot change; what matters is the use of q (model: no
			// tracking of local aliases).
			continue
		}
		where := "in " + lkFuncLabel(lockedWrite.ctx.Func)
		report(scan.Report{
			Node: a.node,
			Ctx:  &a.ctx,
			Message: fmt.Sprintf("%s is written under %s %s but %s %s (%d of %d accesses hold the lock): "+
				"this read races with the locked writers", st.display, ilLockName(lock), where, ilVerb(a), ilWithout(a),
				nLocked, len(accs)),
			Confidence: scan.High,
			Related: []scan.RelatedNode{{Node: lockedWrite.node,
				Message: fmt.Sprintf("%s written under %s in %s", st.display, ilLockName(lock), lkFuncLabel(lockedWrite.ctx.Func))}},
		})
	}
	for _, a := range accs {
		if ilHolds(a, lock) || !a.write {
			continue
		}
		report(scan.Report{
			Node: a.node,
			Ctx:  &a.ctx,
			Message: fmt.Sprintf("%s is written under %s in %s but %s %s (%d of %d accesses hold the lock): "+
				"this write interleaves with the locked updates", st.display, ilLockName(lock),
				lkFuncLabel(lockedWrite.ctx.Func), ilVerb(a), ilWithout(a), nLocked, len(accs)),
			Confidence: scan.High,
			Related: []scan.RelatedNode{{Node: lockedWrite.node,
				Message: fmt.Sprintf("%s written under %s in %s", st.display, ilLockName(lock), lkFuncLabel(lockedWrite.ctx.Func))}},
		})
	}
}

// ilReportGuarded reports every access of annotated state without its
// lock.
func ilReportGuarded(st *ilState, guard string, aliases map[string]string, report func(scan.Report)) {
	canon := func(k string) string {
		if st.cls != nil && strings.HasPrefix(k, "self.") {
			k = st.cls.Qual + "|" + k
		}
		if c, ok := aliases[k]; ok {
			return c
		}
		return k
	}
	alt := guard
	if st.cls != nil && !strings.Contains(guard, ".") {
		alt = "self." + guard
	}
	g1, g2 := canon(guard), canon(alt)
	for _, a := range ilDedup(st.accesses) {
		if ilHolds(a, g1) || ilHolds(a, g2) {
			continue
		}
		report(scan.Report{
			Node:       a.node,
			Ctx:        &a.ctx,
			Message:    fmt.Sprintf("%s is annotated `guarded-by %s` but %s %s", st.display, guard, ilVerb(a), ilWithout(a)),
			Confidence: scan.High,
		})
	}
}

// ilTestsState reports whether an expression mentions the state:
// self.<name> for an attribute, the name for a global.
func ilTestsState(e python.Expr, st *ilState) bool {
	found := false
	python.Inspect(e, func(n python.Node) bool {
		switch n := n.(type) {
		case *python.Attribute:
			if st.cls != nil && n.Attr == st.name {
				if _, ok := n.Value.(*python.Name); ok {
					found = true
				}
			}
		case *python.Name:
			if st.cls == nil && n.ID == st.name {
				found = true
			}
		}
		return !found
	})
	return found
}

// ilUnderTest reports whether an access's statement is nested in an
// `if`/`while` that tests the state (not counting the access's own
// statement).
func ilUnderTest(idx *lkIndex, a *ilAccess, tests func(python.Expr) bool) bool {
	if a.ctx.Stmt == nil {
		return false
	}
	idx.scope(a.ctx.Func)
	found := false
	lkAncestors(idx, a.ctx.Stmt, func(p python.Stmt) bool {
		switch p := p.(type) {
		case *python.If:
			found = tests(p.Test)
		case *python.While:
			found = tests(p.Test)
		}
		return !found
	})
	return found
}

// ilBareRead reports whether an access is the whole of `return X`
// (kind "return") or of `local = X` (kind "alias").
func ilBareRead(a *ilAccess, kind string) bool {
	switch s := a.ctx.Stmt.(type) {
	case *python.Return:
		return kind == "return" && s.Value != nil && python.Node(s.Value) == a.node
	case *python.Assign:
		if kind != "alias" || python.Node(s.Value) != a.node || len(s.Targets) != 1 {
			return false
		}
		_, ok := s.Targets[0].(*python.Name)
		return ok
	}
	return false
}

// ilForkHandler reports whether a function runs in a child process right
// after fork (`_after_fork`, `_at_fork_reinit`, `_afterfork`): one thread.
func ilForkHandler(f *model.Func) bool {
	return f.ForkHandler
}

// ilAsyncLocks lists the locks taken with `async with` or `await
// X.acquire()`: asyncio locks order coroutines of one thread, between
// awaits nothing else runs, so they say nothing about threads.
func ilAsyncLocks(m *model.Module, aliases map[string]string) map[string]bool {
	out := map[string]bool{}
	m.WalkKinds(model.Kinds(model.KAsyncWith, model.KAwait), func(ctx *model.Ctx, n python.Node) {
		switch n := n.(type) {
		case *python.AsyncWith:
			for _, it := range n.Items {
				if k, ok := m.LockKey(ctx.Func, it.ContextExpr); ok {
					out[lkCanonLock(aliases, ctx.Func, k)] = true
				}
			}
		case *python.Await:
			if k, _, ok := lkLockCallOf(m, ctx.Func, n.Value, "acquire"); ok {
				out[lkCanonLock(aliases, ctx.Func, k)] = true
			}
		}
	})
	return out
}

// Value kinds assigned to a piece of state.
const (
	ilContainer = 1 << iota // list/dict/set displays, list(), deque()...
	ilObject                // another call: an object of some class
)

// ilValueKind classifies an assigned value.
func ilValueKind(v python.Expr) int {
	switch v := v.(type) {
	case *python.List, *python.Dict, *python.Set, *python.ListComp, *python.DictComp, *python.SetComp:
		return ilContainer
	case *python.Call:
		if lkMutableFactories[model.CalleeName(v)] {
			return ilContainer
		}
		return ilObject
	}
	return 0
}

// ilStateID is the state id of an assignment target: "Class\x00attr"
// for self.attr, "\x00name" for a global.
func ilStateID(m *model.Module, f *model.Func, t python.Expr) string {
	switch t := t.(type) {
	case *python.Attribute:
		if _, ok := t.Value.(*python.Name); !ok || f == nil {
			return ""
		}
		ref := m.Resolve(f, t)
		if ref.Kind == model.RefInstanceAttr && ref.Class != nil && ref.Key == "self."+t.Attr {
			return ref.Class.Qual + "\x00" + t.Attr
		}
	case *python.Name:
		if m.Resolve(f, t).Kind == model.RefGlobal {
			return "\x00" + t.ID
		}
	}
	return ""
}

// ilOwnedFunc reports whether a function runs while no other thread can
// reach the state it touches: __del__ (no references left), __setstate__
// (unpickling a fresh object), fork handlers (one thread in the child),
// and __repr__/__str__, whose reads are diagnostics.
func ilOwnedFunc(f *model.Func) bool {
	switch ilMethodName(f) {
	case "__del__", "__setstate__", "__repr__", "__str__":
		return true
	}
	return ilForkHandler(f)
}

// ilOwnedOnly lists the private methods and functions called only from
// owned code (init code, __setstate__, fork handlers, or other such
// functions) and never passed around.
func ilOwnedOnly(sites map[*model.Func][]ilSite, escapes map[*model.Func]bool) map[*model.Func]bool {
	out := map[*model.Func]bool{}
	for g, ss := range sites {
		if escapes[g] || len(ss) == 0 || !strings.HasPrefix(g.Name, "_") || (strings.HasPrefix(g.Name, "__") && strings.HasSuffix(g.Name, "__")) {
			continue
		}
		out[g] = true
	}
	for changed := true; changed; {
		changed = false
		for g := range out {
			for _, s := range sites[g] {
				if !s.owned && !out[s.caller] && !out[ilMethod(s.caller)] {
					delete(out, g)
					changed = true
					break
				}
			}
		}
	}
	return out
}

// ilLockHolders lists the state that carries its own lock (`with
// self.pools.lock:`, `_registry.lock.acquire()`): a synchronised object,
// whose accesses the lock inside it orders. Keys are "Class|self.x" and
// global names.
func ilLockHolders(m *model.Module) map[string]bool {
	out := map[string]bool{}
	add := func(f *model.Func, e python.Expr) {
		a, ok := e.(*python.Attribute)
		if !ok {
			return
		}
		if _, ok := m.LockKey(f, e); !ok {
			return
		}
		holder := model.DottedName(a.Value)
		if holder == "" || !strings.Contains(holder, ".") && !strings.HasPrefix(holder, "self") {
			if holder != "" {
				out[holder] = true // a global: _registry.lock
			}
			return
		}
		if strings.Count(holder, ".") == 1 && strings.HasPrefix(holder, "self.") {
			out[lkQualLock(f, holder)] = true
		}
	}
	m.WalkKinds(model.Kinds(model.KWith, model.KAsyncWith, model.KCall), func(ctx *model.Ctx, n python.Node) {
		switch n := n.(type) {
		case *python.With:
			for _, it := range n.Items {
				add(ctx.Func, it.ContextExpr)
			}
		case *python.AsyncWith:
			for _, it := range n.Items {
				add(ctx.Func, it.ContextExpr)
			}
		case *python.Call:
			if a, ok := n.Func.(*python.Attribute); ok && (a.Attr == "acquire" || a.Attr == "release") {
				add(ctx.Func, a.Value)
			}
		}
	})
	return out
}
