"""Per-process request statistics, updated by every worker thread."""

import itertools
import threading


class Stats:
    """Counts the requests served and the bytes they carried."""

    def __init__(self):
        self._lock = threading.Lock()  # guards hits and bytes together
        self._hits = 0
        self._bytes = 0
        # next() on an itertools.count is a single atomic step (in CPython
        # with or without the GIL, and in PyPy): no two callers get the same
        # number, without any lock.
        self._ids = itertools.count(1)

    def record(self, payload):
        """Count one request carrying `payload`; return its request number."""
        size = len(payload)  # computed outside the lock: it needs no state
        with self._lock:
            # Both counters change in one critical section, so a snapshot
            # never sees one updated and not the other.
            self._hits += 1
            self._bytes += size
        return next(self._ids)

    def snapshot(self):
        """Return (hits, bytes) for the metrics endpoint."""
        with self._lock:
            return self._hits, self._bytes
