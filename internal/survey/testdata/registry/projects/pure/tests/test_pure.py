import os
import sys

import pure


def test_double():
    assert pure.double(21) == 42


def test_in_the_venv():
    # The survey's venv, with the registry's environment.
    assert sys.prefix != sys.base_prefix
    assert os.environ["VIRTUAL_ENV"] == sys.prefix
    assert os.environ["PURE_EXPECTED"] == "from the registry"
