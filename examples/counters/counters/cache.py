"""A memoising cache in front of an expensive computation."""


class Cache:
    """Computes a value once per key and remembers it."""

    def __init__(self, compute):
        self._compute = compute  # key -> value; expensive, with side effects
        self._cache = {}

    def get(self, key):
        """Return the value for `key`, computing it on first use."""
        # RACE: check-then-act. Two threads can both find `key` missing and
        # both call compute(key): the work (and its side effects) is done
        # twice and the second result silently replaces the first.
        if key not in self._cache:
            self._cache[key] = self._compute(key)
        return self._cache[key]

    def __len__(self):
        return len(self._cache)
