"""Every expression kind and every constant kind (Python 3.8 syntax)."""
a and b and c or d
(n := 10)
a + b - c * d @ e / f % g ** h << i >> j | k ^ l & m // n
~a, not b, +c, -d
a if b else c
{1: 2, **d, 3: 4}
{1, 2, *s}
[x for x in y if x if not x for z in x]
{x for x in y}
{k: v for k, v in items}
(x for x in y)
f(*args, a, *more, k=1, **kw)
a == b != c < d <= e > f >= g is h is not i in j not in k
obj.attr.chain
x[0], x[1:2], x[::3], x[1:2, 3], x[a, b], x[:, ...], x[()]
[*a, b] = *c, d = e
del (a, b), [c]
f"plain {x} {y!r} {z!s:>{width}} {w!a:.2f} {{}} {x=}"
f"{'nested' + f'{inner}'}"
"implicit" "concatenation" f" with {f}"
u"unicode kind"
b"bytes\x00\xff" b""
rb"raw\bytes"
"escapes \x00\x01\x1f\x7f \t\n\r\b\f \\ \" '"
"surrogates \udc80 \ud83d\ude00 and non-BMP \U0001F600 and é ü 中"
0, 1, 123456789012345678901234567890, 0x_ff, 0o17, 0b101, 1_000_000
0.0, 1e16, 1e15, 1e-5, 0.0001, 1.5e300, 5e-324, 1.7976931348623157e308, 1e999
0.1, 2.5, 1e22, 123456789.123, 3.14159265358979
1j, 2.5j, 1e-5j, 1e999j, 0j
True, False, None, ...


async def g():
    await x
    [y async for y in z]
    return (yield a), (yield), (yield from b)
