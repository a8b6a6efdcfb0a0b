"""FT010 fixtures: lazy initialisation of module globals and class
attributes."""

import functools
import threading

_instance = None
_config = None
_engine = None
_registry = None
_cache = None
_lock = threading.Lock()
_other_lock = threading.Lock()
_NAME = None

if _instance is None:
    _instance = object()  # ok: module top level runs once, at import


class Expensive:
    pass


def get_instance():
    global _instance
    if _instance is None:
        _instance = Expensive()  # want: FT010
    return _instance


def get_config():
    global _config
    if not _config:
        _config = {"debug": False}  # want: FT010
    return _config


def set_debug(on):
    get_config()["debug"] = on
    _config["debug"] = on


_table = None


def get_table():
    global _table
    if _table is None:
        _table = [i * i for i in range(256)]  # ok: a lookup table built once and never mutated: racing builds agree
    return _table


_compiled = None


def get_pattern():
    global _compiled
    if _compiled is None:
        _compiled = re_compile(r"\d+")  # ok: a computed value, not an object with identity
    return _compiled


def re_compile(p):
    return p


_settings = None
_port = None


def _parse_settings():
    values = {}
    values["workers"] = "4"
    return values


def _parse_port():
    return 8080 + 1


def settings():
    global _settings
    if _settings is None:
        _settings = _parse_settings()  # want: FT010
    return _settings


def port():
    global _port
    if _port is None:
        _port = _parse_port()  # ok: the helper returns a computed int: racing stores agree
    return _port


def get_engine():
    global _engine
    if _engine is not None:
        return _engine
    _engine = Expensive()  # want: FT010
    return _engine


def get_registry_or():
    global _registry
    _registry = _registry or {}  # want: FT010
    return _registry


def register(name):
    get_registry_or()[name] = True
    _registry[name] = True


def broken_double_checked():
    global _cache
    if _cache is None:
        with _lock:
            _cache = Expensive()  # want: FT010
    return _cache


def correct_double_checked():
    global _cache
    if _cache is None:
        with _lock:
            if _cache is None:
                _cache = Expensive()  # ok: re-checked inside the lock (seed 004 pattern 9)
    return _cache


def wrong_lock_double_checked():
    global _cache
    if _cache is None:
        with _other_lock:
            if _cache is None:
                _cache = Expensive()  # ok: re-checked under a lock (which lock is FT011's business)
    return _cache


def fully_locked():
    global _instance
    with _lock:
        if _instance is None:
            _instance = Expensive()  # ok: check and assignment under the lock
    return _instance


def acquire_release():
    global _instance
    _lock.acquire()
    try:
        if _instance is None:
            _instance = Expensive()  # ok: between acquire() and the finally's release()
    finally:
        _lock.release()
    return _instance


def local_lazy():
    inst = None
    if inst is None:
        inst = Expensive()  # ok: a local
    return inst


def no_global_decl():
    value = _NAME
    if value is None:
        value = "default"  # ok: a local copy
    return value


def constant_default():
    global _NAME
    if _NAME is None:
        _NAME = "anonymous"  # ok: a constant: both threads store the same value
    return _NAME


def built_in_local_first():
    global _engine
    if _engine is None:
        engine = Expensive()
        _engine = engine  # want: FT010
    return _engine


@functools.cache
def cached_engine():
    return Expensive()  # ok: not the lazy-init shape (the fix text warns about functools.cache)


def suppressed():
    global _instance
    if _instance is None:
        _instance = Expensive()  # pyrace: ignore[FT010]  # ok: suppressed
    if _engine is None:
        pass
    if _config is None:
        _config2 = Expensive()  # ok: a different (local) name
    return _config2


def thread_safe_ok():
    global _instance
    if _instance is None:
        _instance = Expensive()  # thread_safe_ok  # ok: suppressed (seed 000 convention)


_local = threading.local()


def per_thread_conn():
    if getattr(_local, "conn", None) is None:
        _local.conn = Expensive()  # ok: threading.local attribute
    return _local.conn


class Singleton:
    _instance = None
    _lock = threading.Lock()

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)  # want: FT010
        return cls._instance

    @classmethod
    def instance(cls):
        if cls._instance is None:
            cls._instance = cls()  # want: FT010
        return cls._instance

    @classmethod
    def instance_locked(cls):
        if cls._instance is None:
            with cls._lock:
                if cls._instance is None:
                    cls._instance = cls()  # ok: double-checked with the re-check
        return cls._instance


class Factory:
    default = None

    @staticmethod
    def get_default():
        if Factory.default is None:
            Factory.default = Factory()  # want: FT010
        return Factory.default
