"""FT011 look-alikes that must stay quiet, and a few more positives."""

import asyncio
import threading


class Pool:
    def __init__(self, waker):
        self._lock = threading.Lock()
        self._conns = []
        self._waker = waker

    def put(self, c):
        with self._lock:
            self._conns.append(c)  # ok: under the lock

    def get(self):
        with self._lock:
            return self._conns.pop()  # ok: under the lock

    def __repr__(self):
        return f"<Pool {len(self._conns)}>"  # ok: __repr__ reads are diagnostics

    def __setstate__(self, state):
        self._lock = threading.Lock()
        self._conns = list(state)  # ok: unpickling fills a fresh object
        self._restore()

    def _restore(self):
        self._conns.sort()  # ok: called only from __setstate__

    def _after_fork(self):
        self._conns.clear()  # ok: a fork handler runs in the one thread of the child

    def wake(self):
        with self._lock:
            self._waker.clear()  # ok: a method of an object that is not a container

    def poke(self):
        self._waker.clear()  # ok: self._waker is not written: .clear() on an object of another class

    def drain(self):
        conns = self._conns  # ok: copying the reference of a list never rebound
        with self._lock:
            conns.clear()

    def count(self):
        return len(self._conns)  # want: FT011

    def steal(self):
        self._conns.pop(0)  # want: FT011


class Once:
    def __init__(self):
        self._lock = threading.Lock()
        self._value = None

    def value(self):
        with self._lock:
            if self._value is None:
                self._value = object()  # ok: lazy initialisation under the lock
        return self._value

    def peek(self):
        return self._value is not None  # ok: every locked write is a lazy initialisation

    def acquire_style(self):
        if self._value is None:  # ok: double-checked with acquire/try/finally
            self._lock.acquire()
            try:
                if self._value is None:
                    self._value = object()
            finally:
                self._lock.release()
        return self._value


class AsyncQueue:
    def __init__(self):
        self._lock = asyncio.Lock()
        self._items = []

    async def put(self, x):
        async with self._lock:
            self._items.append(x)  # ok: an asyncio lock orders coroutines of one thread

    def size(self):
        return len(self._items)  # ok: an asyncio lock says nothing about threads


class Stats:
    def __init__(self):
        self._lock = threading.Lock()
        self._by_key = {}
        self._total = 0

    def add(self, key, n):
        with self._lock:
            self._by_key[key] = self._by_key.get(key, 0) + n
            self._total += n

    def merge(self, other):
        with self._lock:
            self._by_key.update(other)

    def report(self):
        for k, v in self._by_key.items():  # want: FT011
            print(k, v)

    def average(self):
        return self._total / max(1, len(self._by_key))  # want: FT011


class SyncedContainer:
    def __init__(self):
        self.lock = threading.Lock()
        self.data = {}


class Manager:
    def __init__(self):
        self._lock = threading.Lock()
        self.pools = SyncedContainer()

    def add(self, k, v):
        with self.pools.lock:
            self.pools.data[k] = v  # ok: self.pools carries its own lock

    def replace(self):
        with self._lock:
            self.pools = SyncedContainer()  # ok: self.pools carries its own lock

    def clear(self):
        self.pools = SyncedContainer()  # ok: self.pools carries its own lock
