package rules

// Helpers shared by the flow rules: iterate-while-mutated (FT003),
// check-then-act (FT005) and unlocked-lazy-init (FT010). They need more than
// one node at a time: the mutations of a container anywhere in the module,
// the statements a check governs, the locks held at each statement. flow
// gathers that in one walk of the module.

import (
	"slices"
	"strings"

	"github.com/pyrace/pyrace/internal/python"
	"github.com/pyrace/pyrace/internal/scan/model"
)

// flow is what one walk of a module tells the flow rules.
type flow struct {
	m *model.Module
	// muts are the writes to containers and the rebindings, by state key.
	muts map[string][]*mutation
	// kinds are container kinds ("dict", "list", "set", "deque") known
	// from a construction, an annotation or a kind-specific method.
	kinds map[string]string
	// selfSet are the attributes each class assigns through self.
	selfSet map[*model.Class]map[string]bool
	// loopBound are the classes bound to an asyncio event loop (an
	// `async def` method, or `self._loop`): their instance state is
	// confined to the loop's thread.
	loopBound map[*model.Class]bool
	// pending are the mutations, kind hints and item reads seen during
	// the walk; their keys depend on selfSet, complete only after it.
	pending      []*mutation
	mutChunk     []mutation // where put allocates mutations, a chunk at a time
	pendingKinds []pendingKind
	itemReads    []itemRead
	// defaultdicts are the state keys holding a defaultdict, where
	// reading a missing key inserts it.
	defaultdicts map[string]bool
	// calls are the places each function of the module is called or
	// referenced from; inherited the locks every caller of a private
	// function holds; initOnly the private functions run only by init
	// code (module top level, constructors).
	calls     map[*model.Func][]callSite
	inherited map[*model.Func][]string
	initOnly  map[*model.Func]bool
	// ddNames and ddAttrs are the globals and attributes some assignment
	// gives a defaultdict (where an item read inserts).
	ddNames, ddAttrs map[string]bool
	funcByName       map[string]*model.Func

	// What each flow rule collects during the walk.
	iterSites   []iterSite // FT003
	iterSeen    map[python.Expr]bool
	exprRegions []region   // FT005
	orAssigns   []orAssign // FT010
}

// pendingKind is a container kind (or "defaultdict") learnt for ref.
type pendingKind struct {
	ref  model.Ref
	kind string
}

// itemRead is `x[k]` read, a mutation when x holds a defaultdict.
type itemRead struct {
	ctx  *model.Ctx
	node *python.Subscript
}

// callSite is a call of a module function or method, or a reference to it
// that lets it escape (a callback, a thread target).
type callSite struct {
	ctx  *model.Ctx
	call bool
}

// mutation is a write to shared state: an item store, a mutating method
// call, a del, or a rebinding of the name or attribute itself.
type mutation struct {
	// Node is the mutating statement or call.
	Node python.Node
	Ctx  *model.Ctx
	Ref  model.Ref
	// Op names the operation for messages ("append()", "item assignment").
	Op string
	// Removes is set for operations that can take an element away (del,
	// pop, remove, clear, a rebinding).
	Removes bool
	// Ambiguous is set for method names that non-containers have too
	// (update, add, pop, clear...): they count only for state known to
	// be a container.
	Ambiguous bool
	// Rebind is a store to the variable or attribute itself (`x = ...`,
	// `del x`), not a change of the object it holds.
	Rebind bool
	// ToNone is a rebinding to None (or a del).
	ToNone bool
	// Owned is set when the code doing it owns the state (init code,
	// module top level): not a run-time mutation.
	Owned bool
	// DefaultRead is an item read, a mutation only for a defaultdict.
	DefaultRead bool
}

type mutInfo struct {
	kind      string
	removes   bool
	ambiguous bool
}

// containerMethod describes a method that changes a container in place.
func containerMethod(name string) (mutInfo, bool) {
	switch name {
	case "append":
		return mutInfo{kind: "list"}, true
	case "extend":
		return mutInfo{kind: "list"}, true
	case "insert":
		return mutInfo{kind: "list"}, true
	case "remove":
		return mutInfo{removes: true, ambiguous: true}, true
	case "pop":
		return mutInfo{removes: true, ambiguous: true}, true
	case "popitem":
		return mutInfo{kind: "dict", removes: true}, true
	case "setdefault":
		return mutInfo{kind: "dict"}, true
	case "update":
		return mutInfo{ambiguous: true}, true
	case "clear":
		return mutInfo{removes: true, ambiguous: true}, true
	case "add":
		return mutInfo{kind: "set", ambiguous: true}, true
	case "discard":
		return mutInfo{kind: "set", removes: true}, true
	case "difference_update":
		return mutInfo{kind: "set", removes: true}, true
	case "intersection_update":
		return mutInfo{kind: "set", removes: true}, true
	case "symmetric_difference_update":
		return mutInfo{kind: "set", removes: true}, true
	case "sort":
		return mutInfo{kind: "list", ambiguous: true}, true
	case "reverse":
		return mutInfo{kind: "list", ambiguous: true}, true
	case "appendleft":
		return mutInfo{kind: "deque"}, true
	case "extendleft":
		return mutInfo{kind: "deque"}, true
	case "popleft":
		return mutInfo{kind: "deque", removes: true}, true
	case "rotate":
		return mutInfo{kind: "deque", ambiguous: true}, true
	case "__setitem__":
		return mutInfo{}, true
	case "__delitem__":
		return mutInfo{removes: true}, true
	}
	return mutInfo{}, false
}

