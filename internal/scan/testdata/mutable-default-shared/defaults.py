"""FT009 fixtures: mutable default arguments mutated by the function."""

import collections
import threading
from collections import defaultdict, deque

_LOCK = threading.Lock()


def collect(x, into=[]):
    into.append(x)  # want: FT009
    return into


def collect_many(xs, into=[]):
    into.extend(xs)  # want: FT009
    into.sort()  # want: FT009
    return into


def remember(key, value, cache={}):
    cache[key] = value  # want: FT009
    return cache


def memo(key, cache={}):
    if key in cache:
        return cache[key]
    return cache.setdefault(key, key * 2)  # want: FT009


def forget(key, cache={}):
    cache.pop(key, None)  # want: FT009
    del cache[key]  # want: FT009


def tag(name, seen=set()):
    seen.add(name)  # want: FT009
    return len(seen)


def merge(extra, options=dict()):
    options.update(extra)  # want: FT009
    return options


def grow(x, acc=list()):
    acc += [x]  # want: FT009
    return acc


def count(word, counts=collections.Counter()):
    counts[word] += 1  # want: FT009
    return counts


def group(key, value, groups=defaultdict(list)):
    groups[key].append(value)  # want: FT009
    groups.setdefault("all", []).append(value)  # want: FT009
    return groups


def window(x, buf=deque(maxlen=3)):
    buf.appendleft(x)  # want: FT009
    return list(buf)


def keyword_only(x, *, into=[]):
    into.insert(0, x)  # want: FT009
    return into


def positional_only(x, into=[], /):
    into.remove(x)  # want: FT009
    return into


def visit(node, seen=set()):
    def walk(n):
        seen.discard(n)  # want: FT009

    walk(node)
    return seen


class Registry:
    def register(self, name, table={}):
        table[name] = self  # want: FT009
        return table


def read_only(key, table={}):
    return table.get(key)  # ok: a default only read is harmless


def iterate(items=[]):
    return [i for i in items]  # ok: only read


def none_default(x, into=None):
    if into is None:
        into = []
    into.append(x)  # ok: a fresh list per call
    return into


def rebound(x, items=[]):
    items = list(items)
    items.append(x)  # ok: rebound to a fresh copy before the mutation
    return items


def rebound_closure(x, items=[]):
    items = []

    def add():
        items.append(x)  # ok: the name was rebound to a fresh list

    add()
    return items


def tuple_default(x, items=()):
    items = items + (x,)  # ok: tuples are immutable
    return items


def frozen_default(x, allowed=frozenset()):
    return x in allowed  # ok: immutable


def copy_then_mutate(x, base={}):
    d = dict(base)
    d[x] = 1  # ok: a local copy
    return d


def locked(x, into=[]):
    with _LOCK:
        into.append(x)  # ok: under a lock
    return into


def shadowed(x, into=[]):
    def inner(into):
        into.append(x)  # ok: the closure's own parameter

    inner([])
    return into


def other_param(x, into, extra=[]):
    into.append(x)  # ok: into has no default
    return into


def attr_store(obj, conf={}):
    obj.conf = conf  # ok: stored, not mutated here
    return obj


def string_default(x, sep=""):
    sep += x  # ok: str is immutable
    return sep


def int_default(x, n=0):
    n += x  # ok: int is immutable
    return n


def nested_default(xs):
    def bump(n=[0]):
        n[0] += 1  # ok: a nested def's default is created at each call of nested_default
        return n[0]

    return [bump() for _ in xs]


def concat(x, items=[]):
    return items + [x]  # ok: builds a new list, the default is only read


def spread(key, base={}):
    return {**base, key: 1}  # ok: builds a new dict


def copied(x, base={}):
    mine = base.copy()
    mine[x] = True  # ok: mutates a copy
    return mine


def suppressed(x, into=[]):
    into.append(x)  # pyrace: ignore[FT009]
    into.append(x)  # thread_safe_ok
    return into
