import badinstall


def test_f():
    assert badinstall.f() == 1
