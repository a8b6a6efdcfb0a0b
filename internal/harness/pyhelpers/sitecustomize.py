# pyrace's start-up hook.
#
# `pyrace run` puts the directory holding this file first on PYTHONPATH, so
# Python's `site` module imports it at the start of every Python process of
# the test run (the test command and every Python subprocess it starts).
#
# When the environment variable PYRACE_STATE_DIR is set it
#
#   (a) opens $PYRACE_STATE_DIR/stacks-<pid>.txt and registers faulthandler
#       on SIGUSR1 to dump the stacks of all threads there: at a stall the
#       harness lists stacks-*.txt, signals those pids and reads the files;
#   (b) watches extension-module loading to record which module re-enabled
#       the GIL (free-threaded CPython re-enables it for an extension that
#       does not declare Py_mod_gil, unless PYTHON_GIL=0), with the text of
#       the RuntimeWarning CPython emits when the program shows it;
#   (c) writes $PYRACE_STATE_DIR/exit-<pid>.json at exit (atomically):
#       {"pid", "ppid", "argv", "gil_enabled_at_start", "gil_enabled_at_end",
#        "enabled_by": [{"module", "message"}]}.
#
# In every case it then (d) runs the next sitecustomize module on sys.path
# (Debian ships one in /usr/lib/python3.X), so that it never hides the
# user's own.
#
# It must cost at most a few milliseconds and never raise: every step is
# wrapped, and a failure is reported on stderr only when PYRACE_DEBUG is set.
# The syntax stays Python 2.7-compatible so that an old interpreter on the
# same PYTHONPATH does not print "Error in sitecustomize".

import os
import sys

# Where this file lives: excluded when looking for the next sitecustomize.
_PYRACE_DIR = os.path.dirname(os.path.abspath(__file__))

# The start of the RuntimeWarning CPython 3.13+ emits when it re-enables the
# GIL to load an extension module.
_GIL_WARNING_PREFIX = "The global interpreter lock (GIL) has been enabled"


def _pyrace_debug(what, exc):
    """Report a failure of this hook on stderr when PYRACE_DEBUG is set."""
    try:
        if os.environ.get("PYRACE_DEBUG"):
            sys.stderr.write("pyrace sitecustomize: %s: %s: %s\n"
                             % (what, type(exc).__name__, exc))
    except Exception:
        pass


def _pyrace_gil_enabled():
    """sys._is_gil_enabled(), or None where the interpreter cannot tell."""
    fn = getattr(sys, "_is_gil_enabled", None)
    if fn is None:
        return None
    try:
        return bool(fn())
    except Exception:
        return None


class _PyraceState(object):
    """What this process has seen: kept in one object, not in globals."""

    def __init__(self, state_dir):
        self.state_dir = state_dir
        self.stacks_file = None  # kept referenced so it stays open
        self.gil_at_start = _pyrace_gil_enabled()
        self.enabled_by = []     # [{"module": ..., "message": ...}]
        self.warnings = []       # GIL warning texts seen, in order

    def note_flip(self, module):
        """Record that loading `module` re-enabled the GIL."""
        for e in self.enabled_by:
            if e["module"] == module:
                return
        message = ""
        needle = "'%s'" % module
        for w in self.warnings:
            if needle in w:
                message = w
                break
        self.enabled_by.append({"module": module, "message": message})

    def note_warning(self, text):
        """Record a GIL-enabling warning's text (shown by the program)."""
        if text in self.warnings:
            return
        self.warnings.append(text)
        # The warning is emitted while the module is being created, before
        # the loader hook sees the flip; but if the flip was already
        # recorded (or came through another loader), attach the text now.
        start = text.find("'")
        end = text.find("'", start + 1)
        if start < 0 or end < 0:
            return
        module = text[start + 1:end]
        for e in self.enabled_by:
            if e["module"] == module:
                if not e["message"]:
                    e["message"] = text
                return


def _pyrace_register_stacks(state):
    """(a) faulthandler on SIGUSR1 into stacks-<pid>.txt."""
    import faulthandler
    try:
        import _signal as signal_mod  # C module, cheaper than `signal`
    except ImportError:
        import signal as signal_mod
    signum = getattr(signal_mod, "SIGUSR1", None)
    if signum is None or not hasattr(faulthandler, "register"):
        return  # Windows, or an implementation without register()

    def open_and_register():
        path = os.path.join(state.state_dir, "stacks-%d.txt" % os.getpid())
        f = open(path, "a")
        faulthandler.register(signum, file=f, all_threads=True, chain=False)
        old = state.stacks_file
        state.stacks_file = f
        if old is not None:
            try:
                old.close()
            except Exception:
                pass

    open_and_register()

    # A forked child (multiprocessing's fork start method) is a new pid: give
    # it its own file so that the harness can find and signal it too.
    register_at_fork = getattr(os, "register_at_fork", None)
    if register_at_fork is not None:
        def after_in_child():
            try:
                open_and_register()
            except Exception as exc:
                _pyrace_debug("stacks file after fork", exc)
        register_at_fork(after_in_child=after_in_child)


