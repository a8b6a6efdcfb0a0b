"""FT005 fixtures: filesystem TOCTOU, hasattr then setattr, attributes set
to None by another method."""

import os
import os.path
import pathlib
import shutil
import threading

CACHE_DIR = "/tmp/cache"


def ensure_dir(path):
    if not os.path.exists(path):
        os.makedirs(path)  # want: FT005


def ensure_parent(filename):
    # The local name after the path check must not hide the check.
    output_dir = os.path.dirname(filename)
    if not os.path.isdir(output_dir) and output_dir:
        os.makedirs(output_dir)  # want: FT005


def ensure_dir_ok(path):
    os.makedirs(path, exist_ok=True)  # ok: no check, exist_ok handles the race


def ensure_dir_checked_ok(path):
    if not os.path.isdir(path):
        os.makedirs(path, exist_ok=True)  # ok: exist_ok=True tolerates the race


def read_config(path):
    if os.path.exists(path):
        with open(path) as f:  # want: FT005
            return f.read()
    return None


def read_config_try(path):
    try:
        with open(path) as f:  # ok: open and handle the error, no check
            return f.read()
    except FileNotFoundError:
        return None


def cleanup(path):
    if os.path.isfile(path):
        os.remove(path)  # want: FT005


def cleanup_tree(root):
    if os.path.isdir(os.path.join(root, "tmp")):
        shutil.rmtree(os.path.join(root, "tmp"))  # want: FT005


def write_default(path):
    if not os.path.exists(path):
        with open(path, "w") as f:  # want: FT005
            f.write("{}")


def exists_other_path(a, b):
    if os.path.exists(a):
        os.remove(b)  # ok: a different path


def pathlib_unlink(p: pathlib.Path):
    if p.exists():
        p.unlink()  # want: FT005


def pathlib_mkdir(p: pathlib.Path):
    if not p.exists():
        p.mkdir()  # want: FT005


def pathlib_mkdir_ok(p: pathlib.Path):
    if not p.exists():
        p.mkdir(exist_ok=True)  # ok: exist_ok=True


def suppressed(path):
    if os.path.exists(path):
        os.remove(path)  # pyrace: ignore[check-then-act]  # ok: suppressed by rule name


_config = None
_LOCK = threading.Lock()


def locked_cleanup(path):
    with _LOCK:
        if os.path.exists(path):
            os.remove(path)  # ok: check and act under the same lock


class Lazy:
    def __init__(self):
        if not hasattr(self, "_ready"):
            self._ready = True  # ok: constructor

    def ensure(self):
        if not hasattr(self, "_cache"):
            self._cache = {}  # want: FT005

    def ensure_setattr(self):
        if not hasattr(self, "_index"):
            setattr(self, "_index", {})  # want: FT005

    def drop(self):
        if hasattr(self, "_cache"):
            del self._cache  # want: FT005

    def ensure_other(self, obj):
        if not hasattr(obj, "_cache"):
            obj._cache = {}  # ok: obj is a parameter, not known to be shared


class Conn:
    """A class with a lock: the code expects threads."""

    def __init__(self, sock):
        self._lock = threading.Lock()
        self._sock = sock
        self._thread = None

    def send(self, data):
        if self._sock is not None:
            self._sock.sendall(data)  # want: FT005

    def send_truthy(self, data):
        if self._sock:
            self._sock.sendall(data)  # want: FT005

    def send_local(self, data):
        sock = self._sock
        if sock is not None:
            sock.sendall(data)  # ok: read once into a local

    def send_locked(self, data):
        with self._lock:
            if self._sock is not None:
                self._sock.sendall(data)  # ok: same lock as close()

    def join(self):
        if self._thread is not None:
            self._thread.join()  # ok: nothing sets _thread back to None

    def close(self):
        with self._lock:
            self._sock = None


class Transport:
    """Bound to an asyncio event loop: its state belongs to the loop's thread."""

    def __init__(self, loop, sock):
        self._loop = loop
        self._sock = sock
        self._waiters = []

    async def drain(self):
        if self._waiters:
            return self._waiters.pop()  # ok: loop-bound class (async methods, self._loop)
        return None

    def send(self, data):
        if self._sock is not None:
            self._sock.send(data)  # ok: loop-bound class

    def close(self):
        self._sock = None
