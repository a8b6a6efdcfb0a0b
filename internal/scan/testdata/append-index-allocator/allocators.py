"""FT004 fixtures: a shared list's length used to allocate indexes."""

import itertools
import threading

_HANDLERS = []
_NAMES = []
_LOCK = threading.Lock()
_LOCAL = threading.local()

_HANDLERS.append(print)  # ok: module top level is init code
_FIRST = len(_HANDLERS) - 1  # ok: module top level is init code


def add_handler(h):
    _HANDLERS.append(h)
    return len(_HANDLERS) - 1  # want: FT004


def add_name(name):
    global _NAMES
    _NAMES.append(name)
    return _NAMES.index(name)  # want: FT004


def add_handler_locked(h):
    with _LOCK:
        _HANDLERS.append(h)
        return len(_HANDLERS) - 1  # ok: append and length under the module lock


def local_list(values):
    out = []
    for v in values:
        out.append(v)
        print(len(out) - 1)  # ok: a local list
    return out


def param_list(lst, v):
    lst.append(v)
    return len(lst) - 1  # ok: a parameter: the model cannot tell whose it is


def per_thread(v):
    _LOCAL.stack = []
    _LOCAL.stack.append(v)
    return len(_LOCAL.stack) - 1  # ok: threading.local attribute


class Registry:
    """An index allocator on self.items, no lock."""

    everything = []

    def __init__(self):
        self.items = []
        self.names = []
        self._index = {}
        self.verbose = False
        self._ids = itertools.count()
        self._by_id = {}
        self.items.append(None)
        self.first = len(self.items) - 1  # ok: init code
        self._seed()

    def _seed(self):
        self.items.append(0)
        self.zero = len(self.items) - 1  # ok: called only from __init__

    def register(self, item):
        self.items.append(item)
        return len(self.items) - 1  # want: FT004

    def register_var(self, item):
        self.items.append(item)
        i = len(self.items) - 1  # want: FT004
        return i

    def register_index(self, item):
        self.items.append(item)
        return self.items.index(item)  # want: FT004

    def register_nested(self, item):
        self.items.append(item)
        if self.verbose:
            print("registered", len(self.items) - 1)  # want: FT004

    def register_many(self, values):
        ids = []
        for v in values:
            self.items.append(v)
            ids.append(len(self.items) - 1)  # want: FT004
        return ids

    def register_alias(self, item):
        items = self.items
        items.append(item)
        return len(items) - 1  # want: FT004

    def register_pre(self, item):
        i = len(self.items)  # want: FT004
        self.items.append(item)
        return i

    def register_pre_keyed(self, key, item):
        self._index[key] = len(self.names)  # want: FT004
        self.names.append(item)

    def register_pre_annotated(self, item):
        n: int = len(self.names) + 1  # want: FT004
        self.names.append((n, item))

    def register_self(self):
        Registry.everything.append(self)
        self.slot = len(Registry.everything) - 1  # want: FT004

    @classmethod
    def track(cls, obj):
        cls.everything.append(obj)
        return len(cls.everything) - 1  # want: FT004

    def register_callback(self):
        def cb(item):
            self.items.append(item)
            return len(self.items) - 1  # want: FT004

        return cb

    def count_after(self, item):
        self.items.append(item)
        return len(self.items)  # ok: a count, not an index

    def last_after(self, item):
        self.items.append(item)
        return self.items[-1]  # ok: not an index allocation (the last item, out of this rule's scope)

    def length_unused(self, item):
        n = len(self.items)  # ok: the length is not used after the append
        self.items.append(item)

    def length_only(self):
        n = len(self.items)  # ok: no append follows
        return n

    def find(self, item):
        return self.items.index(item)  # ok: no append before: a single lookup

    def other_list(self, item):
        self.items.append(item)
        return len(self.names) - 1  # ok: a different list

    def from_copy(self, item):
        items = list(self.items)
        items.append(item)
        return len(items) - 1  # ok: a private copy

    def append_only(self, item):
        self.items.append(item)  # ok: a single append is atomic

    def numbered(self, item):
        self._by_id[next(self._ids)] = item  # ok: itertools.count and an atomic dict store

    def pre_numbered(self, item):
        self.names.append((next(self._ids), item))  # ok: the entry carries its own number

    def suppressed(self, item):
        self.items.append(item)
        return len(self.items) - 1  # pyrace: ignore[FT004]

    def suppressed_legacy(self, item):
        self.items.append(item)
        return len(self.items) - 1  # thread_safe_ok


class Locked:
    def __init__(self):
        self._lock = threading.RLock()
        self._other_lock = threading.Lock()
        self.slots = []

    def add(self, v):
        with self._lock:
            self.slots.append(v)
            return len(self.slots) - 1  # ok: one critical section

    def add_acquire(self, v):
        self._lock.acquire()
        try:
            self.slots.append(v)
            return len(self.slots) - 1  # ok: between acquire and the finally's release
        finally:
            self._lock.release()

    def add_half_locked(self, v):
        with self._lock:
            self.slots.append(v)
        return len(self.slots) - 1  # want: FT004

    def add_wrong_lock(self, v):
        with self._other_lock:
            self.slots.append(v)
            return len(self.slots) - 1  # want: FT004

    def add_via_helper(self, v):
        with self._lock:
            return self._append(v)

    def _append(self, v):
        self.slots.append(v)
        return len(self.slots) - 1  # ok: every caller holds self._lock


def synchronized(fn):
    return fn


class Synced:
    def __init__(self):
        self.rows = []

    @synchronized
    def add(self, row):
        self.rows.append(row)
        return len(self.rows) - 1  # ok: a synchronizing decorator


class Fixture:
    def setUp(self):
        self.rows = []
        self.rows.append(1)
        self.row = len(self.rows) - 1  # ok: test set-up is init code


class Confined:  # pyrace: thread-confined
    def __init__(self):
        self.rows = []

    def add(self, row):
        self.rows.append(row)
        return len(self.rows) - 1  # ok: the class is declared thread-confined
