# pyrace-test: min-confidence=high
"""FT004 confidence: without concurrency intent the rule's default (medium)
applies and min-confidence=high drops it."""


class SymbolTable:
    def __init__(self):
        self.names = []

    def intern(self, name):
        self.names.append(name)
        return len(self.names) - 1  # ok: no concurrency intent: medium, below min-confidence=high

    def intern_pre(self, name):
        i = len(self.names)  # ok: no concurrency intent: medium, below min-confidence=high
        self.names.append(name)
        return i
