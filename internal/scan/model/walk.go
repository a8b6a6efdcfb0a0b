package model

import (
	"math/bits"
	"slices"
	"strings"

	"github.com/pyrace/pyrace/internal/python"
)

// RefKind classifies what an expression refers to.
type RefKind int

// The kinds of reference.
const (
	// RefOther is anything the model cannot place: a parameter's
	// attribute, a call's result...
	RefOther RefKind = iota
	// RefLocal is a name of the function's own scope: owned.
	RefLocal
	// RefNonlocal is a variable of an enclosing function written through
	// `nonlocal`: shared by every call of the closure.
	RefNonlocal
	// RefGlobal is a module global of this module.
	RefGlobal
	// RefModuleAttr is a global of another module (`helpers.USER_ID`).
	RefModuleAttr
	// RefClassAttr is a class attribute (`Cls.x`, `cls.x`,
	// `type(self).x`).
	RefClassAttr
	// RefInstanceAttr is an attribute of self.
	RefInstanceAttr
	// RefThreadLocal is per-thread state (threading.local, ContextVar):
	// never shared.
	RefThreadLocal
)

// Ref is what an expression refers to.
type Ref struct {
	Kind RefKind
	// Key identifies the state across the module: "self._items" (with
	// the class), "USER_ID", "Cls.flag", "helpers.USER_ID".
	Key string
	// Name is the variable or attribute name.
	Name string
	// Class is the class of an instance or class attribute.
	Class *Class
}

// Shared reports whether the reference is state other threads can reach.
func (r Ref) Shared() bool {
	switch r.Kind {
	case RefGlobal, RefModuleAttr, RefClassAttr, RefInstanceAttr, RefNonlocal:
		return true
	}
	return false
}

// Display is the reference as a message shows it.
func (r Ref) Display() string { return r.Key }

// Resolve classifies e as seen from f (nil at module level).
func (m *Module) Resolve(f *Func, e python.Expr) Ref {
	switch e := e.(type) {
	case *python.Name:
		return m.resolveName(f, e.ID)
	case *python.Attribute:
		return m.resolveAttr(f, e)
	case *python.Subscript:
		return m.Resolve(f, e.Value)
	}
	return Ref{}
}

func (m *Module) resolveName(f *Func, id string) Ref {
	if m.ThreadLocal[id] {
		return Ref{Kind: RefThreadLocal, Key: id, Name: id}
	}
	if f == nil {
		if m.Globals[id] {
			return Ref{Kind: RefGlobal, Key: id, Name: id}
		}
		return Ref{}
	}
	switch {
	case f.Globals[id]:
		return Ref{Kind: RefGlobal, Key: id, Name: id}
	case f.Nonlocals[id]:
		return Ref{Kind: RefNonlocal, Key: f.outerQual(id) + "." + id, Name: id}
	case f.Locals.Has(id):
		return Ref{Kind: RefLocal, Key: id, Name: id}
	}
	for p := f.Parent; p != nil; p = p.Parent {
		if p.Locals.Has(id) {
			return Ref{Kind: RefLocal, Key: id, Name: id}
		}
	}
	if m.Globals[id] {
		return Ref{Kind: RefGlobal, Key: id, Name: id}
	}
	return Ref{}
}

// outerQual is the function that owns a nonlocal name.
func (f *Func) outerQual(id string) string {
	for p := f.Parent; p != nil; p = p.Parent {
		if p.Locals.Has(id) {
			return p.Qual
		}
	}
	return f.Qual
}

// method returns the method f is part of (f itself or an enclosing
// function's method), for self/cls inside nested functions.
func (f *Func) method() *Func {
	for g := f; g != nil; g = g.Parent {
		if g.Class != nil {
			return g
		}
	}
	return nil
}

