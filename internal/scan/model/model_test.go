package model_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/pyrace/pyrace/internal/python"
	"github.com/pyrace/pyrace/internal/scan/model"
)

const source = `import threading
import helpers

LOCK = threading.Lock()
_cache = {}
_tls = threading.local()


def read_global():
    return _cache


def write_global():
    global _cache
    _cache = {}


class Store:
    registry = []

    def __init__(self):
        self._lock = threading.RLock()
        self._items = {}
        self._setup()

    def _setup(self):
        self._items["a"] = 1

    def add(self, k, v):
        with self._lock:
            self._items[k] = v  # held: self._lock

    def remove(self, k):
        self._lock.acquire()
        try:
            del self._items[k]  # held: self._lock
        finally:
            self._lock.release()
        self._items.clear()  # held: -

    def local_alias(self, k):
        lock = self._lock
        with lock:
            self._items[k] = 2  # held: self._lock

    def maybe(self, k):
        if self._lock.acquire(blocking=False):
            self._items.pop(k, None)  # held: self._lock

    @classmethod
    def reg(cls, x):
        cls.registry.append(x)
        helpers.USER_ID = x
        type(cls).flag = 1

    def nested(self):
        def inner():
            return self._items  # held: -
        return inner

    @synchronized
    def synced(self):
        self._items.clear()  # held: @synchronized


def outer():
    count = 0

    def bump():
        nonlocal count
        count += 1

    return bump


class Handler:
    def __init__(self):
        self.lock = threading.RLock()
        self.records = []

    def acquire(self):
        """Take the lock (a wrapper, as in logging.Handler)."""
        if self.lock:
            self.lock.acquire()

    def release(self):
        if self.lock:
            self.lock.release()

    def emit(self, r):
        self.acquire()
        try:
            self.records.append(r)  # held: self.lock
        finally:
            self.release()
        self.records.clear()  # held: -

    def try_emit(self, r):
        if not self.lock.acquire(False):
            return
        self.records.append(r)  # held: self.lock

    def try_else(self, r):
        if not self.lock.acquire(blocking=False):
            self.records.clear()  # held: -
        else:
            self.records.append(r)  # held: self.lock


_module_lock = threading.Lock()
_records = []


def _acquireLock():
    _module_lock.acquire()


def _releaseLock():
    _module_lock.release()


def module_emit(r):
    _acquireLock()
    try:
        _records.append(r)  # held: _module_lock
    finally:
        _releaseLock()
    _records.clear()  # held: -


class Plain:  # pyrace: thread-confined
    def go(self):
        self.n = 1
`

func build(t *testing.T) *model.Module {
	t.Helper()
	f := python.ParseFile("mod.py", []byte(source))
	if len(f.Errors) > 0 {
		t.Fatalf("parse: %v", f.Errors[0])
	}
	return model.Build(f, "pkg.mod", model.Options{})
}

func funcNamed(t *testing.T, m *model.Module, qual string) *model.Func {
	t.Helper()
	for _, f := range m.Funcs {
		if f.Qual == qual {
			return f
		}
	}
	t.Fatalf("no function %s", qual)
	return nil
}

func TestModuleFacts(t *testing.T) {
	m := build(t)
	for _, g := range []string{"LOCK", "_cache", "_tls", "read_global", "Store", "threading", "helpers"} {
		if !m.Globals[g] {
			t.Errorf("global %s missing", g)
		}
	}
	if !m.GlobalLocks["LOCK"] || !m.ThreadLocal["_tls"] || m.ModuleImports["helpers"] != "helpers" {
		t.Errorf("locks %v thread-locals %v imports %v", m.GlobalLocks, m.ThreadLocal, m.ModuleImports)
	}
	if m.Intent == "" {
		t.Error("a module importing threading shows concurrency intent")
	}
	store := m.ClassByQual("Store")
	if store == nil || !store.LockAttrs["_lock"] || !store.ClassAttrs["registry"] || store.Intent == "" {
		t.Fatalf("Store: %+v", store)
	}
	if !funcNamed(t, m, "Store._setup").Init {
		t.Error("a private method called only from __init__ is init code")
	}
	if funcNamed(t, m, "Store.add").Init {
		t.Error("add is not init code")
	}
	if got := funcNamed(t, m, "Store.synced").Synchronized; got != "@synchronized" {
		t.Errorf("synchronized = %q", got)
	}
	if !m.ClassByQual("Plain").ThreadConfined {
		t.Error("thread-confined annotation not seen")
	}
	if f := funcNamed(t, m, "Store.reg"); f.ClsName != "cls" || f.SelfName != "" {
		t.Errorf("classmethod receiver: self %q cls %q", f.SelfName, f.ClsName)
	}
}

