"""pyrace's pytest plugin: one JSON line per test.

Loaded without installation through the environment:

    PYTEST_PLUGINS=pyrace_pytest PYRACE_TESTS_FILE=/path/tests.jsonl pytest ...

(the directory holding this file must be on PYTHONPATH). When
PYRACE_TESTS_FILE is set, it appends one line per test to that file and
flushes it at once, so that a crash in the middle of the suite keeps every
earlier line:

    {"id": "tests/test_x.py::TestC::test_y[p]", "outcome": "failed",
     "duration": 0.012, "when": "call", "exc_type": "AssertionError",
     "message": "assert 1 == 2", "repeat": 3}

outcome is passed, failed, error, skipped, xfailed or xpassed; duration is
setup + call + teardown in seconds; when is the phase that failed or skipped
(setup, call, teardown; "collect" for a file that failed to collect, which
gets one line with outcome "error"); message holds at most 500 characters;
repeat is pytest-repeat's index, whose "[i-N]" suffix is removed from the id.
Empty fields are left out. Works with pytest 7.2 and later.

On a free-threaded build started with the GIL disabled (PYTHON_GIL unset:
with PYTHON_GIL=0 CPython never re-enables it), the first test that finds
the GIL enabled again gets "gil_enabled": {"when": "during" (the test
loaded the extension) or "before" (collection or an earlier fixture did),
"modules": the extension modules loaded since the previous test started,
in import order; CPython re-enabled the GIL for the first of them that does
not declare free-threading support}. From that test on, the run is not
free-threaded.

Thread-parallel mode (`pyrace run --threads K`): with PYRACE_THREADS=K the
body of each test runs in K threads that wait at a barrier before each of
PYRACE_TEST_ITERATIONS=M rounds (default 1), with sys.setswitchinterval(1e-6)
for the duration; fixtures are set up and torn down once, in the main
thread, except that function-scoped tmp_path and tmpdir get a directory per
thread, and the thread_index and iteration_index fixtures give each call
its thread and round. unittest.TestCase tests share one instance, with
setUp and tearDown once per round. PYRACE_TEST_TIMEOUT (seconds) bounds a
test: the stacks of the threads still running go into the failure. The
line of such a test gains "threads" (see pyrace_threads.Outcome.record):

    {"id": ..., "outcome": "failed", "exc_type": "RuntimeError",
     "message": "3 of 8 threads failed in 2 of 5 rounds: RuntimeError: ...",
     "threads": {"threads": 8, "rounds": 5, "failed_threads": 3,
                 "failed_rounds": 2, "failures": 4, "calls": 40,
                 "exceptions": [{"type": ..., "message": ..., "where":
                 "x.py:12", "function": ..., "count": 4}]}}

A test that is unsafe to run in threads runs once, as usual, and its line
says why in "thread_unsafe": marked @pytest.mark.thread_unsafe (the marker
of pytest-run-parallel), using a fixture that cannot be shared (monkeypatch,
capsys, capfd, recwarn, caplog... and PYRACE_UNSAFE_FIXTURES, comma
separated), async, or calling warnings.catch_warnings, pytest.warns,
unittest.mock.patch and the like in its code or in a function it calls.
"""

import functools
import json
import os
import re
import sys
import unittest

import pytest

import pyrace_threads
from pyrace_gilprobe import gil_enabled as _gil_enabled

# At most this many characters of an exception message are kept.
MAX_MESSAGE = pyrace_threads.MAX_MESSAGE

# pytest-repeat appends "i-N" as the last parameter id: "test_x[3-10]" or
# "test_x[a-3-10]".
_REPEAT_RE = re.compile(r"^(?P<base>.*)\[(?:(?P<params>.*)-)?(?P<i>\d+)-(?P<n>\d+)\]$")


# "ModuleNotFoundError: No module named 'x'": the last line of a collection
# error, whose exception object pytest no longer has.
_EXC_LINE_RE = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning)): (.*)$")


def normalise_id(nodeid, count):
    """Split pytest-repeat's suffix off nodeid when --count is above 1.

    Returns (id, repeat). Without pytest-repeat in use (count is None or 1)
    the id is returned unchanged, so that ordinary parametrize ids such as
    "test_x[1-2]" are never mangled.
    """
    if not count or count <= 1:
        return nodeid, 0
    m = _REPEAT_RE.match(nodeid)
    if m is None or int(m.group("n")) != count:
        return nodeid, 0
    base, params = m.group("base"), m.group("params")
    if params:
        return "%s[%s]" % (base, params), int(m.group("i"))
    return base, int(m.group("i"))


