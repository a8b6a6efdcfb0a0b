"""`python -m pyrace_gilprobe IMPORT_NAME`: does importing a package re-enable the GIL?

Free-threaded CPython (3.13+) re-enables the GIL when it loads an extension
module that has not declared Py_mod_gil = Py_MOD_GIL_NOT_USED, and says so
in a RuntimeWarning naming the module -- unless PYTHON_GIL=0 forces the GIL
off, which is why pyrace runs this probe with PYTHON_GIL unset.

The probe imports the package and every submodule (skipping test suites,
conftest, __main__ and setup modules), each in its own try/except, and
watches sys._is_gil_enabled() around each import and around every extension
module load. It then prints ONE line on the real stdout:

    PYRACE-GILPROBE {"probed": true, "import_name": "pkg",
                     "enabled_before": false, "enabled_after": true,
                     "enabled_by": [{"module": "pkg._speedups",
                                     "message": "The global interpreter ..."}],
                     "modules": 12,
                     "import_errors": ["pkg.extra: ImportError: No module named 'x'"],
                     "extensions": ["pkg/_speedups.cpython-313t-x86_64-linux-gnu.so"]}

(the fields of pyrace's results.GILCheck). Whatever the imported code prints
goes to stderr. Extension paths are relative to the current directory (the
project) when under it. The process ends with os._exit so that threads or
atexit handlers of the imported code cannot hang or pollute it.

Only the first module that flips the GIL can be named: once the GIL is on,
loading another such module changes nothing and CPython warns no more.
"""

import importlib
import importlib.machinery
import json
import os
import pkgutil
import sys
import warnings

MARKER = "PYRACE-GILPROBE "

# Submodules never imported (nor anything under them): test suites and
# scripts whose import runs code or needs test-only dependencies.
SKIP_NAMES = frozenset(["tests", "test", "_tests", "conftest",
                        "__main__", "setup", "__pycache__"])

GIL_WARNING = "global interpreter lock (GIL) has been enabled"


def skipped(name):
    """Whether the submodule whose last component is name is left out."""
    return name in SKIP_NAMES or name.startswith("test_")


def gil_enabled():
    fn = getattr(sys, "_is_gil_enabled", None)
    if fn is None:
        return None
    try:
        return bool(fn())
    except Exception:
        return None


def describe(exc):
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    return "%s: %s" % (type(exc).__name__, first[:300])


class Probe(object):
    def __init__(self, import_name):
        self.import_name = import_name
        self.enabled_by = []    # [{"module", "message"}]
        self.import_errors = []
        self.modules = 0
        self.caught = []        # warnings.WarningMessage

    # --- GIL flips --------------------------------------------------------

    def flipped(self, module):
        for e in self.enabled_by:
            if e["module"] == module:
                return
        self.enabled_by.append({"module": module, "message": ""})

    def hook_loader(self):
        """Watch every extension module load for a GIL flip."""
        loader = importlib.machinery.ExtensionFileLoader
        probe = self
        for name in ("create_module", "exec_module"):
            orig = getattr(loader, name, None)
            if orig is None:
                continue

            def wrapper(self, *args, _orig=orig, **kwargs):
                before = gil_enabled()
                try:
                    return _orig(self, *args, **kwargs)
                finally:
                    if before is False and gil_enabled():
                        probe.flipped(getattr(self, "name", None) or "?")
            setattr(loader, name, wrapper)

    def attach_messages(self):
        """Give each flip the text of its RuntimeWarning."""
        texts = [str(w.message) for w in self.caught
                 if issubclass(w.category, RuntimeWarning)
                 and GIL_WARNING in str(w.message)]
        for text in texts:
            start = text.find("'")
            end = text.find("'", start + 1)
            module = text[start + 1:end] if 0 <= start < end else "?"
            for e in self.enabled_by:
                if e["module"] == module:
                    if not e["message"]:
                        e["message"] = text
                    break
            else:
                # Loaded by some other loader: the warning still names it.
                self.enabled_by.append({"module": module, "message": text})

    # --- imports ----------------------------------------------------------

    def try_import(self, name):
        before = gil_enabled()
        try:
            module = importlib.import_module(name)
        except BaseException as exc:  # SystemExit and KeyboardInterrupt too
            self.import_errors.append("%s: %s" % (name, describe(exc)))
            return None
        finally:
            if before is False and gil_enabled():
                # No extension load was seen flipping it: name the module
                # whose import did.
                if not self.enabled_by:
                    self.flipped(name)
        self.modules += 1
        return module

    def walk(self, path, prefix):
        """Import every submodule under path, depth first, sorted."""
        try:
            infos = sorted(pkgutil.iter_modules(path, prefix),
                           key=lambda i: i[1])
        except BaseException as exc:
            self.import_errors.append("%s: %s" % (prefix.rstrip("."), describe(exc)))
            return
        for info in infos:
            name, ispkg = info[1], info[2]
            if skipped(name.rsplit(".", 1)[-1]):
                continue
            module = self.try_import(name)
            if module is not None and ispkg:
                sub = getattr(module, "__path__", None)
                if sub is not None:
                    self.walk(list(sub), name + ".")

    def run(self):
        before = gil_enabled()
        self.hook_loader()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            top = self.try_import(self.import_name)
            if top is not None and getattr(top, "__path__", None) is not None:
                self.walk(list(top.__path__), self.import_name + ".")
            self.caught = list(caught)
        after = gil_enabled()
        self.attach_messages()
        return {
            "probed": True,
            "import_name": self.import_name,
            "enabled_before": before,
            "enabled_after": after,
            "enabled_by": self.enabled_by,
            "modules": self.modules,
            "import_errors": self.import_errors,
            "extensions": extensions(self.import_name, top),
        }


