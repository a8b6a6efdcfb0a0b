"""FT003 fixtures on attributes: instance state, class registries, locks."""

import itertools
import threading
import unittest
from collections import defaultdict, deque


class Directory:
    """The seed 000 shape 3 crash: _directory_content vs add_entry."""

    def __init__(self):
        self._entries = {}
        self._entries["."] = self  # ok: constructor owns the new dict
        for name in self._entries:  # ok: init code, not shared yet
            pass
        self._load()

    def _load(self):
        for name in self._entries:  # ok: called only from __init__
            pass

    def add_entry(self, name, entry):
        self._entries[name] = entry

    def remove_entry(self, name):
        self._entries.pop(name, None)

    def directory_content(self, pattern):
        return [sub for sub in self._entries if pattern in sub]  # want: FT003

    def walk(self):
        for name, entry in self._entries.items():  # want: FT003
            yield name, entry

    def snapshot(self):
        return dict(self._entries)  # ok: dict() copies atomically

    def names(self):
        return list(self._entries.keys())  # ok: list(d.keys()) copies atomically


class MountTable:
    def __init__(self):
        self.mount_points = defaultdict(list)
        self._lock = threading.RLock()
        self._queue = deque()
        self._ids = itertools.count()

    def add_mount_point(self, path):
        with self._lock:
            self.mount_points[path].append(next(self._ids))

    def mount_point_for_path(self, path):
        with self._lock:
            for mp in self.mount_points:  # ok: same lock as the only mutation
                if path.startswith(mp):
                    return mp
        return None

    def is_mount_point(self, path):
        return any(path == mp for mp in self.mount_points)  # want: FT003

    def acquire_release(self):
        self._lock.acquire()
        try:
            for mp in self.mount_points:  # ok: held through acquire()/finally release()
                print(mp)
        finally:
            self._lock.release()

    def push(self, item):
        self._queue.append(item)

    def pending(self):
        return [x for x in self._queue]  # want: FT003

    def next_id(self):
        return next(self._ids)  # ok: not an iteration of shared state


class Plugin:
    _registry = []
    _by_name = {}

    def __init__(self, name):
        self.name = name
        Plugin._registry.append(self)  # every constructor call shares the class list
        self._by_name[name] = self

    @classmethod
    def all(cls):
        return [p.name for p in cls._registry]  # want: FT003

    def siblings(self):
        return [p for p in self._by_name.values() if p is not self]  # want: FT003

    @classmethod
    def all_copy(cls):
        return [p.name for p in cls._registry.copy()]  # ok: iterates a copy


class Subscribers:
    def __init__(self):
        self.subs = set()

    def subscribe(self, fn):
        self.subs.add(fn)

    def publish(self, msg):
        for fn in self.subs:  # want: FT003
            fn(msg)

    def prune(self):
        for fn in self.subs:  # want: FT003
            if fn is None:
                self.subs.discard(fn)
                break


class Pruner:
    def __init__(self):
        self.subs = set()

    def prune(self):
        for fn in self.subs:  # ok: the only mutation is inside this loop (single-threaded bug, not FT003)
            if fn is None:
                self.subs.discard(fn)
                break


class SelfRace:
    def __init__(self):
        self.items = []

    def add_unique(self, x):
        for y in self.items:  # want: FT003
            if y == x:
                return
        self.items.append(x)


class Widget:
    """No container evidence: update()/add() may be anything."""

    def __init__(self, children):
        self.children = children
        self.hasher = None

    def refresh(self, data):
        self.children.update(data)

    def draw(self):
        for c in self.children:  # ok: update() on something not known to be a container
            c.draw()


class Confined:  # pyrace: thread-confined
    def __init__(self):
        self.items = []

    def add(self, x):
        self.items.append(x)

    def total(self):
        return sum(self.items)  # ok: declared thread-confined


class Synced:
    def __init__(self):
        self.items = {}

    @synchronized
    def put(self, k, v):
        self.items[k] = v

    @synchronized
    def keys(self):
        return [k for k in self.items]  # ok: both run under the synchronizing decorator


class PerThread(threading.local):
    def __init__(self):
        self.stack = []

    def push(self, x):
        self.stack.append(x)

    def dump(self):
        for x in self.stack:  # ok: threading.local subclass
            print(x)


class Fixture(unittest.TestCase):
    def setUp(self):
        self.seen = []
        self.seen.append(1)
        for x in self.seen:  # ok: set-up code
            print(x)


def make_collector():
    found = []

    def add(x):
        found.append(x)

    def report():
        for x in found:  # ok: found is a closure local, not rebound with nonlocal (model: local)
            print(x)

    return add, report


def zipped(a):
    for x, y in zip(a, Plugin._registry):  # want: FT003
        print(x, y)


class Cache:
    """Private helpers called only with the lock held inherit it."""

    def __init__(self):
        self._lock = threading.Lock()
        self._data = {}

    def put(self, k, v):
        with self._lock:
            self._data[k] = v
            self._evict()

    def get_all(self):
        with self._lock:
            return self._snapshot()

    def _snapshot(self):
        return {k: v for k, v in self._data.items()}  # ok: every caller holds self._lock

    def _evict(self):
        for k in self._data:  # ok: every caller holds self._lock
            pass

    def dump(self):
        return self._dump_unlocked()

    def _dump_unlocked(self):
        return [k for k in self._data]  # want: FT003
