// Package model builds what pyrace's scan rules reason about, per module:
// scopes and the names each binds, module globals, class and instance
// attributes, init code (owned, not shared), locks with identity and the
// regions each protects, and the evidence that the code expects threads.
// It never executes the code it models.
package model

import (
	"path"
	"strings"

	"github.com/pyrace/pyrace/internal/python"
)

// Options tune the model.
type Options struct {
	// SyncDecorators are decorator names that make a whole function run
	// under a lock ("synchronized", "locked").
	SyncDecorators []string
	// LockNames are extra glob patterns (path.Match syntax, matched
	// against the last name component, case-insensitively) of names that
	// hold locks.
	LockNames []string
	// AssumeThreaded treats every public class of the module as shared
	// between threads (the audit mode).
	AssumeThreaded bool
}

// DefaultSyncDecorators are the synchronizing decorators known without
// configuration.
func DefaultSyncDecorators() []string { return []string{"synchronized", "locked"} }

// Module is the model of one Python module.
type Module struct {
	File *python.File
	// Name is the dotted module name ("pkg.mod"), from the file's path.
	Name string
	// Globals are the names bound at module level.
	Globals map[string]bool
	// ModuleImports are module-level names bound by `import` statements
	// ("import helpers", "import pkg.mod as mod"), mapped to the module.
	// Names bound by `from pkg import name` are not in it: they may be
	// any object, mutable state included.
	ModuleImports map[string]string
	// GlobalLocks are module-level names holding locks.
	GlobalLocks map[string]bool
	// ThreadLocal are module-level names holding threading.local() or
	// ContextVar objects: per-thread state, never shared.
	ThreadLocal map[string]bool
	// Classes lists every class, outer before inner.
	Classes []*Class
	// Funcs lists every function and method, outer before inner.
	Funcs []*Func
	// Intent is the evidence that the module expects threads ("imports
	// threading"), "" when there is none.
	Intent string

	opts       Options
	classByQua map[string]*Class
	lines      *python.Lines
	// scratch lends the walk's buffers, nil if none.
	scratch *Scratch
	// pyraceComment and threadSafeComment: see Comments.
	pyraceComment, threadSafeComment bool
	// events is the recorded walk (see Walk), kinds the kind of each
	// node and kindCount the number of nodes of each kind; features are
	// the module's Features, locksHeld whether a context holds a lock.
	events    []Event
	kinds     []Kind
	kindCount [numKinds]int32
	features  Features
	locksHeld bool
	// byKind are the positions of the nodes of each kind in the walk
	// (slices of posAll), made on first use; stmtByLine the statement
	// contexts by first line, those of line l from stmtStart[l] to
	// stmtStart[l+1].
	byKind *[numKinds][]int32
	// marks is WalkKinds' bit set of positions, all clear between walks.
	marks      []uint64
	posAll     []int32
	stmtStart  []int32
	stmtByLine []*Ctx
	// funcRefs are the references to functions and methods (FuncRefs).
	funcRefs []FuncRef
	// blocks are the statement lists of the walk, in walk order.
	blocks []stmtList
	// strs makes the module's qualified names and state keys.
	strs stringMaker
	// arena holds the module's contexts (in walk order), functions,
	// classes and lock states: the scratch's, or the module's own.
	arena *arena
	// memo holds facts rules derive once per module (see Memo).
	memo map[string]any
}

// Memo returns the value stored under key, computing and storing it with
// fn on first use: rules that share derived facts (a flow analysis, an
// index of accesses) compute them once per module. Like the rest of a
// Module, it is not safe for concurrent use.
func (m *Module) Memo(key string, fn func() any) any {
	if v, ok := m.memo[key]; ok {
		return v
	}
	if m.memo == nil {
		m.memo = map[string]any{}
	}
	v := fn()
	m.memo[key] = v
	return v
}

