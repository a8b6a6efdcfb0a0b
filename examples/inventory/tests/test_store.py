"""Single-threaded tests: they pass. Run them many times in parallel threads
(pyrace run --threads) and the shared store shows its races."""

import unittest

from inventory import LockedStore, Store, current_warehouse, use_warehouse

# One store for the whole process, as the web service has.
SHARED = Store()


class StoreTest(unittest.TestCase):
    def setUp(self):
        self.store = Store()

    def test_receive_adds_units(self):
        self.store.receive("bolt", 10)
        self.store.receive("bolt", 5)
        self.assertEqual(self.store.on_hand("bolt"), 15)

    def test_reserve_takes_units(self):
        self.store.receive("nut", 3)
        self.assertTrue(self.store.reserve("o1", "nut", 2))
        self.assertEqual(self.store.on_hand("nut"), 1)
        self.assertEqual(self.store.reserved_units(), 2)

    def test_reserve_refuses_when_short(self):
        self.store.receive("nut", 1)
        self.assertFalse(self.store.reserve("o1", "nut", 2))
        self.assertEqual(self.store.on_hand("nut"), 1)

    def test_cancel_returns_units(self):
        self.store.receive("gear", 4)
        self.store.reserve("o1", "gear", 4)
        self.store.cancel("o1")
        self.assertEqual(self.store.on_hand("gear"), 4)
        self.assertEqual(self.store.reserved_units(), 0)

    def test_report_is_a_copy(self):
        self.store.receive("bolt", 1)
        report = self.store.report()
        report["bolt"] = 99
        self.assertEqual(self.store.on_hand("bolt"), 1)

    def test_requests_are_counted(self):
        self.store.receive("bolt", 1)
        self.store.reserve("o1", "bolt", 1)
        self.assertEqual(self.store.requests, 2)


class SharedStoreTest(unittest.TestCase):
    """Uses the process-wide store the way request handlers do."""

    def test_reservation_books_the_current_warehouse(self):
        use_warehouse("north")
        self.assertEqual(current_warehouse(), "north")
        use_warehouse("main")

    def test_shared_receive_then_reserve(self):
        sku = "shared-widget"
        SHARED.receive(sku, 2)
        before = SHARED.reserved_units()
        order = "order-%d" % id(self)
        self.assertTrue(SHARED.reserve(order, sku, 2))
        self.assertEqual(SHARED.reserved_units(), before + 2)
        SHARED.cancel(order)


class LockedStoreTest(unittest.TestCase):
    def test_same_behaviour(self):
        store = LockedStore()
        store.use_warehouse("south")
        store.receive("bolt", 3)
        self.assertTrue(store.reserve("o1", "bolt", 2))
        self.assertFalse(store.reserve("o2", "bolt", 2))
        self.assertEqual(store.report(), {"bolt": 1})
        self.assertEqual(store.reserved_units(), 2)
        store.cancel("o1")
        self.assertEqual(store.on_hand("bolt"), 3)
        self.assertEqual(store.requests, 3)


if __name__ == "__main__":
    unittest.main()
