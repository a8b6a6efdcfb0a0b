import broken


def test_import():
    assert broken
