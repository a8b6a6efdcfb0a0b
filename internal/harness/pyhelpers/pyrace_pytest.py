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
"""

import json
import os
import re

import pytest

# At most this many characters of an exception message are kept.
MAX_MESSAGE = 500

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


def _type_name(tp):
    """The exception type's qualified name: "AssertionError", "pkg.Error"."""
    name = getattr(tp, "__qualname__", None) or getattr(tp, "__name__", "?")
    module = getattr(tp, "__module__", None)
    if module and module not in ("builtins", "exceptions", "__builtin__"):
        return module + "." + name
    return name


def _truncate(text):
    text = str(text)
    if len(text) > MAX_MESSAGE:
        return text[:MAX_MESSAGE]
    return text


class _Test(object):
    """What has been seen of one test so far."""

    def __init__(self):
        self.duration = 0.0
        self.outcome = None
        self.when = ""
        self.exc_type = ""
        self.message = ""
        self.rerun = False


class Recorder(object):
    """Writes the per-test JSON lines; registered by pytest_configure."""

    def __init__(self, config, path):
        self.config = config
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self.tests = {}
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
        except Exception:
            pass

    def pytest_runtest_logreport(self, report):
        # Under pytest-xdist the controller receives the workers' reports
        # (they carry .node); the workers load this plugin too and write
        # their own lines, so the controller writes none.
        if getattr(report, "node", None) is not None:
            return
        t = self.tests.setdefault(report.nodeid, _Test())
        t.duration += getattr(report, "duration", 0.0) or 0.0
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


def pytest_configure(config):
    path = os.environ.get("PYRACE_TESTS_FILE")
    if not path or config.pluginmanager.has_plugin("pyrace_recorder"):
        return
    config.pluginmanager.register(Recorder(config, path), "pyrace_recorder")


def pytest_unconfigure(config):
    recorder = config.pluginmanager.get_plugin("pyrace_recorder")
    if recorder is not None:
        recorder.close()
        config.pluginmanager.unregister(recorder)