_type_name = pyrace_threads.type_name
_truncate = pyrace_threads.truncate


class _Test(object):
    """What has been seen of one test so far."""

    def __init__(self):
        self.duration = 0.0
        self.outcome = None
        self.when = ""
        self.exc_type = ""
        self.message = ""
        self.rerun = False
        self.threads = None
        self.thread_unsafe = ""


def _stdlib_dirs():
    """The standard library's directories and the site-packages ones, as
    tuples for str.startswith."""
    try:
        import sysconfig
        paths = sysconfig.get_paths()
    except Exception:
        return (), ()

    def dirs(keys):
        return tuple(os.path.abspath(paths[k]) + os.sep for k in keys if paths.get(k))
    return dirs(("stdlib", "platstdlib")), dirs(("purelib", "platlib"))


class Recorder(object):
    """Writes the per-test JSON lines; registered by pytest_configure."""

    def __init__(self, config, path):
        self.config = config
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self.tests = {}
        # The GIL's state when the session started (None: the interpreter
        # cannot tell, or it was on): the first test that sees it enabled
        # gets "gil_enabled", once.
        self.gil_off = _gil_enabled() is False
        self.gil_before = None  # the flip seen when a test started
        # The modules loaded when the last test started: the extension
        # modules loaded since are the candidates for a flip.
        self.modules = set(sys.modules) if self.gil_off else set()
        try:
            count = config.getoption("count", None)
        except (ValueError, AttributeError):
            count = None
        try:
            self.count = int(count) if count is not None else None
        except (TypeError, ValueError):
            self.count = None

    def close(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def write(self, record):
        """Append one line with a single write, so lines never interleave."""
        if self.fd is None:
            return
        line = json.dumps(record, sort_keys=False) + "\n"
        os.write(self.fd, line.encode("utf-8"))

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        # The exception is known here and no longer in the report: keep its
        # type and message on the report for pytest_runtest_logreport.
        outcome = yield
        try:
            report = outcome.get_result()
            excinfo = call.excinfo
            if excinfo is not None:
                report._pyrace_exc_type = _type_name(excinfo.type)
                report._pyrace_message = _truncate(excinfo.value)
            if call.when == "call":
                threaded = getattr(item, "_pyrace_threads", None)
                if threaded is not None:
                    report._pyrace_threads = threaded.record()
                    top = threaded.top()
                    if report.failed:
                        report._pyrace_exc_type = top.type if top is not None else "pyrace.ThreadTimeout"
                        report._pyrace_message = _truncate(threaded.summary())
                reason = getattr(item, "_pyrace_thread_unsafe", "")
                if reason:
                    report._pyrace_thread_unsafe = reason
        except Exception:
            pass

    def pytest_runtest_logstart(self, nodeid, location):
        if not self.gil_off or self.gil_before is not None:
            return
        if _gil_enabled():
            # Re-enabled between tests: at collection (importing the test
            # modules) or in a fixture's teardown.
            self.gil_before = self._gil_flip("before")
        else:
            self.modules = set(sys.modules)

    def _gil_flip(self, when):
        """Where the GIL came back: when, and the extension modules loaded
        since the last test started (CPython re-enables it for the first
        that does not declare free-threading support)."""
        flip = {"when": when}
        loaded = []
        stdlib, site = _stdlib_dirs()
        for name, mod in list(sys.modules.items()):
            if name in self.modules:
                continue
            f = getattr(mod, "__file__", None) or ""
            if not f.endswith((".so", ".pyd")):
                continue
            # The standard library's extensions all support free-threading.
            d = os.path.dirname(os.path.abspath(f)) + os.sep
            if d.startswith(stdlib) and not d.startswith(site) and "-packages" + os.sep not in d:
                continue
            loaded.append(name)
        if loaded:
            flip["modules"] = loaded
        return flip

    def pytest_runtest_logreport(self, report):
        # Under pytest-xdist the controller receives the workers' reports
        # (they carry .node); the workers load this plugin too and write
        # their own lines, so the controller writes none.
        if getattr(report, "node", None) is not None:
            return
        t = self.tests.setdefault(report.nodeid, _Test())
        t.duration += getattr(report, "duration", 0.0) or 0.0
        if getattr(report, "_pyrace_threads", None) is not None:
            t.threads = report._pyrace_threads
        if getattr(report, "_pyrace_thread_unsafe", ""):
            t.thread_unsafe = report._pyrace_thread_unsafe
        if report.outcome in ("passed", "failed", "skipped"):
            self._update(t, report)
        else:
            # "rerun" (pytest-rerunfailures): this attempt is replaced by
            # the next one, which gets its own line.
            t.rerun = True
        if report.when == "teardown":
            del self.tests[report.nodeid]
            if not t.rerun:
                self._emit(report.nodeid, t)

    def _update(self, t, report):
        when = report.when
        wasxfail = hasattr(report, "wasxfail")
        if report.passed:
            if when == "call":
                if wasxfail:
                    t.outcome, t.when = "xpassed", ""
                    t.message = _truncate(report.wasxfail or "")
                elif t.outcome is None:
                    t.outcome = "passed"
            return
        if t.outcome in ("failed", "error"):
            return  # keep the first failure
        if report.skipped:
            if wasxfail:
                t.outcome, t.when = "xfailed", when
                t.exc_type = getattr(report, "_pyrace_exc_type", "")
                t.message = _truncate(report.wasxfail or
                                      getattr(report, "_pyrace_message", ""))
            else:
                t.outcome, t.when = "skipped", when
                t.message = _truncate(_skip_reason(report))
            return
        # failed
        t.outcome = "failed" if when == "call" else "error"
        t.when = when
        t.exc_type = getattr(report, "_pyrace_exc_type", "")
        t.message = getattr(report, "_pyrace_message", "")
        if not t.message and report.longrepr is not None:
            t.message = _truncate(_longrepr_message(report))

    def _emit(self, nodeid, t):
        test_id, repeat = normalise_id(nodeid, self.count)
        record = {"id": test_id, "outcome": t.outcome or "passed",
                  "duration": round(t.duration, 6)}
        if t.when and record["outcome"] != "passed":
            record["when"] = t.when
        if t.exc_type:
            record["exc_type"] = t.exc_type
        if t.message:
            record["message"] = t.message
        if repeat:
            record["repeat"] = repeat
        if t.threads is not None:
            record["threads"] = t.threads
        if t.thread_unsafe:
            record["thread_unsafe"] = t.thread_unsafe
        if self.gil_off:
            flip = self.gil_before
            if flip is None and _gil_enabled():
                flip = self._gil_flip("during")
            if flip is not None:
                # Noted once: from here on the run is not free-threaded.
                record["gil_enabled"] = flip
                self.gil_off = False
        self.write(record)

    def pytest_collectreport(self, report):
        # A module that fails to import is no test, yet it is exactly what a
        # free-threading run must report: one "error" line per such node.
        if not report.failed or getattr(report, "node", None) is not None:
            return
        record = {"id": report.nodeid, "outcome": "error", "duration": 0.0,
                  "when": "collect"}
        message = _longrepr_message(report)
        m = _EXC_LINE_RE.match(message)
        if m is not None:
            record["exc_type"] = m.group(1)
            message = m.group(2)
        if message:
            record["message"] = _truncate(message)
        self.write(record)


def _skip_reason(report):
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        reason = longrepr[2]
        if reason.startswith("Skipped: "):
            reason = reason[len("Skipped: "):]
        return reason
    return ""


def _longrepr_message(report):
    """A one-line summary of a failure's representation, best effort."""
    crash = getattr(getattr(report, "longrepr", None), "reprcrash", None)
    if crash is not None and getattr(crash, "message", None):
        return crash.message
    text = str(getattr(report, "longrepr", "") or "")
    lines = [l for l in text.splitlines() if l.strip()]
    for line in reversed(lines):
        if line.startswith("E "):
            return line[1:].strip()
    return lines[-1].strip() if lines else ""


# Fixtures that hold per-test global state (the process's environment,
# sys.stdout, the warnings filters, logging handlers): sharing one between
# threads makes the test itself racy.
UNSAFE_FIXTURES = ("monkeypatch", "capsys", "capsysbinary", "capfd", "capfdbinary",
                   "recwarn", "caplog")


@pytest.fixture
def thread_index():
    """The index of the thread running the test body, 0 to K-1 (0 outside
    `pyrace run --threads`)."""
    return 0


@pytest.fixture
def iteration_index():
    """The round of the test body, 0 to M-1 (0 outside `pyrace run
    --threads`)."""
    return 0


class Threader(object):
    """Runs each test body in K threads at a barrier, M rounds; registered
    by pytest_configure when PYRACE_THREADS is set."""

    def __init__(self, threads, rounds, timeout, unsafe_fixtures):
        self.threads = threads
        self.rounds = rounds
        self.timeout = timeout
        self.unsafe_fixtures = unsafe_fixtures

    def unsafe_reason(self, item):
        """Why item must run once, single-threaded; "" when it need not."""
        marker = item.get_closest_marker("thread_unsafe")
        if marker is not None:
            reason = marker.kwargs.get("reason") or (marker.args[0] if marker.args else "")
            return "marked thread_unsafe" + (": " + str(reason) if reason else "")
        for name in getattr(item, "fixturenames", ()):
            if name in self.unsafe_fixtures:
                return "uses the %s fixture" % name
        return pyrace_threads.unsafe_reason(getattr(item, "obj", None), getattr(item, "cls", None))

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item):
        reason = self.unsafe_reason(item)
        if reason:
            item._pyrace_thread_unsafe = reason
            yield
            return
        original = item.obj
        testcase = getattr(item, "_testcase", None)
        if testcase is not None:
            item.obj = self._wrap_testcase(item, original, testcase)
        else:
            item.obj = self._wrap_function(item, original)
        interval = sys.getswitchinterval()
        sys.setswitchinterval(1e-6)
        try:
            yield
        finally:
            sys.setswitchinterval(interval)
            item.obj = original

    def _run(self, item, fn, args_for, between_rounds=None):
        outcome = pyrace_threads.run(fn, self.threads, self.rounds, args_for=args_for,
                                     between_rounds=between_rounds, timeout=self.timeout,
                                     is_control=_is_control)
        item._pyrace_threads = outcome
        if outcome.failed():
            raise pyrace_threads.ThreadedTestFailure(outcome.details())
        if outcome.control is not None:
            raise outcome.control

    def _wrap_function(self, item, fn):
        threads = self.threads

        def run_in_threads(**kwargs):
            per_thread = []
            for i in range(threads):
                kw = dict(kwargs)
                if "tmp_path" in kw:
                    kw["tmp_path"] = kw["tmp_path"] / ("thread%d" % i)
                    kw["tmp_path"].mkdir(exist_ok=True)
                if "tmpdir" in kw:
                    kw["tmpdir"] = kw["tmpdir"].ensure("thread%d" % i, dir=True)
                if "thread_index" in kw:
                    kw["thread_index"] = i
                per_thread.append(kw)

            def args_for(i, r):
                kw = per_thread[i]
                if "iteration_index" in kw:
                    kw = dict(kw, iteration_index=r)
                return (), kw

            self._run(item, fn, args_for)
        return run_in_threads

    def _wrap_testcase(self, item, method, testcase):
        def between_rounds(r):
            testcase.tearDown()
            testcase.setUp()

        # wraps keeps unittest's __unittest_skip__ and
        # __unittest_expecting_failure__, which TestCase.run reads from the
        # method it calls.
        @functools.wraps(method)
        def run_in_threads(*args, **kwargs):
            self._run(item, method, lambda i, r: (args, kwargs), between_rounds)
        return run_in_threads


