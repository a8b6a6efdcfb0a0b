"""Single-threaded tests of a registry the whole process shares (as a
plugin registry or a handler table is). Each passes on its own, in any
order, however often the suite runs: nothing here starts a thread.

`pyrace run --threads 8` runs each test body in 8 threads at once, which is
what the application does with the shared registry, and shows the race in
Registry.describe(): "RuntimeError: dictionary changed size during
iteration" in some of the threads. The plain baseline iteration of that run
passes, so the verdict names these tests as failing only when threaded.
"""
import unittest

from counters import Registry

SHARED = Registry()  # one per process, as in the application
for _i in range(200):  # the handlers the application registers at start-up
    SHARED.register("builtin%d" % _i, _i)


class SharedRegistryTest(unittest.TestCase):
    def test_churn_and_describe(self):
        for i in range(100):
            name = "handler%d" % i
            SHARED.register(name, i)
            self.assertIn("%s=%d" % (name, i), SHARED.describe())
            SHARED.unregister(name)
