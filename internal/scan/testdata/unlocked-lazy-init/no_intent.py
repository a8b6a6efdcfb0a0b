# pyrace-test: min-confidence=high
"""FT010 with the default filter (high confidence only), in a module with no
sign of threads: lazy instance attributes of plain classes are medium and
filtered; module globals and class attributes are shared by construction and
stay high."""

from concurrent_helpers import Pool  # not the concurrent.futures package

_pool = None
_session = None


class Parser:
    _shared_table = None

    def __init__(self):
        self._buffer = None

    def buffer(self):
        if self._buffer is None:
            self._buffer = Pool()  # ok: medium confidence (plain class), filtered
        return self._buffer

    @classmethod
    def table(cls):
        if cls._shared_table is None or cls.force_reload():
            cls._shared_table = Pool()  # want: FT010
        return cls._shared_table

    @classmethod
    def force_reload(cls):
        return False


def get_pool():
    global _pool
    if not _pool:
        _pool = Pool()  # want: FT010
    return _pool


def get_session(force=False):
    global _session
    if _session is None or force:
        _session = Pool()  # want: FT010
    return _session