func (m *Module) resolveAttr(f *Func, a *python.Attribute) Ref {
	base := m.Resolve(f, a.Value)
	if base.Kind == RefThreadLocal {
		return Ref{Kind: RefThreadLocal, Key: m.strs.join([]string{base.Key, ".", a.Attr}), Name: a.Attr}
	}
	if f == nil {
		if n, ok := a.Value.(*python.Name); ok {
			if c := m.classByQua[n.ID]; c != nil {
				return Ref{Kind: RefClassAttr, Key: m.strs.join([]string{c.Name, ".", a.Attr}), Name: a.Attr, Class: c}
			}
		}
		return Ref{}
	}
	meth := f.method()
	if n, ok := a.Value.(*python.Name); ok {
		if meth != nil {
			shadowed := f != meth && f.Locals.Has(n.ID)
			if !shadowed && n.ID == meth.SelfName && meth.SelfName != "" {
				c := meth.Class
				if c.LocalAttrs[a.Attr] {
					return Ref{Kind: RefThreadLocal, Key: m.strs.join([]string{"self.", a.Attr}), Name: a.Attr, Class: c}
				}
				return Ref{Kind: RefInstanceAttr, Key: m.strs.join([]string{"self.", a.Attr}), Name: a.Attr, Class: c}
			}
			if !shadowed && ((n.ID == meth.ClsName && meth.ClsName != "") || n.ID == meth.Class.Name) {
				return Ref{Kind: RefClassAttr, Key: m.strs.join([]string{meth.Class.Name, ".", a.Attr}), Name: a.Attr, Class: meth.Class}
			}
		}
		if base.Kind == RefGlobal {
			if c := m.classByQua[n.ID]; c != nil {
				return Ref{Kind: RefClassAttr, Key: m.strs.join([]string{c.Name, ".", a.Attr}), Name: a.Attr, Class: c}
			}
			if mod, ok := m.ModuleImports[n.ID]; ok {
				return Ref{Kind: RefModuleAttr, Key: m.strs.join([]string{mod, ".", a.Attr}), Name: a.Attr}
			}
		}
		return Ref{}
	}
	if meth != nil && DottedName(a.Value) == "type("+meth.SelfName+")" && meth.SelfName != "" {
		return Ref{Kind: RefClassAttr, Key: m.strs.join([]string{meth.Class.Name, ".", a.Attr}), Name: a.Attr, Class: meth.Class}
	}
	if base.Kind == RefInstanceAttr || base.Kind == RefClassAttr || base.Kind == RefGlobal {
		// self._state.count: part of shared state, keyed by the whole path.
		return Ref{Kind: base.Kind, Key: m.strs.join([]string{base.Key, ".", a.Attr}), Name: a.Attr, Class: base.Class}
	}
	return Ref{}
}

// Ctx is where a node is: its function, whether that is init code, and
// the locks held.
type Ctx struct {
	Module *Module
	// Func is nil for module-level code.
	Func *Func
	// Held are the keys of the locks held, innermost last.
	Held []string
	// Stmt is the statement the node belongs to.
	Stmt python.Stmt
	// lock is the lock state of the statement, for Build to compute Held.
	lock *lockState
	// block and index place Stmt in the module's statement lists.
	block, index int32
}

// Block returns the statement list Stmt stands in and its index there.
func (c *Ctx) Block() ([]python.Stmt, int) {
	return c.Module.blocks[c.block].stmts, int(c.index)
}

// InClassBody reports whether Stmt is part of a class body (directly or
// in a compound statement there), not of a function's or the module's own
// code.
func (c *Ctx) InClassBody() bool { return c.Module.blocks[c.block].inClass }

// stmtList is a statement list of the walk.
type stmtList struct {
	stmts   []python.Stmt
	inClass bool
}

// Init reports whether the code is init code (module top level,
// constructors, set-up, code reachable only from them): the state it
// touches is not shared yet.
func (c *Ctx) Init() bool {
	return c.Func == nil || c.Func.Init || (c.Func.method() != nil && c.Func.method().Init && c.Func.Parent != nil)
}

// Locked reports whether any lock is held.
func (c *Ctx) Locked() bool { return len(c.Held) > 0 }

// Holds reports whether the lock with key is held.
func (c *Ctx) Holds(key string) bool { return slices.Contains(c.Held, key) }

// Symbol is the enclosing symbol as findings show it.
func (c *Ctx) Symbol() string {
	if c.Func == nil {
		return "<module>"
	}
	return c.Func.Qual
}

// LockKey returns the identity of the lock e stands for ("self._lock",
// "_LOCK", "Cls._lock"), or false when e does not look like a lock: a
// lock created in this module or class, or a name matching the lock-name
// patterns.
func (m *Module) LockKey(f *Func, e python.Expr) (string, bool) {
	return m.lockKey(f, e, 0)
}

// lockKey is LockKey; depth counts the local aliases followed
// (`lock = self._lock` makes `with lock:` hold self._lock).
func (m *Module) lockKey(f *Func, e python.Expr, depth int) (string, bool) {
	if n, ok := e.(*python.Name); ok && f != nil && depth < 4 && f.Locals.Has(n.ID) && f.Stores(n.ID) == 1 {
		for _, a := range f.aliases {
			if a.Name == n.ID {
				if key, ok := m.lockKey(f, a.Value, depth+1); ok {
					return key, true
				}
				break
			}
		}
	}
	name := DottedName(e)
	if name == "" {
		return "", false
	}
	last := name[strings.LastIndexByte(name, '.')+1:]
	ref := m.Resolve(f, e)
	known := false
	switch ref.Kind {
	case RefGlobal:
		known = m.GlobalLocks[ref.Name]
	case RefInstanceAttr, RefClassAttr:
		known = ref.Class != nil && ref.Class.LockAttrs[ref.Name]
	}
	if !known && !m.IsLockName(last) {
		return "", false
	}
	if ref.Key != "" {
		return ref.Key, true
	}
	return name, true
}

// Walk calls fn for every statement and expression of the module but
// constants (literals are never shared state, and a sixth of all nodes),
// with its context: module-level code first, then each function in order.
// Nested functions and classes are visited as their own scopes, not as
// part of the enclosing one.
//
// Build records the walk once; every call replays it, so that each rule
// walking the module costs a pass over a slice. A Module is not safe for
// concurrent use.
func (m *Module) Walk(fn func(*Ctx, python.Node)) {
	for _, e := range m.events {
		fn(e.Ctx, e.Node)
	}
}

