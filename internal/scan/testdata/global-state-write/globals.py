"""FT007 fixtures: module globals (and other modules' globals) written from
functions without a lock."""

import contextvars
import sys
import threading

import helpers
from helpers import settings_module

USER_ID = 1
GROUP_ID = 1
_VERBOSE = False
_registry = {}
_counter = 0
_instance = None
_config: dict = {}
_LOCK = threading.Lock()
_lock = threading.RLock()
_tls = threading.local()
_current = contextvars.ContextVar("current")

USER_ID = 2  # ok: module top level runs once, at import


def set_uid(uid):
    global USER_ID
    USER_ID = uid  # want: FT007


def get_uid():
    return USER_ID


def set_ids(uid, gid):
    global USER_ID, GROUP_ID
    USER_ID, GROUP_ID = uid, gid  # want: FT007


def set_verbose(flag: bool):
    global _VERBOSE
    _VERBOSE: bool = flag  # want: FT007


def reset_registry():
    global _registry
    _registry = {}  # want: FT007


def drop_registry():
    global _registry
    del _registry  # want: FT007


def set_config(cfg):
    global _config
    _config = dict(cfg)  # want: FT007


def bump():
    global _counter
    _counter += 1  # ok: augmented assignment is FT001's


def locked_set(uid):
    global USER_ID
    with _LOCK:
        USER_ID = uid  # ok: under the module lock


def acquire_set(uid):
    global USER_ID
    _LOCK.acquire()
    try:
        USER_ID = uid  # ok: between acquire and the finally's release
    finally:
        _LOCK.release()
    USER_ID = uid + 1  # want: FT007


def after_with(uid):
    global GROUP_ID
    with _lock:
        pass
    GROUP_ID = uid  # want: FT007


def get_instance():
    global _instance
    if _instance is None:
        _instance = object()  # ok: lazy initialisation is FT010's
    return _instance


def get_instance_early_return():
    global _instance
    if _instance is not None:
        return _instance
    _instance = object()  # ok: lazy initialisation after an early return (FT010's)
    return _instance


_patterns_built = False
_pattern = None


def build_patterns():
    global _patterns_built, _pattern
    if not _patterns_built:
        _pattern = object()  # ok: a run-once block on a flag it sets (FT010's)
        _patterns_built = True  # ok: the run-once flag itself


def _after_fork_child():
    global _instance
    _instance = None  # ok: a fork handler runs in the one thread of the child


def worker_thread():
    global _VERBOSE
    _VERBOSE = True  # want: FT007


def local_only(uid):
    USER_ID = uid  # ok: no global declaration: a local
    return USER_ID


def mutate_registry(k, v):
    _registry[k] = v  # ok: an item store (atomic), not a rebinding of the global


def per_thread(uid):
    _tls.user_id = uid  # ok: threading.local attribute
    _current.set(uid)  # ok: a ContextVar


def reinit_lock():
    global _lock
    _lock = threading.RLock()  # ok: a global holding a lock (re-created after fork)


def patch_helpers(uid):
    helpers.USER_ID = uid  # want: FT007


def patch_stdout(stream):
    sys.stdout = stream  # want: FT007


def patch_from_imported(v):
    settings_module.flag = v  # ok: from-imported name: the model cannot tell it is a module


def restore_helpers(old):
    del helpers.GROUP_ID  # want: FT007


def locked_patch(uid):
    with _LOCK:
        helpers.USER_ID = uid  # ok: under the module lock


def read_helpers():
    return helpers.USER_ID  # ok: a read


def outer():
    def inner(uid):
        global USER_ID
        USER_ID = uid  # want: FT007

    return inner


class Session:
    def __init__(self, uid):
        global USER_ID
        USER_ID = uid  # want: FT007
        helpers.USER_ID = uid  # want: FT007

    def login(self, uid):
        global USER_ID
        USER_ID = uid  # want: FT007
        self.uid = uid  # ok: an instance attribute


class Confined:  # pyrace: thread-confined
    def set(self, uid):
        global USER_ID
        USER_ID = uid  # ok: the class is declared thread-confined


def _startup():
    global _VERBOSE
    _VERBOSE = "-v" in sys.argv  # ok: called only from module top level, before any thread


def _parse_args():
    global GROUP_ID
    GROUP_ID = int(sys.argv[1])  # ok: called only from main(), itself called only from module top level


def main():
    global _config
    _config = {"main": True}  # ok: called only from module top level (if __name__ == "__main__")
    helpers.USER_ID = 0  # ok: called only from module top level
    _parse_args()
    threading.Thread(target=worker_thread).start()


def suppressed(uid):
    global USER_ID
    USER_ID = uid  # pyrace: ignore[FT007]
    USER_ID = uid  # thread_safe_ok


_startup()

if __name__ == "__main__":
    main()
