package rules

// Helpers of FT006, FT007, FT009, FT011 and FT012: statement parents, lock
// aliases (a Condition built on a lock is that lock), container mutation,
// lazy-initialisation guards, callers of module functions.

import (
	"regexp"
	"strings"

	"github.com/pyrace/pyrace/internal/python"
	"github.com/pyrace/pyrace/internal/scan/model"
)

// lkStmtLoc is where a statement stands: the list holding it, its index
// there, and the compound statement (or definition) that owns the list
// (nil at module level).
type lkStmtLoc struct {
	block  []python.Stmt
	idx    int
	parent python.Stmt
}

// lkIndex locates the statements of a module: the list holding each, its
// index there and the statement owning the list. It indexes one scope at a
// time, on demand: the statements of a function's body (or of the module
// body), with the class bodies in it but not the bodies of nested
// functions, which are their own scopes.
type lkIndex struct {
	m    *model.Module
	locs map[python.Stmt]lkStmtLoc
	// done are the scopes indexed (nil: the module); all is set once
	// every statement is.
	done map[*model.Func]bool
	all  bool
}

// lkStmtIndex returns the statement index of m, shared by the rules.
func lkStmtIndex(m *model.Module) *lkIndex {
	return m.Memo("rules.stmtIndex", func() any {
		return &lkIndex{m: m, locs: map[python.Stmt]lkStmtLoc{}, done: map[*model.Func]bool{}}
	}).(*lkIndex)
}

// scope indexes the statements of f's scope (nil: module code), so that
// get finds them without indexing the whole module.
func (x *lkIndex) scope(f *model.Func) *lkIndex {
	if x.all || x.done[f] {
		return x
	}
	x.done[f] = true
	if f == nil {
		x.add(x.m.File.Module.Body, nil, false)
	} else {
		x.add(f.Body, f.Node, false)
	}
	return x
}

// add indexes a statement list and the lists nested in it; nested
// function bodies only when defs is set.
func (x *lkIndex) add(body []python.Stmt, parent python.Stmt, defs bool) {
	for i, s := range body {
		x.locs[s] = lkStmtLoc{block: body, idx: i, parent: parent}
		switch s.(type) {
		case *python.FunctionDef, *python.AsyncFunctionDef:
			if !defs {
				continue
			}
		}
		for _, inner := range lkChildBlocks(s) {
			x.add(inner, s, defs)
		}
	}
}

// get returns where s stands, indexing the whole module if s is in no
// scope indexed so far.
func (x *lkIndex) get(s python.Stmt) (lkStmtLoc, bool) {
	if loc, ok := x.locs[s]; ok {
		return loc, true
	}
	if !x.all {
		x.all = true
		x.add(x.m.File.Module.Body, nil, true)
	}
	loc, ok := x.locs[s]
	return loc, ok
}

// lkChildBlocks lists the statement lists nested directly in s, definitions
// included.
func lkChildBlocks(s python.Stmt) [][]python.Stmt {
	switch s := s.(type) {
	case *python.FunctionDef:
		return [][]python.Stmt{s.Body}
	case *python.AsyncFunctionDef:
		return [][]python.Stmt{s.Body}
	case *python.ClassDef:
		return [][]python.Stmt{s.Body}
	case *python.If:
		return [][]python.Stmt{s.Body, s.Orelse}
	case *python.For:
		return [][]python.Stmt{s.Body, s.Orelse}
	case *python.AsyncFor:
		return [][]python.Stmt{s.Body, s.Orelse}
	case *python.While:
		return [][]python.Stmt{s.Body, s.Orelse}
	case *python.With:
		return [][]python.Stmt{s.Body}
	case *python.AsyncWith:
		return [][]python.Stmt{s.Body}
	case *python.Try:
		out := [][]python.Stmt{s.Body}
		for _, h := range s.Handlers {
			out = append(out, h.Body)
		}
		return append(out, s.Orelse, s.Finalbody)
	case *python.TryStar:
		out := [][]python.Stmt{s.Body}
		for _, h := range s.Handlers {
			out = append(out, h.Body)
		}
		return append(out, s.Orelse, s.Finalbody)
	case *python.Match:
		var out [][]python.Stmt
		for _, c := range s.Cases {
			out = append(out, c.Body)
		}
		return out
	}
	return nil
}

