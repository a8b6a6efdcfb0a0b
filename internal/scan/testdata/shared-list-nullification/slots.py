"""FT008 fixtures: slot freeing on shared lists."""

import heapq
import itertools
import threading
from collections import deque

_SLOTS = [None] * 8
_CACHE = {}
_LOCK = threading.Lock()
_LOCAL = threading.local()

_SLOTS[len(_SLOTS) - 1] = None  # ok: module top level is init code


def free_global(i):
    _SLOTS[i] = None  # want: FT008


def drop_global(k):
    del _SLOTS[k]  # ok: a del by a given index is one atomic list operation


def drop_duplicates():
    for i in range(len(_SLOTS) - 1, 0, -1):
        if _SLOTS[i] == _SLOTS[i - 1]:
            del _SLOTS[i]  # want: FT008


def drop_empty():
    for i, s in enumerate(_SLOTS):
        if not s:
            del _SLOTS[i]  # want: FT008
            break


def free_global_locked(i):
    with _LOCK:
        _SLOTS[i] = None  # ok: under the module lock


def forget(key):
    _CACHE[key] = None  # ok: a dict item store is atomic, not a slot scheme


def local_slots(n):
    slots = [None] * n
    for i in range(n):
        slots[i] = None  # ok: a local list
    return slots


def param_slots(lst, i):
    lst[i] = None  # ok: a parameter: the model cannot tell whose it is


def per_thread(i):
    _LOCAL.slots = [1, 2, 3]
    _LOCAL.slots[i] = None  # ok: threading.local attribute


class FakeFilesystem:
    """The seed's open-file table: fds index a list, freed fds are reused."""

    def __init__(self):
        self.open_files = []
        self._free_fd_heap = []
        self.buckets = [[] for _ in range(16)]
        self.handles: list = []
        self.entries = self._load()
        self.cache = {}
        self.named = dict()
        self.state = self._load()
        self.table = self._load()
        self.cell = [None]
        self.stack = []
        self.pending = deque()
        self._ids = itertools.count()
        self.by_id = {}
        for i in range(4):
            self.handles.append(None)
            self.handles[i] = None  # ok: init code

    def _load(self):
        return []

    def add_open_file(self, file_obj):
        if self._free_fd_heap:
            fd = heapq.heappop(self._free_fd_heap)
            self.open_files[fd] = [file_obj]
            return fd
        self.open_files.append([file_obj])
        return len(self.open_files) - 1

    def close_open_file(self, file_des):
        self.open_files[file_des] = None  # want: FT008
        heapq.heappush(self._free_fd_heap, file_des)

    def clear_all(self):
        for i in range(len(self.open_files)):
            self.open_files[i] = None  # want: FT008

    def drop_bucket(self, h):
        self.buckets[h] = None  # want: FT008

    def free_handle(self, i):
        self.handles[i] = None  # want: FT008

    def free_entry(self, i):
        self.entries.append(None)
        self.entries[i] = None  # want: FT008

    def remove_entry(self, entry):
        i = self.entries.index(entry)
        del self.entries[i]  # want: FT008

    def remove_inline(self, entry):
        del self.entries[self.entries.index(entry)]  # want: FT008

    def free_alias(self, i):
        handles = self.handles
        handles[i] = None  # want: FT008

    def free_both(self, i):
        self.handles[i] = self.buckets[i] = None  # want: FT008

    def forget(self, key):
        self.cache[key] = None  # ok: a dict
        del self.named[key]  # ok: a dict built with dict()

    def reset_state(self, key):
        self.state["phase"] = 0
        self.state[key] = None  # ok: string keys: a mapping, not a list

    def unknown(self, i):
        self.table[i] = None  # ok: nothing shows self.table is a list

    def clear_cell(self):
        self.cell[0] = None  # ok: a fixed cell: a single atomic store

    def pop_top(self):
        del self.stack[-1]  # ok: a pop: a single atomic operation

    def clear_range(self, a, b):
        del self.stack[a:b]  # ok: a slice deletion is one list operation

    def drop_pending(self, i):
        del self.pending[i]  # ok: a deque, not a list (out of this rule's scope)

    def free_copy(self, i):
        slots = list(self.handles)
        slots[i] = None  # ok: a private copy

    def free_by_id(self, i):
        self.by_id[i] = None  # ok: a dict keyed by itertools.count ids: atomic store
        self.by_id.pop(i, None)  # ok: atomic

    def store(self, i, obj):
        self.open_files[i] = obj  # ok: storing an object is a single atomic store

    def suppressed(self, i):
        self.handles[i] = None  # pyrace: ignore[FT008]

    def suppressed_legacy(self, i):
        self.handles[i] = None  # thread_safe_ok


class Pool:
    """Connections in a list, free slots found by a None scan."""

    _conns = []

    def __init__(self):
        self._lock = threading.Lock()
        self._other_lock = threading.Lock()
        self.slots = []

    def alloc(self, obj):
        with self._lock:
            for i, s in enumerate(self.slots):
                if s is None:
                    self.slots[i] = obj
                    return i
            self.slots.append(obj)
            return len(self.slots) - 1

    def alloc_index(self, obj):
        with self._lock:
            i = self.slots.index(None)
            self.slots[i] = obj
            return i

    def free(self, i):
        with self._lock:
            self.slots[i] = None  # ok: under self._lock, like alloc

    def free_acquire(self, i):
        self._lock.acquire()
        try:
            self.slots[i] = None  # ok: between acquire and the finally's release
        finally:
            self._lock.release()

    def free_unlocked(self, i):
        self.slots[i] = None  # want: FT008

    def free_wrong_lock(self, i):
        with self._other_lock:
            self.slots[i] = None  # want: FT008

    def release(self, i):
        with self._lock:
            self._release(i)

    def _release(self, i):
        self.slots[i] = None  # ok: every caller holds self._lock

    def drop_conn(self, i):
        Pool._conns[i] = None  # want: FT008

    @classmethod
    def drop_cls(cls, i):
        cls._conns[i] = None  # want: FT008


def synchronized(fn):
    return fn


class Synced:
    def __init__(self):
        self.rows = []

    @synchronized
    def free(self, i):
        self.rows[i] = None  # ok: a synchronizing decorator


class Fixture:
    def setUp(self):
        self.rows = [1, 2]
        i = 0
        self.rows[i] = None  # ok: test set-up is init code


class Confined:  # pyrace: thread-confined
    def __init__(self):
        self.rows = []

    def free(self, i):
        self.rows[i] = None  # ok: the class is declared thread-confined
