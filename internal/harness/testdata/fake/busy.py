"""Spins without printing: a livelock."""
import time


def spin_forever():
    n = 0
    while True:
        n += 1


print("spinning", flush=True)
spin_forever()
