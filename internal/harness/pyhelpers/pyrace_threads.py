"""Call a function from K threads at once, M rounds, keeping every failure.

The threads wait at a threading.Barrier before each round, so that they
start the round together; sys.setswitchinterval(1e-6) is set by the caller
for the duration. Used by pyrace's pytest plugin (`pyrace run --threads`)
and by `pyrace stress` (python -m pyrace_stress).

    outcome = run(fn, threads=8, rounds=5, args_for=lambda i, r: ((), {}))
    outcome.summary()
    # "3 of 8 threads failed in 2 of 5 rounds: RuntimeError: dictionary
    #  changed size during iteration (at fake_filesystem.py:1525)"

Every exception raised by a call is kept: its type, message and the frame
where it was raised, counted per distinct (type, message, frame). A thread
that cannot be started aborts the barrier, so that the started ones stop
instead of waiting for it; a round that does not finish before the timeout
leaves its threads behind (they are daemon threads) and the outcome keeps
the stack of every one of them.
"""

import inspect
import os
import sys
import threading
import time
import traceback
import types

# At most this many characters of an exception message are kept.
MAX_MESSAGE = 500


def type_name(tp):
    """The exception type's qualified name: "AssertionError", "pkg.Error"."""
    name = getattr(tp, "__qualname__", None) or getattr(tp, "__name__", "?")
    module = getattr(tp, "__module__", None)
    if module and module not in ("builtins", "exceptions", "__builtin__"):
        return module + "." + name
    return name


def truncate(text, limit=MAX_MESSAGE):
    try:
        text = str(text)
    except Exception:
        text = "<unprintable>"
    if len(text) > limit:
        return text[:limit]
    return text


# Frames of the test frameworks and of this helper: an assertion raised
# inside unittest's assertEqual is reported where the test called it.
_FRAMEWORK_PARTS = (os.sep + "unittest" + os.sep, os.sep + "_pytest" + os.sep,
                    os.sep + "pluggy" + os.sep)
_HELPER_DIR = os.path.dirname(os.path.abspath(__file__))


def _framework(filename):
    if os.path.dirname(os.path.abspath(filename)) == _HELPER_DIR:
        return True
    return any(part in filename for part in _FRAMEWORK_PARTS)


def raised_at(exc):
    """Where exc was raised: ("file.py:12", "function"), the innermost frame
    outside the test frameworks (the innermost one if all are inside)."""
    tb = getattr(exc, "__traceback__", None)
    best = last = None
    while tb is not None:
        if not _framework(tb.tb_frame.f_code.co_filename):
            best = tb
        last = tb
        tb = tb.tb_next
    best = best or last
    if best is None:
        return "", ""
    code = best.tb_frame.f_code
    return "%s:%d" % (os.path.basename(code.co_filename), best.tb_lineno), code.co_name


class Kind(object):
    """One distinct exception: type, message and the frame that raised it."""

    def __init__(self, exc):
        self.type = type_name(type(exc))
        self.message = truncate(exc)
        self.where, self.function = raised_at(exc)
        self.count = 0
        # The first occurrence's traceback, for the failure report.
        self.traceback = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))

    def key(self):
        return (self.type, self.message, self.where)

    def line(self):
        """"Type: first line of the message (at file.py:12)"."""
        text = self.type
        if self.message:
            text += ": " + self.message.split("\n", 1)[0]
        if self.where:
            text += " (at %s)" % self.where
        return text

    def record(self):
        r = {"type": self.type, "count": self.count}
        if self.message:
            r["message"] = self.message
        if self.where:
            r["where"] = self.where
        if self.function:
            r["function"] = self.function
        return r


