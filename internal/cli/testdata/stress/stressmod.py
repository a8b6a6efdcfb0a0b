"""Targets for `pyrace stress` tests (internal/cli/stress_test.go)."""
import threading

registry = {("base", i): i for i in range(100)}  # iterating takes a while
_lock = threading.Lock()
calls = []
_never = threading.Event()
not_callable = 42


def always_fails():
    raise ValueError("boom")


def counted(a, b=0):
    if (a, b) != (1, 2):
        raise AssertionError("got %r" % ((a, b),))
    with _lock:
        calls.append(1)


def churn(n):
    for i in range(n):
        registry[i] = i
        for _ in registry:
            pass
        registry.pop(i, None)


def hangs():
    _never.wait()


class Box:
    @staticmethod
    def fine():
        return 1
