"""FT011 fixtures: module globals written under a module lock and accessed
without it."""

import threading

_CACHE_LOCK = threading.Lock()
_cache = {}  # ok: module top level
_hits = 0
_order = []  # pyrace: guarded-by _CACHE_LOCK
_unrelated = []

_cache["boot"] = True  # ok: module top level


def put(key, value):
    with _CACHE_LOCK:
        _cache[key] = value  # ok: under the module lock
        _order.append(key)  # ok: holds the annotated lock


def evict(key):
    with _CACHE_LOCK:
        _cache.pop(key, None)  # ok: under the module lock


def hit():
    global _hits
    with _CACHE_LOCK:
        _hits += 1  # ok: under the module lock


def hit_many(n):
    global _hits
    with _CACHE_LOCK:
        _hits += n  # ok: under the module lock


def get(key):
    return _cache.get(key)  # want: FT011


def stats():
    return _hits  # ok: returning a global that is only rebound reads one reference atomically


def over(limit):
    return _hits > limit  # want: FT011


def oldest():
    return _order[0]  # want: FT011


def reset():
    global _hits
    _hits = 0  # want: FT011


def _put_nolock(key, value):
    _cache[key] = value  # ok: *_nolock: the caller holds the lock


def _merge(items):
    _cache.update(items)  # ok: called only with _CACHE_LOCK held


def merge(items):
    with _CACHE_LOCK:
        _merge(items)


def note(x):
    _unrelated.append(x)  # ok: never written under a lock
