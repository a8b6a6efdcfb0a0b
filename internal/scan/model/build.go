package model

import (
	"regexp"
	"strings"

	"github.com/pyrace/pyrace/internal/python"
)

// initNames are the methods whose body is init code: the object (or test
// fixture) is not yet shared while they run.
func isInitName(name string) bool {
	switch name {
	case "__init__", "__new__", "__post_init__", "__init_subclass__", "__set_name__",
		"setUp", "setUpClass", "asyncSetUp", "setup_method", "setup_class", "__class_getitem__":
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
		for _, st := range append(append([]python.Stmt{}, s.Body...), s.Orelse...) {
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
		for _, st := range append(append([]python.Stmt{}, s.Body...), s.Orelse...) {
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
		for _, st := range append(append([]python.Stmt{}, s.Orelse...), s.Finalbody...) {
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
		default:
			forEachChildBlock(s, func(inner []python.Stmt) { b.block(inner, fn, cls, qual) })
		}
	}
}

// forEachChildBlock calls fn with each statement list nested in s.
func forEachChildBlock(s python.Stmt, fn func([]python.Stmt)) {
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

func (b *builder) class(s *python.ClassDef, fn *Func, qual string) {
	m := b.m
	q := s.Name
	if qual != "" {
		q = qual + "." + s.Name
	}
	c := &Class{
		Name:       s.Name,
		Qual:       q,
		Node:       s,
		Methods:    map[string]*Func{},
		ClassAttrs: map[string]bool{},
		LockAttrs:  map[string]bool{},
		LocalAttrs: map[string]bool{},
		Guarded:    map[string]string{},
		Public:     !strings.HasPrefix(s.Name, "_"),
	}
	c.ThreadConfined = b.annotated(s.Span, s.DecoratorList, threadConfinedRE)
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
						c.LockAttrs[n] = true
					}
					if IsThreadLocalFactory(call) {
						c.LocalAttrs[n] = true
					}
				}
				if g := guardedByRE.FindStringSubmatch(m.Line(st.Pos().Line)); g != nil {
					c.Guarded[n] = g[1]
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
		q = qual + "." + name
	}
	f := &Func{
		Name:       name,
		Qual:       q,
		Node:       node,
		Body:       body,
		Args:       args,
		Decorators: decorators,
		Class:      cls,
		Parent:     parent,
		Globals:    map[string]bool{},
		Nonlocals:  map[string]bool{},
		Locals:     map[string]bool{},
	}
	f.ThreadConfined = b.annotated(node.Pos(), decorators, threadConfinedRE)
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
	params := paramNames(args)
	if cls != nil && !static && len(params) > 0 {
		if classmethod || name == "__new__" || name == "__init_subclass__" || name == "__class_getitem__" {
			f.ClsName = params[0]
		} else {
			f.SelfName = params[0]
		}
	}
	if cls != nil && parent == nil {
		cls.Methods[name] = f
		f.Init = isInitName(name)
	}
	for _, p := range params {
		f.Locals[p] = true
	}
	collectScope(body, f)
	for g := range f.Globals {
		delete(f.Locals, g)
	}
	for n := range f.Nonlocals {
		delete(f.Locals, n)
	}
	if cls != nil && f.SelfName != "" {
		b.instanceAttrs(f, cls)
	}
	m.Funcs = append(m.Funcs, f)
	b.block(body, f, nil, q)
}

// annotated reports whether the definition's first line (or a decorator
// line, or the line above) carries the annotation.
func (b *builder) annotated(span python.Span, decorators []python.Expr, re *regexp.Regexp) bool {
	first := span.Line
	for _, d := range decorators {
		if d.Pos().Line < first {
			first = d.Pos().Line
		}
	}
	for l := first - 1; l <= span.Line; l++ {
		if re.MatchString(b.m.Line(l)) {
			return true
		}
	}
	return false
}

// instanceAttrs records lock, thread-local and guarded-by facts about
// self.x assignments in a method.
func (b *builder) instanceAttrs(f *Func, cls *Class) {
	inspectBody(f.Body, func(n python.Node) bool {
		switch n := n.(type) {
		case *python.FunctionDef, *python.AsyncFunctionDef, *python.ClassDef, *python.Lambda:
			return false
		case *python.Assign:
			for _, t := range n.Targets {
				b.instanceAttr(f, cls, t, n.Value, n.Span)
			}
		case *python.AnnAssign:
			if n.Value != nil {
				b.instanceAttr(f, cls, n.Target, n.Value, n.Span)
			}
		}
		return true
	})
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
			cls.LockAttrs[a.Attr] = true
		}
		if IsThreadLocalFactory(call) {
			cls.LocalAttrs[a.Attr] = true
		}
	}
	if g := guardedByRE.FindStringSubmatch(b.m.Line(span.Line)); g != nil {
		if _, seen := cls.Guarded[a.Attr]; !seen {
			cls.Guarded[a.Attr] = g[1]
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
			recv := f.SelfName
			if recv == "" {
				recv = f.ClsName
			}
			inspectBody(f.Body, func(n python.Node) bool {
				call, ok := n.(*python.Call)
				if !ok {
					return true
				}
				if a, ok := call.Func.(*python.Attribute); ok {
					if v, ok := a.Value.(*python.Name); ok && v.ID == recv {
						if callers[a.Attr] == nil {
							callers[a.Attr] = map[string]bool{}
						}
						callers[a.Attr][name] = true
					}
				}
				return true
			})
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
	for local, mod := range m.ModuleImports {
		_ = local
		switch mod {
		case "threading", "_thread", "concurrent.futures", "concurrent":
			m.Intent = "imports " + mod
		}
	}
	if m.Intent == "" && len(m.GlobalLocks) > 0 {
		m.Intent = "creates a module-level lock"
	}
	python.InspectModule(m.File.Module, func(n python.Node) bool {
		if m.Intent != "" {
			return false
		}
		switch n := n.(type) {
		case *python.ImportFrom:
			switch n.Module {
			case "threading", "_thread", "concurrent.futures", "concurrent":
				m.Intent = "imports from " + n.Module
			}
		case *python.Import:
			for _, a := range n.Names {
				switch a.Name {
				case "threading", "_thread", "concurrent.futures":
					m.Intent = "imports " + a.Name
				}
			}
		}
		return true
	})
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
	key := ""
	inspectBody(f.Body, func(n python.Node) bool {
		if key != "" {
			return false
		}
		switch n := n.(type) {
		case *python.FunctionDef, *python.AsyncFunctionDef, *python.ClassDef:
			return false
		case *python.With:
			for _, it := range n.Items {
				if k, ok := b.m.LockKey(f, it.ContextExpr); ok {
					key = k
				}
			}
		case *python.Call:
			if a, ok := n.Func.(*python.Attribute); ok && a.Attr == "acquire" {
				if k, ok := b.m.LockKey(f, a.Value); ok {
					key = k
				}
			}
		}
		return true
	})
	return key
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

// paramNames lists a function's parameters in order.
func paramNames(a *python.Arguments) []string {
	if a == nil {
		return nil
	}
	var out []string
	for _, list := range [][]*python.Arg{a.PosOnlyArgs, a.Args} {
		for _, p := range list {
			out = append(out, p.Arg)
		}
	}
	if a.Vararg != nil {
		out = append(out, a.Vararg.Arg)
	}
	for _, p := range a.KwOnlyArgs {
		out = append(out, p.Arg)
	}
	if a.Kwarg != nil {
		out = append(out, a.Kwarg.Arg)
	}
	return out
}

// collectScope fills f's Globals, Nonlocals and Locals from its body,
// without entering nested scopes (whose names are their own), except for
// the names nested definitions bind in f.
func collectScope(body []python.Stmt, f *Func) {
	var visit func(n python.Node) bool
	visit = func(n python.Node) bool {
		switch n := n.(type) {
		case *python.Global:
			for _, name := range n.Names {
				f.Globals[name] = true
			}
		case *python.Nonlocal:
			for _, name := range n.Names {
				f.Nonlocals[name] = true
			}
		case *python.FunctionDef:
			f.Locals[n.Name] = true
			return false
		case *python.AsyncFunctionDef:
			f.Locals[n.Name] = true
			return false
		case *python.ClassDef:
			f.Locals[n.Name] = true
			return false
		case *python.Lambda, *python.ListComp, *python.SetComp, *python.DictComp, *python.GeneratorExp:
			// Their targets are their own; walrus targets leak but are
			// rare enough to ignore.
			return false
		case *python.Name:
			if n.Ctx == python.Store || n.Ctx == python.Del {
				f.Locals[n.ID] = true
			}
		case *python.Import:
			for _, a := range n.Names {
				name := a.AsName
				if name == "" {
					name, _, _ = strings.Cut(a.Name, ".")
				}
				f.Locals[name] = true
			}
		case *python.ImportFrom:
			for _, a := range n.Names {
				name := a.AsName
				if name == "" {
					name = a.Name
				}
				f.Locals[name] = true
			}
		case *python.ExceptHandler:
			if n.Name != "" {
				f.Locals[n.Name] = true
			}
		case *python.MatchAs:
			if n.Name != "" {
				f.Locals[n.Name] = true
			}
		case *python.MatchStar:
			if n.Name != "" {
				f.Locals[n.Name] = true
			}
		}
		return true
	}
	for _, s := range body {
		python.Inspect(s, visit)
	}
}

// inspectBody calls python.Inspect on each statement of body.
func inspectBody(body []python.Stmt, fn func(python.Node) bool) {
	for _, s := range body {
		python.Inspect(s, fn)
	}
}
