"""Thread-using tests for the counters package.

Each test starts its threads together (threading.Barrier) with a tiny thread
switch interval and checks an invariant that only holds without races. The
races are real, so whether a run passes depends on how the threads happen to
interleave: run the suite many times and some runs fail.
"""
