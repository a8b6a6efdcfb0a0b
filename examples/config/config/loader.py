"""Settings read from the environment once, and a registry of handlers.

Both are used from every worker thread of the service. See README.md for the
lines that race.
"""

import os
import threading

PREFIX = "APP_"

_settings = None  # parsed on first use
loads = 0  # how many times the environment was parsed


def _load():
    global loads
    loads += 1
    values = {}
    for key, value in sorted(os.environ.items()):
        if key.startswith(PREFIX):
            values[key[len(PREFIX):].lower()] = value
    values.setdefault("workers", "4")
    return values


def settings():
    """Return the settings, parsing the environment on first use."""
    global _settings
    if _settings is None:
        _settings = _load()
    return _settings


def merge(values, into={}):
    """Merge `values` into the defaults and return them."""
    into.update(values)
    return into


class Registry:
    """Named request handlers: registered at start-up, looked up per request."""

    _instance = None
    _instance_lock = threading.Lock()
    created = 0

    @classmethod
    def instance(cls):
        """Return the process-wide registry."""
        if cls._instance is None:
            with cls._instance_lock:
                cls._instance = cls()
        return cls._instance

    def __init__(self):
        Registry.created += 1
        self._lock = threading.Lock()
        self._handlers = {}
        self.lookups = 0

    def register(self, name, handler):
        """Register `handler` under `name`; ValueError if it is not callable."""
        self._lock.acquire()
        if not callable(handler):
            raise ValueError("handler for %r is not callable" % name)
        self._handlers[name] = handler
        self._lock.release()

    def lookup(self, name):
        """Return the handler registered under `name`."""
        with self._lock:
            self.lookups += 1
            return self._handlers[name]

    def reset_stats(self):
        """Start counting lookups again."""
        self.lookups = 0
