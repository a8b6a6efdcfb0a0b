import pytest


def test_plain():
    pass


@pytest.mark.parametrize("a,b", [(1, 2)])
def test_param(a, b):
    assert a < b
