"""The counters example done right: request statistics, a handler registry
and a memoising cache that worker threads can share safely, with or without a
GIL. See README.md for how each one avoids the race of its counterpart in
examples/counters."""

from clean.cache import Cache
from clean.registry import Registry
from clean.stats import Stats

__all__ = ["Cache", "Registry", "Stats"]
