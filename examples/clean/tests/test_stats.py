import unittest

from clean import Stats
from tests.threadutil import ThreadedTestCase, run_together

THREADS = 4
ROUNDS = 2000
PAYLOAD = b"ping"


class StatsTest(unittest.TestCase):
    def test_record_counts_requests(self):
        stats = Stats()
        self.assertEqual(stats.record(PAYLOAD), 1)
        self.assertEqual(stats.record(PAYLOAD), 2)
        self.assertEqual(stats.snapshot(), (2, 2 * len(PAYLOAD)))


class ConcurrentStatsTest(ThreadedTestCase):
    def test_no_lost_updates(self):
        stats = Stats()
        ids = []  # list.append is atomic: safe to share between threads

        def worker():
            for _ in range(ROUNDS):
                ids.append(stats.record(PAYLOAD))

        errors = run_together([worker] * THREADS)
        self.assertEqual(errors, [])
        expected = THREADS * ROUNDS
        self.assertEqual(stats.snapshot(), (expected, expected * len(PAYLOAD)))
        # Every request got its own number, and no number was skipped.
        self.assertEqual(sorted(ids), list(range(1, expected + 1)))


if __name__ == "__main__":
    unittest.main()
