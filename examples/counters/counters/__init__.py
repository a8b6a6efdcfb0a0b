"""Request counters, a plugin registry and a memoising cache shared by the
worker threads of a service. None of them takes a lock: see README.md for the
lines that race."""

from counters.cache import Cache
from counters.registry import Registry
from counters.stats import Stats

__all__ = ["Cache", "Registry", "Stats"]