// containerFunc describes a function that changes the container passed
// first.
func containerFunc(name string) (mutInfo, bool) {
	switch name {
	case "heappush":
		return mutInfo{kind: "list"}, true
	case "heappop":
		return mutInfo{kind: "list", removes: true}, true
	case "heapify":
		return mutInfo{kind: "list"}, true
	case "heapreplace":
		return mutInfo{kind: "list", removes: true}, true
	case "heappushpop":
		return mutInfo{kind: "list", removes: true}, true
	case "insort":
		return mutInfo{kind: "list"}, true
	case "insort_left":
		return mutInfo{kind: "list"}, true
	case "insort_right":
		return mutInfo{kind: "list"}, true
	}
	return mutInfo{}, false
}

// flowOf returns the flow of m, building it on first use: the three flow
// rules walk each module once, sharing it through the module's memo.
func flowOf(m *model.Module) *flow {
	return m.Memo("rules.flow", func() any { return newFlow(m) }).(*flow)
}

// newFlow walks m once.
func newFlow(m *model.Module) *flow {
	fl := &flow{
		m:       m,
		muts:    map[string][]*mutation{},
		kinds:   map[string]string{},
		selfSet: map[*model.Class]map[string]bool{},

		defaultdicts: map[string]bool{},
		calls:        map[*model.Func][]callSite{},
		inherited:    map[*model.Func][]string{},
		initOnly:     map[*model.Func]bool{},
		ddNames:      map[string]bool{},
		ddAttrs:      map[string]bool{},
		funcByName:   map[string]*model.Func{},
		iterSeen:     map[python.Expr]bool{},
		loopBound:    map[*model.Class]bool{},
	}
	for _, f := range m.Funcs {
		if f.Parent == nil && f.Class == nil {
			fl.funcByName[f.Name] = f
		}
	}
	for _, st := range m.File.Module.Body {
		if a, ok := st.(*python.Assign); ok {
			fl.noteDefaultdictTargets(a.Targets, a.Value)
		}
	}
	// Class bodies: `_registry = {}` makes Cls._registry a dict.
	for _, c := range m.Classes {
		for _, st := range c.Node.Body {
			var targets []python.Expr
			var value, ann python.Expr
			switch st := st.(type) {
			case *python.Assign:
				targets, value = st.Targets, st.Value
			case *python.AnnAssign:
				targets, value, ann = []python.Expr{st.Target}, st.Value, st.Annotation
			}
			for _, t := range targets {
				if n, ok := t.(*python.Name); ok {
					key := "C:" + c.Qual + "." + n.ID
					fl.setKind(key, containerKind(value))
					fl.setKind(key, annotationKind(ann))
					fl.noteDefaultdict(key, value)
				}
			}
			if a, ok := st.(*python.Assign); ok {
				fl.noteDefaultdictTargets(a.Targets, a.Value)
			}
		}
	}
	// Each collector for the kinds it looks at, in walk order; the model
	// noted the references to functions and methods, and the classes
	// bound to an event loop, as it walked.
	kinds := model.Kinds(model.KCall, model.KDelete, model.KAssign, model.KAnnAssign, model.KAugAssign,
		model.KIfExp, model.KBoolOp, model.KFor, model.KListComp, model.KSetComp, model.KDictComp, model.KGeneratorExp, model.KYieldFrom)
	m.WalkKinds(kinds, func(ctx *model.Ctx, n python.Node) {
		switch n.(type) {
		case *python.Call:
			fl.record(ctx, n)
			fl.collectIterSites(ctx, n)
		case *python.Delete:
			fl.record(ctx, n)
		case *python.Assign:
			fl.noteSelfSet(ctx, n)
			fl.record(ctx, n)
			fl.collectOrAssign(ctx, n)
		case *python.AnnAssign, *python.AugAssign:
			fl.noteSelfSet(ctx, n)
			fl.record(ctx, n)
		case *python.IfExp, *python.BoolOp:
			fl.collectExprRegions(ctx, n)
		default: // loops, comprehensions, yield from
			fl.collectIterSites(ctx, n)
		}
	})
	for _, r := range m.FuncRefs() {
		fl.recordCall(r)
	}
	for _, c := range m.Classes {
		if c.LoopBound {
			fl.loopBound[c] = true
		}
	}
	// Keys are known now that selfSet is complete.
	for _, pk := range fl.pendingKinds {
		key := fl.key(pk.ref)
		if pk.kind == "defaultdict" {
			fl.defaultdicts[key] = true
			fl.setKind(key, "dict")
		} else {
			fl.setKind(key, pk.kind)
		}
	}
	// Item reads matter only where a defaultdict is assigned somewhere.
	if len(fl.ddNames) > 0 || len(fl.ddAttrs) > 0 {
		m.WalkKinds(model.Kinds(model.KSubscript), func(ctx *model.Ctx, n python.Node) {
			if sub := n.(*python.Subscript); sub.Ctx == python.Load {
				switch sub.Value.(type) {
				case *python.Name, *python.Attribute:
					fl.itemReads = append(fl.itemReads, itemRead{ctx, sub})
				}
			}
		})
	}
	for _, r := range fl.itemReads {
		dd := false
		switch v := r.node.Value.(type) {
		case *python.Name:
			dd = fl.ddNames[v.ID]
		case *python.Attribute:
			dd = fl.ddAttrs[v.Attr]
		}
		if !dd {
			continue
		}
		if ref, ok := fl.resolveState(r.ctx, r.node.Value); ok && fl.defaultdicts[fl.key(ref)] {
			fl.put(r.ctx, ref, mutation{Node: r.node, Op: "item read of a defaultdict, which inserts missing keys", DefaultRead: true})
		}
	}
	fl.summarize()
	for _, mu := range fl.pending {
		mu.Owned = fl.owned(mu.Ctx, mu.Ref)
		key := fl.key(mu.Ref)
		fl.muts[key] = append(fl.muts[key], mu)
	}
	fl.pending = nil
	return fl
}

