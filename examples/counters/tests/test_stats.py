import unittest

from counters import Stats
from tests.threadutil import ThreadedTestCase, run_together
from tests.workload import workload

PAYLOAD = b"ping"


class StatsTest(unittest.TestCase):
    def test_record_counts_requests(self):
        stats = Stats()
        stats.record(PAYLOAD)
        stats.record(PAYLOAD)
        self.assertEqual(stats.snapshot(), (2, 2 * len(PAYLOAD)))


class ConcurrentStatsTest(ThreadedTestCase):
    def test_no_lost_updates(self):
        w = workload("stats")
        stats = Stats()

        def worker():
            for _ in range(w["rounds"]):
                stats.record(PAYLOAD)

        errors = run_together([worker] * w["threads"])
        self.assertEqual(errors, [])
        # Every record() must be counted: threads * rounds requests.
        expected = w["threads"] * w["rounds"]
        hits, nbytes = stats.snapshot()
        self.assertEqual(hits, expected, "lost hits")
        self.assertEqual(nbytes, expected * len(PAYLOAD), "lost bytes")


if __name__ == "__main__":
    unittest.main()
