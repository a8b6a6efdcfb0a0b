# pyrace-test: min-confidence=high
"""FT003 with the default filter (high confidence only), in a module with no
sign of threads: instance containers of plain classes are medium and
filtered; module globals and class attributes stay high."""

_plugins = []
_formats = {}


def _register_builtin(name):
    _formats[name] = name


_register_builtin("zip")  # the helper runs only at import time
_register_builtin("tar")


def formats():
    return [f for f in _formats]  # ok: only import-time code (a private helper called at module level) fills it


def add_plugin(p):
    _plugins.append(p)


def run_plugins():
    for p in _plugins:  # want: FT003
        p()


class Document:
    def __init__(self):
        self.parts = []

    def add(self, part):
        self.parts.append(part)

    def render(self):
        return "".join(p for p in self.parts)  # ok: medium confidence (plain class), filtered
