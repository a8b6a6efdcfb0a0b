package rules

import (
	"slices"
	"strings"

	"github.com/pyrace/pyrace/internal/python"
	"github.com/pyrace/pyrace/internal/scan"
	"github.com/pyrace/pyrace/internal/scan/model"
)

// lsFacts is what the list rules (FT002 heap-check-then-pop, FT004
// append-index-allocator, FT008 shared-list-nullification) know about a
// module beyond the model: the context of every statement, local aliases of
// shared state (`h = self._heap`), the locks each piece of state is
// accessed under (so that a region holding the WRONG lock is not taken as
// protected), the locks private methods inherit from callers that all hold
// them (`put()` calls `self._put()` under `self.mutex`), and Condition
// objects built on another lock.
//
// Part of this belongs in the model (see the report of the rules that use
// it): statement contexts, aliases, inherited locks and lock aliases.
type lsFacts struct {
	m *model.Module
	// aliases maps, per function, locals bound once to shared state to
	// the expression they alias.
	aliases map[*model.Func]map[string]python.Expr
	// access are the locked accesses of each piece of state (by lsStateID).
	access map[string][]lsAccess
	// inherit are the locks a private method runs under because every
	// call site holds them.
	inherit map[*model.Func][]string
	// lockAlias maps a Condition built on a lock to that lock.
	lockAlias map[string]string
	// walked is set once the walk has gathered access, inherit and
	// lockAlias (see complete).
	walked bool
}

type lsAccess struct {
	held []string
	fn   *model.Func
}

// lsSelfCall is a call `self._m(...)` with the locks its caller holds.
type lsSelfCall struct {
	held []string
}

// lsFactsOf returns the list rules' facts about m, shared by the three
// rules through the module's memo. The aliases are known at once, so that
// a rule may call lf.resolve while it walks the module; the rest is
// gathered by lf.complete, which protect and heldDisplay call.
func lsFactsOf(m *model.Module) *lsFacts {
	return m.Memo("rules.lsFacts", func() any {
		lf := &lsFacts{
			m:       m,
			aliases: map[*model.Func]map[string]python.Expr{},
		}
		for _, f := range m.Funcs {
			lf.collectAliases(f)
		}
		return lf
	}).(*lsFacts)
}

// complete walks the module once for the statement contexts, the locked
// accesses, the locks private methods inherit and the lock aliases.
func (lf *lsFacts) complete() {
	if lf.walked {
		return
	}
	lf.walked = true
	m := lf.m
	lf.access = map[string][]lsAccess{}
	lf.inherit = map[*model.Func][]string{}
	lf.lockAlias = map[string]string{}
	calls := map[string][]lsSelfCall{}
	escaped := map[string]bool{}
	called := map[*python.Attribute]bool{}
	m.WalkKinds(model.Kinds(model.KCall, model.KAssign, model.KAttribute, model.KName), func(ctx *model.Ctx, n python.Node) {
		switch n := n.(type) {
		case *python.Call:
			if a, ok := n.Func.(*python.Attribute); ok {
				called[a] = true
				if recv, ok := a.Value.(*python.Name); ok && lsSelfOrCls(ctx.Func, recv.ID) && lsPrivate(a.Attr) {
					calls[a.Attr] = append(calls[a.Attr], lsSelfCall{held: ctx.Held})
				}
			}
		case *python.Assign:
			if call, ok := n.Value.(*python.Call); ok && model.CalleeName(call) == "Condition" && len(call.Args) > 0 && len(n.Targets) == 1 {
				if k, ok := m.LockKey(ctx.Func, n.Targets[0]); ok {
					if l, ok := m.LockKey(ctx.Func, call.Args[0]); ok && l != k {
						lf.lockAlias[k] = l
					}
				}
			}
		case *python.Attribute:
			if recv, ok := n.Value.(*python.Name); ok && !called[n] && lsPrivate(n.Attr) && lsSelfOrCls(ctx.Func, recv.ID) {
				escaped[n.Attr] = true
			}
		}
		if ctx.Locked() {
			switch n.(type) {
			case *python.Name, *python.Attribute:
				if ref := lf.resolve(ctx.Func, n.(python.Expr)); ref.Shared() {
					id := lsStateID(ref)
					lf.access[id] = append(lf.access[id], lsAccess{held: lf.held(ctx), fn: ctx.Func})
				}
			}
		}
	})
	// A private method every call site of which holds a lock runs under
	// that lock (one level: callers' inherited locks are not chained).
	for _, f := range m.Funcs {
		if f.Class == nil || f.Parent != nil || f.Init || !lsPrivate(f.Name) || escaped[f.Name] {
			continue
		}
		sites := calls[f.Name]
		if len(sites) == 0 {
			continue
		}
		common := lf.canon(sites[0].held)
		for _, s := range sites[1:] {
			h := lf.canon(s.held)
			common = slices.DeleteFunc(common, func(k string) bool { return !slices.Contains(h, k) })
		}
		if len(common) > 0 {
			lf.inherit[f] = common
		}
	}
}

