package model

import (
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/pyrace/pyrace/internal/python"
)

// initNames are the methods whose body is init code: the object (or test
// fixture) is not yet shared while they run.
func isInitName(name string) bool {
	switch name {
	case "__init__", "__new__", "__post_init__", "__init_subclass__", "__set_name__",
		"setUp", "setUpClass", "asyncSetUp", "setup_method", "setup_class", "__class_getitem__",
		// Test tear-down runs after the test, as set-up runs before it: the
		// fixture is not shared with another thread at that point either.
		"tearDown", "tearDownClass", "asyncTearDown", "teardown_method", "teardown_class":
		return true
	}
	return false
}

var (
	guardedByRE      = regexp.MustCompile(`#\s*pyrace:\s*guarded-by\s+([A-Za-z_][A-Za-z0-9_.]*)`)
	threadConfinedRE = regexp.MustCompile(`#\s*pyrace:\s*thread-confined\b`)
)

type builder struct {
	m *Module
	// pyrace is set when the source holds a `pyrace:` annotation at all.
	pyrace bool
	// threadImport is the first import of a threading module anywhere in
	// the module ("imports threading"), "" if none.
	threadImport string
	// traversed is the traversal, kept until the locks are resolved.
	traversed *trav
}

// guardedBy returns the lock named by a `# pyrace: guarded-by LOCK`
// annotation on line n, "" if there is none.
func (b *builder) guardedBy(n int) string {
	if !b.pyrace {
		return ""
	}
	l := b.m.Line(n)
	if !strings.Contains(l, "guarded-by") {
		return ""
	}
	if g := guardedByRE.FindStringSubmatch(l); g != nil {
		return g[1]
	}
	return ""
}

func (b *builder) module(body []python.Stmt) {
	// Module-level bindings first, so that functions see every global.
	for _, s := range body {
		b.bindModuleLevel(s)
	}
	b.block(body, nil, nil, "")
}

// bindModuleLevel records the names a module-level statement binds.
func (b *builder) bindModuleLevel(s python.Stmt) {
	m := b.m
	bindTargets := func(targets ...python.Expr) {
		for _, t := range targets {
			for _, n := range boundNames(t) {
				m.Globals[n] = true
			}
		}
	}
	switch s := s.(type) {
	case *python.Assign:
		bindTargets(s.Targets...)
		if call, ok := s.Value.(*python.Call); ok {
			for _, t := range s.Targets {
				if n, ok := t.(*python.Name); ok {
					if IsLockFactory(call) {
						m.GlobalLocks[n.ID] = true
					}
					if IsThreadLocalFactory(call) {
						m.ThreadLocal[n.ID] = true
					}
				}
			}
		}
	case *python.AnnAssign:
		if s.Value != nil {
			bindTargets(s.Target)
			if call, ok := s.Value.(*python.Call); ok {
				if n, ok := s.Target.(*python.Name); ok {
					if IsLockFactory(call) {
						m.GlobalLocks[n.ID] = true
					}
					if IsThreadLocalFactory(call) {
						m.ThreadLocal[n.ID] = true
					}
				}
			}
		} else if n, ok := s.Target.(*python.Name); ok {
			m.Globals[n.ID] = true
		}
	case *python.AugAssign:
		bindTargets(s.Target)
	case *python.For:
		bindTargets(s.Target)
		for _, st := range s.Body {
			b.bindModuleLevel(st)
		}
		for _, st := range s.Orelse {
			b.bindModuleLevel(st)
		}
	case *python.FunctionDef:
		m.Globals[s.Name] = true
	case *python.AsyncFunctionDef:
		m.Globals[s.Name] = true
	case *python.ClassDef:
		m.Globals[s.Name] = true
	case *python.Import:
		for _, a := range s.Names {
			name := a.AsName
			if name == "" {
				name, _, _ = strings.Cut(a.Name, ".")
				m.ModuleImports[name] = name
			} else {
				m.ModuleImports[name] = a.Name
			}
			m.Globals[name] = true
		}
	case *python.ImportFrom:
		for _, a := range s.Names {
			name := a.AsName
			if name == "" {
				name = a.Name
			}
			m.Globals[name] = true
		}
	case *python.If:
		for _, st := range s.Body {
			b.bindModuleLevel(st)
		}
		for _, st := range s.Orelse {
			b.bindModuleLevel(st)
		}
	case *python.Try:
		for _, st := range s.Body {
			b.bindModuleLevel(st)
		}
		for _, h := range s.Handlers {
			for _, st := range h.Body {
				b.bindModuleLevel(st)
			}
		}
		for _, st := range s.Orelse {
			b.bindModuleLevel(st)
		}
		for _, st := range s.Finalbody {
			b.bindModuleLevel(st)
		}
	case *python.With:
		for _, st := range s.Body {
			b.bindModuleLevel(st)
		}
	}
}