// noteSelfSet records attributes assigned through self, and the targets
// given a defaultdict.
func (fl *flow) noteSelfSet(ctx *model.Ctx, n python.Node) {
	var targets []python.Expr
	switch n := n.(type) {
	case *python.Assign:
		targets = n.Targets
		fl.noteDefaultdictTargets(n.Targets, n.Value)
	case *python.AnnAssign:
		targets = []python.Expr{n.Target}
	case *python.AugAssign:
		targets = []python.Expr{n.Target}
	default:
		return
	}
	if ctx.Func == nil {
		return
	}
	meth := methodOf(ctx.Func)
	if meth == nil || meth.SelfName == "" {
		return
	}
	for _, t := range flatTargets(targets) {
		if a, ok := t.(*python.Attribute); ok {
			if b, ok := a.Value.(*python.Name); ok && b.ID == meth.SelfName {
				set := fl.selfSet[meth.Class]
				if set == nil {
					set = map[string]bool{}
					fl.selfSet[meth.Class] = set
				}
				set[a.Attr] = true
			}
		}
	}
}

// recordCall notes a reference to a module function or a method: a call
// site, or a reference that lets it escape (a callback, a thread target).
func (fl *flow) recordCall(r model.FuncRef) {
	ctx, e := r.Ctx, r.Node
	if _, isName := e.(*python.Name); isName && fl.m.Resolve(ctx.Func, e).Kind != model.RefGlobal {
		return // a local of the same name
	}
	call := r.Call
	if !call && ctx.Stmt != nil {
		// A decorator is called where the definition runs.
		var decs []python.Expr
		switch d := ctx.Stmt.(type) {
		case *python.FunctionDef:
			decs = d.DecoratorList
		case *python.AsyncFunctionDef:
			decs = d.DecoratorList
		case *python.ClassDef:
			decs = d.DecoratorList
		}
		call = slices.Contains(decs, e)
	}
	fl.calls[r.Func] = append(fl.calls[r.Func], callSite{ctx: ctx, call: call})
}

// private reports whether a function can only be called from its module
// (or class): `_name`, not a dunder.
func private(f *model.Func) bool {
	return strings.HasPrefix(f.Name, "_") && !strings.HasSuffix(f.Name, "__")
}

// summarize computes, from the call sites, the locks private functions
// inherit from all their callers and the private functions run only at
// import or construction time.
func (fl *flow) summarize() {
	for range 4 {
		changed := false
		for f, sites := range fl.calls {
			if !private(f) || f.Parent != nil {
				continue
			}
			var common []string
			init := true
			for i, cs := range sites {
				if !cs.call {
					common, init = nil, false
					break
				}
				h := fl.held(cs.ctx)
				if i == 0 {
					common = slices.Clone(h)
				} else {
					common = slices.DeleteFunc(common, func(k string) bool { return !slices.Contains(h, k) })
				}
				if !(cs.ctx.Func == nil || fl.initOnly[cs.ctx.Func] || (f.Class != nil && cs.ctx.Func.Init && cs.ctx.Func.Parent == nil)) {
					init = false
				}
			}
			if len(common) > len(fl.inherited[f]) {
				fl.inherited[f] = common
				changed = true
			}
			if init && f.Class == nil && !fl.initOnly[f] {
				fl.initOnly[f] = true
				changed = true
			}
		}
		if !changed {
			break
		}
	}
}