// WalkKinds is Walk restricted to the nodes of the kinds in ks, in the
// same order: a rule that looks at a few kinds of node skips the others
// without a call, and without looking at them when they are few.
func (m *Module) WalkKinds(ks KindSet, fn func(*Ctx, python.Node)) {
	total := 0
	lists := 0
	for k := range numKinds {
		if ks.Has(k) && m.kindCount[k] > 0 {
			total += int(m.kindCount[k])
			lists++
		}
	}
	if total == 0 {
		return
	}
	if lists > 1 && 3*total >= len(m.events) {
		// Many: one pass over the kinds costs less than gathering the
		// positions of each.
		for i, k := range m.kinds {
			if ks&(1<<k) != 0 {
				e := &m.events[i]
				fn(e.Ctx, e.Node)
			}
		}
		return
	}
	byKind := m.positions()
	if lists == 1 {
		for k := range numKinds {
			if ks.Has(k) {
				for _, i := range byKind[k] {
					e := &m.events[i]
					fn(e.Ctx, e.Node)
				}
			}
		}
		return
	}
	// Few, of several kinds: mark their positions in a bit set, then
	// visit the marks in order.
	words := (len(m.events) + 63) / 64
	marks := m.marks // taken while in use: fn may walk too
	m.marks = nil
	if cap(marks) < words {
		marks = make([]uint64, words)
	}
	marks = marks[:words]
	for k := range numKinds {
		if ks.Has(k) {
			for _, i := range byKind[k] {
				marks[i>>6] |= 1 << (i & 63)
			}
		}
	}
	for w, set := range marks {
		if set == 0 {
			continue
		}
		marks[w] = 0 // left clear for the next walk
		for set != 0 {
			i := w<<6 | bits.TrailingZeros64(set)
			set &= set - 1
			e := &m.events[i]
			fn(e.Ctx, e.Node)
		}
	}
	m.marks = marks
}

// positions lists, per kind, the positions of its nodes in the walk.
func (m *Module) positions() *[numKinds][]int32 {
	if m.byKind == nil {
		m.byKind = new([numKinds][]int32)
		var all []int32
		if s := m.scratch; s != nil && cap(s.pos) >= len(m.events) {
			all, s.pos = s.pos[:len(m.events)], nil
		} else {
			all = make([]int32, len(m.events))
		}
		m.posAll = all
		// A counting sort: next[k] is where the next node of kind k goes.
		var next [numKinds]int32
		off := int32(0)
		for k := range numKinds {
			c := m.kindCount[k]
			m.byKind[k] = all[off : off+c : off+c]
			next[k] = off
			off += c
		}
		for i, k := range m.kinds {
			all[next[k]] = int32(i)
			next[k]++
		}
	}
	return m.byKind
}

// LocksHeld reports whether the walk holds a lock anywhere: a with block
// or an acquire()/release() region on a lock, or a synchronizing
// decorator.
func (m *Module) LocksHeld() bool {
	return m.locksHeld
}

// StmtCtx returns the context of a statement of the module (every
// statement is in the walk), nil for a node that is not one.
func (m *Module) StmtCtx(s python.Stmt) *Ctx {
	if m.stmtStart == nil {
		m.indexStmts()
	}
	l := stmtBucket(s, len(m.stmtStart)-1)
	for _, c := range m.stmtByLine[m.stmtStart[l]:m.stmtStart[l+1]] {
		if c.Stmt == s {
			return c
		}
	}
	return nil
}

// stmtBucket is the line a statement is filed under: its first line, or
// 0 when that is out of range.
func stmtBucket(s python.Stmt, lines int) int {
	l := s.Pos().Line
	if l < 0 || l >= lines {
		return 0
	}
	return l
}

// indexStmts files the statement contexts by first line (a counting sort).
func (m *Module) indexStmts() {
	lines := m.File.Lines + 2
	start := make([]int32, lines+1)
	m.arena.ctxs.all(func(c *Ctx) { start[stmtBucket(c.Stmt, lines)+1]++ })
	for l := 1; l <= lines; l++ {
		start[l] += start[l-1]
	}
	by := make([]*Ctx, start[lines])
	fill := slices.Clone(start[:lines])
	m.arena.ctxs.all(func(c *Ctx) {
		l := stmtBucket(c.Stmt, lines)
		by[fill[l]] = c
		fill[l]++
	})
	m.stmtStart, m.stmtByLine = start, by
}

// Event is one node of the walk with its context.
type Event struct {
	Ctx  *Ctx
	Node python.Node
}

// Events returns the walk (as Walk visits it) and the kind of each node,
// for a rule that loops over the walk itself. Both are read-only.
func (m *Module) Events() ([]Event, []Kind) {
	return m.events, m.kinds
}
