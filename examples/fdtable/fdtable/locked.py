"""The same table made safe for threads: one lock guards the list and the
heap together, and strictness is a per-instance setting. Nothing in this
module is a race."""

import heapq
import threading

from fdtable.table import OpenFile


class LockedFDTable:
    """Maps descriptor numbers to open files; any thread may call it."""

    def __init__(self, strict=True):
        self.strict = strict
        self._lock = threading.Lock()
        self._files = []
        self._free = []
        self.opened = 0

    def open(self, path, mode="r"):
        """Open `path` and return the lowest free descriptor."""
        handle = OpenFile(path, mode)
        with self._lock:
            if self._free:
                fd = heapq.heappop(self._free)
                self._files[fd] = handle
            else:
                fd = len(self._files)
                self._files.append(handle)
            self.opened += 1
        return fd

    def get(self, fd):
        """Return the open file for `fd`; OSError when it is not open."""
        with self._lock:
            if 0 <= fd < len(self._files) and self._files[fd] is not None:
                return self._files[fd]
        raise OSError(9, "Bad file descriptor", fd)

    def close(self, fd):
        """Close `fd` and make its number available again."""
        with self._lock:
            if not (0 <= fd < len(self._files)) or self._files[fd] is None:
                if self.strict:
                    raise OSError(9, "Bad file descriptor", fd)
                return
            self._files[fd].closed = True
            self._files[fd] = None
            heapq.heappush(self._free, fd)

    def open_count(self):
        """Return the number of open descriptors."""
        with self._lock:
            return len(self._files) - len(self._free)