// Class is the model of a class.
type Class struct {
	Name string
	// Qual is the dotted name within the module, "Outer.Inner".
	Qual string
	Node *python.ClassDef
	// Methods maps method names to their functions.
	Methods map[string]*Func
	// ClassAttrs are names assigned in the class body.
	ClassAttrs map[string]bool
	// LockAttrs are attributes (instance or class) holding locks. This
	// map and the next two are nil when empty.
	LockAttrs map[string]bool
	// LocalAttrs are attributes holding threading.local() objects.
	LocalAttrs map[string]bool
	// Guarded maps attributes to the lock named by a
	// `# pyrace: guarded-by LOCK` annotation.
	Guarded map[string]string
	// Intent is the evidence that the class expects threads, "" if none.
	Intent string
	// ThreadConfined is set by `# pyrace: thread-confined` on the class.
	ThreadConfined bool
	// ThreadLocalBase is true for subclasses of threading.local.
	ThreadLocalBase bool
	// LoopBound is set for classes bound to an asyncio event loop (an
	// `async def` method, or a method using `self._loop`): their state is
	// confined to the loop's thread.
	LoopBound bool
	// Public is true when the name does not start with an underscore.
	Public bool
}

// Func is the model of a function or method.
type Func struct {
	Name string
	// Qual is the enclosing symbol as findings show it: "Class.method",
	// "func", "outer.inner".
	Qual string
	Node python.Stmt
	Body []python.Stmt
	Args *python.Arguments
	// Decorators are the decorator expressions.
	Decorators []python.Expr
	// Class is the class a method belongs to; nil for functions.
	Class *Class
	// Parent is the enclosing function of a nested function.
	Parent *Func
	// SelfName is the first parameter of an instance method ("self"), and
	// ClsName that of a classmethod ("cls"); "" otherwise.
	SelfName, ClsName string
	// Init is true for init code: constructors (__init__, __new__,
	// __post_init__, __init_subclass__, __set_name__), test set-up
	// (setUp, setUpClass, asyncSetUp) and methods called only from them.
	Init bool
	// Globals and Nonlocals are the names declared global or nonlocal
	// (nil when there are none);
	// Locals the names bound in the function's own scope.
	Globals, Nonlocals map[string]bool
	Locals             Names
	// Synchronized is the synchronizing decorator of the function, "" if
	// none: the whole body runs under that lock.
	Synchronized string
	// ThreadConfined is set by `# pyrace: thread-confined`.
	ThreadConfined bool
	// ForkHandler is set when the function or an enclosing one has "fork"
	// in its name (`_after_fork`, `_at_fork_reinit`): code that runs in a
	// child process right after fork, where only one thread exists.
	ForkHandler bool

	// selfCalls are the private methods a method calls through its
	// receiver, and lockUses its with statements and acquire() calls:
	// what Build needs of the body once every class is known.
	selfCalls []string
	lockUses  []python.Node
	// stored are the names the function's own scope binds or deletes,
	// once per Name target; aliases its `name = Name/Attribute`
	// assignments.
	stored  []string
	aliases []Alias
	// lockWrap is the lock a lock wrapper takes (lockWrapAcquire) or
	// releases: a function whose whole body is `X.acquire()` or
	// `X.release()`, perhaps under `if X:` (logging's `Handler.acquire`,
	// `_acquireLock`). Calls of it count as taking or releasing X.
	lockWrap        python.Expr
	lockWrapAcquire bool
}

// Alias is an assignment `Name = Value` with a Name or Attribute value.
type Alias struct {
	Name  string
	Value python.Expr
}

// Aliases lists the single-target assignments `x = y` / `x = a.b` of the
// function's own scope (not in nested functions, classes, lambdas or
// comprehensions), in order.
func (f *Func) Aliases() []Alias { return f.aliases }

// Stores counts the Name targets (stores and deletes) of name in the
// function's own scope (not in nested functions, classes, lambdas or
// comprehensions).
func (f *Func) Stores(name string) int {
	n := 0
	for _, s := range f.stored {
		if s == name {
			n++
		}
	}
	return n
}

// Build models a parsed file. name is the dotted module name.
func Build(f *python.File, name string, opts Options) *Module {
	return BuildScratch(f, string(f.Text), name, opts, nil)
}

