"""Per-process request statistics, updated by every worker thread."""


class Stats:
    """Counts the requests served and the bytes they carried."""

    def __init__(self):
        self.hits = 0  # requests served
        self.bytes = 0  # payload bytes seen

    def record(self, payload):
        """Count one request carrying `payload` (a bytes-like object)."""
        # RACE: `+=` on an attribute is a read, an add and a write. Two threads
        # that read the same old value both write old + 1: one hit is lost.
        self.hits += 1
        # RACE: the same, with a wider window: the old value of self.bytes is
        # read *before* self._size() is called, and a thread switch inside
        # that call lets another thread's update be overwritten.
        self.bytes += self._size(payload)

    def _size(self, payload):
        """Return the size of `payload` in bytes."""
        return len(payload)

    def snapshot(self):
        """Return (hits, bytes) for the metrics endpoint."""
        return self.hits, self.bytes
