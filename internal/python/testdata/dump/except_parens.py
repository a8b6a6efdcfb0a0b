# PEP 758: except and except* without parentheses (Python 3.14).
try:
    pass
except ValueError, TypeError:
    pass
except (KeyError, IndexError) as e:
    pass
except OSError, EOFError, RuntimeError:
    pass

try:
    pass
except* ValueError, TypeError:
    pass
except* OSError:
    pass
