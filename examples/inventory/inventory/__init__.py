"""A tiny stock-keeping library shared by the request threads of a web service."""

from inventory.locked import LockedStore
from inventory.store import Store, current_warehouse, use_warehouse

__all__ = ["LockedStore", "Store", "current_warehouse", "use_warehouse"]
