"""The same store made safe for threads: every access to shared state holds
one lock. Nothing in this module is a race."""

import threading


class LockedStore:
    """A Store whose methods may be called from any thread."""

    def __init__(self):
        self._lock = threading.Lock()
        self._stock = {}
        self._reservations = {}
        self.requests = 0
        # Per-thread settings need no lock.
        self._local = threading.local()

    def use_warehouse(self, name):
        """Book this thread's following reservations against `name`."""
        self._local.warehouse = name

    def receive(self, sku, units):
        """Add `units` of `sku` delivered to the warehouse."""
        with self._lock:
            self.requests += 1
            self._stock[sku] = self._stock.get(sku, 0) + units

    def on_hand(self, sku):
        """Return the units of `sku` on hand."""
        with self._lock:
            return self._stock.get(sku, 0)

    def reserve(self, order_id, sku, units):
        """Set aside `units` of `sku` for an order; False when short."""
        warehouse = getattr(self._local, "warehouse", "main")
        with self._lock:
            self.requests += 1
            available = self._stock.get(sku, 0)
            if available < units:
                return False
            self._stock[sku] = available - units
            self._reservations[order_id] = (sku, units, warehouse)
            return True

    def cancel(self, order_id):
        """Return the units of a reservation to stock."""
        with self._lock:
            sku, units, _ = self._reservations.pop(order_id)
            self._stock[sku] += units

    def report(self):
        """Return a copy of the stock levels for the dashboard."""
        with self._lock:
            snapshot = dict(self._stock)
        return snapshot

    def reserved_units(self):
        """Return the number of units held by open reservations."""
        with self._lock:
            held = list(self._reservations.values())
        return sum(units for _sku, units, _warehouse in held)
