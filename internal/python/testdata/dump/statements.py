"""Every statement kind (Python 3.8 syntax)."""
import os, os.path as osp
from . import sibling
from ..pkg.mod import (a as b, c)
from __future__ import annotations


@decorator
@decorator.attr(1, key=2)
def f(p, /, q: int, r=1, *args, s, t: str = "t", **kwargs) -> None:
    global g
    x = y = 1
    x += 2
    x: int = 3
    (x): int
    x.y: list
    del x, y[0], z.w
    return


async def af():
    async for i in aiter():
        pass
    else:
        pass
    async with a as b, c:
        await x
    return (yield)


class C(Base, metaclass=Meta, **extra):
    def method(self):
        def inner():
            nonlocal x
        x = 1

    attr = 1


for i, j in pairs:
    if i:
        continue
    elif j:
        break
    else:
        pass
else:
    pass

while True:
    pass
else:
    pass

with open(a) as fa, open(b) as (fb, fc), ctx:
    pass

try:
    raise ValueError("x") from None
except ValueError as e:
    pass
except (TypeError, KeyError):
    raise
except:
    pass
else:
    pass
finally:
    pass

assert x, "message"
lambda: 0
lambda a, /, b=1, *c, d, e=2, **f: a
if x: pass