// Scratch holds the large buffers of a module's walk so that the next
// module built with it reuses them (see Module.Release). A Scratch serves
// one goroutine.
type Scratch struct {
	events []Event
	kinds  []Kind
	pos    []int32
	blocks []stmtList
	arena  arena
}

// BuildScratch is Build with the decoded text of f already converted to a
// string, taking the walk's buffers from s (nil: new ones).
func BuildScratch(f *python.File, text string, name string, opts Options, s *Scratch) *Module {
	if len(opts.SyncDecorators) == 0 {
		opts.SyncDecorators = DefaultSyncDecorators()
	}
	m := &Module{
		File:          f,
		Name:          name,
		Globals:       map[string]bool{},
		ModuleImports: map[string]string{},
		GlobalLocks:   map[string]bool{},
		ThreadLocal:   map[string]bool{},
		opts:          opts,
		classByQua:    map[string]*Class{},
		lines:         python.NewLines(text),
		scratch:       s,
	}
	if s != nil {
		m.arena = &s.arena
	} else {
		m.arena = &arena{}
	}
	b := builder{m: m}
	m.pyraceComment, m.threadSafeComment = commentMarks(text)
	b.pyrace = m.pyraceComment
	b.module(f.Module.Body)
	b.traverse()
	b.initClosure()
	b.intent()
	b.traversed.resolveLocks()
	for _, fn := range m.Funcs {
		fn.selfCalls, fn.lockUses = nil, nil
	}
	return m
}

// commentMarks reports whether text has a `#` followed by blanks (space,
// tab, form feed, carriage return) and `pyrace:`, and one followed by
// blanks and `thread_safe_ok`: what every pyrace annotation and every
// suppression comment starts with (`#\s*pyrace:`, `#\s*thread_safe_ok`, on
// one line).
func commentMarks(text string) (pyrace, threadSafe bool) {
	for i := 0; i < len(text); {
		j := strings.IndexByte(text[i:], '#')
		if j < 0 {
			break
		}
		k := i + j + 1
		for k < len(text) && (text[k] == ' ' || text[k] == '\t' || text[k] == '\f' || text[k] == '\r') {
			k++
		}
		rest := text[k:]
		pyrace = pyrace || strings.HasPrefix(rest, "pyrace:")
		threadSafe = threadSafe || strings.HasPrefix(rest, "thread_safe_ok")
		if pyrace && threadSafe {
			break
		}
		i = i + j + 1
	}
	return pyrace, threadSafe
}

// Comments reports whether the source may hold pyrace comments: a
// `# pyrace: ...` annotation or suppression, a `# thread_safe_ok`. When a
// result is false, the source has none of that kind.
func (m *Module) Comments() (pyrace, threadSafe bool) {
	return m.pyraceComment, m.threadSafeComment
}

// maxScratchEvents bounds the walk a Scratch keeps for the next module.
const maxScratchEvents = 64 << 10

// Release hands the walk's buffers back to the Scratch the module was
// built with, for the next module: the module must not be used after.
func (m *Module) Release() {
	s := m.scratch
	if s == nil {
		return
	}
	m.scratch = nil
	// The walk is kept up to a typical module's size: the collector
	// scans what the Scratch holds at every collection.
	if c := cap(m.events); c > cap(s.events) && c <= maxScratchEvents {
		clear(m.events) // no stale references for the collector to follow
		s.events, s.kinds = m.events[:0], m.kinds[:0]
	}
	if c := cap(m.posAll); c > cap(s.pos) && c <= maxScratchEvents {
		s.pos = m.posAll[:0]
	}
	if c := cap(m.blocks); c > cap(s.blocks) && c <= maxScratchEvents/4 {
		clear(m.blocks)
		s.blocks = m.blocks[:0]
	}
	m.arena.reset()
	m.events, m.kinds, m.byKind, m.posAll, m.arena, m.stmtByLine, m.blocks = nil, nil, nil, nil, nil, nil, nil
}

