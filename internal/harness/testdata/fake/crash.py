"""Segfaults inside a function, as a race in C code would."""
import os
import signal


def corrupt_heap():
    os.kill(os.getpid(), signal.SIGSEGV)


def run_tests():
    corrupt_heap()


print("collected 1 item", flush=True)
run_tests()