def _is_control(exc):
    """Skips and xfails: not failures, re-raised in the main thread."""
    return isinstance(exc, (unittest.SkipTest, pytest.skip.Exception, pytest.xfail.Exception))


def _env_int(name, default, minimum):
    value = os.environ.get(name, "")
    if not value:
        return default
    try:
        n = int(value)
    except ValueError:
        raise pytest.UsageError("%s must be a whole number, not %r" % (name, value))
    if n < minimum:
        raise pytest.UsageError("%s must be %d or more, not %d" % (name, minimum, n))
    return n


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "thread_unsafe: run this test once, single-threaded, under "
        "`pyrace run --threads` (as pytest-run-parallel does)")
    threads = _env_int("PYRACE_THREADS", 0, 1)
    if threads and not config.pluginmanager.has_plugin("pyrace_threader"):
        rounds = _env_int("PYRACE_TEST_ITERATIONS", 1, 1)
        timeout = float(os.environ.get("PYRACE_TEST_TIMEOUT") or 0) or None
        unsafe = set(UNSAFE_FIXTURES)
        for name in os.environ.get("PYRACE_UNSAFE_FIXTURES", "").split(","):
            if name.strip():
                unsafe.add(name.strip())
        config.pluginmanager.register(Threader(threads, rounds, timeout, unsafe), "pyrace_threader")
    path = os.environ.get("PYRACE_TESTS_FILE")
    if not path or config.pluginmanager.has_plugin("pyrace_recorder"):
        return
    config.pluginmanager.register(Recorder(config, path), "pyrace_recorder")


def pytest_unconfigure(config):
    recorder = config.pluginmanager.get_plugin("pyrace_recorder")
    if recorder is not None:
        recorder.close()
        config.pluginmanager.unregister(recorder)
    threader = config.pluginmanager.get_plugin("pyrace_threader")
    if threader is not None:
        config.pluginmanager.unregister(threader)
