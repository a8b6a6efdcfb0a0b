"""Every pattern kind (Python 3.10 syntax)."""
match command.split():
    case [action]:
        pass
    case [action, obj, *rest] if obj:
        pass
    case [*_]:
        pass
    case (1 | 2 | 3) as number:
        pass
    case {"key": value, 1: _, **rest}:
        pass
    case {}:
        pass
    case Point(x=0, y=yy) | Point(0, 0):
        pass
    case Color.RED:
        pass
    case None | True | False:
        pass
    case -1 | 1.5 | -2j | 1 + 2j | "s" | b"b":
        pass
    case (a, b):
        pass
    case _:
        pass
