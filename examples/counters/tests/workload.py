"""How hard each concurrent test pushes, per kind of interpreter.

The races in the counters package are the same everywhere, but how often a
thread switch lands inside a race window differs by orders of magnitude:

* CPython with a GIL only switches threads at a few points (calls, loop back
  edges) and, even with sys.setswitchinterval(1e-6), at most every few tens
  of microseconds, so its tests need hundreds of operations per thread;
* PyPy, with that switch interval, switches threads very often in code that
  is not yet JIT-compiled, so a handful of operations is enough;
* a free-threaded CPython (PYTHON_GIL=0) runs the threads truly in parallel:
  the races show as soon as two threads overlap.

The numbers are chosen so that each of these two tests fails in roughly one
run out of ten or twenty. How often exactly drifts with the machine's load
(these are timing races), which is why the suite's main source of failures is
test_cache, whose failure rate does not depend on timing (see there). The
whole suite fails in about half of the runs: run it ten times and the outcome
is intermittent, neither always passing nor always failing.
"""

import sys
import sysconfig


def flavour():
    """Return "pypy", "free-threaded" or "gil" for the running interpreter."""
    if sys.implementation.name == "pypy":
        return "pypy"
    gil_enabled = getattr(sys, "_is_gil_enabled", lambda: True)()
    if sysconfig.get_config_var("Py_GIL_DISABLED") and not gil_enabled:
        return "free-threaded"
    return "gil"


# flavour -> test -> knobs: how many threads, and how much work each does.
WORKLOADS = {
    "gil": {
        "stats": {"threads": 2, "rounds": 500},
        "registry": {"readers": 2, "rounds": 50, "churn": 200},
    },
    "pypy": {
        "stats": {"threads": 2, "rounds": 3},
        "registry": {"readers": 1, "rounds": 2, "churn": 5},
    },
    "free-threaded": {
        "stats": {"threads": 2, "rounds": 30},
        "registry": {"readers": 1, "rounds": 5, "churn": 20},
    },
}


def workload(test):
    """Return the knobs for `test` on the running interpreter."""
    return WORKLOADS[flavour()][test]
