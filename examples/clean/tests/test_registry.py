import unittest

from clean import Registry
from tests.threadutil import ThreadedTestCase, run_together

BASE = 10  # handlers registered before the threads start
READERS = 2
ROUNDS = 200  # describe() calls per reader
CHURN = 500  # register/unregister pairs by the writer


class RegistryTest(unittest.TestCase):
    def test_register_and_describe(self):
        registry = Registry()
        registry.register("a", 1)
        registry.register("b", 2)
        registry.unregister("a")
        self.assertEqual(registry.describe(), ["b=2"])


class ConcurrentRegistryTest(ThreadedTestCase):
    def test_describe_while_registering(self):
        registry = Registry()
        for i in range(BASE):
            registry.register("base%d" % i, i)

        def reader():
            for _ in range(ROUNDS):
                lines = registry.describe()
                # The base handlers are always there, plus at most the one
                # temporary handler the writer has added.
                self.assertIn(len(lines), (BASE, BASE + 1))

        def writer():
            for i in range(CHURN):
                registry.register("tmp%d" % i, i)
                registry.unregister("tmp%d" % i)

        errors = run_together([reader] * READERS + [writer])
        self.assertEqual(errors, [])
        self.assertEqual(len(registry.describe()), BASE)


if __name__ == "__main__":
    unittest.main()
