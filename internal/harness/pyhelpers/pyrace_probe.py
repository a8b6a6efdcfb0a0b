# pyrace's interpreter probe: prints one JSON object describing the running
# interpreter, with the fields of pyrace's results.Interpreter (minus path):
#
#   {"executable": "/usr/bin/python3.13t", "implementation": "cpython",
#    "version": "3.13.5", "free_threaded": true, "gil_enabled": false,
#    "debug": false, "tsan": false, "has_pytest": true,
#    "platform": "linux-x86_64"}
#
# pyrace runs it as `python -c SOURCE` with PYTHON_GIL, PYTHONPATH,
# PYTHONHOME and PYTHONSTARTUP removed from the environment, and with the
# site module loaded so that has_pytest sees site-packages.
#
# It must run on Python 2.7, every Python 3 and PyPy: no f-strings, nothing
# newer than 2.7 without a fallback, and no slow imports except pytest (imported
# to tell whether it works, see _has_pytest).

import json
import os
import sys


def _config_var(name):
    try:
        import sysconfig
        return sysconfig.get_config_var(name)
    except Exception:
        return None


def _implementation():
    impl = getattr(sys, "implementation", None)
    if impl is not None:
        return impl.name
    try:
        import platform
        return platform.python_implementation().lower()
    except Exception:
        return "cpython"


def _gil_enabled():
    fn = getattr(sys, "_is_gil_enabled", None)
    if fn is None:
        return None
    try:
        return bool(fn())
    except Exception:
        return None


def _tsan():
    for name in ("CONFIG_ARGS", "CFLAGS", "PY_CFLAGS", "PY_CFLAGS_NODIST"):
        value = _config_var(name) or ""
        if "-fsanitize=thread" in value:
            return True
        if name == "CONFIG_ARGS" and "--with-thread-sanitizer" in value:
            return True
    return False


def _has_pytest():
    # Import it for real: finding the package is not enough (Debian's pypy3
    # finds python3-pytest's files but cannot import them), and a test
    # command that cannot start would fail every iteration. It costs about
    # 0.1 s, once per probe.
    try:
        import pytest  # noqa: F401
        return True
    except BaseException:
        return False


def _platform():
    machine = ""
    try:
        machine = os.uname()[4]
    except Exception:
        try:
            import platform
            machine = platform.machine()
        except Exception:
            pass
    if machine:
        return "%s-%s" % (sys.platform, machine)
    return sys.platform


def probe():
    """The description of the running interpreter, as a dict."""
    executable = sys.executable or ""
    if executable:
        executable = os.path.realpath(executable)
    return {
        "executable": executable,
        "implementation": _implementation(),
        "version": "%d.%d.%d" % tuple(sys.version_info[:3]),
        "free_threaded": bool(_config_var("Py_GIL_DISABLED")),
        "gil_enabled": _gil_enabled(),
        "debug": hasattr(sys, "gettotalrefcount"),
        "tsan": _tsan(),
        "has_pytest": _has_pytest(),
        "platform": _platform(),
    }


sys.stdout.write("\n" + json.dumps(probe(), sort_keys=True) + "\n")
sys.stdout.flush()