func TestResolve(t *testing.T) {
	m := build(t)
	kinds := map[string]model.RefKind{}
	for _, qual := range []string{"read_global", "write_global", "Store.reg", "Store.nested.inner", "outer.bump"} {
		f := funcNamed(t, m, qual)
		for _, s := range f.Body {
			python.Inspect(s, func(n python.Node) bool {
				switch e := n.(type) {
				case *python.Name, *python.Attribute:
					if d := model.DottedName(e.(python.Expr)); d != "" {
						kinds[qual+":"+d] = m.Resolve(f, e.(python.Expr)).Kind
					}
				}
				return true
			})
		}
	}
	want := map[string]model.RefKind{
		"read_global:_cache":             model.RefGlobal,
		"write_global:_cache":            model.RefGlobal,
		"Store.reg:cls.registry":         model.RefClassAttr,
		"Store.reg:helpers.USER_ID":      model.RefModuleAttr,
		"Store.reg:x":                    model.RefLocal,
		"Store.nested.inner:self._items": model.RefInstanceAttr,
		"outer.bump:count":               model.RefNonlocal,
	}
	for k, v := range want {
		if kinds[k] != v {
			t.Errorf("%s: kind %d, want %d", k, kinds[k], v)
		}
	}
}

// TestWalkHeldLocks checks the lock regions against the `# held:` comments
// of the source: with blocks, acquire/release with try/finally, if
// acquire(), synchronizing decorators, and nothing after a release.
func TestWalkHeldLocks(t *testing.T) {
	m := build(t)
	lines := strings.Split(source, "\n")
	got := map[int]string{}
	m.Walk(func(ctx *model.Ctx, n python.Node) {
		if s, ok := n.(python.Stmt); ok {
			held := strings.Join(ctx.Held, ",")
			if held == "" {
				held = "-"
			}
			got[s.Pos().Line] = held
		}
	})
	checked := 0
	for i, l := range lines {
		_, want, ok := strings.Cut(l, "# held: ")
		if !ok {
			continue
		}
		checked++
		if got[i+1] != want {
			t.Errorf("line %d (%s): held %q, want %q", i+1, strings.TrimSpace(l), got[i+1], want)
		}
	}
	if checked != 14 {
		t.Fatalf("checked %d lines", checked)
	}
}

func TestWalkIsReplayed(t *testing.T) {
	m := build(t)
	var first, second []string
	m.Walk(func(ctx *model.Ctx, n python.Node) { first = append(first, fmt.Sprintf("%T@%d", n, n.Pos().Line)) })
	m.Walk(func(ctx *model.Ctx, n python.Node) { second = append(second, fmt.Sprintf("%T@%d", n, n.Pos().Line)) })
	if len(first) == 0 || !slices.Equal(first, second) {
		t.Errorf("walks differ: %d vs %d nodes", len(first), len(second))
	}
}

func TestLockNames(t *testing.T) {
	m := model.Build(python.ParseFile("x.py", nil), "x", model.Options{LockNames: []string{"*_guard"}})
	for name, want := range map[string]bool{
		"_lock": true, "state_lock": true, "mutex": true, "_cv": true, "cond": true, "not_empty_cond": true,
		"io_guard": true, "block": false, "clock": false, "unlocked": false, "items": false,
	} {
		if got := m.IsLockName(name); got != want {
			t.Errorf("IsLockName(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestIntentIsStable checks that a module importing two threading modules
// gets the same evidence on every build (map order must not leak).
func TestIntentIsStable(t *testing.T) {
	src := "import threading\nimport concurrent.futures\n"
	for range 20 {
		m := model.Build(python.ParseFile("x.py", []byte(src)), "x", model.Options{})
		if m.Intent != "imports concurrent" {
			t.Fatalf("Intent = %q, want %q", m.Intent, "imports concurrent")
		}
	}
}
