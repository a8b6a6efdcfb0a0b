"""FT003 fixtures: iterating shared containers that other code mutates."""

import copy
import threading

_handlers = {}
_names = []
_seen = set()
_LOCK = threading.Lock()
_OTHER_LOCK = threading.Lock()

for _h in _handlers:  # ok: module top level runs once, at import
    pass


def register(name, fn):
    _handlers[name] = fn
    _names.append(name)
    _seen.add(name)


def unregister(name):
    del _handlers[name]


def dispatch(event):
    for name, fn in _handlers.items():  # want: FT003
        fn(event)


def all_names():
    return [n for n in _names]  # want: FT003


def count_seen():
    return sum(1 for s in _seen)  # want: FT003


def any_handler(pred):
    return any(pred(h) for h in _handlers.values())  # want: FT003


def longest():
    return max(_names)  # want: FT003


def numbered():
    for i, name in enumerate(_names):  # want: FT003
        print(i, name)


def snapshot_dispatch(event):
    for name, fn in list(_handlers.items()):  # ok: list(d.items()) is one atomic copy
        fn(event)


def sorted_names():
    for name in sorted(_handlers):  # ok: sorted() copies first
        print(name)


def copied():
    for name in _handlers.copy():  # ok: d.copy() is atomic
        print(name)
    for name in copy.copy(_names):  # ok: copy.copy() copies first
        print(name)
    for name in _names[:]:  # ok: a slice is a copy
        print(name)
    for name in tuple(_seen):  # ok: tuple() copies first
        print(name)


def membership(name):
    return name in _handlers  # ok: `in` is a single atomic operation


def local_only():
    mine = {}
    mine["a"] = 1
    for k in mine:  # ok: a local container
        print(k)


_frozen = ("a", "b")


def frozen():
    for x in _frozen:  # ok: nothing mutates it
        print(x)


_table = {}


def fill(k, v):
    with _LOCK:
        _table[k] = v


def scan_table():
    with _LOCK:
        for k in _table:  # ok: the same lock as every mutation
            print(k)


def scan_table_wrong_lock():
    with _OTHER_LOCK:
        for k in _table:  # want: FT003
            print(k)


def scan_table_unlocked():
    for k in _table:  # want: FT003
        print(k)


def suppressed():
    for k in _table:  # pyrace: ignore[FT003]  # ok: suppressed
        print(k)
    for k in _table:  # thread_safe_ok  # ok: suppressed (seed 000 convention)
        print(k)


_replaced = {}


def replace(k, v):
    global _replaced
    new = dict(_replaced)
    new[k] = v
    _replaced = new


def read_replaced():
    for k in _replaced:  # ok: copy-on-write: only rebound, never mutated in place
        print(k)


_state = threading.local()


def per_thread():
    _state.items = []
    _state.items.append(1)
    for x in _state.items:  # ok: threading.local attribute
        print(x)