def _pyrace_watch_gil(state):
    """(b) record which extension module re-enabled the GIL."""
    if not hasattr(sys, "_is_gil_enabled"):
        return  # before 3.13, or not CPython: the GIL never flips
    import importlib.machinery

    loader = importlib.machinery.ExtensionFileLoader

    def wrap(name):
        orig = getattr(loader, name, None)
        if orig is None:
            return

        def wrapper(self, *args, **kwargs):
            before = _pyrace_gil_enabled()
            try:
                return orig(self, *args, **kwargs)
            finally:
                try:
                    if before is False and _pyrace_gil_enabled():
                        mod = getattr(self, "name", None)
                        if not mod and args:
                            mod = getattr(args[0], "name", None) or \
                                getattr(args[0], "__name__", None)
                        state.note_flip(str(mod or "?"))
                except Exception as exc:
                    _pyrace_debug("GIL check", exc)
        wrapper.__name__ = getattr(orig, "__name__", name)
        wrapper.__doc__ = getattr(orig, "__doc__", None)
        wrapper.__wrapped__ = orig
        setattr(loader, name, wrapper)

    # Py_mod_gil is read when the module object is created (both for
    # single-phase and multi-phase init); exec_module is watched too in
    # case a future version moves the check.
    wrap("create_module")
    wrap("exec_module")

    # The warning's text: CPython shows a warning through
    # warnings._showwarnmsg, which we wrap to look at the message and then
    # call the original unchanged, so the program's own filters, hooks and
    # catch_warnings() behave exactly as without pyrace. A warning the
    # program ignores or turns into an error is not seen here; the module
    # name is still recorded by the loader hook.
    import warnings
    orig_show = getattr(warnings, "_showwarnmsg", None)
    if orig_show is None:
        return

    def showwarnmsg(msg):
        try:
            text = str(getattr(msg, "message", ""))
            if text.startswith(_GIL_WARNING_PREFIX):
                state.note_warning(text)
        except Exception as exc:
            _pyrace_debug("GIL warning", exc)
        return orig_show(msg)
    showwarnmsg.__wrapped__ = orig_show
    warnings._showwarnmsg = showwarnmsg


def _pyrace_json(value):
    """Encode None, bools, ints, strings, lists and dicts as JSON.

    `import json` costs several milliseconds (it pulls in `re`), paid by
    every Python process of the test run; the exit record needs only this.
    Non-ASCII characters are escaped, so the output is plain ASCII.
    """
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_pyrace_json(v) for v in value) + "]"
    if isinstance(value, dict):  # insertion order (Python 3.7+)
        return "{" + ", ".join(_pyrace_json(str(k)) + ": " + _pyrace_json(v)
                               for k, v in value.items()) + "}"
    if isinstance(value, bytes) and not isinstance(value, str):
        value = value.decode("utf-8", "replace")
    out = ['"']
    for ch in str(value):
        o = ord(ch)
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif 0x20 <= o < 0x7f:
            out.append(ch)
        elif o > 0xffff:  # a surrogate pair
            o -= 0x10000
            out.append("\\u%04x\\u%04x" % (0xd800 + (o >> 10), 0xdc00 + (o & 0x3ff)))
        else:
            out.append("\\u%04x" % o)
    out.append('"')
    return "".join(out)


def _pyrace_register_exit(state):
    """(c) write exit-<pid>.json at exit."""
    import atexit

    def write_exit():
        try:
            pid = os.getpid()
            record = {
                "pid": pid,
                "ppid": os.getppid(),
                "argv": list(getattr(sys, "argv", None) or []),
                "gil_enabled_at_start": state.gil_at_start,
                "gil_enabled_at_end": _pyrace_gil_enabled(),
                "enabled_by": state.enabled_by,
            }
            path = os.path.join(state.state_dir, "exit-%d.json" % pid)
            tmp = path + ".tmp"
            f = open(tmp, "w")
            try:
                f.write(_pyrace_json(record) + "\n")
            finally:
                f.close()
            getattr(os, "replace", os.rename)(tmp, path)  # Python 2: rename
        except Exception as exc:
            _pyrace_debug("exit record", exc)

    # Registered first, so it runs last: the GIL state at the very end.
    atexit.register(write_exit)


def _pyrace_chain():
    """(d) run the next sitecustomize on sys.path, as site would have."""
    here = os.path.realpath(_PYRACE_DIR)
    paths = []
    for p in sys.path:
        try:
            if os.path.realpath(p or os.curdir) != here:
                paths.append(p)
        except Exception:
            paths.append(p)
    if sys.version_info[0] < 3:
        import imp
        try:
            f, pathname, desc = imp.find_module("sitecustomize", paths)
        except ImportError:
            return
        try:
            mod = imp.load_module("sitecustomize", f, pathname, desc)
        finally:
            if f is not None:
                f.close()
        sys.modules["sitecustomize"] = mod
        return

    import importlib.machinery
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", paths)
    if spec is None or spec.loader is None:
        return
    mod = type(sys)("sitecustomize")
    mod.__spec__ = spec
    mod.__loader__ = spec.loader
    if spec.origin:
        mod.__file__ = spec.origin
    mod.__builtins__ = __builtins__
    spec.loader.exec_module(mod)
    # From now on `import sitecustomize` gives the user's module, as if
    # pyrace's had never been there. Our functions keep their globals.
    sys.modules["sitecustomize"] = mod


def _pyrace_main():
    state_dir = os.environ.get("PYRACE_STATE_DIR")
    if state_dir:
        state = _PyraceState(state_dir)
        for step in (_pyrace_register_stacks, _pyrace_watch_gil,
                     _pyrace_register_exit):
            try:
                step(state)
            except Exception as exc:
                _pyrace_debug(step.__name__, exc)
    try:
        _pyrace_chain()
    except Exception as exc:
        # What site.py does when a sitecustomize fails.
        try:
            if os.environ.get("PYTHONVERBOSE"):
                sys.excepthook(*sys.exc_info())
            else:
                sys.stderr.write(
                    "Error in sitecustomize; set PYTHONVERBOSE for traceback:\n"
                    "%s: %s\n" % (exc.__class__.__name__, exc))
        except Exception:
            pass


_pyrace_main()