class Outcome(object):
    """What the threads of one run did."""

    def __init__(self, threads, rounds):
        self.threads = threads
        self.rounds = rounds
        self.rounds_run = 0      # rounds started
        self.failed_threads = set()
        self.failed_rounds = set()
        self.kinds = {}          # key -> Kind, in order of first occurrence
        self.order = []
        self.calls = 0           # calls that returned or raised
        self.control = None      # the first skip/xfail-style exception
        self.start_error = ""    # why a thread could not be started
        self.timed_out = False
        self.stacks = ""         # the stacks of the threads left running
        self.stuck = 0           # how many threads were left running
        self.timeout = None
        self.duration = 0.0
        self.lock = threading.Lock()

    def add(self, thread, rnd, exc):
        with self.lock:
            self.failed_threads.add(thread)
            self.failed_rounds.add(rnd)
            k = Kind(exc)
            have = self.kinds.get(k.key())
            if have is None:
                self.kinds[k.key()] = have = k
                self.order.append(k)
            have.count += 1

    def failures(self):
        return sum(k.count for k in self.order)

    def failed(self):
        return bool(self.order) or self.timed_out or bool(self.start_error)

    def top(self):
        """The most frequent exception kind (the first seen among equals)."""
        best = None
        for k in self.order:
            if best is None or k.count > best.count:
                best = k
        return best

    def summary(self):
        """One line for a person: counts, then the most frequent exception."""
        parts = []
        if self.order:
            head = "%d of %d threads failed in %d of %d rounds" % (
                len(self.failed_threads), self.threads, len(self.failed_rounds), self.rounds)
            top = self.top()
            head += ": " + top.line()
            if len(self.order) > 1:
                head += " (and %d other exception%s)" % (len(self.order) - 1, "" if len(self.order) == 2 else "s")
            parts.append(head)
        if self.timed_out:
            parts.append("timed out after %gs in round %d of %d: %d of %d threads still running (their stacks are in the failure report)" % (
                self.timeout or 0, self.rounds_run, self.rounds, self.stuck, self.threads))
        if self.start_error:
            parts.append("could not start the threads: " + self.start_error)
        return "; ".join(parts)

    def details(self):
        """The summary, every distinct exception with its first traceback,
        and the stacks of threads left running."""
        out = [self.summary(), ""]
        for k in self.order:
            out.append("%d x %s" % (k.count, k.line()))
            out.append(k.traceback.rstrip())
            out.append("")
        if self.stacks:
            out.append(self.stacks)
        return "\n".join(out)

    def record(self):
        """The JSON record of the run (results.ThreadedRun)."""
        r = {"threads": self.threads, "rounds": self.rounds,
             "failed_threads": len(self.failed_threads),
             "failed_rounds": len(self.failed_rounds),
             "failures": self.failures(), "calls": self.calls,
             "duration": round(self.duration, 6)}
        if self.order:
            r["exceptions"] = [k.record() for k in self.order]
        if self.timed_out:
            r["timed_out"] = True
            r["rounds_run"] = self.rounds_run
        if self.start_error:
            r["start_error"] = truncate(self.start_error)
        return r


def _stacks(threads):
    frames = sys._current_frames()
    out = []
    for t in threads:
        frame = frames.get(t.ident)
        if frame is None:
            continue
        out.append("Thread %s (most recent call last):" % t.name)
        out.append("".join(traceback.format_stack(frame)).rstrip())
    return "\n".join(out)


