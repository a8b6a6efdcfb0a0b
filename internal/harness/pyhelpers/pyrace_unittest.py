"""`python -m pyrace_unittest ARGS`: `python -m unittest ARGS` plus JSON lines.

It runs the interpreter's own unittest.main() with the same command line
(discover, test names, -v/-q/-f/-b/-c/-k, ...), the same output and the same
exit status (including 5 when no test ran, on Python 3.12 and later), and
only swaps in a result class that also appends one JSON line per test to
$PYRACE_TESTS_FILE when that variable is set:

    {"id": "tests.test_x.TestC.test_y", "outcome": "failed", "duration": 0.01,
     "when": "call", "exc_type": "AssertionError", "message": "1 != 2"}

outcome is passed, failed, error, skipped, xfailed (expectedFailure) or
xpassed (unexpectedSuccess); when is setup, call or teardown (guessed from
the traceback: setUp/tearDown/cleanups). An error in setUpClass,
setUpModule or their tearDown counterparts gets a line of its own whose id
is unittest's ("setUpClass (tests.test_x.TestC)"). Each line is written with
a single write and is on disk at once, so a crash keeps the earlier lines.

With PYRACE_THREADS=K (`pyrace run --threads`) each test method runs in K
threads at a barrier, PYRACE_TEST_ITERATIONS rounds, as in the pytest
plugin (see pyrace_pytest and pyrace_threads): the threads share the test
instance, setUp and tearDown run once per round, PYRACE_TEST_TIMEOUT
bounds a test, and the line gains "threads"; a test that is unsafe in
threads (decorated with mock.patch, calling assertWarns, assertLogs,
warnings.catch_warnings or mock.patch, directly or in a function it
calls; async) runs once and its line says why in "thread_unsafe".
"""

import functools
import json
import os
import sys
import time
import unittest

import pyrace_threads

__unittest = True  # hide this module's frames in tracebacks, as unittest does

# At most this many characters of an exception message are kept.
MAX_MESSAGE = 500

_SETUP_FUNCS = frozenset(["setUp", "asyncSetUp", "_callSetUp", "setUpClass",
                          "setUpModule", "_handleClassSetUp",
                          "_handleModuleFixture"])
_TEARDOWN_FUNCS = frozenset(["tearDown", "asyncTearDown", "_callTearDown",
                             "doCleanups", "_callCleanup", "tearDownClass",
                             "tearDownModule", "doClassCleanups",
                             "_tearDownPreviousClass", "_handleModuleTearDown"])

# Which outcome wins when a test reports several (subtests): the first
# failure, then expected failures and unexpected successes, then a pass,
# then a skip.
_RANK = {"error": 4, "failed": 4, "xfailed": 3, "xpassed": 3, "passed": 2,
         "skipped": 1}


def _type_name(tp):
    """The exception type's qualified name: "AssertionError", "pkg.Error"."""
    name = getattr(tp, "__qualname__", None) or getattr(tp, "__name__", "?")
    module = getattr(tp, "__module__", None)
    if module and module != "builtins":
        return module + "." + name
    return name


def _truncate(text):
    text = str(text)
    return text[:MAX_MESSAGE] if len(text) > MAX_MESSAGE else text


def _phase(tb):
    """setup, teardown or call: where in the test the traceback comes from."""
    while tb is not None:
        name = tb.tb_frame.f_code.co_name
        if name in _SETUP_FUNCS:
            return "setup"
        if name in _TEARDOWN_FUNCS:
            return "teardown"
        tb = tb.tb_next
    return "call"


class _Writer(object):
    """Appends JSON lines to $PYRACE_TESTS_FILE, one write per line."""

    def __init__(self, path):
        self.fd = None
        if path:
            self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def write(self, record):
        if self.fd is None:
            return
        try:
            os.write(self.fd, (json.dumps(record) + "\n").encode("utf-8"))
        except OSError:
            pass


