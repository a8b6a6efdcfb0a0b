"""FT010 fixtures: lazy instance attributes."""

import threading
import unittest


class Client:
    def __init__(self):
        self._conn = None
        self._lock = threading.Lock()
        self._mutex = None
        self._started = False
        self._session = None
        if self._session is None:
            self._session = object()  # ok: constructor
        self._setup()

    def _setup(self):
        if self._conn is None:
            self._conn = self._connect()  # ok: called only from __init__

    def _connect(self):
        return object()

    def conn(self):
        if self._conn is None:
            self._conn = self._connect()  # want: FT010
        return self._conn

    def mutex(self):
        if self._mutex is None:
            self._mutex = threading.Lock()  # want: FT010
        return self._mutex

    def start(self):
        if not self._started:
            self._started = True  # want: FT010
            threading.Thread(target=self.run).start()

    def mark(self):
        if not self._started:
            self._started = True  # ok: a plain flag store, nothing else guarded by it

    def run(self):
        pass

    def conn_locked(self):
        with self._lock:
            if self._conn is None:
                self._conn = self._connect()  # ok: under the lock
            return self._conn

    def conn_dcl(self):
        if self._conn is None:
            with self._lock:
                if self._conn is None:
                    self._conn = self._connect()  # ok: double-checked with the re-check
        return self._conn

    def conn_dcl_broken(self):
        if self._conn is None:
            with self._lock:
                self._conn = self._connect()  # want: FT010
        return self._conn

    def index(self):
        if getattr(self, "_index", None) is None:
            self._index = {}  # want: FT010
        return self._index

    def remember(self, k, v):
        self._index[k] = v

    def name(self):
        if self._name is None:
            self._name = "client"  # ok: a constant: racing stores agree
        return self._name

    def digest(self):
        if self._digest is None:
            self._digest = hash(self._name)  # ok: a pure builtin: racing stores agree
        return self._digest

    def other(self, peer):
        if peer.conn is None:
            peer.conn = object()  # ok: a parameter's attribute: not known to be shared

    def suppressed(self):
        if self._conn is None:
            self._conn = self._connect()  # pyrace: ignore[unlocked-lazy-init]  # ok: suppressed by name


class Confined:  # pyrace: thread-confined
    def __init__(self):
        self._cache = None

    def cache(self):
        if self._cache is None:
            self._cache = {}  # ok: declared thread-confined
        return self._cache


class Synced:
    def __init__(self):
        self._cache = None

    @synchronized
    def cache(self):
        if self._cache is None:
            self._cache = {}  # ok: the synchronizing decorator holds a lock
        return self._cache


class PerThread(threading.local):
    def get(self):
        if getattr(self, "conn", None) is None:
            self.conn = object()  # ok: threading.local subclass
        return self.conn


class Case(unittest.TestCase):
    def setUp(self):
        self._db = None
        if self._db is None:
            self._db = object()  # ok: set-up code


def make_lazy():
    value = None

    def get():
        nonlocal value
        if value is None:
            value = object()  # want: FT010
        return value

    return get
