"""unittest tests for `pyrace run --threads` with pyrace's unittest runner
(PYRACE_THREADS=K, PYRACE_TEST_ITERATIONS=M); what each must give is in
python_test.go. Without the variables only test_first_fails fails."""
import itertools
import os
import threading
import unittest
import warnings
from unittest import mock

K = int(os.environ.get("PYRACE_THREADS") or 1)
M = int(os.environ.get("PYRACE_TEST_ITERATIONS") or 1)


class Rounds(unittest.TestCase):
    setups = 0
    teardowns = 0
    instances = set()
    together = threading.Barrier(K)

    def setUp(self):
        Rounds.setups += 1

    def tearDown(self):
        Rounds.teardowns += 1

    def test_shared(self):
        Rounds.instances.add(id(self))
        # Every thread is in the body at once.
        Rounds.together.wait(timeout=10)


class RoundsCheck(unittest.TestCase):
    def test_check(self):
        # Rounds.test_shared ran first: setUp and tearDown once per
        # round, one instance for all its threads.
        self.assertEqual((Rounds.setups, Rounds.teardowns), (M, M))
        self.assertEqual(len(Rounds.instances), 1)


class Failures(unittest.TestCase):
    calls = itertools.count()

    def test_first_fails(self):
        if next(Failures.calls) == 0:
            self.fail("the first call fails")

    @unittest.skip("not today")
    def test_skipped(self):
        pass


class Unsafe(unittest.TestCase):
    def test_warns(self):
        with self.assertWarns(UserWarning):
            warnings.warn("careful", UserWarning)

    @mock.patch("os.getcwd", return_value="/nowhere")
    def test_patched(self, getcwd):
        self.assertEqual(os.getcwd(), "/nowhere")