// Text returns the decoded source text.
func (m *Module) Text() string { return m.lines.Text() }

// Lines returns the lines of the source text.
func (m *Module) Lines() *python.Lines { return m.lines }

// FuncRef is a reference, in the walk, to one of the module's top-level
// functions by name or to a method through the receiver (`self.m`,
// `cls.m`) of a method of its class.
type FuncRef struct {
	Ctx  *Ctx
	Node python.Expr // the *python.Name or *python.Attribute
	Func *Func
	// Call is set when the reference is the callee of a call.
	Call bool
}

// FuncRefs lists the references to the module's functions and methods in
// walk order. A name is listed when it is read and names a top-level
// function, even where a local of the same name shadows it: check with
// Resolve.
func (m *Module) FuncRefs() []FuncRef { return m.funcRefs }

// Concat returns the concatenation of parts, made in the module's string
// buffers (one allocation for many short strings): for the keys rules
// build per node.
func (m *Module) Concat(parts ...string) string { return m.strs.join(parts) }

// Options returns the options the module was built with.
func (m *Module) Options() Options { return m.opts }

// Line returns source line n (1-based), without its line end.
func (m *Module) Line(n int) string { return m.lines.Line(n) }

// ClassByQual returns the class with the dotted name, or nil.
func (m *Module) ClassByQual(q string) *Class { return m.classByQua[q] }

// IsLockName reports whether a name looks like it holds a lock: *lock*,
// *mutex*, *_cv, *cond* (case-insensitive), or a configured pattern.
func (m *Module) IsLockName(name string) bool {
	n := strings.ToLower(strings.TrimLeft(name, "_"))
	if strings.Contains(n, "lock") && !strings.Contains(n, "block") && !strings.Contains(n, "clock") && !strings.Contains(n, "unlock") {
		return true
	}
	if strings.Contains(n, "mutex") || strings.HasSuffix(n, "_cv") || n == "cv" ||
		strings.HasPrefix(n, "cond") || strings.Contains(n, "_cond") || strings.HasSuffix(n, "sem") ||
		strings.Contains(n, "semaphore") {
		return true
	}
	for _, p := range m.opts.LockNames {
		if ok, _ := path.Match(strings.ToLower(p), n); ok {
			return true
		}
	}
	return false
}

// IsLockFactory reports whether a call creates a lock: threading.Lock(),
// RLock(), Condition(), Semaphore(), BoundedSemaphore(),
// _thread.allocate_lock(), multiprocessing's equivalents.
func IsLockFactory(call *python.Call) bool {
	switch CalleeName(call) {
	case "Lock", "RLock", "Condition", "Semaphore", "BoundedSemaphore", "allocate_lock":
		return true
	}
	return false
}

// IsThreadLocalFactory reports whether a call creates per-thread state:
// threading.local(), contextvars.ContextVar(...).
func IsThreadLocalFactory(call *python.Call) bool {
	switch CalleeName(call) {
	case "local", "ContextVar":
		return true
	}
	return false
}

// CalleeName returns the last component of a call's callee: "Lock" for
// threading.Lock(), "heappop" for heapq.heappop(h); "" for other callees.
func CalleeName(call *python.Call) string {
	switch f := call.Func.(type) {
	case *python.Name:
		return f.ID
	case *python.Attribute:
		return f.Attr
	}
	return ""
}

// DottedName renders a Name/Attribute chain ("self._lock", "threading.Lock");
// "" for anything else. type(self).x renders as "type(self).x".
func DottedName(e python.Expr) string {
	switch e := e.(type) {
	case *python.Name:
		return e.ID
	case *python.Attribute:
		base := DottedName(e.Value)
		if base == "" {
			return ""
		}
		return base + "." + e.Attr
	case *python.Call:
		if n, ok := e.Func.(*python.Name); ok && n.ID == "type" && len(e.Args) == 1 {
			if a, ok := e.Args[0].(*python.Name); ok {
				return "type(" + a.ID + ")"
			}
		}
	}
	return ""
}
