# PEP 696 type parameter defaults, PEP 695 generics, other 3.12-3.14 grammar.
type Alias[T = int, *Ts = *tuple[int, ...], **P = [int, str]] = Callable[P, tuple[T, *Ts]]
class Box[T: (int, str) = int, *Ts, **P = ...]:
    pass
def first[T = list[int]](x: T) -> T:
    return x
def star(*args: *Ts): pass
x = f"{'nested' + f"{"same quotes"}"}"
y = f"{x!r:{'>' + str(10)}}"
z = f"""{
    x  # a comment inside a replacement field
}"""
w = f"{x = }" f"{x=!s:>4}"
with (open("a") as fa, open("b") as fb,):
    pass
match x:
    case {"k": [1, *_], **rest} if rest:
        pass
    case Point(x=0) | Point(y=0) as p:
        pass
