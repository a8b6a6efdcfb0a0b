"""FT002 fixtures: check-then-pop and bare heapq calls on shared heaps."""

import heapq
import itertools
import threading
from heapq import heappop, heappush, heapreplace as replace

_PENDING = []
_DONE = []
_LOCAL = threading.local()
_GLOBAL_LOCK = threading.Lock()

heapq.heappush(_PENDING, (0, "boot"))  # ok: module top level is init code
heapq.heapify(_DONE)  # ok: module top level is init code


def next_pending():
    if _PENDING:  # the check
        return heapq.heappop(_PENDING)  # want: FT002
    return None


def add_pending(item):
    heapq.heappush(_PENDING, item)  # want: FT002


def add_done_locked(item):
    with _GLOBAL_LOCK:
        heappush(_DONE, item)  # ok: under the module lock


def pop_done_locked():
    with _GLOBAL_LOCK:
        if _DONE:
            return heappop(_DONE)  # ok: check and pop under the module lock
    return None


def local_heap(items):
    h = []
    for x in items:
        heappush(h, x)  # ok: a local heap
    while h:
        heappop(h)  # ok: a local heap
    return h


def param_heap(heap):
    if heap:
        return heappop(heap)  # ok: a parameter: the model cannot tell whose it is
    return None


def per_thread():
    _LOCAL.heap = []
    if _LOCAL.heap:
        heappop(_LOCAL.heap)  # ok: threading.local attribute


class FdTable:
    """The seed's free-fd heap, without a lock."""

    def __init__(self):
        self._free = []
        self._timers = []
        self._queue = []
        self._top = []
        self.limit = 10
        self._ids = itertools.count()
        heapq.heapify(self._free)  # ok: init code
        self._prime()

    def _prime(self):
        heapq.heappush(self._timers, 0)  # ok: called only from __init__

    def open(self):
        if self._free:
            return heapq.heappop(self._free)  # want: FT002
        return None

    def open_len(self):
        if len(self._free) > 0:
            return heapq.heappop(self._free)  # want: FT002
        return None

    def open_mirror(self):
        if 0 < len(self._free):
            return heapq.heappop(self._free)  # want: FT002
        return None

    def open_guard(self):
        if not self._free:
            return None
        fd = heapq.heappop(self._free)  # want: FT002
        return fd

    def open_guard_len(self):
        if len(self._free) == 0:
            raise OSError("no free descriptor")
        return heapq.heappop(self._free)  # want: FT002

    def open_else(self):
        if not self._free:
            fd = None
        else:
            fd = heapq.heappop(self._free)  # want: FT002
        return fd

    def open_ifexp(self):
        return heapq.heappop(self._free) if self._free else None  # want: FT002

    def open_and(self):
        return self._free and heapq.heappop(self._free)  # want: FT002

    def open_alias(self):
        free = self._free
        if free:
            return heappop(free)  # want: FT002
        return None

    def close(self, fd):
        heapq.heappush(self._free, fd)  # want: FT002

    def expire(self, now):
        while self._timers and self._timers[0] <= now:
            heappop(self._timers)  # want: FT002

    def drain(self):
        while True:
            if not self._queue:
                break
            item = heappop(self._queue)  # want: FT002
            print(item)

    def peek(self):
        if self._queue:
            return self._queue[0]  # want: FT002
        return None

    def peek_unchecked(self):
        return self._queue[0]  # ok: no check to race with (an IndexError on empty is not a race)

    def replace(self, item):
        if self._queue:
            return replace(self._queue, item)  # want: FT002
        return None

    def trim(self):
        while len(self._top) > self.limit:
            heapq.heappop(self._top)  # want: FT002

    def push_top(self, x):
        heapq.heappushpop(self._top, x)  # want: FT002

    def rebuild(self):
        heapq.heapify(self._top)  # want: FT002

    def smallest(self):
        return heapq.nsmallest(3, self._top)  # ok: reads only (iteration is FT003's concern)

    def size(self):
        return len(self._queue)  # ok: a single atomic read

    def drain_copy(self):
        snapshot = list(self._queue)
        while snapshot:
            heapq.heappop(snapshot)  # ok: a private copy, not the shared heap

    def ticket(self):
        return next(self._ids)  # ok: itertools.count is atomic

    def suppressed(self):
        if self._free:
            return heapq.heappop(self._free)  # pyrace: ignore[FT002]
        return None

    def suppressed_legacy(self):
        if self._free:
            return heapq.heappop(self._free)  # thread_safe_ok
        return None


class Scheduler:
    """A heap guarded by self._lock: right lock, wrong lock, check outside."""

    def __init__(self):
        self._lock = threading.Lock()
        self._other_lock = threading.Lock()
        self._cv = threading.Condition(self._lock)
        self._heap = []
        self._ids = itertools.count()

    def push(self, when, job):
        with self._lock:
            heapq.heappush(self._heap, (when, next(self._ids), job))  # ok: under self._lock

    def pop(self):
        with self._lock:
            if self._heap:
                return heapq.heappop(self._heap)  # ok: check and pop under self._lock
        return None

    def pop_acquire(self):
        self._lock.acquire()
        try:
            if self._heap:
                return heapq.heappop(self._heap)  # ok: acquire/release in try/finally
            return None
        finally:
            self._lock.release()

    def wait_pop(self):
        with self._cv:
            while not self._heap:
                self._cv.wait()
            return heapq.heappop(self._heap)  # ok: the Condition is built on self._lock

    def pop_double_checked(self):
        if self._heap:
            with self._lock:
                if self._heap:
                    return heapq.heappop(self._heap)  # ok: the innermost check is locked
        return None

    def pop_check_outside(self):
        if self._heap:
            with self._lock:
                return heapq.heappop(self._heap)  # want: FT002
        return None

    def pop_wrong_lock(self):
        with self._other_lock:
            if self._heap:
                return heapq.heappop(self._heap)  # want: FT002

    def push_wrong_lock(self, item):
        with self._other_lock:
            heapq.heappush(self._heap, item)  # want: FT002

    def put(self, item):
        with self._lock:
            self._put(item)

    def get(self):
        with self._lock:
            return self._get()

    def _put(self, item):
        heapq.heappush(self._heap, item)  # ok: every caller holds self._lock

    def _get(self):
        if self._heap:
            return heapq.heappop(self._heap)  # ok: every caller holds self._lock
        return None


def synchronized(fn):
    return fn


class Synced:
    _jobs = []

    @synchronized
    def take(self):
        if Synced._jobs:
            return heapq.heappop(Synced._jobs)  # ok: a synchronizing decorator
        return None

    def take_unsynced(self):
        if Synced._jobs:
            return heapq.heappop(Synced._jobs)  # want: FT002
        return None

    @classmethod
    def add(cls, job):
        heapq.heappush(cls._jobs, job)  # want: FT002


class Fixture:
    def setUp(self):
        self.heap = []
        heapq.heappush(self.heap, 1)  # ok: test set-up is init code
        if self.heap:
            heapq.heappop(self.heap)  # ok: test set-up is init code


class Confined:  # pyrace: thread-confined
    def __init__(self):
        self.heap = []

    def pop(self):
        if self.heap:
            return heapq.heappop(self.heap)  # ok: the class is declared thread-confined
        return None


class Stack:
    def __init__(self):
        self.items = []

    def pop(self):
        if self.items:
            return self.items.pop()  # ok: not a heap (never used with heapq): FT005's concern
        return None
