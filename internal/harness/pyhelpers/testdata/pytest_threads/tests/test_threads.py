"""A pytest-run-parallel-style suite: each test's expected behaviour under
`pyrace run --threads` (PYRACE_THREADS=K, PYRACE_TEST_ITERATIONS=M) is in
python_test.go. Without the variables only test_one_failure and
test_first_fails fail (on their first call)."""
import itertools
import os
import threading
import unittest
import warnings
from unittest import mock

import pytest

K = int(os.environ.get("PYRACE_THREADS") or 1)
M = int(os.environ.get("PYRACE_TEST_ITERATIONS") or 1)


def test_plain():
    assert sum([1, 2, 3]) == 6


def test_odd_threads_fail(thread_index):
    if thread_index % 2:
        raise ValueError("odd thread")


def test_one_failure(thread_index, iteration_index):
    if thread_index == 0 and iteration_index == M - 1:
        raise KeyError("last round")


_together = threading.Barrier(K)


def test_threads_run_together():
    # Every thread is in the body at once: a barrier of K inside it opens.
    _together.wait(timeout=10)


def test_tmp_path_per_thread(tmp_path, thread_index):
    if K > 1:
        assert tmp_path.name == "thread%d" % thread_index
    f = tmp_path / "owner"
    f.write_text(str(thread_index))
    assert f.read_text() == str(thread_index)


def test_tmpdir_per_thread(tmpdir, thread_index):
    if K > 1:
        assert tmpdir.basename == "thread%d" % thread_index


@pytest.mark.thread_unsafe
def test_marked():
    pass


@pytest.mark.thread_unsafe(reason="changes the environment")
def test_marked_reason():
    pass


def test_monkeypatch(monkeypatch):
    monkeypatch.setenv("PYRACE_SUITE_X", "1")


def test_capsys(capsys):
    print("hello")
    assert capsys.readouterr().out == "hello\n"


def test_catch_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")


def _expect_warning():
    with pytest.warns(UserWarning):
        warnings.warn("careful", UserWarning)


def test_callee_warns():
    _expect_warning()


@mock.patch("os.getcwd", return_value="/nowhere")
def test_patch_decorator(getcwd):
    assert os.getcwd() == "/nowhere"


def test_patch_call():
    with mock.patch("os.getcwd", return_value="/nowhere"):
        assert os.getcwd() == "/nowhere"


def test_skip_inside():
    pytest.skip("not in threads either")


_calls = itertools.count()


def test_counted():
    next(_calls)


def test_counted_check():
    # test_counted's body ran K*M times; this one runs after it.
    assert next(_calls) >= K * M


class SharedInstance(unittest.TestCase):
    setups = 0
    teardowns = 0
    instances = set()

    def setUp(self):
        SharedInstance.setups += 1

    def tearDown(self):
        SharedInstance.teardowns += 1

    def test_shared(self):
        SharedInstance.instances.add(id(self))


class SharedInstanceCheck(unittest.TestCase):
    def test_rounds(self):
        # setUp and tearDown once per round, one instance for all threads.
        self.assertEqual(SharedInstance.setups, M)
        self.assertEqual(SharedInstance.teardowns, M)
        self.assertEqual(len(SharedInstance.instances), 1)


class Expected(unittest.TestCase):
    @unittest.expectedFailure
    def test_known_bug(self):
        self.assertEqual(1, 2)


class FirstCallFails(unittest.TestCase):
    calls = itertools.count()

    def test_first_fails(self):
        if next(FirstCallFails.calls) == 0:
            self.fail("the first call fails")
