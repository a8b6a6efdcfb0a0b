"""FT005 fixtures: check-then-act on shared dicts, lists and sets."""

import threading
import unittest

_cache = {}
_pending = []
_LOCK = threading.Lock()

if "boot" not in _cache:
    _cache["boot"] = 1  # ok: module top level runs once, at import


def get_or_create(key, factory):
    if key not in _cache:
        _cache[key] = factory()  # want: FT005
    return _cache[key]


def get_or_create_setdefault(key, factory):
    return _cache.setdefault(key, factory())  # ok: setdefault is one atomic operation


def get_or_create_locked(key, factory):
    with _LOCK:
        if key not in _cache:
            _cache[key] = factory()  # ok: check and insert under the same lock
        return _cache[key]


def get_or_create_half_locked(key, factory):
    if key not in _cache:
        with _LOCK:
            _cache[key] = factory()  # want: FT005


def evict(key):
    if key in _cache:
        del _cache[key]  # want: FT005


def evict_pop(key):
    if key in _cache:
        _cache.pop(key)  # want: FT005


def evict_atomic(key):
    _cache.pop(key, None)  # ok: pop with a default is atomic


def evict_try(key):
    try:
        del _cache[key]  # ok: try/except KeyError, no check
    except KeyError:
        pass


def lookup(key):
    if key in _cache:
        return _cache[key]  # want: FT005
    return None


def lookup_get(key):
    value = _cache.get(key)  # ok: one atomic read
    return value


def lookup_guard(key):
    if key not in _cache:
        return None
    return _cache[key]  # want: FT005


def lookup_ifexp(key):
    return _cache[key] if key in _cache else None  # want: FT005


def lookup_and(key):
    return key in _cache and _cache[key].ready  # want: FT005


def lookup_get_is_none(key, v):
    if _cache.get(key) is None:
        _cache[key] = v  # want: FT005


def take():
    if _pending:
        return _pending.pop()  # want: FT005
    return None


def take_len():
    if len(_pending) > 0:
        return _pending.pop(0)  # want: FT005
    return None


def drain():
    while _pending:
        _pending.pop()  # want: FT005


def take_atomic():
    try:
        return _pending.pop()  # ok: try/except IndexError, no check
    except IndexError:
        return None


def push(x):
    if x not in _pending:
        _pending.append(x)  # want: FT005


def push_plain(x):
    _pending.append(x)  # ok: append alone is atomic


def local_dict(key):
    mine = {}
    if key not in mine:
        mine[key] = 1  # ok: a local
    return mine


_grow_only = {}


def add_grow_only(k, v):
    _grow_only.setdefault(k, v)


def read_grow_only(k):
    if k in _grow_only:
        return _grow_only[k]  # ok: nothing ever removes keys, the read cannot fail
    return None


def peek():
    if _pending:
        return _pending[0]  # want: FT005
    return None


def suppressed(key):
    if key not in _cache:
        _cache[key] = 1  # pyrace: ignore[FT005]  # ok: suppressed
    if key in _cache:
        del _cache[key]  # thread_safe_ok  # ok: suppressed (seed 000 convention)


_tls = threading.local()


def per_thread(key):
    if not hasattr(_tls, "cache"):
        _tls.cache = {}  # ok: threading.local attribute
    if key not in _tls.cache:
        _tls.cache[key] = 1  # ok: threading.local attribute


class Pool:
    def __init__(self):
        self._locks = {}
        self._free = []
        if "x" not in self._locks:
            self._locks["x"] = threading.Lock()  # ok: constructor owns the new dict
        self._warm()

    def _warm(self):
        if "y" not in self._locks:
            self._locks["y"] = threading.Lock()  # ok: called only from __init__

    def lock_for(self, key):
        if key not in self._locks:
            self._locks[key] = threading.Lock()  # want: FT005
        return self._locks[key]

    def release(self, key):
        if key in self._locks:
            self._locks.pop(key)  # want: FT005

    def get_free(self):
        if self._free:
            return self._free.pop()  # want: FT005
        return None

    def get_free_try(self):
        try:
            return self._free.pop()  # ok: no check
        except IndexError:
            return None

    def other(self, other, key):
        if key not in other._locks:
            other._locks[key] = 1  # ok: not self: the model cannot tell whose it is


