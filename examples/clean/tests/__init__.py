"""Thread-using tests for the clean package.

They stress the same shapes as examples/counters/tests, harder, and always
pass: the invariants hold however the threads interleave.
"""