// lkEachStmt calls fn with each statement of body and of the blocks nested
// in it, in order, not entering definitions (functions, classes): the
// statements python.Inspect visits when it stops at definitions.
func lkEachStmt(body []python.Stmt, fn func(python.Stmt)) {
	for _, s := range body {
		fn(s)
		eachChildBlock(s, func(b []python.Stmt) { lkEachStmt(b, fn) })
	}
}

// lkIsDef reports whether s opens a new scope.
func lkIsDef(s python.Stmt) bool {
	switch s.(type) {
	case *python.FunctionDef, *python.AsyncFunctionDef, *python.ClassDef:
		return true
	}
	return false
}

// lkAncestors calls fn with each compound statement enclosing s, innermost
// first, up to (not including) the enclosing definition. fn returns false
// to stop.
func lkAncestors(idx *lkIndex, s python.Stmt, fn func(python.Stmt) bool) {
	for {
		loc, ok := idx.get(s)
		if !ok || loc.parent == nil || lkIsDef(loc.parent) {
			return
		}
		if !fn(loc.parent) {
			return
		}
		s = loc.parent
	}
}

// lkLazyInitGuard reports whether the write of target in statement s is
// a lazy initialisation, the shape FT010 reports: it sits in an `if` that
// tests the same state (`if X is None: X = ...`, `if not hasattr(cls,
// "x"): cls.x = ...`, `if "x" not in cls.__dict__: ...`, or a local read
// from it: `t = cls._t` / `if not t: cls._t = t = make()`), or in an
// `except AttributeError:` (NameError, KeyError) of a try that reads it,
// or in an `if` on a flag the same block sets (`if not _built: p0 = ...;
// _built = True`, flags being the function's globals).
// scope is the body of the enclosing function, for the local aliases.
func lkLazyInitGuard(idx *lkIndex, s python.Stmt, target python.Expr, scope []python.Stmt, flags map[string]bool) bool {
	name := ""
	switch t := target.(type) {
	case *python.Name:
		name = t.ID
	case *python.Attribute:
		name = t.Attr
	}
	var aliases map[string]bool
	aliasOf := func() map[string]bool {
		if aliases != nil {
			return aliases
		}
		aliases = map[string]bool{}
		for _, st := range scope {
			python.Inspect(st, func(n python.Node) bool {
				switch n := n.(type) {
				case *python.FunctionDef, *python.AsyncFunctionDef, *python.ClassDef, *python.Lambda:
					return false
				case *python.Assign:
					if mentions(n.Value, target) {
						for _, t := range n.Targets {
							if v, ok := t.(*python.Name); ok {
								aliases[v.ID] = true
							}
						}
					}
				}
				return true
			})
		}
		return aliases
	}
	testsTarget := func(test python.Expr) bool {
		if mentions(test, target) {
			return true
		}
		found := false
		python.Inspect(test, func(n python.Node) bool {
			if found {
				return false
			}
			switch n := n.(type) {
			case *python.Constant:
				if n.Value.Kind == python.StrValue && n.Value.Str == name {
					found = true
				}
			case *python.Name:
				if n.ID != name && aliasOf()[n.ID] {
					found = true
				}
			}
			return !found
		})
		return found
	}
	// An earlier `if X is not None: return X` in the same block or an
	// enclosing one makes the rest of the block the initialisation.
	earlyExit := func(st python.Stmt) bool {
		loc, ok := idx.get(st)
		if !ok {
			return false
		}
		for _, prev := range loc.block[:loc.idx] {
			if iff, ok := prev.(*python.If); ok && testsTarget(iff.Test) && lkExits(iff.Body) {
				return true
			}
		}
		return false
	}
	if earlyExit(s) {
		return true
	}
	found := false
	child := s
	lkAncestors(idx, s, func(p python.Stmt) bool {
		if earlyExit(p) {
			found = true
			return false
		}
		switch p := p.(type) {
		case *python.If:
			found = testsTarget(p.Test) || lkFlagGuard(p, flags)
		case *python.While:
			found = testsTarget(p.Test)
		case *python.Try:
			for _, h := range p.Handlers {
				if !lkStmtInList(h.Body, child) || h.Type == nil {
					continue
				}
				d := model.DottedName(h.Type)
				if d == "AttributeError" || d == "NameError" || d == "KeyError" {
					for _, b := range p.Body {
						if mentions(lkStmtExprs(b), target) {
							found = true
						}
					}
				}
			}
		}
		child = p
		return !found
	})
	return found
}

