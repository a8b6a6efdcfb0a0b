import unittest

from counters import Registry
from tests.threadutil import ThreadedTestCase, run_together
from tests.workload import workload

BASE = 10  # handlers registered before the threads start


class RegistryTest(unittest.TestCase):
    def test_register_and_describe(self):
        registry = Registry()
        registry.register("a", 1)
        registry.register("b", 2)
        registry.unregister("a")
        self.assertEqual(registry.describe(), ["b=2"])


class ConcurrentRegistryTest(ThreadedTestCase):
    def test_describe_while_registering(self):
        w = workload("registry")
        registry = Registry()
        for i in range(BASE):
            registry.register("base%d" % i, i)

        def reader():
            for _ in range(w["rounds"]):
                self.assertGreaterEqual(len(registry.describe()), BASE)

        def writer():
            for i in range(w["churn"]):
                registry.register("tmp%d" % i, i)
                registry.unregister("tmp%d" % i)

        errors = run_together([reader] * w["readers"] + [writer])
        # A reader that saw the dict resized while it iterated raised
        # "RuntimeError: dictionary changed size during iteration".
        self.assertEqual(errors, [])


if __name__ == "__main__":
    unittest.main()
