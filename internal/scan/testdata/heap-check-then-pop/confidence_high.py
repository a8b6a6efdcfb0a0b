# pyrace-test: min-confidence=high
"""FT002 confidence: with threading imported, check-then-pop is high and a
bare heapq call is medium (dropped at min-confidence=high)."""

import heapq
import threading


class Timers:
    def __init__(self):
        self._heap = []
        self._done = threading.Event()

    def fire(self, now):
        while self._heap and self._heap[0][0] <= now:
            when, cb = heapq.heappop(self._heap)  # want: FT002
            cb()

    def add(self, when, cb):
        heapq.heappush(self._heap, (when, cb))  # ok: a bare push is medium confidence, below min-confidence=high

    def cancel_all(self):
        heapq.heapify(self._heap)  # ok: a bare heapify is medium confidence, below min-confidence=high
