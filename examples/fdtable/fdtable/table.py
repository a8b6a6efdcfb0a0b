"""A descriptor table that hands out the lowest free number, as a kernel does.

Closed descriptors go on a heap of free numbers; open() reuses the smallest
one, or appends a new slot. The table is shared by every thread that opens
files in the fake filesystem, and nothing here takes a lock: see README.md
for the lines that race.
"""

import heapq


class OpenFile:
    """One open file: its path, mode and read position."""

    def __init__(self, path, mode):
        self.path = path
        self.mode = mode
        self.position = 0
        self.closed = False


class FDTable:
    """Maps descriptor numbers to open files."""

    # Whether closing an unknown descriptor raises. Tests that close
    # descriptors twice switch it off with lenient().
    strict = True

    def __init__(self):
        self._files = []  # descriptor -> OpenFile, or None once closed
        self._free = []  # heap of closed descriptors, reused lowest first
        self.opened = 0  # descriptors handed out since creation

    def open(self, path, mode="r"):
        """Open `path` and return the lowest free descriptor."""
        handle = OpenFile(path, mode)
        if self._free:
            fd = heapq.heappop(self._free)
            self._files[fd] = handle
        else:
            self._files.append(handle)
            fd = len(self._files) - 1
        self.opened += 1
        return fd

    def get(self, fd):
        """Return the open file for `fd`; OSError when it is not open."""
        if 0 <= fd < len(self._files) and self._files[fd] is not None:
            return self._files[fd]
        raise OSError(9, "Bad file descriptor", fd)

    def close(self, fd):
        """Close `fd` and make its number available again."""
        try:
            handle = self.get(fd)
        except OSError:
            if FDTable.strict:
                raise
            return
        handle.closed = True
        self._files[fd] = None
        heapq.heappush(self._free, fd)

    def open_count(self):
        """Return the number of open descriptors."""
        return len(self._files) - len(self._free)


class lenient:
    """Context manager: closing an unknown descriptor is not an error inside."""

    def __enter__(self):
        self._saved = FDTable.strict
        FDTable.strict = False
        return self

    def __exit__(self, *exc):
        FDTable.strict = self._saved
        return False
