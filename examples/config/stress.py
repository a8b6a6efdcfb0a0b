"""Start many threads that all need the settings and the registry at once.

    python3 stress.py

A tiny switch interval makes the races appear even with the GIL; on a
free-threaded build (PYTHON_GIL=0) they appear without it. Exits 1 when a
race was observed.
"""

import sys
import threading

from config import loader

THREADS = 16
ROUNDS = 200


def main():
    sys.setswitchinterval(1e-6)
    stuck = []

    for _ in range(ROUNDS):
        # A fresh start, as when the service boots.
        loader._settings = None
        loader.Registry._instance = None
        start = threading.Barrier(THREADS)

        def worker():
            start.wait()
            loader.settings()
            loader.Registry.instance()

        threads = [threading.Thread(target=worker) for _ in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    # A failing register() leaves the lock held: the next call would block.
    registry = loader.Registry()
    try:
        registry.register("bad", 42)
    except ValueError:
        pass
    if not registry._lock.acquire(timeout=0.1):
        stuck.append("register")

    print("environment parsed %d times for %d start-ups" % (loader.loads, ROUNDS))
    print("registries created %d for %d start-ups" % (loader.Registry.created - 1, ROUNDS))
    print("lock left held by a failed register(): %s" % bool(stuck))
    raced = loader.loads != ROUNDS or loader.Registry.created - 1 != ROUNDS
    print("race observed" if raced else "no race observed this time")
    return 1 if raced or stuck else 0


if __name__ == "__main__":
    sys.exit(main())