// block walks statements looking for definitions. fn is the enclosing
// function, cls the enclosing class (for a class body), qual the dotted
// prefix of names defined here.
func (b *builder) block(body []python.Stmt, fn *Func, cls *Class, qual string) {
	for _, s := range body {
		switch s := s.(type) {
		case *python.FunctionDef:
			b.function(s, s.Name, s.Args, s.Body, s.DecoratorList, fn, cls, qual)
		case *python.AsyncFunctionDef:
			b.function(s, s.Name, s.Args, s.Body, s.DecoratorList, fn, cls, qual)
		case *python.ClassDef:
			b.class(s, fn, qual)
		case *python.Import:
			if b.threadImport == "" {
				for _, a := range s.Names {
					switch a.Name {
					case "threading", "_thread", "concurrent.futures":
						b.threadImport = "imports " + a.Name
					}
				}
			}
		case *python.ImportFrom:
			if b.threadImport == "" {
				switch s.Module {
				case "threading", "_thread", "concurrent.futures", "concurrent":
					b.threadImport = "imports from " + s.Module
				}
			}
		default:
			b.childBlocks(s, fn, cls, qual)
		}
	}
}

// childBlocks runs block on each statement list nested in s.
func (b *builder) childBlocks(s python.Stmt, fn *Func, cls *Class, qual string) {
	switch s := s.(type) {
	case *python.If:
		b.block(s.Body, fn, cls, qual)
		b.block(s.Orelse, fn, cls, qual)
	case *python.For:
		b.block(s.Body, fn, cls, qual)
		b.block(s.Orelse, fn, cls, qual)
	case *python.AsyncFor:
		b.block(s.Body, fn, cls, qual)
		b.block(s.Orelse, fn, cls, qual)
	case *python.While:
		b.block(s.Body, fn, cls, qual)
		b.block(s.Orelse, fn, cls, qual)
	case *python.With:
		b.block(s.Body, fn, cls, qual)
	case *python.AsyncWith:
		b.block(s.Body, fn, cls, qual)
	case *python.Try:
		b.block(s.Body, fn, cls, qual)
		for _, h := range s.Handlers {
			b.block(h.Body, fn, cls, qual)
		}
		b.block(s.Orelse, fn, cls, qual)
		b.block(s.Finalbody, fn, cls, qual)
	case *python.TryStar:
		b.block(s.Body, fn, cls, qual)
		for _, h := range s.Handlers {
			b.block(h.Body, fn, cls, qual)
		}
		b.block(s.Orelse, fn, cls, qual)
		b.block(s.Finalbody, fn, cls, qual)
	case *python.Match:
		for _, c := range s.Cases {
			b.block(c.Body, fn, cls, qual)
		}
	}
}

