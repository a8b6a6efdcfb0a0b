raise RuntimeError("the probe must not import test modules")
