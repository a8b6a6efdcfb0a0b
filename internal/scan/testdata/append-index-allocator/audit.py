# pyrace-test: assume-threaded min-confidence=high
"""FT004 in audit mode: every public class is shared, findings are high."""


class ConstantPool:
    def __init__(self):
        self.consts = []

    def add(self, value):
        self.consts.append(value)
        return len(self.consts) - 1  # want: FT004

    def add_pre(self, value):
        index = len(self.consts)  # want: FT004
        self.consts.append(value)
        return index
