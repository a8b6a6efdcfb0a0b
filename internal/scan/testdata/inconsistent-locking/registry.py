"""FT011 fixtures: state written under a lock in most places and accessed
without it elsewhere (SpotBugs IS2_INCONSISTENT_SYNC, RacerD)."""

import threading


def synchronized(fn):
    return fn


class Registry:
    def __init__(self):
        self._lock = threading.Lock()
        self._items = {}  # ok: constructor: the object is not shared yet
        self._items.clear()  # ok: constructor
        self._load()

    def _load(self):
        self._items["boot"] = None  # ok: called only from __init__: init code

    def add(self, key, value):
        with self._lock:  # ok: the lock itself is not state
            self._items[key] = value  # ok: under the lock

    def remove(self, key):
        with self._lock:
            del self._items[key]  # ok: under the lock

    def replace(self, items):
        with self._lock:
            self._items = dict(items)  # ok: under the lock

    def get_locked(self, key):
        with self._lock:
            return self._items.get(key)  # ok: under the lock

    def snapshot(self):
        return list(self._items.values())  # want: FT011

    def keys(self):
        return [k for k in self._items]  # want: FT011

    def discard(self, key):
        self._items.pop(key, None)  # want: FT011

    def __del__(self):
        self._items.clear()  # ok: __del__ runs when no other thread holds the object

    def suppressed(self):
        return len(self._items)  # pyrace: ignore[FT011]

    def suppressed_legacy(self):
        return len(self._items)  # thread_safe_ok


class Counter:
    def __init__(self):
        self._mutex = threading.RLock()
        self._count = 0
        self.name = "counter"

    def incr(self):
        with self._mutex:
            self._count += 1  # ok: under the lock

    def decr(self):
        with self._mutex:
            self._count -= 1  # ok: under the lock

    def add(self, n):
        self._mutex.acquire()
        try:
            self._count += n  # ok: between acquire and the finally's release
        finally:
            self._mutex.release()
        self._count += 0  # want: FT011

    def reset(self):
        self._count = 0  # want: FT011

    @property
    def value(self):
        return self._count  # ok: returning state that is only rebound reads one reference atomically

    def drained(self):
        if self._count == 0:  # want: FT011
            self.on_empty()

    def on_empty(self):
        pass

    def label(self):
        return self.name  # ok: never written under a lock

    def rename(self, name):
        self.name = name  # ok: never written under a lock


class TwoLocks:
    def __init__(self):
        self._data_lock = threading.Lock()
        self._stats_lock = threading.Lock()
        self._data = []

    def push(self, x):
        with self._data_lock:
            self._data.append(x)  # ok: under the data lock

    def pop(self):
        with self._data_lock:
            return self._data.pop()  # ok: under the data lock

    def report(self):
        with self._stats_lock:
            return len(self._data)  # want: FT011


class Waiter:
    def __init__(self):
        self._lock = threading.Lock()
        self._cv = threading.Condition(self._lock)
        self._ready = []
        self._local = threading.local()
        self._stop_event = threading.Event()

    def put(self, item):
        with self._cv:
            self._ready.append(item)  # ok: the Condition is built on self._lock
            self._cv.notify()

    def take(self):
        with self._lock:
            return self._ready.pop(0)  # ok: self._lock is the Condition's lock

    def peek(self):
        return self._ready[0]  # want: FT011

    def note(self, x):
        with self._lock:
            self._local.last = x  # ok: a threading.local attribute
        self._local.last = None  # ok: a threading.local attribute

    def stop(self):
        with self._lock:
            self._stop_event.set()
        self._stop_event.set()  # ok: an Event is thread-safe


class Helpers:
    def __init__(self):
        self._lock = threading.Lock()
        self._buf = []

    def write(self, x):
        with self._lock:
            self._grow(x)
            self._touch(x)

    def flush(self):
        with self._lock:
            out, self._buf = self._buf, []  # ok: under the lock
        return out

    def _grow(self, x):
        self._buf.append(x)  # ok: called only with self._lock held

    def _touch(self, x):
        self._buf.append(x)  # want: FT011

    def poke(self, x):
        self._touch(x)

    def _drain_locked(self):
        self._buf.clear()  # ok: *_locked: the caller holds the lock


class Lazy:
    def __init__(self):
        self._lock = threading.Lock()
        self._conn = None

    def connection(self):
        if self._conn is None:  # ok: the fast path of a double-checked initialisation
            with self._lock:
                if self._conn is None:
                    self._conn = object()
        return self._conn  # ok: the double-checked initialisation publishes one reference

    def close(self):
        with self._lock:
            self._conn = None


class Sync:
    def __init__(self):
        self.entries = []

    @synchronized
    def add(self, e):
        self.entries.append(e)  # ok: the whole method runs under the decorator's lock

    @synchronized
    def clear(self):
        self.entries = []  # ok: under the decorator's lock

    def count(self):
        return len(self.entries)  # want: FT011


class Mostly:
    """Written once under the lock, accessed without it far more often:
    below the 50% threshold the lock guards something else."""

    def __init__(self):
        self._lock = threading.Lock()
        self.hits = 0

    def locked_set(self):
        with self._lock:
            self.hits = 1

    def a(self):
        self.hits = 2  # ok: most accesses are unlocked (ratio below 50%)

    def b(self):
        self.hits = 3  # ok: ratio below 50%

    def c(self):
        return self.hits  # ok: ratio below 50%


class Guarded:
    def __init__(self):
        self._lock = threading.Lock()
        self._queue = []  # pyrace: guarded-by self._lock

    def push(self, x):
        with self._lock:
            self._queue.append(x)  # ok: holds the annotated lock

    def peek(self):
        return self._queue[-1]  # want: FT011

    def size(self):
        return len(self._queue)  # want: FT011

    def drop(self):
        self._queue.clear()  # want: FT011


class Threads:
    def __init__(self):
        self._lock = threading.Lock()
        self._results = []

    def record(self, r):
        with self._lock:
            self._results.append(r)

    def total(self):
        with self._lock:
            return sum(self._results)

    def start(self):
        def worker():
            self._results.append(None)  # want: FT011

        threading.Thread(target=worker).start()


class Confined:  # pyrace: thread-confined
    def __init__(self):
        self._lock = threading.Lock()
        self._n = []

    def add(self, x):
        with self._lock:
            self._n.append(x)

    def peek(self):
        return self._n[-1]  # ok: the class is declared thread-confined


class Consistent:
    def __init__(self):
        self._lock = threading.Lock()
        self._seen = set()

    def add(self, x):
        with self._lock:
            self._seen.add(x)  # ok: every access holds the lock

    def __contains__(self, x):
        with self._lock:
            return x in self._seen  # ok: every access holds the lock
