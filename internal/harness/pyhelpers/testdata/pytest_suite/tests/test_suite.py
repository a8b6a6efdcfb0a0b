import pytest

@pytest.fixture
def broken():
    raise RuntimeError("setup broke")

@pytest.fixture
def bad_teardown():
    yield 1
    raise ValueError("teardown broke")

def test_pass():
    pass

def test_fail():
    assert 1 == 2

def test_setup_error(broken):
    pass

def test_teardown_error(bad_teardown):
    pass

@pytest.mark.skip(reason="not today")
def test_skip():
    pass

@pytest.mark.xfail(reason="known bug")
def test_xfail():
    raise KeyError("k")

@pytest.mark.xfail(reason="maybe")
def test_xpass():
    pass

@pytest.mark.parametrize("a,b", [(1, 2)])
def test_param(a, b):
    assert a < b
