"""`python -m pyrace_stress MODULE:CALLABLE THREADS ROUNDS ARGS TIMEOUT`

Imports CALLABLE (a dotted path inside MODULE: "pkg.mod:Class.method") and
calls it from THREADS threads that meet at a barrier before each of ROUNDS
rounds, with sys.setswitchinterval(1e-6): the explicit concurrent test, for
`pyrace stress`. ARGS is JSON: a list of positional arguments, or an object
{"args": [...], "kwargs": {...}}. TIMEOUT bounds the run in seconds (0:
none). The current directory is put first on sys.path.

Prints one line, "PYRACE-STRESS " and a JSON object: the run's record (see
pyrace_threads.Outcome.record) with "summary", or {"error": "...",
"stage": "import" | "lookup" | "args"} when it could not run. Exits 0 in
both cases: the caller reads the line.
"""

import importlib
import json
import os
import sys
import traceback

import pyrace_threads

MARKER = "PYRACE-STRESS "


def _emit(obj):
    sys.stdout.write(MARKER + json.dumps(obj) + "\n")
    sys.stdout.flush()


def _resolve(spec):
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        return None, ("lookup", "want MODULE:CALLABLE, not %r" % spec)
    try:
        obj = importlib.import_module(module_name)
    except BaseException as exc:
        text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        return None, ("import", "cannot import %s: %s" % (module_name, text))
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            return None, ("lookup", "%s has no attribute %r (in %s)" % (module_name, part, attr))
    if not callable(obj):
        return None, ("lookup", "%s:%s is not callable (a %s)" % (module_name, attr, type(obj).__name__))
    return obj, None


def _arguments(text):
    value = json.loads(text) if text else []
    if isinstance(value, list):
        return value, {}
    if isinstance(value, dict) and set(value) <= {"args", "kwargs"}:
        args, kwargs = value.get("args", []), value.get("kwargs", {})
        if isinstance(args, list) and isinstance(kwargs, dict):
            return args, kwargs
    raise ValueError('want a JSON list of arguments or {"args": [...], "kwargs": {...}}')


def main(argv):
    spec, threads, rounds, args_text, timeout = argv[1], int(argv[2]), int(argv[3]), argv[4], float(argv[5])
    sys.path.insert(0, os.getcwd())
    try:
        args, kwargs = _arguments(args_text)
    except ValueError as exc:
        _emit({"error": "--args: %s" % exc, "stage": "args"})
        return 0
    fn, err = _resolve(spec)
    if err is not None:
        _emit({"error": err[1], "stage": err[0]})
        return 0
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        out = pyrace_threads.run(fn, threads, rounds, args_for=lambda i, r: (args, kwargs),
                                 timeout=timeout or None)
    finally:
        sys.setswitchinterval(interval)
    record = out.record()
    record["summary"] = out.summary()
    if out.stacks:
        record["stacks"] = out.stacks
    _emit(record)
    # Threads left running (a timeout) must not keep the process alive.
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
