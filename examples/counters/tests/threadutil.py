"""Helpers shared by the tests: start threads together, switch often."""

import sys
import threading
import unittest

# Generous upper bounds so a broken run fails instead of hanging.
BARRIER_TIMEOUT = 10.0
JOIN_TIMEOUT = 20.0


def run_together(targets):
    """Run each callable in `targets` in its own thread, all released at once
    by a barrier. Return the exceptions the threads raised (usually none).
    Raises AssertionError if a thread is still running after JOIN_TIMEOUT."""
    barrier = threading.Barrier(len(targets), timeout=BARRIER_TIMEOUT)
    errors = []  # list.append is atomic: safe to share between threads

    def wrap(target):
        def body():
            try:
                barrier.wait()
                target()
            except BaseException as exc:  # report it to the test thread
                errors.append(exc)

        return body

    threads = [threading.Thread(target=wrap(t), daemon=True) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(JOIN_TIMEOUT)
    stuck = [t.name for t in threads if t.is_alive()]
    if stuck:
        raise AssertionError("threads still running after %ss: %s" % (JOIN_TIMEOUT, stuck))
    return errors


class ThreadedTestCase(unittest.TestCase):
    """Sets a tiny switch interval for the test and restores it afterwards,
    so that threads interleave often even on an interpreter with a GIL."""

    SWITCH_INTERVAL = 1e-6

    def setUp(self):
        self._old_interval = sys.getswitchinterval()
        sys.setswitchinterval(self.SWITCH_INTERVAL)

    def tearDown(self):
        sys.setswitchinterval(self._old_interval)
