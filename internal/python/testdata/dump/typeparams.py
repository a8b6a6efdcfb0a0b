"""Type parameters, aliases and except* (Python 3.13 syntax)."""
type Alias = int
type Generic[T] = list[T]


def f[T: int, *Ts, **P](x: T) -> T:
    pass


class C[T = int, U: (str, bytes) = str, *Ts = *tuple[int], **P = [int]]:
    pass


try:
    pass
except* ValueError:
    pass
except* (TypeError, KeyError) as e:
    pass
