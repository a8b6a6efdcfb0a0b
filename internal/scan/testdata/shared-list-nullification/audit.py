# pyrace-test: assume-threaded min-confidence=medium
"""FT008 in audit mode: the seed's pyfakefs open-file table."""


class FakeFilesystem:
    def __init__(self):
        self.open_files = []

    def add_open_file(self, file_obj):
        for fd, entry in enumerate(self.open_files):
            if entry is None:
                self.open_files[fd] = [file_obj]
                return fd
        self.open_files.append([file_obj])
        return len(self.open_files) - 1

    def close_open_file(self, file_des):
        self.open_files[file_des] = None  # want: FT008

    def get_open_file(self, file_des):
        return self.open_files[file_des]  # ok: a single atomic read (the race is the nulling above)