// lkFlagGuard reports whether an if tests a flag (one of flags) that its
// body sets: a run-once block.
func lkFlagGuard(p *python.If, flags map[string]bool) bool {
	if len(flags) == 0 {
		return false
	}
	tested := map[string]bool{}
	python.Inspect(p.Test, func(n python.Node) bool {
		if v, ok := n.(*python.Name); ok && flags[v.ID] {
			tested[v.ID] = true
		}
		return true
	})
	found := false
	for _, st := range p.Body {
		python.Inspect(st, func(n python.Node) bool {
			if v, ok := n.(*python.Name); ok && v.Ctx == python.Store && tested[v.ID] {
				found = true
			}
			return !found
		})
	}
	return found
}

// lkExits reports whether a block contains a return or raise (outside
// nested definitions): an early exit.
func lkExits(body []python.Stmt) bool {
	found := false
	for _, st := range body {
		python.Inspect(st, func(n python.Node) bool {
			switch n.(type) {
			case *python.FunctionDef, *python.AsyncFunctionDef, *python.ClassDef, *python.Lambda:
				return false
			case *python.Return, *python.Raise:
				found = true
			}
			return !found
		})
	}
	return found
}

// lkStmtInList reports whether s is one of list's statements.
func lkStmtInList(list []python.Stmt, s python.Stmt) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// lkStmtExprs wraps a simple statement's value for mentions(): the value
// of an assignment or expression statement, nil otherwise.
func lkStmtExprs(s python.Stmt) python.Expr {
	switch s := s.(type) {
	case *python.Assign:
		return s.Value
	case *python.ExprStmt:
		return s.Value
	case *python.Return:
		return s.Value
	}
	return nil
}

// lkMutatorMethod reports whether a method changes a list, dict, set,
// deque or bytearray in place.
func lkMutatorMethod(name string) bool {
	switch name {
	case "append", "extend", "insert", "remove", "pop", "popitem",
		"clear", "update", "add", "discard", "setdefault", "sort",
		"reverse", "appendleft", "extendleft", "popleft", "rotate",
		"difference_update", "intersection_update", "symmetric_difference_update",
		"__setitem__", "__delitem__", "__iadd__":
		return true
	}
	return false
}

// lkHeapMutator reports whether a heapq function changes its first
// argument in place.
func lkHeapMutator(name string) bool {
	switch name {
	case "heappush", "heappop", "heapify", "heapreplace", "heappushpop",
		"heappush_max", "heappop_max", "heapify_max", "heapreplace_max", "heappushpop_max":
		return true
	}
	return false
}

// lkMutatedObjects returns the expressions n changes in place: the receiver
// of `x.append(...)`, the first argument of `heapq.heappush(x, ...)`, the
// container of `x[k] = v` / `del x[k]` / `x[k] += 1`, the target of
// `x += [...]`. It returns the method or operation for messages.
func lkMutatedObjects(n python.Node) (objs []python.Expr, op string) {
	switch n := n.(type) {
	case *python.Call:
		if a, ok := n.Func.(*python.Attribute); ok && lkMutatorMethod(a.Attr) {
			return []python.Expr{a.Value}, a.Attr + "()"
		}
		if cn := model.CalleeName(n); lkHeapMutator(cn) && len(n.Args) > 0 {
			return []python.Expr{n.Args[0]}, cn + "()"
		}
	case *python.Subscript:
		if n.Ctx == python.Store {
			return []python.Expr{n.Value}, "item assignment"
		}
		if n.Ctx == python.Del {
			return []python.Expr{n.Value}, "del item"
		}
	case *python.AugAssign:
		if _, ok := n.Target.(*python.Subscript); ok {
			return nil, "" // the Subscript itself reports it
		}
		return []python.Expr{n.Target}, opSymbol(n.Op) + "="
	}
	return nil, ""
}

