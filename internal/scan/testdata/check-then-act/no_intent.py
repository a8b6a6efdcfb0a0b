# pyrace-test: min-confidence=high
"""FT005 with the default filter (high confidence only) in a module with no
sign of threads: instance state is medium and filtered; module globals and
class attributes stay high; the None-attribute shape needs intent."""

_seen = {}


class PlainFile:
    def __init__(self, fp):
        self._fp = fp
        self._index = {}

    def read(self):
        if self._fp is not None:
            return self._fp.read()  # ok: no concurrency intent in this class or module
        return b""

    def close(self):
        self._fp = None

    def remember(self, k, v):
        if k not in self._index:
            self._index[k] = v  # ok: medium confidence (plain class) is filtered


def remember(k, v):
    if k not in _seen:
        _seen[k] = v  # want: FT005