// held are the locks held in ctx, with those every caller of the
// enclosing private function holds.
func (fl *flow) held(ctx *model.Ctx) []string {
	if ctx == nil || ctx.Func == nil {
		return nil
	}
	inh := fl.inherited[ctx.Func]
	if len(inh) == 0 {
		return ctx.Held
	}
	out := slices.Clone(ctx.Held)
	for _, k := range inh {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// noteDefaultdictTargets remembers the names and attributes assigned a
// defaultdict, so that item reads are recorded only for them.
func (fl *flow) noteDefaultdictTargets(targets []python.Expr, value python.Expr) {
	call, ok := value.(*python.Call)
	if !ok || model.CalleeName(call) != "defaultdict" {
		return
	}
	for _, t := range targets {
		switch t := t.(type) {
		case *python.Name:
			fl.ddNames[t.ID] = true
		case *python.Attribute:
			fl.ddAttrs[t.Attr] = true
		}
	}
}

// methodOf is the method f is or is nested in, nil for plain functions.
func methodOf(f *model.Func) *model.Func {
	for g := f; g != nil; g = g.Parent {
		if g.Class != nil {
			return g
		}
	}
	return nil
}

// noteDefaultdict remembers that key holds a defaultdict.
func (fl *flow) noteDefaultdict(key string, value python.Expr) {
	if call, ok := value.(*python.Call); ok && model.CalleeName(call) == "defaultdict" {
		fl.defaultdicts[key] = true
	}
}

func (fl *flow) setKind(key, kind string) {
	if kind != "" && fl.kinds[key] == "" {
		fl.kinds[key] = kind
	}
}

// key identifies a piece of shared state across the module. An attribute
// read through self that only the class body assigns is the class
// attribute: `self._registry[k] = v` mutates Cls._registry.
func (fl *flow) key(ref model.Ref) string {
	switch ref.Kind {
	case model.RefInstanceAttr:
		if ref.Class == nil {
			return fl.m.Concat("I:", ref.Key)
		}
		if fl.selfIsClassAttr(ref) {
			return fl.m.Concat("C:", ref.Class.Qual, ".", ref.Name)
		}
		return fl.m.Concat("I:", ref.Class.Qual, ":", ref.Key)
	case model.RefClassAttr:
		if ref.Class == nil {
			return fl.m.Concat("C:", ref.Key)
		}
		if ref.Key == ref.Class.Name+"."+ref.Name {
			return fl.m.Concat("C:", ref.Class.Qual, ".", ref.Name)
		}
		return fl.m.Concat("C:", ref.Class.Qual, ":", ref.Key)
	case model.RefGlobal:
		return fl.m.Concat("G:", ref.Key)
	case model.RefModuleAttr:
		return fl.m.Concat("M:", ref.Key)
	case model.RefNonlocal:
		return fl.m.Concat("N:", ref.Key)
	}
	return ""
}

// selfIsClassAttr reports whether an instance attribute's key is its
// class attribute's: `self.x` of a class whose body assigns x and whose
// methods never assign self.x (what key does, without building the key).
func (fl *flow) selfIsClassAttr(ref model.Ref) bool {
	return ref.Class != nil && len(ref.Key) == len("self.")+len(ref.Name) && strings.HasPrefix(ref.Key, "self.") &&
		ref.Key[len("self."):] == ref.Name && ref.Class.ClassAttrs[ref.Name] && !fl.selfSet[ref.Class][ref.Name]
}

// record notes the mutations and container evidence of one node.
func (fl *flow) record(ctx *model.Ctx, n python.Node) {
	switch n := n.(type) {
	case *python.Assign:
		for _, t := range flatTargets(n.Targets) {
			fl.store(ctx, n, t, n.Value, nil)
		}
	case *python.AnnAssign:
		if n.Value != nil {
			fl.store(ctx, n, n.Target, n.Value, n.Annotation)
		} else if ref, ok := fl.resolveState(ctx, n.Target); ok {
			fl.kindOf(ref, annotationKind(n.Annotation))
		}
	case *python.AugAssign:
		switch t := n.Target.(type) {
		case *python.Subscript:
			fl.add(ctx, n, t.Value, mutInfo{}, "item update", "")
		case *python.Name, *python.Attribute:
			switch n.Op {
			case python.Add, python.BitOr, python.BitAnd, python.Sub, python.BitXor:
				fl.add(ctx, n, t, mutInfo{ambiguous: true, removes: n.Op != python.Add && n.Op != python.BitOr}, opSymbol(n.Op), "=")
			}
		}
	case *python.Delete:
		for _, t := range flatTargets(n.Targets) {
			switch t := t.(type) {
			case *python.Subscript:
				fl.add(ctx, n, t.Value, mutInfo{removes: true}, "del", "")
			case *python.Name, *python.Attribute:
				if ref, ok := fl.resolveState(ctx, t); ok {
					fl.put(ctx, ref, mutation{Node: n, Op: "del", Removes: true, Rebind: true, ToNone: true})
				}
			}
		}
	case *python.Call:
		switch f := n.Func.(type) {
		case *python.Attribute:
			if info, ok := containerMethod(f.Attr); ok {
				fl.add(ctx, n, f.Value, info, f.Attr, "()")
				return
			}
			if info, ok := containerFunc(f.Attr); ok && len(n.Args) > 0 {
				if mod, ok := f.Value.(*python.Name); ok && (mod.ID == "heapq" || mod.ID == "bisect") {
					fl.add(ctx, n, n.Args[0], info, f.Attr, "()")
				}
			}
		case *python.Name:
			if info, ok := containerFunc(f.ID); ok && len(n.Args) > 0 {
				fl.add(ctx, n, n.Args[0], info, f.ID, "()")
			}
		}
	}
}

// store handles `target = value`.
func (fl *flow) store(ctx *model.Ctx, stmt python.Stmt, target, value, ann python.Expr) {
	switch t := target.(type) {
	case *python.Subscript:
		if _, isSlice := t.Slice.(*python.Slice); isSlice {
			fl.add(ctx, stmt, t.Value, mutInfo{kind: "list"}, "slice assignment", "")
		} else if isIntIndex(t.Slice) {
			fl.add(ctx, stmt, t.Value, mutInfo{}, "item replacement", "")
		} else {
			fl.add(ctx, stmt, t.Value, mutInfo{}, "item assignment", "")
		}
	case *python.Name, *python.Attribute:
		ref, ok := fl.resolveState(ctx, t)
		if !ok {
			return
		}
		fl.kindOf(ref, containerKind(value))
		fl.kindOf(ref, annotationKind(ann))
		if call, ok := value.(*python.Call); ok && model.CalleeName(call) == "defaultdict" {
			fl.kindOf(ref, "defaultdict")
		}
		fl.put(ctx, ref, mutation{Node: stmt, Op: "rebinding", Removes: isNone(value) || isEmpty(value), Rebind: true, ToNone: isNone(value)})
	}
}

// add records a change of the container e, the operation op+suffix
// ("append" "()"), joined only when e is shared state.
func (fl *flow) add(ctx *model.Ctx, node python.Node, e python.Expr, info mutInfo, op, suffix string) {
	switch e.(type) {
	case *python.Name, *python.Attribute:
	default:
		return
	}
	ref, ok := fl.resolveState(ctx, e)
	if !ok {
		return
	}
	if !info.ambiguous {
		fl.kindOf(ref, info.kind)
	}
	if suffix != "" {
		op = fl.m.Concat(op, suffix)
	}
	fl.put(ctx, ref, mutation{Node: node, Op: op, Removes: info.removes, Ambiguous: info.ambiguous})
}

func (fl *flow) put(ctx *model.Ctx, ref model.Ref, m mutation) {
	if len(fl.mutChunk) == cap(fl.mutChunk) {
		// Chunks grow with the module: most have a few mutations.
		fl.mutChunk = make([]mutation, 0, min(64, max(4, 2*cap(fl.mutChunk))))
	}
	fl.mutChunk = append(fl.mutChunk, m)
	mu := &fl.mutChunk[len(fl.mutChunk)-1]
	mu.Ctx = ctx
	mu.Ref = ref
	fl.pending = append(fl.pending, mu)
}

// kindOf notes a container kind for ref, keyed after the walk.
func (fl *flow) kindOf(ref model.Ref, kind string) {
	if kind != "" {
		fl.pendingKinds = append(fl.pendingKinds, pendingKind{ref, kind})
	}
}

// resolveState resolves e to shared state (whoever touches it). Imported
// modules and the module's own classes and functions are not state.
func (fl *flow) resolveState(ctx *model.Ctx, e python.Expr) (model.Ref, bool) {
	ref := fl.m.Resolve(ctx.Func, e)
	if !ref.Shared() { // every shared kind has a key
		return ref, false
	}
	if ref.Kind == model.RefGlobal {
		if n, ok := e.(*python.Name); ok {
			if _, isMod := fl.m.ModuleImports[n.ID]; isMod {
				return ref, false
			}
			if fl.m.ClassByQual(n.ID) != nil {
				return ref, false
			}
		}
	}
	return ref, true
}

// runtimeMutations lists the mutations of key done at run time.
func (fl *flow) runtimeMutations(key string) []*mutation {
	var out []*mutation
	for _, mu := range fl.muts[key] {
		if !mu.Owned {
			out = append(out, mu)
		}
	}
	return out
}

// owned reports whether the code in ctx owns ref: module top level and
// class bodies own everything; constructors and set-up own the instance
// they build but not class attributes, module globals or closure
// variables, which every instance (and every thread constructing one)
// shares; thread-confined code owns what it touches.
func owned(ctx *model.Ctx, ref model.Ref) bool {
	if ctx.Func == nil {
		return true
	}
	if ctx.Func.ForkHandler {
		return true // fork handlers run in a child with one thread
	}
	if !unowned(ctx) && !ctx.Init() {
		return true // thread-confined
	}
	if !ctx.Init() {
		return false
	}
	switch ref.Kind {
	case model.RefGlobal, model.RefModuleAttr, model.RefClassAttr, model.RefNonlocal:
		if ctx.Func.Parent != nil {
			return false // a closure made in init code runs later
		}
		meth := methodOf(ctx.Func)
		if meth == nil {
			return true
		}
		switch meth.Name {
		case "setUp", "setUpClass", "asyncSetUp", "setup_method", "setup_class",
			"__init_subclass__", "__set_name__", "__class_getitem__":
			return true
		}
		return false
	}
	return true
}

// sharedRef resolves e and reports whether it is shared state that the code
// in ctx does not own.
func (fl *flow) sharedRef(ctx *model.Ctx, e python.Expr) (model.Ref, bool) {
	ref, ok := fl.resolveState(ctx, e)
	if !ok || fl.owned(ctx, ref) {
		return ref, false
	}
	return ref, true
}

// owned is owned() with self attributes that alias class attributes
// treated as class attributes.
func (fl *flow) owned(ctx *model.Ctx, ref model.Ref) bool {
	if ctx.Func != nil && fl.initOnly[ctx.Func] {
		return true
	}
	if ref.Kind == model.RefInstanceAttr && fl.selfIsClassAttr(ref) {
		ref.Kind = model.RefClassAttr
	}
	if ref.Kind == model.RefInstanceAttr && ref.Class != nil && fl.loopBound[ref.Class] {
		return true // asyncio objects belong to their event loop's thread
	}
	return owned(ctx, ref)
}

// sharesLock reports whether two held-lock lists have a lock in common.
func sharesLock(a, b []string) bool {
	for _, k := range a {
		if slices.Contains(b, k) {
			return true
		}
	}
	return false
}

// heldText names the locks held, for messages.
func heldText(held []string) string {
	return strings.Join(held, ", ")
}

// heldDesc names the locks held in ctx, saying which come from the
// callers of a private function.
func (fl *flow) heldDesc(ctx *model.Ctx) string {
	var own, inh []string
	for _, k := range fl.held(ctx) {
		if slices.Contains(ctx.Held, k) {
			own = append(own, k)
		} else {
			inh = append(inh, k)
		}
	}
	out := heldText(own)
	if len(inh) > 0 {
		if out != "" {
			out += ", "
		}
		out += heldText(inh) + " (held by every caller of " + ctx.Func.Name + ")"
	}
	return out
}

// containerKind is the kind of container an expression builds, "" when it
// builds none.
func containerKind(e python.Expr) string {
	switch e := e.(type) {
	case *python.Dict, *python.DictComp:
		return "dict"
	case *python.List, *python.ListComp:
		return "list"
	case *python.Set, *python.SetComp:
		return "set"
	case *python.Call:
		switch model.CalleeName(e) {
		case "dict", "OrderedDict", "defaultdict", "Counter", "WeakValueDictionary", "WeakKeyDictionary":
			return "dict"
		case "list":
			return "list"
		case "set", "WeakSet":
			return "set"
		case "deque":
			return "deque"
		}
	}
	return ""
}

// annotationKind is the container kind an annotation names.
func annotationKind(e python.Expr) string {
	if e == nil {
		return ""
	}
	if s, ok := e.(*python.Subscript); ok {
		e = s.Value
	}
	name := model.DottedName(e)
	switch name[strings.LastIndexByte(name, '.')+1:] {
	case "dict", "Dict", "OrderedDict", "DefaultDict", "defaultdict", "Counter", "MutableMapping":
		return "dict"
	case "list", "List", "MutableSequence":
		return "list"
	case "set", "Set", "MutableSet":
		return "set"
	case "deque", "Deque":
		return "deque"
	}
	return ""
}

// isIntIndex reports whether e is an int constant, possibly negated: a
// list index.
func isIntIndex(e python.Expr) bool {
	if u, ok := e.(*python.UnaryOp); ok && u.Op == python.USub {
		e = u.Operand
	}
	c, ok := e.(*python.Constant)
	return ok && c.Value.Kind == python.IntValue
}

// isEmpty reports whether e builds an empty container: `[]`, `{}`,
// `set()`, `dict()`, `()`.
func isEmpty(e python.Expr) bool {
	switch e := e.(type) {
	case *python.List:
		return len(e.Elts) == 0
	case *python.Tuple:
		return len(e.Elts) == 0
	case *python.Dict:
		return len(e.Keys) == 0
	case *python.Call:
		return len(e.Args) == 0 && len(e.Keywords) == 0 && containerKind(e) != ""
	}
	return false
}

// isNone reports whether e is the constant None.
func isNone(e python.Expr) bool {
	c, ok := e.(*python.Constant)
	return ok && c.Value.Kind == python.NoneValue
}

// flatTargets flattens tuple and list targets. The result may be targets
// itself: callers must not change it.
func flatTargets(targets []python.Expr) []python.Expr {
	flat := true
	for _, t := range targets {
		switch t.(type) {
		case *python.Tuple, *python.List, *python.Starred:
			flat = false
		}
	}
	if flat {
		return targets
	}
	var out []python.Expr
	for _, t := range targets {
		switch t := t.(type) {
		case *python.Tuple:
			out = append(out, flatTargets(t.Elts)...)
		case *python.List:
			out = append(out, flatTargets(t.Elts)...)
		case *python.Starred:
			out = append(out, flatTargets([]python.Expr{t.Value})...)
		default:
			out = append(out, t)
		}
	}
	return out
}

// inspectScope inspects statements without entering nested functions,
// classes and lambdas (they run at another time).
func inspectScope(body []python.Stmt, fn func(python.Node) bool) {
	for _, s := range body {
		python.Inspect(s, func(n python.Node) bool {
			switch n.(type) {
			case *python.FunctionDef, *python.AsyncFunctionDef, *python.ClassDef, *python.Lambda:
				return false
			}
			return fn(n)
		})
	}
}

// inspectExpr inspects an expression without entering lambdas.
func inspectExpr(e python.Expr, fn func(python.Node) bool) {
	if e == nil {
		return
	}
	python.Inspect(e, func(n python.Node) bool {
		if _, ok := n.(*python.Lambda); ok {
			return false
		}
		return fn(n)
	})
}

// ownExprs are the expressions a statement evaluates itself, without
// those of the statements nested in it.
func ownExprs(s python.Stmt) []python.Expr {
	switch s := s.(type) {
	case *python.If:
		return []python.Expr{s.Test}
	case *python.While:
		return []python.Expr{s.Test}
	case *python.For:
		return []python.Expr{s.Target, s.Iter}
	case *python.AsyncFor:
		return []python.Expr{s.Target, s.Iter}
	case *python.With:
		var out []python.Expr
		for _, it := range s.Items {
			out = append(out, it.ContextExpr)
		}
		return out
	case *python.AsyncWith:
		var out []python.Expr
		for _, it := range s.Items {
			out = append(out, it.ContextExpr)
		}
		return out
	case *python.Match:
		return []python.Expr{s.Subject}
	case *python.Try, *python.TryStar, *python.FunctionDef, *python.AsyncFunctionDef, *python.ClassDef:
		return nil
	}
	return nil
}

// eachChildBlock calls fn with each statement list nested in s (not in
// nested functions or classes).
func eachChildBlock(s python.Stmt, fn func([]python.Stmt)) {
	switch s := s.(type) {
	case *python.If:
		fn(s.Body)
		fn(s.Orelse)
	case *python.For:
		fn(s.Body)
		fn(s.Orelse)
	case *python.AsyncFor:
		fn(s.Body)
		fn(s.Orelse)
	case *python.While:
		fn(s.Body)
		fn(s.Orelse)
	case *python.With:
		fn(s.Body)
	case *python.AsyncWith:
		fn(s.Body)
	case *python.Try:
		fn(s.Body)
		for _, h := range s.Handlers {
			fn(h.Body)
		}
		fn(s.Orelse)
		fn(s.Finalbody)
	case *python.TryStar:
		fn(s.Body)
		for _, h := range s.Handlers {
			fn(h.Body)
		}
		fn(s.Orelse)
		fn(s.Finalbody)
	case *python.Match:
		for _, c := range s.Cases {
			fn(c.Body)
		}
	}
}

// isCompound reports whether s nests statements.
func isCompound(s python.Stmt) bool {
	switch s.(type) {
	case *python.If, *python.For, *python.AsyncFor, *python.While, *python.With, *python.AsyncWith,
		*python.Try, *python.TryStar, *python.Match:
		return true
	}
	return false
}

// regionVisitor sees one node of a region: a statement, or an expression
// of a statement (with that statement's context). It returns whether to
// look inside.
type regionVisitor func(ctx *model.Ctx, n python.Node) bool

// scanStmts visits the statements of a region in order, each with its
// context, and the expressions they evaluate themselves; nested blocks are
// visited when fn accepts the compound statement.
func (fl *flow) scanStmts(stmts []python.Stmt, fallback *model.Ctx, fn regionVisitor) {
	for _, s := range stmts {
		ctx := fl.m.StmtCtx(s)
		if ctx == nil {
			ctx = fallback
		}
		if !fn(ctx, s) {
			continue
		}
		switch s.(type) {
		case *python.FunctionDef, *python.AsyncFunctionDef, *python.ClassDef:
			continue
		}
		if isCompound(s) {
			for _, e := range ownExprs(s) {
				fl.scanExpr(e, ctx, fn)
			}
			eachChildBlock(s, func(b []python.Stmt) { fl.scanStmts(b, ctx, fn) })
			continue
		}
		python.Inspect(s, func(n python.Node) bool {
			if n == python.Node(s) {
				return true
			}
			if _, ok := n.(*python.Lambda); ok {
				return false
			}
			return fn(ctx, n)
		})
	}
}

// scanExpr visits an expression of a region.
func (fl *flow) scanExpr(e python.Expr, ctx *model.Ctx, fn regionVisitor) {
	inspectExpr(e, func(n python.Node) bool { return fn(ctx, n) })
}

// exprEqual reports whether two expressions are written the same way
// (structurally, ignoring positions).
func exprEqual(a, b python.Expr) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	switch a := a.(type) {
	case *python.Name:
		b, ok := b.(*python.Name)
		return ok && a.ID == b.ID
	case *python.Attribute:
		b, ok := b.(*python.Attribute)
		return ok && a.Attr == b.Attr && exprEqual(a.Value, b.Value)
	case *python.Subscript:
		b, ok := b.(*python.Subscript)
		return ok && exprEqual(a.Value, b.Value) && exprEqual(a.Slice, b.Slice)
	case *python.Constant:
		b, ok := b.(*python.Constant)
		return ok && a.Value == b.Value
	case *python.Call:
		b, ok := b.(*python.Call)
		if !ok || !exprEqual(a.Func, b.Func) || !exprsEqual(a.Args, b.Args) || len(a.Keywords) != len(b.Keywords) {
			return false
		}
		for i, k := range a.Keywords {
			if k.Arg != b.Keywords[i].Arg || !exprEqual(k.Value, b.Keywords[i].Value) {
				return false
			}
		}
		return true
	case *python.BinOp:
		b, ok := b.(*python.BinOp)
		return ok && a.Op == b.Op && exprEqual(a.Left, b.Left) && exprEqual(a.Right, b.Right)
	case *python.UnaryOp:
		b, ok := b.(*python.UnaryOp)
		return ok && a.Op == b.Op && exprEqual(a.Operand, b.Operand)
	case *python.Tuple:
		b, ok := b.(*python.Tuple)
		return ok && exprsEqual(a.Elts, b.Elts)
	case *python.List:
		b, ok := b.(*python.List)
		return ok && exprsEqual(a.Elts, b.Elts)
	case *python.JoinedStr:
		b, ok := b.(*python.JoinedStr)
		return ok && exprsEqual(a.Values, b.Values)
	case *python.FormattedValue:
		b, ok := b.(*python.FormattedValue)
		return ok && a.Conversion == b.Conversion && exprEqual(a.Value, b.Value) && exprEqual(a.FormatSpec, b.FormatSpec)
	case *python.Starred:
		b, ok := b.(*python.Starred)
		return ok && exprEqual(a.Value, b.Value)
	case *python.Slice:
		b, ok := b.(*python.Slice)
		return ok && exprEqual(a.Lower, b.Lower) && exprEqual(a.Upper, b.Upper) && exprEqual(a.Step, b.Step)
	}
	return false
}

func exprsEqual(a, b []python.Expr) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !exprEqual(a[i], b[i]) {
			return false
		}
	}
	return true
}

