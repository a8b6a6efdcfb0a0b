# Another sitecustomize, later on PYTHONPATH: pyrace's must run it.
import os

CHAINED = True
marker = os.environ.get("CHAIN_MARKER")
if marker:
    with open(marker, "w") as f:
        f.write("chained\n")
