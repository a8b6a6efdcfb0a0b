# cython: language_level=3
# cython: freethreading_compatible = True

def add(a, b):
    return a + b