// lsPrivate reports whether a method name is private but not a dunder.
func lsPrivate(name string) bool {
	return strings.HasPrefix(name, "_") && !strings.HasPrefix(name, "__")
}

// lsSelfOrCls reports whether id is the self or cls parameter of the
// method f belongs to.
func lsSelfOrCls(f *model.Func, id string) bool {
	for g := f; g != nil; g = g.Parent {
		if g.Class != nil {
			return id == g.SelfName || id == g.ClsName
		}
	}
	return false
}

// collectAliases records the locals of f bound exactly once, by a plain
// `x = <shared state>` (a Name or Attribute chain), and never otherwise.
func (lf *lsFacts) collectAliases(f *model.Func) {
	as := f.Aliases()
	if len(as) == 0 {
		return
	}
	cand := make(map[string]python.Expr, len(as))
	for _, a := range as {
		cand[a.Name] = a.Value
	}
	params := map[string]bool{}
	for _, p := range lsArgNames(f.Args) {
		params[p] = true
	}
	for id, e := range cand {
		if params[id] || f.Globals[id] || f.Nonlocals[id] || f.Stores(id) != 1 {
			continue
		}
		if ref := lf.m.Resolve(f, e); ref.Shared() {
			if lf.aliases[f] == nil {
				lf.aliases[f] = map[string]python.Expr{}
			}
			lf.aliases[f][id] = e
		}
	}
}

func lsArgNames(a *python.Arguments) []string {
	if a == nil {
		return nil
	}
	var out []string
	for _, list := range [][]*python.Arg{a.PosOnlyArgs, a.Args, a.KwOnlyArgs} {
		for _, p := range list {
			out = append(out, p.Arg)
		}
	}
	if a.Vararg != nil {
		out = append(out, a.Vararg.Arg)
	}
	if a.Kwarg != nil {
		out = append(out, a.Kwarg.Arg)
	}
	return out
}

// resolve is model.Resolve that sees through local aliases.
func (lf *lsFacts) resolve(f *model.Func, e python.Expr) model.Ref {
	if n, ok := e.(*python.Name); ok && f != nil {
		if a, ok := lf.aliases[f][n.ID]; ok {
			return lf.m.Resolve(f, a)
		}
	}
	return lf.m.Resolve(f, e)
}

// lsStateID identifies a piece of state across the module: its key, made
// unique per class for attributes.
func lsStateID(ref model.Ref) string {
	if ref.Class != nil {
		return ref.Class.Qual + ":" + ref.Key
	}
	return ref.Key
}

