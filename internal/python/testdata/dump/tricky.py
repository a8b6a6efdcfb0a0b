# Odd but valid source: how the tokenizer and parser cope with corners.
if x:
\
    a = 1
if x:
  \
  b = 2
  c = 3
x = 1if y else 2
z = 0x1for _ in ()
ﬁ = 'ligature name is NFKC-normalised'
μ, ℌ = 1, 2
s = '\N{EM DASH}\N{LATIN SMALL LETTER A WITH ACUTE}\U0001F600\ud800'
b = b'\x00\777\q'
n = 1_000_000.000_1e-1_0j + 0o17 + 0b1_0 + 0xdead_BEEF + 123456789012345678901234567890
f = f'{f"{f'''{x!r:>{w}}'''}"}' f'{x:{{}}}'
g = [y := 1, y**2]
h = {(k := 1): v for v in range(3) if (w := v)}
lambda: (yield)
del (a), [b], c.d, e[0]
print(*a, *b, **c, **d, sep='')
x = a if b else(c)
@ (lambda f: f)
def f(a, /, b=1, *, c, d=2, **e): pass
class A(B, *C, metaclass=M, **D): pass
x[1:2, ::3, ...] = y[()]
async def g():
    return [i async for i in a() if await i]
