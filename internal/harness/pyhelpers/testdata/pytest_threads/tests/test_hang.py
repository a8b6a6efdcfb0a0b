"""test_hang blocks thread 0 for good under `pyrace run --threads` (and
passes without threads): with PYRACE_TEST_TIMEOUT it fails with the
threads' stacks, and the run goes on to test_after."""
import os
import threading

_never = threading.Event()
THREADED = int(os.environ.get("PYRACE_THREADS") or 0) > 1


def test_hang(thread_index):
    if THREADED and thread_index == 0:
        _never.wait()


def test_after():
    pass