// lkLockAliases maps lock keys to a canonical key: a Condition built on a
// lock (`self._cv = threading.Condition(self._lock)`) holds that lock.
func lkLockAliases(m *model.Module) map[string]string {
	alias := map[string]string{}
	record := func(f *model.Func, target, value python.Expr) {
		call, ok := value.(*python.Call)
		if !ok || model.CalleeName(call) != "Condition" || len(call.Args) == 0 {
			return
		}
		tk, ok1 := m.LockKey(f, target)
		lk, ok2 := m.LockKey(f, call.Args[0])
		tk, lk = lkQualLock(f, tk), lkQualLock(f, lk)
		if !ok1 || !ok2 {
			// The Condition's own name may not look like a lock.
			if !ok2 {
				return
			}
			tk = lkQualLock(f, m.Resolve(f, target).Key)
			if tk == "" {
				return
			}
		}
		if tk != lk {
			alias[tk] = lk
		}
	}
	// Assignments are statements: the statements of the scope (not in
	// nested definitions) are all there is to look at.
	visit := func(f *model.Func, body []python.Stmt) {
		lkEachStmt(body, func(s python.Stmt) {
			switch n := s.(type) {
			case *python.Assign:
				if len(n.Targets) == 1 {
					record(f, n.Targets[0], n.Value)
				}
			case *python.AnnAssign:
				if n.Value != nil {
					record(f, n.Target, n.Value)
				}
			}
		})
	}
	visit(nil, m.File.Module.Body)
	for _, c := range m.Classes {
		visit(nil, c.Node.Body)
	}
	for _, f := range m.Funcs {
		visit(f, f.Body)
	}
	canon := map[string]string{}
	for k := range alias {
		c, seen := k, map[string]bool{}
		for alias[c] != "" && !seen[c] {
			seen[c] = true
			c = alias[c]
		}
		canon[k] = c
	}
	return canon
}

// lkCanonLock is the canonical key of a lock as seen from f: qualified by
// the class for attributes of self ("Queue|self._lock": every class has
// its own self._lock), then resolved through Condition aliases.
func lkCanonLock(aliases map[string]string, f *model.Func, key string) string {
	key = lkQualLock(f, key)
	if c, ok := aliases[key]; ok {
		return c
	}
	return key
}

// lkQualLock qualifies a "self.x" lock key with the class of f's method.
func lkQualLock(f *model.Func, key string) string {
	if !strings.HasPrefix(key, "self.") {
		return key
	}
	for g := f; g != nil; g = g.Parent {
		if g.Class != nil {
			return g.Class.Qual + "|" + key
		}
	}
	return key
}

// lkLockDisplay is a canonical lock key as messages show it.
func lkLockDisplay(key string) string {
	if i := strings.IndexByte(key, '|'); i >= 0 {
		return key[i+1:]
	}
	return key
}

// lkLockCallOf returns the lock key and method of `X.acquire(...)` /
// `X.release()` (also under `await`), or ok=false.
func lkLockCallOf(m *model.Module, f *model.Func, e python.Expr, method string) (string, *python.Call, bool) {
	if aw, ok := e.(*python.Await); ok {
		e = aw.Value
	}
	call, ok := e.(*python.Call)
	if !ok {
		return "", nil, false
	}
	a, ok := call.Func.(*python.Attribute)
	if !ok || a.Attr != method {
		return "", nil, false
	}
	key, ok := m.LockKey(f, a.Value)
	return key, call, ok
}

// lkModuleGuardedRE matches a guarded-by annotation on a module-level
// assignment (the model records those of classes only).
var lkModuleGuardedRE = regexp.MustCompile(`#\s*pyrace:\s*guarded-by\s+([A-Za-z_][A-Za-z0-9_.]*)`)

// lkModuleGuarded maps module globals to the lock of their guarded-by
// annotation.
func lkModuleGuarded(m *model.Module) map[string]string {
	out := map[string]string{}
	for _, s := range m.File.Module.Body {
		var targets []python.Expr
		switch s := s.(type) {
		case *python.Assign:
			targets = s.Targets
		case *python.AnnAssign:
			targets = []python.Expr{s.Target}
		default:
			continue
		}
		line := m.Line(s.Pos().Line)
		if !strings.Contains(line, "guarded-by") {
			continue
		}
		g := lkModuleGuardedRE.FindStringSubmatch(line)
		if g == nil {
			continue
		}
		for _, t := range targets {
			if n, ok := t.(*python.Name); ok {
				out[n.ID] = g[1]
			}
		}
	}
	return out
}

