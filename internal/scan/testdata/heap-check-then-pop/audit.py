# pyrace-test: assume-threaded min-confidence=high
"""FT002 in audit mode (--assume-threaded): every finding is high, bare
heapq calls included (the seed's pyfakefs audit had no locks at all)."""

import heapq


class FakeFilesystem:
    def __init__(self):
        self.open_files = []
        self._free_fd_heap = []

    def add_open_file(self, file_obj):
        if self._free_fd_heap:
            open_fd = heapq.heappop(self._free_fd_heap)  # want: FT002
            self.open_files[open_fd] = [file_obj]
            return open_fd
        self.open_files.append([file_obj])
        return len(self.open_files) - 1

    def close_open_file(self, file_des):
        self.open_files[file_des] = None
        heapq.heappush(self._free_fd_heap, file_des)  # want: FT002
