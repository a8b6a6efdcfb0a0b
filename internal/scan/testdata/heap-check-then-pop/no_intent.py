# pyrace-test: min-confidence=medium
"""FT002 confidence without concurrency intent: check-then-pop keeps the
rule's default (medium), bare heapq calls are low (dropped here)."""

import heapq


class EventQueue:
    def __init__(self):
        self.events = []

    def next_event(self):
        if len(self.events) >= 1:
            return heapq.heappop(self.events)  # want: FT002
        return None

    def post(self, event):
        heapq.heappush(self.events, event)  # ok: a bare push without concurrency intent is low confidence

    def take(self):
        try:
            return heapq.heappop(self.events)  # ok: EAFP pop, bare, low confidence without intent
        except IndexError:
            return None
