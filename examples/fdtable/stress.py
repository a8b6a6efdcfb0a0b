"""Open and close files on one FDTable from several threads.

    python3 stress.py [--locked]

With the GIL and a tiny switch interval, the lenient() class-attribute toggle
shows its race: FDTable.strict can stay False, and a thread sees another
thread's setting. The heap and descriptor-numbering races need a
free-threaded build (PYTHON_GIL=0) or PyPy, where they raise IndexError and
hand one descriptor to two threads. Exits 1 when a race was observed.
"""

import sys
import threading

from fdtable import FDTable, LockedFDTable, lenient

THREADS = 8
ROUNDS = 1000
BATCH = 4
NEVER_OPENED = 10**9


def main():
    sys.setswitchinterval(1e-6)
    locked = "--locked" in sys.argv
    table = LockedFDTable() if locked else FDTable()
    errors = []
    duplicates = []
    start = threading.Barrier(THREADS)

    def worker(n):
        start.wait()
        for i in range(ROUNDS):
            paths = ["/w%d/%d/%d" % (n, i, k) for k in range(BATCH)]
            fds = []
            try:
                for path in paths:
                    fds.append(table.open(path))
                for path, fd in zip(paths, fds):
                    if table.get(fd).path != path:
                        duplicates.append(fd)  # another thread got the same descriptor
                for fd in fds:
                    table.close(fd)
                if not locked:
                    with lenient():
                        table.close(NEVER_OPENED)  # ignored inside lenient()
            except (IndexError, OSError) as e:
                errors.append(e)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    print("descriptors handed to two threads: %d" % len(duplicates))
    print("errors (IndexError from the heap, bad descriptors): %d" % len(errors))
    if errors:
        print("  first: %r" % (errors[0],))
    print("opened counted %d of %d" % (table.opened, THREADS * ROUNDS * BATCH))
    print("FDTable.strict after every lenient() block has exited: %s" % FDTable.strict)
    raced = duplicates or errors or table.opened != THREADS * ROUNDS * BATCH or not FDTable.strict
    print("race observed" if raced else "no race observed this time")
    return 1 if raced else 0


if __name__ == "__main__":
    sys.exit(main())
