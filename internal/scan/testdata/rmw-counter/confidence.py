# pyrace-test: min-confidence=high
"""FT001 with the default filter (high confidence only): a class with no sign
of threads is not reported; module globals and classes holding a lock are."""

import collections

hits = collections.Counter()
_generation = 0


class Plain:
    def __init__(self):
        self.n = 0

    def bump(self):
        self.n += 1  # ok: medium confidence (no sign of threads) is filtered


class Guarded:
    def __init__(self, lock):
        self._mutex = lock
        self.n = 0

    def bump(self):
        with self._mutex:
            self.n += 1  # ok: locked by a lock-named attribute

    def bump_unlocked(self):
        self.n += 1  # want: FT001


def next_generation():
    global _generation
    _generation += 1  # want: FT001
    return _generation


def count(word):
    hits[word] += 1  # want: FT001