func (b *builder) class(s *python.ClassDef, fn *Func, qual string) {
	m := b.m
	q := s.Name
	if qual != "" {
		q = m.strs.join([]string{qual, ".", s.Name})
	}
	c := m.arena.classes.alloc()
	*c = Class{
		Name:       s.Name,
		Qual:       q,
		Node:       s,
		Methods:    map[string]*Func{},
		ClassAttrs: map[string]bool{},
		Public:     !strings.HasPrefix(s.Name, "_"),
	}
	c.ThreadConfined = b.annotated(s.Span, s.DecoratorList)
	for _, base := range s.Bases {
		if d := DottedName(base); d == "local" || d == "threading.local" {
			c.ThreadLocalBase = true
		}
	}
	m.Classes = append(m.Classes, c)
	m.classByQua[q] = c
	for _, st := range s.Body {
		var targets []python.Expr
		var value python.Expr
		switch st := st.(type) {
		case *python.Assign:
			targets, value = st.Targets, st.Value
		case *python.AnnAssign:
			targets, value = []python.Expr{st.Target}, st.Value
		}
		for _, t := range targets {
			for _, n := range boundNames(t) {
				c.ClassAttrs[n] = true
				if call, ok := value.(*python.Call); ok {
					if IsLockFactory(call) {
						setTrue(&c.LockAttrs, n)
					}
					if IsThreadLocalFactory(call) {
						setTrue(&c.LocalAttrs, n)
					}
				}
				if g := b.guardedBy(st.Pos().Line); g != "" {
					if c.Guarded == nil {
						c.Guarded = map[string]string{}
					}
					c.Guarded[n] = g
				}
			}
		}
	}
	b.block(s.Body, fn, c, q)
}

func (b *builder) function(node python.Stmt, name string, args *python.Arguments, body []python.Stmt, decorators []python.Expr, parent *Func, cls *Class, qual string) {
	m := b.m
	q := name
	if qual != "" {
		q = m.strs.join([]string{qual, ".", name})
	}
	f := m.arena.funcs.alloc()
	*f = Func{
		Name:       name,
		Qual:       q,
		Node:       node,
		Body:       body,
		Args:       args,
		Decorators: decorators,
		Class:      cls,
		Parent:     parent,
	}
	// The locals' list: room for namesListMax names without growing.
	f.Locals.list = m.arena.names.alloc()[:0]
	f.ThreadConfined = b.annotated(node.Pos(), decorators)
	f.ForkHandler = (parent != nil && parent.ForkHandler) || containsFold(name, "fork")
	static, classmethod := false, false
	for _, d := range decorators {
		dn := DottedName(d)
		if call, ok := d.(*python.Call); ok {
			dn = DottedName(call.Func)
		}
		last := dn[strings.LastIndexByte(dn, '.')+1:]
		switch last {
		case "staticmethod":
			static = true
		case "classmethod":
			classmethod = true
		}
		for _, sd := range m.opts.SyncDecorators {
			if last == sd {
				f.Synchronized = "@" + sd
			}
		}
	}
	if first, ok := firstParam(args); cls != nil && !static && ok {
		if classmethod || name == "__new__" || name == "__init_subclass__" || name == "__class_getitem__" {
			f.ClsName = first
		} else {
			f.SelfName = first
		}
	}
	// cls is set only for a def directly in a class body: a method, also
	// when the class itself is defined inside a function.
	if cls != nil {
		cls.Methods[name] = f
		f.Init = isInitName(name)
	}
	if args != nil {
		for _, list := range [...][]*python.Arg{args.PosOnlyArgs, args.Args} {
			for _, p := range list {
				f.Locals.Add(p.Arg)
			}
		}
		if args.Vararg != nil {
			f.Locals.Add(args.Vararg.Arg)
		}
		for _, p := range args.KwOnlyArgs {
			f.Locals.Add(p.Arg)
		}
		if args.Kwarg != nil {
			f.Locals.Add(args.Kwarg.Arg)
		}
	}
	f.lockWrap, f.lockWrapAcquire = lockWrapper(f)
	m.Funcs = append(m.Funcs, f)
	b.block(body, f, nil, q)
}

