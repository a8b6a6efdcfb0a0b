"""A memoising cache in front of an expensive computation."""

import threading


class Cache:
    """Computes a value once per key and remembers it.

    Keys must be hashable values whose hash and equality are built in (str,
    int, tuples of them...).
    """

    def __init__(self, compute):
        self._compute = compute  # key -> value; expensive, with side effects
        self._cache = {}  # key -> value, written only under the key's lock
        self._locks = {}  # key -> threading.Lock serialising its computation

    def get(self, key):
        """Return the value for `key`, computing it on first use."""
        try:
            return self._cache[key]  # fast path: a single dict lookup
        except KeyError:
            pass
        # dict.setdefault is one atomic step: every thread asking for `key`
        # gets the same lock object, even if several create one at once.
        lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            # Check again under the lock: another thread may have computed
            # the value while we waited for it.
            if key not in self._cache:
                self._cache[key] = self._compute(key)
            return self._cache[key]

    def __len__(self):
        return len(self._cache)
