"""A registry of named handlers that threads add and remove at run time."""


class Registry:
    """Maps handler names to handlers."""

    def __init__(self):
        self._items = {}  # name -> handler

    def register(self, name, handler):
        """Add (or replace) the handler called `name`."""
        self._items[name] = handler

    def unregister(self, name):
        """Remove the handler called `name`, if any."""
        self._items.pop(name, None)

    def describe(self):
        """Return a "name=handler" line for every registered handler."""
        lines = []
        # RACE: iterating the live dict while register()/unregister() resize
        # it from another thread: "RuntimeError: dictionary changed size
        # during iteration".
        for name, handler in self._items.items():
            lines.append(self._line(name, handler))
        return lines

    def _line(self, name, handler):
        return "%s=%r" % (name, handler)
