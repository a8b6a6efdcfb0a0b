"""The same services written to be safe with threads. Nothing in this module
is a race."""

import itertools
import os
import threading

_settings = None
_settings_lock = threading.Lock()

# next() on an itertools.count is a single atomic step.
_request_ids = itertools.count(1)

# Per-thread state needs no lock.
request_context = threading.local()


def safe_settings():
    """Return the settings, parsing the environment exactly once."""
    global _settings
    if _settings is None:
        with _settings_lock:
            if _settings is None:  # checked again under the lock
                values = {k[4:].lower(): v for k, v in os.environ.items() if k.startswith("APP_")}
                values.setdefault("workers", "4")
                _settings = values
    return _settings


def next_request_id():
    """Return a new request id, unique across threads."""
    return next(_request_ids)


def merge(values, into=None):
    """Merge `values` into a new dict of defaults and return it."""
    merged = {} if into is None else dict(into)
    merged.update(values)
    return merged


class SafeRegistry:
    """Named request handlers; every access holds the lock."""

    def __init__(self):
        self._lock = threading.Lock()
        self._handlers = {}
        self.lookups = 0

    def register(self, name, handler):
        """Register `handler` under `name`; ValueError if it is not callable."""
        if not callable(handler):
            raise ValueError("handler for %r is not callable" % name)
        with self._lock:
            self._handlers[name] = handler

    def lookup(self, name):
        """Return the handler registered under `name`."""
        with self._lock:
            self.lookups += 1
            return self._handlers[name]

    def reset_stats(self):
        """Start counting lookups again."""
        with self._lock:
            self.lookups = 0

    def names(self):
        """Return the registered names, sorted."""
        with self._lock:
            return sorted(self._handlers)