// lkTopLevelOnly returns the module functions referenced only from
// module-level code or from other such functions (`main()` under `if
// __name__ == "__main__":` and the helpers only main() calls, a set-up
// function called once at import): they run before threads exist, like
// init code. Functions referenced from no code of the module are public
// API and not included.
func lkTopLevelOnly(m *model.Module) map[string]bool {
	isModFunc := map[string]bool{}
	var names model.NameFilter
	for _, f := range m.Funcs {
		if f.Class == nil && f.Parent == nil {
			isModFunc[f.Name] = true
			names.Add(f.Name)
		}
	}
	if len(isModFunc) == 0 {
		return map[string]bool{}
	}
	const top, other = "\x00top", "\x00other"
	refs := map[string]map[string]bool{} // function -> referencing functions
	called := map[python.Node]bool{}     // the callees that name module functions
	m.WalkKinds(model.Kinds(model.KCall, model.KName), func(ctx *model.Ctx, n python.Node) {
		if call, ok := n.(*python.Call); ok {
			if f, ok := call.Func.(*python.Name); ok && names.MayHave(f.ID) && isModFunc[f.ID] {
				called[call.Func] = true
			}
		}
		name, ok := n.(*python.Name)
		if !ok || name.Ctx != python.Load || !names.MayHave(name.ID) || !isModFunc[name.ID] {
			return
		}
		if !called[n] {
			// Passed as a value (a thread target, a callback): it may run
			// anywhere, at any time.
			if refs[name.ID] == nil {
				refs[name.ID] = map[string]bool{}
			}
			refs[name.ID][other] = true
			return
		}
		from := top
		if ctx.Func != nil {
			if r := m.Resolve(ctx.Func, name); r.Kind != model.RefGlobal {
				return
			}
			from = other
			if tf := lkTopFunc(ctx.Func); tf != nil {
				from = tf.Name
			}
		} else if _, isDecl := ctx.Stmt.(*python.ClassDef); isDecl {
			from = other // a base class or decorator argument
		}
		if refs[name.ID] == nil {
			refs[name.ID] = map[string]bool{}
		}
		refs[name.ID][from] = true
	})
	out := map[string]bool{}
	for n, rs := range refs {
		if !rs[other] {
			out[n] = true
		}
	}
	for changed := true; changed; {
		changed = false
		for n := range out {
			for from := range refs[n] {
				if from != top && from != n && !out[from] {
					delete(out, n)
					changed = true
					break
				}
			}
		}
	}
	// Keep those reachable from module-level code.
	reach := map[string]bool{}
	for n := range out {
		if refs[n][top] {
			reach[n] = true
		}
	}
	for changed := true; changed; {
		changed = false
		for n := range out {
			if reach[n] {
				continue
			}
			for from := range refs[n] {
				if reach[from] {
					reach[n] = true
					changed = true
					break
				}
			}
		}
	}
	return reach
}

// lkTopFunc is the module-level function f belongs to (f itself or an
// enclosing function), nil for methods.
func lkTopFunc(f *model.Func) *model.Func {
	for f != nil && f.Parent != nil {
		f = f.Parent
	}
	if f == nil || f.Class != nil {
		return nil
	}
	return f
}

// lkConfined reports whether ctx's function or class is declared
// thread-confined (or is a threading.local subclass).
func lkConfined(ctx *model.Ctx) bool {
	for f := ctx.Func; f != nil; f = f.Parent {
		if f.ThreadConfined || (f.Class != nil && (f.Class.ThreadConfined || f.Class.ThreadLocalBase)) {
			return true
		}
	}
	return false
}

// lkFuncLabel is a function as messages name it: "add()".
func lkFuncLabel(f *model.Func) string {
	if f == nil {
		return "module code"
	}
	return f.Name + "()"
}

// lkIsLockLike reports whether an attribute or global name holds a lock.
func lkIsLockLike(m *model.Module, c *model.Class, name string) bool {
	if c != nil && c.LockAttrs[name] {
		return true
	}
	if c == nil && m.GlobalLocks[name] {
		return true
	}
	return m.IsLockName(name) || containsLower(name, "event")
}