// annotated reports whether the definition's first line (or a decorator
// line, or the line above) carries `# pyrace: thread-confined`.
func (b *builder) annotated(span python.Span, decorators []python.Expr) bool {
	if !b.pyrace {
		return false
	}
	first := span.Line
	for _, d := range decorators {
		if d.Pos().Line < first {
			first = d.Pos().Line
		}
	}
	for l := first - 1; l <= span.Line; l++ {
		if line := b.m.Line(l); strings.Contains(line, "thread-confined") && threadConfinedRE.MatchString(line) {
			return true
		}
	}
	return false
}

func (b *builder) instanceAttr(f *Func, cls *Class, target, value python.Expr, span python.Span) {
	a, ok := target.(*python.Attribute)
	if !ok {
		return
	}
	base, ok := a.Value.(*python.Name)
	if !ok || base.ID != f.SelfName {
		return
	}
	if call, ok := value.(*python.Call); ok {
		if IsLockFactory(call) {
			setTrue(&cls.LockAttrs, a.Attr)
		}
		if IsThreadLocalFactory(call) {
			setTrue(&cls.LocalAttrs, a.Attr)
		}
	}
	if g := b.guardedBy(span.Line); g != "" {
		if _, seen := cls.Guarded[a.Attr]; !seen {
			if cls.Guarded == nil {
				cls.Guarded = map[string]string{}
			}
			cls.Guarded[a.Attr] = g
		}
	}
}

// initClosure marks as init code the methods called (as self.m(...)) only
// from init code, to a fixpoint.
func (b *builder) initClosure() {
	for _, c := range b.m.Classes {
		callers := map[string]map[string]bool{} // callee -> caller method names
		for name, f := range c.Methods {
			if f.SelfName == "" && f.ClsName == "" {
				continue
			}
			for _, callee := range f.selfCalls {
				if callers[callee] == nil {
					callers[callee] = map[string]bool{}
				}
				callers[callee][name] = true
			}
		}
		for changed := true; changed; {
			changed = false
			for name, f := range c.Methods {
				if f.Init || !strings.HasPrefix(name, "_") || strings.HasPrefix(name, "__") {
					continue
				}
				cs := callers[name]
				if len(cs) == 0 {
					continue
				}
				all := true
				for caller := range cs {
					if cf := c.Methods[caller]; cf == nil || !cf.Init {
						all = false
						break
					}
				}
				if all {
					f.Init = true
					changed = true
				}
			}
		}
	}
}

// intent gathers the evidence that the module and each class expect
// threads.
func (b *builder) intent() {
	m := b.m
	// In name order: a module importing two threading modules gets the
	// same evidence on every run.
	for _, local := range slices.Sorted(maps.Keys(m.ModuleImports)) {
		switch mod := m.ModuleImports[local]; mod {
		case "threading", "_thread", "concurrent.futures", "concurrent":
			if m.Intent == "" {
				m.Intent = "imports " + mod
			}
		}
	}
	if m.Intent == "" && len(m.GlobalLocks) > 0 {
		m.Intent = "creates a module-level lock"
	}
	if m.Intent == "" {
		// The first import of a threading module anywhere (the imports at
		// module level are in ModuleImports).
		m.Intent = b.threadImport
	}
	for _, c := range m.Classes {
		for attr := range c.LockAttrs {
			c.Intent = "holds a lock in " + attr
			break
		}
		if c.Intent == "" && len(c.Guarded) > 0 {
			c.Intent = "has guarded-by annotations"
		}
	}
	// Code that takes a lock expects threads: its class, or its module.
	for _, f := range m.Funcs {
		key := b.usesLock(f)
		if key == "" {
			continue
		}
		if meth := f.method(); meth != nil {
			if meth.Class.Intent == "" {
				meth.Class.Intent = "uses lock " + key + " in " + f.Name + "()"
			}
		} else if m.Intent == "" {
			m.Intent = "uses lock " + key + " in " + f.Name + "()"
		}
	}
}

