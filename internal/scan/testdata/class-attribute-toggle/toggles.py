"""FT006 fixtures: class attributes written at run time outside a lock."""

import contextlib
import threading
import unittest

from settings import Settings
from settings import CONFIG

_state = threading.local()
_LOCK = threading.Lock()


class FakeOs:
    use_original = False  # ok: the class body runs once, at definition
    registry = {}
    calls = 0
    limit = 10

    def __init__(self):
        type(self).initialised = True  # ok: init code
        self.mode = "fake"  # ok: an instance attribute
        self._register()

    def _register(self):
        FakeOs.last = self  # ok: called only from __init__: init code

    def __init_subclass__(cls, **kw):
        cls.registry = {}  # ok: __init_subclass__ runs at class creation

    def set_mode(self, mode):
        self.mode = mode  # ok: an instance attribute
        type(self).mode = mode  # want: FT006

    def set_mode_via_class(self, mode):
        self.__class__.mode = mode  # want: FT006

    @classmethod
    def enable_debug(cls, flag):
        cls.debug = flag  # want: FT006

    @classmethod
    def set_limit(cls, n):
        setattr(cls, "limit", n)  # want: FT006

    @classmethod
    def forget_limit(cls):
        delattr(cls, "limit")  # want: FT006

    @classmethod
    def annotate(cls):
        cls.limit: int = 5  # want: FT006

    @staticmethod
    def configure(flag):
        FakeOs.use_original = flag  # want: FT006

    def register(self, key):
        FakeOs.registry[key] = self  # ok: an item store on a dict is atomic, not a rebinding

    def count(self):
        FakeOs.calls += 1  # ok: augmented assignment is FT001's

    @classmethod
    def instance(cls):
        if cls._instance is None:
            cls._instance = cls()  # ok: lazy initialisation is FT010's
        return cls._instance

    @classmethod
    def cache(cls):
        if not hasattr(cls, "_cache"):
            cls._cache = {}  # ok: lazy initialisation is FT010's
        return cls._cache

    @classmethod
    def cached_table(cls):
        table = cls._table
        if not table:
            table = cls._table = {}  # ok: lazy initialisation through a local alias (FT010's)
        return table

    @classmethod
    def own_registry(cls):
        if "registry" not in cls.__dict__:
            cls.registry = dict(cls.registry)  # ok: copy-on-first-write guarded by a test of the attribute

    @classmethod
    def separator(cls):
        try:
            return cls._sep
        except AttributeError:
            cls._sep = "/"  # ok: lazy initialisation in the except AttributeError of a read
            return cls._sep

    @classmethod
    def with_closure(cls):
        def inner():
            cls.from_closure = True  # want: FT006

        return inner

    def locked_toggle(self, flag):
        with _LOCK:
            FakeOs.use_original = flag  # ok: under the module lock

    def acquire_toggle(self, flag):
        _LOCK.acquire()
        try:
            FakeOs.use_original = flag  # ok: between acquire and the finally's release
        finally:
            _LOCK.release()
        FakeOs.use_original = not flag  # want: FT006

    def reset(self):
        del FakeOs.last  # want: FT006

    def swap(self):
        FakeOs.first, FakeOs.second = 1, 2  # want: FT006

    def nested_state(self):
        FakeOs.registry.owner = self  # ok: an attribute of the object held, not of the class


FakeOs.use_original = False  # ok: module top level runs once, at import


@contextlib.contextmanager
def use_original_os():
    FakeOs.use_original = True  # want: FT006
    try:
        yield
    finally:
        FakeOs.use_original = False  # want: FT006


@contextlib.contextmanager
def use_original_os_fixed():
    _state.use_original = True  # ok: threading.local attribute
    try:
        yield
    finally:
        _state.use_original = False  # ok: threading.local attribute


def worker():
    FakeOs.state = "busy"  # want: FT006


def enable_settings():
    Settings.debug = True  # want: FT006


def enable_config():
    CONFIG.debug = True  # ok: ALL_CAPS is a constant object, not a class by convention


def patch(obj):
    obj.use_original = True  # ok: a parameter: the model cannot tell what it is
    Local = type("Local", (), {})
    Local.flag = True  # ok: a class created here is local


class Confined:  # pyrace: thread-confined
    mode = None

    def set(self, m):
        Confined.mode = m  # ok: the class is declared thread-confined


class ToggleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.shared = object()  # ok: set-up code
        FakeOs.use_original = True  # ok: set-up code

    def setUp(self):
        FakeOs.use_original = True  # ok: set-up code

    def tearDown(self):
        FakeOs.use_original = False  # ok: tear-down code, owned like set-up

    def test_toggle(self):
        FakeOs.use_original = True  # pyrace: ignore[FT006]
        FakeOs.use_original = False  # thread_safe_ok