// canon maps lock keys through Condition aliases.
func (lf *lsFacts) canon(keys []string) []string {
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		for range 4 {
			a, ok := lf.lockAlias[k]
			if !ok {
				break
			}
			k = a
		}
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// held is the set of locks held in ctx, with those the function inherits
// from its callers, canonical.
func (lf *lsFacts) held(ctx *model.Ctx) []string {
	keys := ctx.Held
	if al := lf.aliases[ctx.Func]; al != nil {
		// `lock = self._lock; with lock:` holds self._lock.
		keys = slices.Clone(keys)
		for i, k := range keys {
			if e, ok := al[k]; ok {
				if real, ok := lf.m.LockKey(ctx.Func, e); ok {
					keys[i] = real
				}
			}
		}
	}
	h := lf.canon(keys)
	for _, k := range lf.inherit[ctx.Func] {
		if !slices.Contains(h, k) {
			h = append(h, k)
		}
	}
	return h
}

// lsProtection says how a context protects a piece of state.
type lsProtection int

const (
	lsUnlocked  lsProtection = iota // no lock held
	lsWrongLock                     // a lock held, but not the one the state's other accesses use
	lsLocked                        // the right lock (or the only one seen) held
)

// protect classifies ctx for state ref. With a `# pyrace: guarded-by`
// annotation the right lock is the one named. Otherwise the right locks are
// those most functions hold when they touch the state (counting this
// one): a site holding one of them (all of them on a tie) is locked, a site
// holding only others holds the wrong lock (and other names a right one).
func (lf *lsFacts) protect(ctx *model.Ctx, ref model.Ref) (lsProtection, string) {
	lf.complete()
	held := lf.held(ctx)
	if len(held) == 0 {
		return lsUnlocked, ""
	}
	if ref.Class != nil {
		if g, ok := ref.Class.Guarded[ref.Name]; ok {
			for _, h := range held {
				if h == g || lsLastPart(h) == lsLastPart(g) {
					return lsLocked, ""
				}
			}
			return lsWrongLock, g
		}
	}
	users := map[string]map[*model.Func]bool{}
	add := func(k string, f *model.Func) {
		if users[k] == nil {
			users[k] = map[*model.Func]bool{}
		}
		users[k][f] = true
	}
	for _, k := range held {
		add(k, ctx.Func)
	}
	for _, a := range lf.access[lsStateID(ref)] {
		for _, k := range lf.canon(a.held) {
			add(k, a.fn)
		}
	}
	best := 0
	for _, fs := range users {
		best = max(best, len(fs))
	}
	var missing []string
	for k, fs := range users {
		if len(fs) == best && !slices.Contains(held, k) {
			missing = append(missing, k)
		}
	}
	if len(missing) == 0 {
		return lsLocked, ""
	}
	slices.Sort(missing)
	return lsWrongLock, missing[0]
}

func lsLastPart(k string) string { return k[strings.LastIndexByte(k, '.')+1:] }

// heldDisplay names the locks held, for messages.
func (lf *lsFacts) heldDisplay(ctx *model.Ctx) string {
	lf.complete()
	return strings.Join(lf.held(ctx), ", ")
}

// lockNote is the message fragment for an unprotected region of state key.
func (lf *lsFacts) lockNote(ctx *model.Ctx, p lsProtection, other, key string) string {
	if p == lsWrongLock {
		return "under " + lf.heldDisplay(ctx) + ", but other accesses of " + key + " hold " + other
	}
	return "without a lock"
}

// lsIntentConfidence is the confidence of a finding that is one step less
// sure than the rule's main shape: the engine's (high) in audit mode,
// medium where the module or class shows concurrency intent, low
// elsewhere.
func lsIntentConfidence(ctx *model.Ctx) scan.Confidence {
	m := ctx.Module
	if m.Options().AssumeThreaded {
		return ""
	}
	if m.Intent != "" {
		return scan.Medium
	}
	for f := ctx.Func; f != nil; f = f.Parent {
		if f.Class != nil && f.Class.Intent != "" {
			return scan.Medium
		}
	}
	return scan.Low
}

// lsBlocks calls fn with every statement list of the module: the module
// body, every function's body and the blocks nested in them (class bodies
// included), each with the function it belongs to. Nested function bodies
// are their functions' own.
func lsBlocks(m *model.Module, fn func(f *model.Func, block []python.Stmt)) {
	var rec func(f *model.Func, block []python.Stmt)
	rec = func(f *model.Func, block []python.Stmt) {
		if len(block) == 0 {
			return
		}
		fn(f, block)
		for _, s := range block {
			switch s := s.(type) {
			case *python.FunctionDef, *python.AsyncFunctionDef:
			case *python.ClassDef:
				rec(f, s.Body)
			case *python.If:
				rec(f, s.Body)
				rec(f, s.Orelse)
			case *python.For:
				rec(f, s.Body)
				rec(f, s.Orelse)
			case *python.AsyncFor:
				rec(f, s.Body)
				rec(f, s.Orelse)
			case *python.While:
				rec(f, s.Body)
				rec(f, s.Orelse)
			case *python.With:
				rec(f, s.Body)
			case *python.AsyncWith:
				rec(f, s.Body)
			case *python.Try:
				rec(f, s.Body)
				for _, h := range s.Handlers {
					rec(f, h.Body)
				}
				rec(f, s.Orelse)
				rec(f, s.Finalbody)
			case *python.TryStar:
				rec(f, s.Body)
				for _, h := range s.Handlers {
					rec(f, h.Body)
				}
				rec(f, s.Orelse)
				rec(f, s.Finalbody)
			case *python.Match:
				for _, c := range s.Cases {
					rec(f, c.Body)
				}
			}
		}
	}
	rec(nil, m.File.Module.Body)
	for _, f := range m.Funcs {
		rec(f, f.Body)
	}
}

// lsRegion is a source range: from the start of one node to the end of
// another.
type lsRegion struct {
	from, to python.Span
}

func lsSpan(nodes ...python.Node) lsRegion {
	return lsRegion{nodes[0].Pos(), nodes[len(nodes)-1].Pos()}
}

func lsStmtsRegion(stmts []python.Stmt) (lsRegion, bool) {
	if len(stmts) == 0 {
		return lsRegion{}, false
	}
	return lsRegion{stmts[0].Pos(), stmts[len(stmts)-1].Pos()}, true
}

func lsPosLE(l1, c1, l2, c2 int) bool { return l1 < l2 || (l1 == l2 && c1 <= c2) }

// contains reports whether n lies inside r.
func (r lsRegion) contains(n python.Node) bool {
	p := n.Pos()
	return lsPosLE(r.from.Line, r.from.Col, p.Line, p.Col) && lsPosLE(p.EndLine, p.EndCol, r.to.EndLine, r.to.EndCol)
}

// lsAfter reports whether n starts after r ends.
func lsAfter(n python.Node, r python.Span) bool {
	p := n.Pos()
	return lsPosLE(r.EndLine, r.EndCol, p.Line, p.Col)
}

// lsTerminates reports whether a block always leaves its enclosing block:
// it ends in return, raise, continue or break.
func lsTerminates(block []python.Stmt) bool {
	if len(block) == 0 {
		return false
	}
	switch block[len(block)-1].(type) {
	case *python.Return, *python.Raise, *python.Continue, *python.Break:
		return true
	}
	return false
}

// lsText is the source of a node as a message quotes it: one line,
// whitespace collapsed, shortened.
func lsText(m *model.Module, n python.Node) string {
	sp := n.Pos()
	line := m.Line(sp.Line)
	s := ""
	switch {
	case sp.Col > len(line):
		return "…"
	case sp.EndLine == sp.Line && sp.EndCol <= len(line) && sp.EndCol >= sp.Col:
		s = line[sp.Col:sp.EndCol]
	default:
		s = line[sp.Col:] + " …"
	}
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 70 {
		s = string(r[:67]) + "…"
	}
	return s
}

// lsLenOf reports whether e is `len(x)` and returns x.
func lsLenOf(e python.Expr) (python.Expr, bool) {
	call, ok := e.(*python.Call)
	if !ok || len(call.Args) != 1 || len(call.Keywords) != 0 {
		return nil, false
	}
	if n, ok := call.Func.(*python.Name); !ok || n.ID != "len" {
		return nil, false
	}
	return call.Args[0], true
}

// lsIntConst returns the value of an integer constant (with a leading
// minus), or false.
func lsIntConst(e python.Expr) (string, bool) {
	switch e := e.(type) {
	case *python.Constant:
		if e.Value.Kind == python.IntValue {
			return e.Value.Str, true
		}
	case *python.UnaryOp:
		if e.Op == python.USub {
			if v, ok := lsIntConst(e.Operand); ok {
				return "-" + v, true
			}
		}
	}
	return "", false
}

// lsIsNone reports whether e is the constant None.
func lsIsNone(e python.Expr) bool {
	c, ok := e.(*python.Constant)
	return ok && c.Value.Kind == python.NoneValue
}

// lsIsState reports whether e can name state: a Name or Attribute chain.
func lsIsState(e python.Expr) bool {
	switch e := e.(type) {
	case *python.Name:
		return true
	case *python.Attribute:
		return lsIsState(e.Value) || model.DottedName(e) != ""
	}
	return false
}

// lsMentionsName reports whether a name is read anywhere in n.
func lsMentionsName(n python.Node, id string) bool {
	found := false
	python.Inspect(n, func(x python.Node) bool {
		if nm, ok := x.(*python.Name); ok && nm.ID == id && nm.Ctx == python.Load {
			found = true
		}
		return !found
	})
	return found
}

// lsAnyLineWith reports whether a source line of the module satisfies ok,
// a predicate that holds only on lines containing one of needles: a cheap
// filter that lets a rule skip modules without its shape. It looks at the
// first lines of witnesses (the nodes the rule expects to stand on such a
// line) first, then at the lines holding a needle, found with a search of
// the whole text.
func lsAnyLineWith(m *model.Module, needles []string, ok func(string) bool, witnesses ...python.Node) bool {
	body := m.File.Module.Body
	if len(body) == 0 {
		return false
	}
	last := body[len(body)-1].Pos().EndLine
	for _, w := range witnesses {
		if l := w.Pos().Line; l >= 1 && l <= last && ok(m.Line(l)) {
			return true
		}
	}
	text := m.Lines().Through(last)
	for _, nd := range needles {
		for off := 0; off < len(text); {
			i := strings.Index(text[off:], nd)
			if i < 0 {
				break
			}
			i += off
			start := strings.LastIndexByte(text[:i], '\n') + 1
			end := strings.IndexByte(text[i:], '\n')
			if end < 0 {
				end = len(text)
			} else {
				end += i
			}
			if ok(text[start:end]) {
				return true
			}
			off = end + 1
		}
	}
	return false
}
