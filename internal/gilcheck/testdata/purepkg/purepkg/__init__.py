"""A pure-Python package for the GIL probe's tests."""
VALUE = 1