def extensions(import_name, top):
    """Extension module files under the package, relative to the cwd."""
    dirs = []
    if top is not None:
        dirs = list(getattr(top, "__path__", None) or [])
        if not dirs and getattr(top, "__file__", None):
            f = top.__file__
            return [relative(f)] if is_extension(f) else []
    else:
        try:
            import importlib.util
            spec = importlib.util.find_spec(import_name)
        except BaseException:
            spec = None
        if spec is not None:
            dirs = list(spec.submodule_search_locations or [])
            if not dirs and spec.origin and is_extension(spec.origin):
                return [relative(spec.origin)]
    found = []
    for d in dirs:
        for root, subdirs, files in os.walk(d):
            subdirs[:] = sorted(s for s in subdirs if s != "__pycache__")
            for f in sorted(files):
                if is_extension(f):
                    found.append(relative(os.path.join(root, f)))
    return sorted(set(found))


def is_extension(filename):
    return filename.endswith((".so", ".pyd")) or any(
        filename.endswith(s) for s in importlib.machinery.EXTENSION_SUFFIXES)


def relative(path):
    path = os.path.abspath(path)
    cwd = os.getcwd()
    try:
        rel = os.path.relpath(path, cwd)
    except ValueError:
        return path
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        return path
    return rel.replace(os.sep, "/")


def main(argv):
    if len(argv) != 2 or not argv[1]:
        sys.stderr.write("usage: python -m pyrace_gilprobe IMPORT_NAME\n")
        return 2
    # Imported code may print: keep the real stdout (Python object and file
    # descriptor) for the result and send everything else to stderr.
    out_fd = None
    try:
        sys.stdout.flush()
        out_fd = os.dup(1)
        os.dup2(2, 1)
    except OSError:
        out_fd = None
    real_stdout = sys.stdout
    sys.stdout = sys.stderr
    try:
        result = Probe(argv[1]).run()
    finally:
        sys.stdout = real_stdout
    line = (MARKER + json.dumps(result) + "\n").encode("utf-8")
    try:
        sys.stderr.flush()
    except Exception:
        pass
    if out_fd is not None:
        os.write(out_fd, line)
    else:
        real_stdout.write(line.decode("utf-8"))
        real_stdout.flush()
    return 0


if __name__ == "__main__":
    sys.stdout.flush()
    # os._exit: threads and atexit handlers of the imported code must not
    # keep the probe alive or print after the result.
    os._exit(main(sys.argv))
