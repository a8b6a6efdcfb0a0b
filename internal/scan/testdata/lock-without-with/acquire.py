"""FT012 fixtures: acquire() without a release() in a finally."""

import asyncio
import threading

_LOCK = threading.Lock()
_items = []


def put(item):
    _LOCK.acquire()  # want: FT012
    _items.append(item)
    _LOCK.release()


def put_with(item):
    with _LOCK:  # ok: with releases on every path
        _items.append(item)


def put_try(item):
    _LOCK.acquire()  # ok: directly followed by try/finally
    try:
        _items.append(item)
    finally:
        _LOCK.release()


def put_inside_try(item):
    try:
        _LOCK.acquire()  # ok: inside the try whose finally releases
        _items.append(item)
    finally:
        _LOCK.release()


def put_gap(item):
    _LOCK.acquire()  # want: FT012
    n = len(_items)
    try:
        _items.append((n, item))
    finally:
        _LOCK.release()


def put_no_release(item):
    _LOCK.acquire()  # want: FT012
    _items.append(item)


def put_release_in_except(item):
    _LOCK.acquire()  # want: FT012
    try:
        _items.append(item)
    except ValueError:
        _LOCK.release()
        raise
    _LOCK.release()


def put_release_catch_all(item):
    _LOCK.acquire()  # ok: every exception releases and re-raises
    try:
        _items.append(item)
    except BaseException:
        _LOCK.release()
        raise
    _LOCK.release()


def try_put(item):
    if _LOCK.acquire(blocking=False):  # ok: the try/finally follows the successful acquire
        try:
            _items.append(item)
        finally:
            _LOCK.release()


def try_put_unsafe(item):
    if _LOCK.acquire(blocking=False):  # want: FT012
        _items.append(item)
        _LOCK.release()


def timed_put(item):
    got = _LOCK.acquire(timeout=1.0)  # ok: released in a finally below
    if not got:
        raise TimeoutError
    try:
        _items.append(item)
    finally:
        _LOCK.release()


def timed_put_unsafe(item):
    got = _LOCK.acquire(timeout=1.0)  # want: FT012
    if got:
        _items.append(item)
        _LOCK.release()


def loop_put(items):
    for item in items:
        _LOCK.acquire()  # want: FT012
        _items.append(item)
        _LOCK.release()


def loop_put_safe(items):
    for item in items:
        _LOCK.acquire()  # ok: try/finally follows
        try:
            _items.append(item)
        finally:
            _LOCK.release()


def handed_off(stack):
    _LOCK.acquire()  # ok: the release is registered as a callback
    stack.callback(_LOCK.release)


def put_twice(item):
    _LOCK.acquire()  # ok: try/finally follows
    try:
        _items.append(item)
    finally:
        _LOCK.release()
    _LOCK.acquire()  # want: FT012
    _items.append(item)
    _LOCK.release()


def wait_for_holder():
    _LOCK.acquire()  # ok: released right away: waits for the holder, holds nothing
    _LOCK.release()


def is_locked():
    if _LOCK.acquire(False):  # ok: a probe released right away
        _LOCK.release()
        return False
    return True


def wait_dropping(cond_lock, event):
    cond_lock.release()
    try:
        event.wait()
    finally:
        cond_lock.acquire()  # ok: takes back the lock the caller held (Condition.wait's shape)


def consume_token(tokens_sem):
    if tokens_sem.acquire(timeout=0):  # ok: a semaphore permit is consumed on purpose
        return True
    return False


def not_a_lock(pool):
    conn = pool.acquire()  # ok: not a lock (a connection pool)
    return conn


class Queue:
    def __init__(self):
        self._lock = threading.Lock()
        self._cv = threading.Condition(self._lock)
        self._sem = threading.Semaphore(4)
        self._items = []

    def put(self, item):
        self._lock.acquire()  # want: FT012
        self._items.append(item)
        self._cv.notify()
        self._lock.release()

    def get(self):
        self._cv.acquire()  # want: FT012
        while not self._items:
            self._cv.wait()
        item = self._items.pop()
        self._cv.release()
        return item

    def get_safe(self):
        with self._cv:  # ok: with
            while not self._items:
                self._cv.wait()
            return self._items.pop()

    def begin(self):
        self._lock.acquire()  # ok: a wrapper named begin: the caller releases

    def start_batch(self):
        self._lock.acquire()  # want: FT012

    def end_batch(self):
        self._lock.release()

    def take_permit(self):
        self._sem.acquire()  # ok: a semaphore permit released by another method

    def give_permit(self):
        self._sem.release()

    def __enter__(self):
        self._lock.acquire()  # ok: a context manager's __enter__; __exit__ releases
        return self

    def __exit__(self, *exc):
        self._lock.release()

    def acquire(self):
        return self._lock.acquire()  # ok: a lock wrapper

    def locked_call(self, fn):
        self.acquire()  # ok: self is not a lock
        try:
            return fn()
        finally:
            self.release()

    def release(self):
        self._lock.release()


class Worker:
    def __init__(self):
        self.mutex = threading.RLock()

    def run(self, job):
        self.mutex.acquire()  # want: FT012
        job()
        self.mutex.release()

    def run_suppressed(self, job):
        self.mutex.acquire()  # pyrace: ignore[FT012]
        job()
        self.mutex.release()

    def run_ok(self, job):
        self.mutex.acquire()  # thread_safe_ok
        job()
        self.mutex.release()


async def async_put(lock: asyncio.Lock, item):
    await lock.acquire()  # want: FT012
    _items.append(item)
    lock.release()


async def async_put_safe(lock: asyncio.Lock, item):
    await lock.acquire()  # ok: try/finally follows
    try:
        _items.append(item)
    finally:
        lock.release()


def drain():
    while _items:
        _LOCK.acquire()  # want: FT012
        _items.pop()
        _LOCK.release()


def on_error(item):
    try:
        _items.remove(item)
    except ValueError:
        _LOCK.acquire()  # want: FT012
        _items.append(item)
        _LOCK.release()


def make_worker():
    def work(item):
        _LOCK.acquire(True)  # want: FT012
        _items.append(item)
        _LOCK.release()

    return work


def make_worker_safe():
    def work(item):
        _LOCK.acquire()  # ok: try/finally follows
        try:
            _items.append(item)
        finally:
            _LOCK.release()

    return work


_LOCK.acquire()  # want: FT012
_items.clear()
_LOCK.release()
