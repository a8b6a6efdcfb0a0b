"""test_hang blocks thread 0 for good under `pyrace run --threads`: with
PYRACE_TEST_TIMEOUT it fails with the threads' stacks, and the run goes
on to test_after."""
import threading

_never = threading.Event()


def test_hang(thread_index):
    if thread_index == 0:
        _never.wait()


def test_after():
    pass
