"""Single-threaded tests: they pass. Run them many times in parallel threads
(pyrace run --threads) and the shared table shows its races."""

import unittest

from fdtable import FDTable, LockedFDTable, lenient

# One table for the whole process, like the fake filesystem's.
SHARED = FDTable()


class TableTests:
    """Tests common to both tables; subclasses set make()."""

    def make(self):
        raise NotImplementedError

    def test_descriptors_count_up(self):
        table = self.make()
        self.assertEqual([table.open("/a"), table.open("/b"), table.open("/c")], [0, 1, 2])
        self.assertEqual(table.opened, 3)

    def test_lowest_free_descriptor_is_reused(self):
        table = self.make()
        fds = [table.open("/f%d" % i) for i in range(4)]
        table.close(fds[2])
        table.close(fds[1])
        self.assertEqual(table.open("/again"), 1)
        self.assertEqual(table.open("/again"), 2)
        self.assertEqual(table.open("/new"), 4)

    def test_get_returns_the_file(self):
        table = self.make()
        fd = table.open("/etc/hosts", "rb")
        self.assertEqual(table.get(fd).path, "/etc/hosts")
        self.assertEqual(table.get(fd).mode, "rb")

    def test_closed_descriptor_is_bad(self):
        table = self.make()
        fd = table.open("/x")
        table.close(fd)
        with self.assertRaises(OSError):
            table.get(fd)
        with self.assertRaises(OSError):
            table.close(fd)
        self.assertEqual(table.open_count(), 0)


class FDTableTest(TableTests, unittest.TestCase):
    def make(self):
        return FDTable()

    def test_lenient_allows_double_close(self):
        table = FDTable()
        fd = table.open("/x")
        table.close(fd)
        with lenient():
            table.close(fd)
        self.assertTrue(FDTable.strict)

    def test_shared_table_open_close(self):
        fd = SHARED.open("/shared")
        self.assertEqual(SHARED.get(fd).path, "/shared")
        SHARED.close(fd)


class LockedFDTableTest(TableTests, unittest.TestCase):
    def make(self):
        return LockedFDTable()

    def test_not_strict(self):
        table = LockedFDTable(strict=False)
        table.close(7)


if __name__ == "__main__":
    unittest.main()
