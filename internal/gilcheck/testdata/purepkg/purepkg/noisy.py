# Printing at import must not spoil the probe's output.
import sys

print("noise on stdout")
sys.stdout.write("PYRACE-GILPROBE not really\n")
