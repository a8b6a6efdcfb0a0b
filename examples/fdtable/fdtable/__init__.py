"""File descriptors for an in-memory filesystem used in tests."""

from fdtable.locked import LockedFDTable
from fdtable.table import FDTable, OpenFile, lenient

__all__ = ["FDTable", "LockedFDTable", "OpenFile", "lenient"]
