raise RuntimeError("the probe must not run __main__")
