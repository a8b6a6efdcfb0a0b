"""Aborts, as a failed C assertion does."""
import os


def check_invariant():
    os.abort()


check_invariant()
