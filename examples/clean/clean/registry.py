"""A registry of named handlers that threads add and remove at run time."""

import threading


class Registry:
    """Maps handler names to handlers."""

    def __init__(self):
        self._lock = threading.Lock()  # guards _items
        self._items = {}  # name -> handler

    def register(self, name, handler):
        """Add (or replace) the handler called `name`."""
        with self._lock:
            self._items[name] = handler

    def unregister(self, name):
        """Remove the handler called `name`, if any."""
        with self._lock:
            self._items.pop(name, None)

    def describe(self):
        """Return a "name=handler" line for every registered handler."""
        # Copy under the lock, format outside it: the iteration below walks
        # a private list that no other thread can resize, and the lock is
        # held only for the copy.
        with self._lock:
            items = list(self._items.items())
        return [self._line(name, handler) for name, handler in items]

    def _line(self, name, handler):
        return "%s=%r" % (name, handler)
