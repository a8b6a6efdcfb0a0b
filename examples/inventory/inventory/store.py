"""Stock levels and reservations, kept in memory.

A web service creates one Store at start-up and calls it from every request
thread. Nothing here takes a lock: see README.md for the lines that race.
"""

import logging

log = logging.getLogger(__name__)

# The warehouse that new reservations are booked against. A request handler
# switches it with use_warehouse() before reserving.
_current_warehouse = "main"


def use_warehouse(name):
    """Book the following reservations against warehouse `name`."""
    global _current_warehouse
    _current_warehouse = name


def current_warehouse():
    """Return the warehouse reservations are currently booked against."""
    return _current_warehouse


class Store:
    """Units on hand per SKU, and the reservations made against them."""

    def __init__(self):
        self._stock = {}  # sku -> units on hand
        self._reservations = {}  # order id -> (sku, units, warehouse)
        self.requests = 0  # calls served, exported as a metric

    def receive(self, sku, units):
        """Add `units` of `sku` delivered to the warehouse."""
        self.requests += 1
        if sku not in self._stock:
            self._stock[sku] = 0
        self._stock[sku] += units

    def on_hand(self, sku):
        """Return the units of `sku` on hand."""
        return self._stock.get(sku, 0)

    def reserve(self, order_id, sku, units):
        """Set aside `units` of `sku` for an order; False when short."""
        self.requests += 1
        available = self._stock.get(sku, 0)
        if available < units:
            return False
        log.debug("reserving %d x %s for order %s", units, sku, order_id)
        self._stock[sku] = available - units
        self._reservations[order_id] = (sku, units, current_warehouse())
        return True

    def cancel(self, order_id):
        """Return the units of a reservation to stock."""
        sku, units, _ = self._reservations.pop(order_id)
        self._stock[sku] += units

    def report(self):
        """Return a copy of the stock levels for the dashboard."""
        return {sku: units for sku, units in self._stock.items()}

    def reserved_units(self):
        """Return the number of units held by open reservations."""
        total = 0
        for _sku, units, _warehouse in self._reservations.values():
            total += units
        return total