class PyraceTestResult(unittest.TextTestResult):
    """unittest's TextTestResult that also records each test as JSON."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pyrace_writer = _Writer(os.environ.get("PYRACE_TESTS_FILE"))
        self._pyrace_tests = {}  # id(test) -> record being built
        self._pyrace_threads = _env_int("PYRACE_THREADS", 0)
        self._pyrace_rounds = max(_env_int("PYRACE_TEST_ITERATIONS", 1), 1)
        self._pyrace_timeout = float(os.environ.get("PYRACE_TEST_TIMEOUT") or 0) or None

    # --- the record of one test ---------------------------------------

    def _pyrace_record(self, test):
        test = getattr(test, "test_case", test)  # a _SubTest's parent
        return self._pyrace_tests.get(id(test))

    def _pyrace_set(self, test, outcome, err=None, message=None):
        rec = self._pyrace_record(test)
        if rec is None:
            # Not between startTest and stopTest: a class or module fixture
            # (unittest's _ErrorHolder). Give it a line of its own.
            rec = {"id": str(getattr(test, "description", None) or test.id()),
                   "outcome": None, "duration": 0.0}
            self._pyrace_apply(rec, outcome, err, message)
            self._pyrace_emit(rec)
            return
        self._pyrace_apply(rec, outcome, err, message)

    def _pyrace_apply(self, rec, outcome, err, message):
        if rec["outcome"] is not None and \
                _RANK[rec["outcome"]] >= _RANK[outcome]:
            return  # keep the first failure, or the stronger outcome
        rec["outcome"] = outcome
        for key in ("when", "exc_type", "message"):
            rec.pop(key, None)
        if err is not None:
            tp, value, tb = err
            rec["when"] = _phase(tb)
            rec["exc_type"] = _type_name(tp)
            rec["message"] = _truncate(value if value is not None else "")
            threaded = rec.get("outcome_threads")
            if threaded is not None and isinstance(value, pyrace_threads.ThreadedTestFailure):
                top = threaded.top()
                rec["exc_type"] = top.type if top is not None else "pyrace.ThreadTimeout"
                rec["message"] = _truncate(threaded.summary())
        if message:
            rec["message"] = _truncate(message)

    def _pyrace_emit(self, rec):
        out = {"id": rec["id"], "outcome": rec["outcome"] or "passed",
               "duration": round(rec["duration"], 6)}
        if out["outcome"] != "passed":
            for key in ("when", "exc_type", "message"):
                if rec.get(key):
                    out[key] = rec[key]
        if rec.get("outcome_threads") is not None:
            out["threads"] = rec["outcome_threads"].record()
        if rec.get("thread_unsafe"):
            out["thread_unsafe"] = rec["thread_unsafe"]
        self._pyrace_writer.write(out)

    def _pyrace_thread(self, test, rec):
        """Make test's method run in threads (see the module's doc)."""
        name = getattr(test, "_testMethodName", None)
        method = getattr(test, name, None) if name else None
        if method is None:
            return
        reason = pyrace_threads.unsafe_reason(method, type(test))
        if reason:
            rec["thread_unsafe"] = reason
            return
        threads, rounds, timeout = self._pyrace_threads, self._pyrace_rounds, self._pyrace_timeout

        def between_rounds(r):
            test.tearDown()
            test.setUp()

        @functools.wraps(method)
        def run_in_threads(*args, **kwargs):
            interval = sys.getswitchinterval()
            sys.setswitchinterval(1e-6)
            try:
                out = pyrace_threads.run(method, threads, rounds, args_for=lambda i, r: (args, kwargs),
                                         between_rounds=between_rounds, timeout=timeout,
                                         is_control=lambda e: isinstance(e, unittest.SkipTest))
            finally:
                sys.setswitchinterval(interval)
            rec["outcome_threads"] = out
            if out.failed():
                raise pyrace_threads.ThreadedTestFailure(out.details())
            if out.control is not None:
                raise out.control
        setattr(test, name, run_in_threads)
        rec["patched"] = name

    # --- unittest's hooks --------------------------------------------

    def startTest(self, test):
        rec = {"id": test.id(), "outcome": None, "start": time.perf_counter(), "duration": 0.0}
        self._pyrace_tests[id(test)] = rec
        # unittest.loader's _FailedTest stands for a module that did not
        # import: it reports that once, not in threads.
        if self._pyrace_threads and isinstance(test, unittest.TestCase) and \
                type(test).__module__ != "unittest.loader":
            try:
                self._pyrace_thread(test, rec)
            except Exception:
                pass  # the test runs as usual
        super().startTest(test)

    def stopTest(self, test):
        super().stopTest(test)
        rec = self._pyrace_tests.pop(id(test), None)
        if rec is not None and rec.get("patched"):
            try:
                delattr(test, rec["patched"])
            except AttributeError:
                pass
        if rec is not None:
            rec["duration"] = time.perf_counter() - rec.pop("start")
            self._pyrace_emit(rec)

    def addSuccess(self, test):
        super().addSuccess(test)
        self._pyrace_set(test, "passed")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._pyrace_set(test, "failed", err)

    def addError(self, test, err):
        super().addError(test, err)
        self._pyrace_set(test, "error", err)

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            failed = issubclass(err[0], test.failureException)
            self._pyrace_set(test, "failed" if failed else "error", err)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._pyrace_set(test, "skipped", message=reason)

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._pyrace_set(test, "xfailed", err)

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._pyrace_set(test, "xpassed")


def _env_int(name, default):
    try:
        return int(os.environ.get(name) or default)
    except ValueError:
        return default


class PyraceTestRunner(unittest.TextTestRunner):
    """unittest's TextTestRunner with PyraceTestResult."""

    resultclass = PyraceTestResult


def main():
    """Run unittest's command line with pyrace's runner."""
    if sys.argv[0].endswith(".py"):
        # As unittest's __main__ does: a useful program name in --help.
        sys.argv[0] = os.path.basename(sys.executable) + " -m unittest"
    unittest.main(module=None, testRunner=PyraceTestRunner)


if __name__ == "__main__":
    main()