// within reports whether span inner lies inside span outer.
func within(inner, outer python.Span) bool {
	before := func(l1, c1, l2, c2 int) bool { return l1 < l2 || (l1 == l2 && c1 <= c2) }
	return before(outer.Line, outer.Col, inner.Line, inner.Col) && before(inner.EndLine, inner.EndCol, outer.EndLine, outer.EndCol)
}

// codeAt is the source of the node's first line, trimmed and shortened,
// for messages.
func codeAt(m *model.Module, n python.Node) string {
	s := strings.TrimSpace(m.Line(n.Pos().Line))
	if i := strings.Index(s, "  #"); i > 0 {
		s = strings.TrimSpace(s[:i])
	}
	if r := []rune(s); len(r) > 60 {
		s = string(r[:57]) + "..."
	}
	return s
}

// exprText is the source of a one-line expression, "" otherwise.
func exprText(m *model.Module, e python.Node) string {
	if e == nil || (asExpr(e) == nil && !isStmt(e)) {
		return ""
	}
	sp := e.Pos()
	if sp.Line != sp.EndLine {
		if d := model.DottedName(asExpr(e)); d != "" {
			return d
		}
		return ""
	}
	l := m.Line(sp.Line)
	if sp.Col < 0 || sp.EndCol > len(l) || sp.Col >= sp.EndCol {
		return ""
	}
	return l[sp.Col:sp.EndCol]
}

func isStmt(n python.Node) bool {
	_, ok := n.(python.Stmt)
	return ok
}

func asExpr(n python.Node) python.Expr {
	e, _ := n.(python.Expr)
	return e
}

// funcLabel names the function a context is in, for messages.
func funcLabel(ctx *model.Ctx) string {
	if ctx == nil || ctx.Func == nil {
		return "module code"
	}
	return ctx.Func.Qual
}

// concurrencyIntent reports whether the code around ctx shows it expects
// threads: the module or class has intent, or the audit mode covers it.
func concurrencyIntent(m *model.Module, ctx *model.Ctx) bool {
	if m.Intent != "" || m.Options().AssumeThreaded {
		return true
	}
	if ctx != nil {
		for f := ctx.Func; f != nil; f = f.Parent {
			if f.Class != nil && f.Class.Intent != "" {
				return true
			}
		}
	}
	return false
}
