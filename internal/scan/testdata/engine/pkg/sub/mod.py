import threading

_count = 0
_lock = threading.Lock()


def bump():
    global _count
    _count += 1


def bump_ignored():
    global _count
    _count += 1  # pyrace: ignore[rmw-counter]


def bump_blanket():
    global _count
    _count += 1  # thread_safe_ok


def bump_multiline():
    global _count
    _count += (  # pyrace: ignore[FT001]
        1
    )


def bump_unknown():
    global _count
    _count += 1  # pyrace: ignore[FT999]


def nothing_here():
    return 1  # pyrace: ignore


def locked():
    global _count
    with _lock:
        _count += 1
