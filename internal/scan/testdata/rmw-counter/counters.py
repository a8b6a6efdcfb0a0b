"""FT001 fixtures: read-modify-write of shared state outside a lock."""

import itertools
import threading

_requests = 0
_totals = {}
_LOCK = threading.Lock()


def count_request():
    global _requests
    _requests += 1  # want: FT001


def count_request_again():
    global _requests
    _requests = _requests + 1  # want: FT001


def add_total(key, n):
    _totals[key] += n  # want: FT001


def add_total_get(key, n):
    _totals[key] = _totals.get(key, 0) + n  # want: FT001


def add_total_locked(key, n):
    with _LOCK:
        _totals[key] += n  # ok: under the module lock


def local_counter(items):
    n = 0
    for _ in items:
        n += 1  # ok: a local
    return n


def fresh_dict(keys):
    seen = {}
    for k in keys:
        seen[k] = seen.get(k, 0) + 1  # ok: a dict created here is owned
    return seen


def closure():
    count = 0

    def bump():
        nonlocal count
        count += 1  # want: FT001

    return bump


class Stats:
    """Counters on self, no lock anywhere in the class."""

    created = 0

    def __init__(self):
        self.hits = 0
        self.hits += 0  # ok: init code
        self.bytes = 0
        self._ids = itertools.count()
        Stats.created += 1  # ok: constructors own what they touch
        self._setup()

    def hit(self, payload):
        self.hits += 1  # want: FT001
        self.bytes += len(payload)  # want: FT001

    def miss(self):
        self.hits -= 1  # want: FT001

    def scale(self, k):
        self.bytes *= k  # want: FT001

    def reset(self):
        self.hits = self.hits - self.hits  # want: FT001

    def next_id(self):
        return next(self._ids)  # ok: itertools.count is atomic

    def set_hits(self, n):
        self.hits = n  # ok: a plain store is atomic

    def other(self, other):
        other.hits += 1  # ok: not self: the model cannot tell whose it is

    @classmethod
    def make(cls):
        cls.created += 1  # want: FT001
        return cls()

    def count_class(self):
        type(self).created += 1  # want: FT001

    def _setup(self):
        self.bytes += 1  # ok: called only from __init__: init code

    @staticmethod
    def helper(x):
        x += 1  # ok: a parameter
        return x


class Locked:
    def __init__(self):
        self._lock = threading.Lock()
        self.n = 0

    def incr(self):
        with self._lock:
            self.n += 1  # ok: locked

    def incr_acquire(self):
        self._lock.acquire()
        try:
            self.n += 1  # ok: between acquire and the finally's release
        finally:
            self._lock.release()

    def incr_after(self):
        self._lock.acquire()
        try:
            self.n += 1  # ok: locked
        finally:
            self._lock.release()
        self.n += 1  # want: FT001

    def decr(self):
        self.n -= 1  # want: FT001


class PerThread(threading.local):
    def __init__(self):
        self.depth = 0

    def enter(self):
        self.depth += 1  # ok: threading.local subclass


class WithLocal:
    def __init__(self):
        self._local = threading.local()

    def enter(self):
        self._local.depth = getattr(self._local, "depth", 0)
        self._local.depth += 1  # ok: a threading.local attribute


class Confined:  # pyrace: thread-confined
    def bump(self):
        self.n += 1  # ok: the class is declared thread-confined


def suppressed():
    global _requests
    _requests += 1  # pyrace: ignore[FT001]
    _requests += 1  # thread_safe_ok


class LoopBoundCounter:
    """An asyncio object: its state belongs to the event loop's thread."""

    def __init__(self):
        self._waiters = 0

    async def wait(self):
        self._waiters += 1  # ok: the class runs on one event loop
        self._waiters -= 1  # ok: the class runs on one event loop


class Buffered:
    def __init__(self):
        self._lock = threading.Lock()
        self._pos = 0

    def read(self, n):
        with self._lock:
            return self._read_unlocked(n)

    def peek(self, n):
        with self._lock:
            return self._read_unlocked(n)

    def _read_unlocked(self, n):
        self._pos += n  # ok: every caller holds self._lock
        return self._pos

    def _skip(self, n):
        self._pos += n  # want: FT001


def skip_some(b):
    b._skip(3)