class Stock:
    def __init__(self):
        self._units = {}
        self.total = 0
        self._lock = threading.Lock()

    def reserve(self, sku, n):
        available = self._units.get(sku, 0)
        if available < n:
            return False
        self._units[sku] = available - n  # want: FT005
        return True

    def take_total(self, n):
        left = self.total
        if left >= n:
            self.total = left - n  # want: FT005

    def memo(self, sku):
        entry = self._units.get(sku)
        if entry is None:
            entry = [sku]
            self._units[sku] = entry  # want: FT005
        return entry

    def normalize(self):
        value = self.total
        if not isinstance(value, int):
            value = int(value)
            self.total = value  # ok: an attribute re-normalised through a local (lazy-init shape, FT010's business)

    def reserve_locked(self, sku, n):
        with self._lock:
            available = self._units.get(sku, 0)
            if available < n:
                return False
            self._units[sku] = available - n  # ok: read, check and write under one lock
        return True

    def reserve_local(self, units, sku, n):
        available = units.get(sku, 0)
        if available < n:
            return False
        units[sku] = available - n  # ok: a parameter's dict, not known to be shared
        return True


class Registry:
    _instances = {}

    def __init__(self, name):
        if name not in Registry._instances:
            Registry._instances[name] = self  # want: FT005

    @classmethod
    def forget(cls, name):
        if name in cls._instances:
            del cls._instances[name]  # want: FT005


class Synced:
    def __init__(self):
        self.d = {}

    @synchronized
    def put(self, k, v):
        if k not in self.d:
            self.d[k] = v  # ok: the whole method runs under the synchronizing decorator

    def put_acquire(self, k, v):
        self._lock.acquire()
        try:
            if k not in self.d:
                self.d[k] = v  # ok: between acquire() and release()
        finally:
            self._lock.release()


class Confined:  # pyrace: thread-confined
    def __init__(self):
        self.d = {}

    def put(self, k, v):
        if k not in self.d:
            self.d[k] = v  # ok: declared thread-confined


class Case(unittest.TestCase):
    def setUp(self):
        self.d = {}
        if "a" not in self.d:
            self.d["a"] = 1  # ok: set-up code


# Lock wrappers, as in logging: calls of a function or method whose body is
# `X.acquire()` / `X.release()` take and release X.
_handlers = {}
_wrapped_lock = threading.RLock()


def _acquire_wrapped():
    if _wrapped_lock:
        _wrapped_lock.acquire()


def _release_wrapped():
    if _wrapped_lock:
        _wrapped_lock.release()


def remove_handler(name):
    _acquire_wrapped()
    try:
        if name in _handlers:
            del _handlers[name]  # ok: _acquire_wrapped() holds _wrapped_lock
    finally:
        _release_wrapped()


def remove_handler_unlocked(name):
    if name in _handlers:
        del _handlers[name]  # want: FT005


class Registry:
    def __init__(self):
        self.lock = threading.Lock()
        self.items = {}

    def acquire(self):
        """Take the registry's lock."""
        self.lock.acquire()

    def release(self):
        self.lock.release()

    def drop(self, key):
        self.acquire()
        try:
            if key in self.items:
                del self.items[key]  # ok: self.acquire() holds self.lock
        finally:
            self.release()

    def try_drop(self, key):
        if not self.lock.acquire(blocking=False):
            return
        try:
            if key in self.items:
                del self.items[key]  # ok: held after `if not acquire(): return`
        finally:
            self.lock.release()

    def try_drop_else(self, key):
        if not self.lock.acquire(False):
            self.items.pop(key, None)  # ok: an atomic single operation
        else:
            try:
                if key in self.items:
                    del self.items[key]  # ok: the else branch holds self.lock
            finally:
                self.lock.release()