def run(fn, threads, rounds, args_for=None, between_rounds=None, timeout=None,
        is_control=None):
    """Call fn in `threads` threads for `rounds` rounds and return an Outcome.

    args_for(thread_index, round_index) returns (args, kwargs) for a call;
    between_rounds(round_index) runs once, in one thread, before each round
    after the first (unittest's tearDown and setUp); is_control(exc) tells
    exceptions that are not failures (a skip): the first is kept in
    Outcome.control. timeout bounds the whole run, in seconds.
    """
    out = Outcome(threads, rounds)
    out.timeout = timeout
    state = {"round": -1}

    def action():
        state["round"] += 1
        r = state["round"]
        out.rounds_run = r + 1
        if r > 0 and between_rounds is not None:
            try:
                between_rounds(r)
            except BaseException as exc:
                out.add(-1, r, exc)
                raise

    barrier = threading.Barrier(threads, action=action)

    def worker(i):
        for r in range(rounds):
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                return
            try:
                if args_for is None:
                    fn()
                else:
                    args, kwargs = args_for(i, r)
                    fn(*args, **kwargs)
            except BaseException as exc:
                if is_control is not None and is_control(exc):
                    with out.lock:
                        if out.control is None:
                            out.control = exc
                else:
                    out.add(i, r, exc)
            with out.lock:
                out.calls += 1

    started = []
    start = time.monotonic()
    for i in range(threads):
        t = threading.Thread(target=worker, args=(i,), name="pyrace-%d" % i)
        t.daemon = True
        try:
            t.start()
        except BaseException as exc:
            out.start_error = "%s: %s" % (type_name(type(exc)), truncate(exc))
            barrier.abort()
            break
        started.append(t)
    deadline = None if not timeout else start + timeout
    for t in started:
        if deadline is None:
            t.join()
        else:
            t.join(max(0.0, deadline - time.monotonic()))
    alive = [t for t in started if t.is_alive()]
    if alive:
        out.timed_out = True
        # Threads waiting at the barrier for the stuck ones stop now; the
        # stuck ones stay (daemon threads) and their stacks are kept.
        barrier.abort()
        grace = time.monotonic() + 0.2
        for t in alive:
            t.join(max(0.0, grace - time.monotonic()))
        alive = [t for t in alive if t.is_alive()]
        out.stuck = len(alive)
        out.stacks = _stacks(alive)
    out.duration = time.monotonic() - start
    return out


class ThreadedTestFailure(AssertionError):
    """A test body failed in some of its threads (the message says how)."""


# Names whose use in a test's code (or in a function it calls) makes it
# unsafe to run in threads, with the reason given: they change process-wide
# state (the warnings filters, patched attributes) for the duration.
UNSAFE_CALLS = (
    ("catch_warnings", "calls warnings.catch_warnings"),
    ("warns", "calls pytest.warns"),
    ("deprecated_call", "calls pytest.deprecated_call"),
    ("assertWarns", "calls assertWarns"),
    ("assertWarnsRegex", "calls assertWarnsRegex"),
    ("assertLogs", "calls assertLogs"),
    ("patch", "calls unittest.mock.patch"),
)


def code_names(code):
    """The global and attribute names code and its nested code use."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= code_names(const)
    return names


def function_of(obj):
    """The Python function behind a test object (bound method, decorated)."""
    fn = getattr(obj, "__func__", obj)
    try:
        fn = inspect.unwrap(fn)
    except ValueError:
        pass
    return fn if isinstance(fn, types.FunctionType) else None


def unsafe_call(fn, cls):
    """Why fn's code (or a function it calls directly) is unsafe in threads."""
    names = code_names(fn.__code__)
    for name, reason in UNSAFE_CALLS:
        if name in names:
            return reason
    g = getattr(fn, "__globals__", {})
    for name in sorted(names):
        callee = g.get(name)
        if callee is None and cls is not None:
            callee = inspect.getattr_static(cls, name, None)
            callee = getattr(callee, "__func__", callee)
        callee = function_of(callee) if callee is not None else None
        if callee is None or callee is fn:
            continue
        callee_names = code_names(callee.__code__)
        for unsafe, reason in UNSAFE_CALLS:
            if unsafe in callee_names:
                return "%s (in %s)" % (reason, callee.__name__)
    return ""


def unsafe_reason(obj, cls):
    """Why the test obj (a function or bound method of class cls) must run
    once, single-threaded; "" when it may run in threads."""
    if getattr(obj, "patchings", None):
        return "decorated with unittest.mock.patch"
    fn = function_of(obj)
    if fn is None:
        return "not a Python function"
    if inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn):
        return "async test"
    try:
        return unsafe_call(fn, cls)
    except Exception:
        return ""
