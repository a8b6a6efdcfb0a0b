"""Hammer one Store from several threads and count what goes wrong.

    python3 stress.py [--locked]

A tiny switch interval makes the races appear even with the GIL; on a
free-threaded build (PYTHON_GIL=0) they appear without it. Exits 1 when a
race was observed.
"""

import sys
import threading

from inventory import LockedStore, Store

THREADS = 8
ROUNDS = 2000


def main():
    sys.setswitchinterval(1e-6)
    store = LockedStore() if "--locked" in sys.argv else Store()
    store.receive("bolt", THREADS * ROUNDS)
    errors = []
    start = threading.Barrier(THREADS + 1)

    def shopper(n):
        start.wait()
        for i in range(ROUNDS):
            store.reserve("t%d-%d" % (n, i), "bolt", 1)
            store.receive("sku-%d-%d" % (n, i), 1)  # grows the dict

    def dashboard():
        start.wait()
        for _ in range(ROUNDS):
            try:
                store.report()
            except RuntimeError as e:  # dictionary changed size during iteration
                errors.append(e)

    threads = [threading.Thread(target=shopper, args=(n,)) for n in range(THREADS - 1)]
    threads.append(threading.Thread(target=dashboard))
    for t in threads:
        t.start()
    start.wait()
    for t in threads:
        t.join()

    reserved = store.reserved_units()
    left = store.on_hand("bolt")
    off = reserved + left - THREADS * ROUNDS
    calls = 1 + (THREADS - 1) * ROUNDS * 2
    print("bolts: %d reserved + %d left = %d, received %d (off by %+d)"
          % (reserved, left, reserved + left, THREADS * ROUNDS, off))
    print("requests counted %d of %d" % (store.requests, calls))
    print("report() raised %d times" % len(errors))
    raced = off != 0 or store.requests != calls or errors
    print("race observed" if raced else "no race observed this time")
    return 1 if raced else 0


if __name__ == "__main__":
    sys.exit(main())
