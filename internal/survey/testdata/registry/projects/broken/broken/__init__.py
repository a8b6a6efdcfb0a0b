import _broken_speedups  # never built