// usesLock returns the first lock a function takes (with, acquire), or "".
func (b *builder) usesLock(f *Func) string {
	if f.Synchronized != "" {
		return f.Synchronized
	}
	for _, n := range f.lockUses {
		switch n := n.(type) {
		case *python.With:
			key := ""
			for _, it := range n.Items {
				if k, ok := b.m.LockKey(f, it.ContextExpr); ok {
					key = k
				}
			}
			if key != "" {
				return key
			}
		case *python.Call:
			if k, ok := b.m.LockKey(f, n.Func.(*python.Attribute).Value); ok {
				return k
			}
		}
	}
	return ""
}

// setTrue sets (*m)[k], making the map on first use: most classes and
// functions have no locks, no guarded attributes, no global statements.
func setTrue(m *map[string]bool, k string) {
	if *m == nil {
		*m = map[string]bool{}
	}
	(*m)[k] = true
}

// boundNames lists the names a target binds (Name, Tuple/List, Starred);
// attributes and subscripts bind none.
func boundNames(t python.Expr) []string {
	switch t := t.(type) {
	case *python.Name:
		return []string{t.ID}
	case *python.Tuple:
		var out []string
		for _, e := range t.Elts {
			out = append(out, boundNames(e)...)
		}
		return out
	case *python.List:
		var out []string
		for _, e := range t.Elts {
			out = append(out, boundNames(e)...)
		}
		return out
	case *python.Starred:
		return boundNames(t.Value)
	}
	return nil
}

// firstParam returns a function's first parameter.
func firstParam(a *python.Arguments) (string, bool) {
	switch {
	case a == nil:
	case len(a.PosOnlyArgs) > 0:
		return a.PosOnlyArgs[0].Arg, true
	case len(a.Args) > 0:
		return a.Args[0].Arg, true
	case a.Vararg != nil:
		return a.Vararg.Arg, true
	case len(a.KwOnlyArgs) > 0:
		return a.KwOnlyArgs[0].Arg, true
	case a.Kwarg != nil:
		return a.Kwarg.Arg, true
	}
	return "", false
}

// containsFold reports whether s contains sub, a lower-case ASCII string,
// ignoring ASCII case.
func containsFold(s, sub string) bool {
	n := len(sub)
	for i := 0; i+n <= len(s); i++ {
		j := 0
		for ; j < n; j++ {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != sub[j] {
				break
			}
		}
		if j == n {
			return true
		}
	}
	return false
}

// lockWrapper recognises a lock wrapper: a function taking no arguments
// (but its receiver) whose body, after a docstring, is `X.acquire()` or
// `X.release()`, perhaps under `if X:` or `if X is not None:`. It returns X
// and whether the wrapper acquires.
func lockWrapper(f *Func) (python.Expr, bool) {
	if a := f.Args; a != nil {
		n := len(a.PosOnlyArgs) + len(a.Args) + len(a.KwOnlyArgs)
		if a.Vararg != nil || a.Kwarg != nil || n > 1 || (n == 1 && f.SelfName == "" && f.ClsName == "") {
			return nil, false
		}
	}
	body := f.Body
	if len(body) > 1 {
		if es, ok := body[0].(*python.ExprStmt); ok {
			if c, ok := es.Value.(*python.Constant); ok && c.Value.Kind == python.StrValue {
				body = body[1:] // the docstring
			}
		}
	}
	if len(body) != 1 {
		return nil, false
	}
	st := body[0]
	if ifs, ok := st.(*python.If); ok && len(ifs.Body) == 1 && len(ifs.Orelse) == 0 {
		st = ifs.Body[0]
	}
	es, ok := st.(*python.ExprStmt)
	if !ok {
		return nil, false
	}
	call, ok := es.Value.(*python.Call)
	if !ok {
		return nil, false
	}
	a, ok := call.Func.(*python.Attribute)
	if !ok || DottedName(a.Value) == "" {
		return nil, false
	}
	switch {
	case a.Attr == "acquire":
		return a.Value, true
	case a.Attr == "release" && len(call.Args) == 0:
		return a.Value, false
	}
	return nil, false
}
