# pyrace-test: min-confidence=high
"""FT008 confidence: high only where freed slots are reused (an index(None)
lookup, a None scan, a refill, the freed index handed on); a nulled slot
without reuse is medium (dropped at min-confidence=high)."""

import threading


class Workers:
    def __init__(self):
        self.threads = []
        self.results = []
        self.free = []
        self.order = []

    def start(self, fn):
        t = threading.Thread(target=fn)
        self.threads.append(t)
        t.start()

    def reap(self, i):
        self.threads[i] = None  # want: FT008

    def next_free(self):
        return self.threads.index(None)

    def done(self, i):
        self.results[i] = None  # ok: no reuse of results' slots: medium, below min-confidence=high

    def recycle(self, i):
        self.order[i] = None  # want: FT008
        self.free.append(i)

    def drop(self, i):
        del self.results[i]  # ok: no index lookup before it: a single atomic del

    def drop_found(self, r):
        i = self.results.index(r)
        del self.results[i]  # want: FT008
