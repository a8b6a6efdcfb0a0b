import random
import threading
import time
import unittest

from clean import Cache
from tests.threadutil import ThreadedTestCase, run_together

HANDLERS = 4
KEYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
BACKEND_DELAY = 0.002  # seconds a computation takes
THREADS = 4
ROUNDS = 200  # cache.get() calls per thread in the busy test


class SlowBackend:
    """An expensive computation that counts its calls per key, so that a key
    computed twice is visible."""

    def __init__(self, delay=0.0):
        self.delay = delay
        self._lock = threading.Lock()
        self.calls = {}  # key -> number of calls

    def __call__(self, key):
        with self._lock:
            self.calls[key] = self.calls.get(key, 0) + 1
        time.sleep(self.delay)
        return str(key).upper()


class CacheTest(unittest.TestCase):
    def test_computes_once(self):
        backend = SlowBackend()
        cache = Cache(backend)
        self.assertEqual(cache.get("tue"), "TUE")
        self.assertEqual(cache.get("tue"), "TUE")
        self.assertEqual(backend.calls, {"tue": 1})


class ConcurrentCacheTest(ThreadedTestCase):
    def test_compute_called_once_per_key(self):
        # Requests arriving together for random keys, as in
        # examples/counters: here two requests for one key share one
        # computation.
        backend = SlowBackend(BACKEND_DELAY)
        cache = Cache(backend)
        wanted = [random.choice(KEYS) for _ in range(HANDLERS)]

        def handler(key):
            self.assertEqual(cache.get(key), key.upper())

        errors = run_together([lambda k=k: handler(k) for k in wanted])
        self.assertEqual(errors, [])
        self.assertEqual(backend.calls, {k: 1 for k in wanted})

    def test_busy_threads_compute_once(self):
        # Every thread asks for the same keys in the same order: they
        # collide all the time, and each key is still computed once.
        backend = SlowBackend()
        cache = Cache(backend)

        def worker():
            for i in range(ROUNDS):
                cache.get(i % 50)

        errors = run_together([worker] * THREADS)
        self.assertEqual(errors, [])
        self.assertEqual(backend.calls, {k: 1 for k in range(50)})
        self.assertEqual(len(cache), 50)


if __name__ == "__main__":
    unittest.main()
