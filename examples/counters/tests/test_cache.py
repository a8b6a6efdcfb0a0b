import random
import threading
import time
import unittest

from counters import Cache
from tests.threadutil import ThreadedTestCase, run_together

# The concurrent test simulates HANDLERS requests arriving at the same moment,
# each for a key picked at random among KEYS (like real traffic). When two of
# them want the same key, the check-then-act race in Cache.get() makes both
# compute it. With 3 handlers and 7 keys that happens in 39% of the runs
# (1 - 6/7 * 5/7), on any interpreter: the computation is slow enough that
# requests arriving together always overlap.
HANDLERS = 3
KEYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
BACKEND_DELAY = 0.002  # seconds a computation takes


class SlowBackend:
    """An expensive computation that counts its calls per key, so that a key
    computed twice is visible. It waits on a (simulated) backend, during which
    other threads run, as they would during real I/O."""

    def __init__(self, delay=0.0):
        self.delay = delay
        self._lock = threading.Lock()  # the test's own bookkeeping is exact
        self.calls = {}  # key -> number of calls

    def __call__(self, key):
        with self._lock:
            self.calls[key] = self.calls.get(key, 0) + 1
        time.sleep(self.delay)
        return key.upper()


class CacheTest(unittest.TestCase):
    def test_computes_once(self):
        backend = SlowBackend()
        cache = Cache(backend)
        self.assertEqual(cache.get("tue"), "TUE")
        self.assertEqual(cache.get("tue"), "TUE")
        self.assertEqual(backend.calls, {"tue": 1})


class ConcurrentCacheTest(ThreadedTestCase):
    def test_compute_called_once_per_key(self):
        backend = SlowBackend(BACKEND_DELAY)
        cache = Cache(backend)
        wanted = [random.choice(KEYS) for _ in range(HANDLERS)]

        def handler(key):
            self.assertEqual(cache.get(key), key.upper())

        errors = run_together([lambda k=k: handler(k) for k in wanted])
        self.assertEqual(errors, [])
        self.assertEqual(len(cache), len(set(wanted)))
        duplicated = {k: n for k, n in backend.calls.items() if n != 1}
        self.assertEqual(duplicated, {}, "computed more than once; requests were %s" % wanted)


if __name__ == "__main__":
    unittest.main()
