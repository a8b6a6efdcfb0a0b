import unittest

class TestC(unittest.TestCase):
    def test_pass(self):
        pass
    def test_fail(self):
        self.assertEqual(1, 2)
    def test_error(self):
        raise KeyError("boom")
    @unittest.skip("not today")
    def test_skip(self):
        pass
    @unittest.expectedFailure
    def test_xfail(self):
        self.assertEqual(1, 2)
    @unittest.expectedFailure
    def test_xpass(self):
        pass
    def test_subtests(self):
        for i in range(3):
            with self.subTest(i=i):
                self.assertLess(i, 2)

class TestSetup(unittest.TestCase):
    def setUp(self):
        raise RuntimeError("setup broke")
    def test_x(self):
        pass

class TestTeardown(unittest.TestCase):
    def tearDown(self):
        raise ValueError("teardown broke")
    def test_y(self):
        pass

class TestClassFixture(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        raise OSError("no class")
    def test_z(self):
        pass
